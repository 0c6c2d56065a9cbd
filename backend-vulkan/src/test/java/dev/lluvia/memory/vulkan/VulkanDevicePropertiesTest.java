package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.util.Set;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * What the device reports, checked for sense on every device and against the numbers measured on
 * lavapipe (ARCHITECTURE.md); also prints the report docs/devices.md records.
 */
class VulkanDevicePropertiesTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void propertiesAreSane(String deviceIndex) {
        Session session = open(deviceIndex);
        try {
            DeviceProperties d = session.device();
            assertFalse(d.name().isBlank());
            assertTrue(d.apiVersion().matches("1\\.[1-9]\\d*\\.\\d+"), "API 1.1 or newer: " + d.apiVersion());
            assertFalse(d.driverVersion().isBlank());
            assertFalse(d.memoryTypes().isEmpty());
            assertFalse(d.memoryHeaps().isEmpty());
            for (int i = 0; i < d.memoryTypes().size(); i++) {
                MemoryType t = d.memoryTypes().get(i);
                assertEquals(i, t.index());
                assertTrue(t.heapIndex() >= 0 && t.heapIndex() < d.memoryHeaps().size(), t.toString());
            }
            for (MemoryHeap h : d.memoryHeaps()) {
                assertTrue(h.size() > 0, h.toString());
            }
            assertTrue(d.memoryTypes().stream().anyMatch(MemoryType::isHostVisible), "Vulkan requires a host-visible type");
            assertTrue(d.memoryHeaps().stream().anyMatch(MemoryHeap::deviceLocal), "Vulkan requires a device-local heap");
            assertTrue(Long.bitCount(d.limits().bufferImageGranularity()) == 1, d.limits().toString());
            assertTrue(Long.bitCount(d.limits().nonCoherentAtomSize()) == 1, d.limits().toString());
            assertTrue(d.limits().maxMemoryAllocationCount() >= 4096, "Vulkan guarantees 4096: " + d.limits());
            assertTrue(d.limits().maxImageDimension2D() >= 4096, d.limits().toString());
            assertEquals(d.hasMemoryBudget(), session.heapBudgets().get(0).reported());
            if (d.name().startsWith("llvmpipe")) {
                assertEquals(1, d.memoryHeaps().size());
                assertEquals(1, d.memoryTypes().size());
                assertEquals(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL, MemoryPropertyFlag.HOST_VISIBLE,
                        MemoryPropertyFlag.HOST_COHERENT, MemoryPropertyFlag.HOST_CACHED), d.memoryTypes().get(0).flags());
                assertEquals(64, d.limits().bufferImageGranularity());
                assertEquals(0x10005, d.vendorId());
            }
            if (d.name().contains("H100")) {
                assertEquals(5, d.memoryTypes().size());
                assertEquals(1024, d.limits().bufferImageGranularity());
                assertTrue(d.hasMemoryBudget());
            }
            System.out.println(report(session));
        } finally {
            closeAndAssertClean(session);
        }
    }

    /** The text docs/devices.md records: device, types, heaps, limits, budgets and two allocation infos. */
    static String report(Session session) {
        DeviceProperties d = session.device();
        StringBuilder sb = new StringBuilder();
        sb.append("device: ").append(d.name()).append(" (").append(d.type()).append(", vendor 0x")
                .append(Integer.toHexString(d.vendorId())).append(", device 0x").append(Integer.toHexString(d.deviceId()))
                .append(")\n");
        sb.append("api ").append(d.apiVersion()).append(", driver ").append(d.driverVersion())
                .append(", VK_EXT_memory_budget: ").append(d.hasMemoryBudget()).append('\n');
        for (MemoryHeap h : d.memoryHeaps()) {
            sb.append("heap ").append(h.index()).append(": ").append(h.size()).append(" B")
                    .append(h.deviceLocal() ? " DEVICE_LOCAL" : "").append('\n');
        }
        for (MemoryType t : d.memoryTypes()) {
            sb.append("type ").append(t.index()).append(": heap ").append(t.heapIndex()).append(' ')
                    .append(sorted(t.flags())).append('\n');
        }
        sb.append("limits: ").append(d.limits()).append('\n');
        sb.append("supportedMemoryPropertyFlags: ").append(session.supportedMemoryPropertyFlags()).append('\n');
        for (MemoryUsage u : MemoryUsage.values()) {
            try (Memory m = session.createMemory(u)) {
                sb.append("usage ").append(u).append(" -> type ").append(m.memoryType().index()).append(' ')
                        .append(sorted(m.memoryFlags())).append('\n');
            } catch (RuntimeException e) {
                sb.append("usage ").append(u).append(" -> ").append(e.getMessage()).append('\n');
            }
        }
        VulkanBackend backend = backend(session);
        Resource buffer = backend.createBuffer(1024, 0x20 | 0x1 | 0x2);
        backend.destroyBuffer(buffer);
        sb.append("requirements buffer(1024, storage|transfer): ").append(buffer.requirements()).append('\n');
        for (ImageDescriptor id : new ImageDescriptor[]{ImageDescriptor.of(32, 32, ChannelType.UINT8),
                ImageDescriptor.of(32, 32, ChannelType.UINT8, 4), ImageDescriptor.of(640, 640, ChannelType.UINT8),
                ImageDescriptor.of(1920, 1920, ChannelType.UINT8, 4)}) {
            Resource image = backend.createImage(id);
            backend.destroyImage(image);
            sb.append("requirements image ").append(id.width()).append('x').append(id.height()).append(' ')
                    .append(id.formatName()).append(": ")
                    .append(image.requirements()).append('\n');
        }
        try (Memory m = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))) {
            Buffer b = m.createBuffer(1024);
            AllocationInfo bi = b.allocationInfo();
            sb.append("memory {DEVICE_LOCAL} -> type ").append(m.memoryType().index()).append('\n');
            sb.append("buffer(1024): ").append(bi).append('\n');
            Image img = m.createImage(32, 32, ChannelType.UINT8);
            sb.append("image 32x32 UINT8: ").append(img.allocationInfo()).append('\n');
            for (HeapBudget hb : session.heapBudgets()) {
                sb.append("budget: ").append(hb).append('\n');
            }
        }
        return sb.toString();
    }

    private static String sorted(Set<MemoryPropertyFlag> flags) {
        return EnumSet.copyOf(flags.isEmpty() ? EnumSet.noneOf(MemoryPropertyFlag.class) : flags).toString();
    }
}
