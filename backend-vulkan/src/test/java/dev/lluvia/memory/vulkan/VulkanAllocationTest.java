package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Buffers and images placed in real device memory: aligned, inside their page, never overlapping. */
class VulkanAllocationTest {

    private static final long PAGE = 1024 * 1024;

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void buffersAndImagesOfSeveralSizesAreAlignedAndDoNotOverlap(String device) {
        Session session = open(device);
        try {
            MemoryBackend backend = backend(session);
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), PAGE);
            assertEquals(0, memory.pageCount(), "pages are made lazily");
            List<MemoryObject> objects = new ArrayList<>();
            List<Long> alignments = new ArrayList<>();
            long[] sizes = {1, 17, 256, 1000, 1024, 4096, 65_537, 300_000};
            for (long size : sizes) {
                objects.add(memory.createBuffer(size));
                alignments.add(bufferAlignment(backend, size));
                assertEquals(1, memory.pageCount(), "small buffers share the first page");
            }
            ImageDescriptor[] descriptors = {
                    ImageDescriptor.of(32, 32, ChannelType.UINT8),
                    ImageDescriptor.of(17, 13, ChannelType.FLOAT32, 4),
                    ImageDescriptor.of(64, 1, ChannelType.UINT16, 2),
                    ImageDescriptor.of(8, 8, ChannelType.INT32).withDepth(4)};
            for (ImageDescriptor d : descriptors) {
                try {
                    objects.add(memory.createImage(d));
                } catch (dev.lluvia.memory.IncompatibleMemoryTypeException e) {
                    continue;
                }
                alignments.add(imageAlignment(backend, d));
            }
            for (int i = 0; i < objects.size(); i++) {
                AllocationInfo a = objects.get(i).allocationInfo();
                assertEquals(0, a.offset() % alignments.get(i), objects.get(i) + " aligned to " + alignments.get(i));
                assertTrue(a.offset() + a.size() <= PAGE, objects.get(i) + " inside its page");
                for (int j = 0; j < i; j++) {
                    AllocationInfo b = objects.get(j).allocationInfo();
                    boolean disjoint = a.page() != b.page() || a.offset() + a.size() <= b.offset() || b.offset() + b.size() <= a.offset();
                    assertTrue(disjoint, objects.get(i) + " overlaps " + objects.get(j));
                }
            }
            Image lluvia = memory.createImage(32, 32, ChannelType.UINT8);
            assertEquals(2048, lluvia.allocationInfo().size(), "Lluvia's 32x32 Uint8 image is 2048 bytes on llvmpipe and the H100");

            Buffer big = memory.createBuffer(3 * PAGE);
            assertEquals(2, memory.pageCount(), "a buffer larger than the page gets a page of its own");
            assertEquals(0, big.allocationInfo().offset());
            big.close();
            for (MemoryObject o : objects) {
                o.close();
            }
            memory.close();
            assertEquals(0, backend(session).liveAllocationCount(), "every page was freed");
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void bufferRequirementsComeFromTheDriver(String device) {
        Session session = open(device);
        try {
            MemoryBackend backend = backend(session);
            Resource r = backend.createBuffer(1024, 0x20 | 0x1 | 0x2);
            try {
                assertTrue(r.requirements().size() >= 1024);
                assertEquals(1, Long.bitCount(r.requirements().alignment()));
                int all = (1 << session.device().memoryTypes().size()) - 1;
                assertNotEquals(0, r.requirements().memoryTypeBits() & all);
                assertFalse(r.requirements().requiresDedicated(), "a 1 KiB buffer never requires its own allocation");
                if (session.device().name().startsWith("llvmpipe")) {
                    assertEquals(64, r.requirements().alignment());
                }
            } finally {
                backend.destroyBuffer(r);
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void heapUsageFollowsPagesWhenTheDriverReportsNoBudget(String device) {
        Session session = open(device);
        try {
            List<HeapBudget> before = session.heapBudgets();
            assertEquals(session.device().memoryHeaps().size(), before.size());
            for (HeapBudget b : before) {
                assertTrue(b.budget() > 0, b.toString());
                assertTrue(b.usage() >= 0, b.toString());
                assertEquals(session.device().hasMemoryBudget(), b.reported());
            }
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 4 * PAGE);
            int heap = memory.memoryType().heapIndex();
            memory.createBuffer(100);
            long during = session.heapBudgets().get(heap).usage();
            memory.close();
            long after = session.heapBudgets().get(heap).usage();
            if (!session.device().hasMemoryBudget()) {
                assertEquals(session.device().memoryHeaps().get(heap).size(), before.get(heap).budget(),
                        "without VK_EXT_memory_budget the budget is the heap size");
                assertEquals(before.get(heap).usage() + 4 * PAGE, during, "usage counts this backend's pages");
                assertEquals(before.get(heap).usage(), after);
            } else {
                assertTrue(during >= after, "usage " + during + " while the page lived, " + after + " after");
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    private static long bufferAlignment(MemoryBackend backend, long size) {
        Resource r = backend.createBuffer(size, 0x20 | 0x1 | 0x2);
        backend.destroyBuffer(r);
        return r.requirements().alignment();
    }

    private static long imageAlignment(MemoryBackend backend, ImageDescriptor d) {
        Resource r = backend.createImage(d);
        backend.destroyImage(r);
        return r.requirements().alignment();
    }
}
