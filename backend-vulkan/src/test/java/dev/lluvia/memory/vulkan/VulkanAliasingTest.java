package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Aliases on real devices: bound by the driver onto the original's range, clean under validation. */
class VulkanAliasingTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void buffersAndImagesAliasAnObjectsRangeAndShareItsBytes(String device) {
        Session session = open(device);
        try {
            Memory host = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT),
                    1 << 20);
            // Page offset a multiple of 4096, so a linear image may alias its start on every device
            // (NVIDIA's linear images need 128; in debug mode the buffer would start after a margin).
            Buffer original = host.createBuffer(64 * 1024, BufferUsage.DEFAULT, 4096);
            Buffer alias = host.createAliasingBuffer(original, 4096, 4096, BufferUsage.DEFAULT);
            original.map().putLong(4096 + 64, 0x0123456789ABCDEFL);
            assertEquals(0x0123456789ABCDEFL, alias.map().getLong(64));
            // Through the queue: a copy out of the alias reads what the original holds.
            ByteBuffer out = ByteBuffer.allocateDirect(8);
            alias.read(64, out);
            assertEquals(0x0123456789ABCDEFL, out.order(java.nio.ByteOrder.nativeOrder()).getLong(0));

            Memory dev = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            Image image = dev.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8, 4));
            Buffer over = dev.createAliasingBuffer(image, 0, 1024, EnumSet.of(BufferUsage.TRANSFER_DST));
            Image linear = host.createAliasingImage(original, 0,
                    ImageDescriptor.of(16, 16, ChannelType.UINT8).withTiling(ImageTiling.LINEAR));
            assertEquals(List.of(alias, linear), original.aliases());
            assertEquals(List.of(over), image.aliases());
            assertThrows(IllegalStateException.class, original::close);
            alias.close();
            linear.close();
            original.close();
        } finally {
            closeAndAssertClean(session);
        }
    }
}
