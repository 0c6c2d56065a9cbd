package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.UnsupportedExternalMemoryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.vulkan.KHRExternalMemoryFd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Pages exported as opaque file descriptors where the device has VK_KHR_external_memory_fd. */
class VulkanExportTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void anExportableMemorysPagesExportAsFileDescriptors(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            boolean extension = VulkanObjectOptionsTest.hasExtension(backend.vkDevice().getPhysicalDevice(),
                    KHRExternalMemoryFd.VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
            MemoryOptions options = MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(1 << 20)
                    .withExportable(true);
            System.out.println(backend.device().name() + ": VK_KHR_external_memory_fd " + extension);
            if (!extension) {
                UnsupportedExternalMemoryException e = assertThrows(UnsupportedExternalMemoryException.class,
                        () -> session.createMemory(options));
                assertTrue(e.getMessage().contains("VK_KHR_external_memory_fd"), e.getMessage());
                assertTrue(session.memories().isEmpty());
                return;
            }
            Memory memory = session.createMemory(options);
            assertTrue(memory.isExportable());
            Buffer shared = memory.createBuffer(64 * 1024);
            Buffer dedicated = memory.createBuffer(900_000); // more than half a page: a page of its own
            try {
                Image image = memory.createImage(ImageDescriptor.of(32, 32, ChannelType.FLOAT32));
                assertEquals(shared.allocationInfo().page(), image.allocationInfo().page());
            } catch (UnsupportedExternalMemoryException e) {
                System.out.println("images not exportable here: " + e.getMessage());
            }
            for (Buffer b : new Buffer[] {shared, dedicated}) {
                int fd = memory.exportFd(b.allocationInfo().page());
                assertTrue(fd >= 0, "fd " + fd);
                assertTrue(Files.exists(Path.of("/proc/self/fd/" + fd)), "fd " + fd + " is open in this process");
            }
            assertThrows(IndexOutOfBoundsException.class, () -> memory.exportFd(7));
            Memory plain = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            plain.createBuffer(16);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plain.exportFd(0));
            assertTrue(e.getMessage().contains("withExportable"), e.getMessage());
        } finally {
            closeAndAssertClean(session);
        }
    }
}
