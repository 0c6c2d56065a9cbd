package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryNotMappableException;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.Resource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input: each gives a typed exception naming the bad value, leaves the memory as it was, and
 * leaks nothing (the validation layer reports no leaked object when the device is destroyed).
 */
class VulkanBadInputTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void unsupportedImageFormatsAreRejectedNamingFormatTilingAndUsage(String device) {
        Session session = open(device);
        try {
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            // Three-channel storage images and 64-bit float storage images: unsupported on lavapipe,
            // NVIDIA and AMD alike (Vulkan guarantees neither).
            List<ImageDescriptor> candidates = List.of(
                    ImageDescriptor.of(16, 16, ChannelType.UINT8, 3),
                    ImageDescriptor.of(16, 16, ChannelType.FLOAT16, 3),
                    ImageDescriptor.of(16, 16, ChannelType.FLOAT64, 3),
                    ImageDescriptor.of(16, 16, ChannelType.UINT8, 3).withTiling(ImageTiling.LINEAR));
            List<String> rejected = new ArrayList<>();
            for (ImageDescriptor d : candidates) {
                try {
                    memory.createImage(d).close();
                } catch (UnsupportedImageFormatException e) {
                    String name = d.formatName();
                    assertTrue(e.getMessage().contains(name), e.getMessage());
                    assertTrue(e.getMessage().contains(d.tiling().toString()), e.getMessage());
                    assertTrue(e.getMessage().contains("STORAGE"), "names the usage: " + e.getMessage());
                    rejected.add(name);
                }
            }
            assertFalse(rejected.isEmpty(), "some three-channel storage format is unsupported");
            assertEquals(0, memory.pageCount(), "a rejected image allocates nothing");
            assertTrue(memory.objects().isEmpty());
            // Without STORAGE the same three-channel format may be fine; at least no exception but the typed one.
            ImageDescriptor transferOnly = ImageDescriptor.of(16, 16, ChannelType.UINT8, 3)
                    .withUsage(EnumSet.of(ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST));
            try {
                memory.createImage(transferOnly).close();
            } catch (UnsupportedImageFormatException e) {
                assertTrue(e.getMessage().contains("R8G8B8_UINT"), e.getMessage());
            }
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void writingOrReadingPastTheEndNamesTheSizesAndChangesNothing(String device) {
        Session session = open(device);
        try {
            for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
                Memory memory = session.createMemory(flags, 1 << 20, true);
                Buffer buffer = memory.createBuffer(100);
                ByteBuffer ones = ByteBuffer.allocate(100);
                while (ones.hasRemaining()) {
                    ones.put((byte) 1);
                }
                buffer.write(0, ones.flip());
                ByteBuffer tooMuch = ByteBuffer.allocate(101);
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> buffer.write(0, tooMuch));
                assertTrue(e.getMessage().contains("101") && e.getMessage().contains("100 bytes"), e.getMessage());
                assertEquals(0, tooMuch.position(), "the source is not consumed");
                assertThrows(IndexOutOfBoundsException.class, () -> buffer.write(99, ByteBuffer.allocate(2)));
                assertThrows(IndexOutOfBoundsException.class, () -> buffer.write(-1, ByteBuffer.allocate(1)));
                assertThrows(IndexOutOfBoundsException.class, () -> buffer.read(50, ByteBuffer.allocate(51)));
                ByteBuffer back = ByteBuffer.allocate(100);
                buffer.read(0, back);
                for (int i = 0; i < 100; i++) {
                    assertEquals(1, back.get(i), "byte " + i + " is untouched by the rejected writes");
                }
                memory.close();
            }
            // Optimal images may live only in device-local memory (NVIDIA), so this part uses that.
            Memory deviceLocal = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Image image = deviceLocal.createImage(8, 8, ChannelType.UINT8);
            IllegalArgumentException ie = assertThrows(IllegalArgumentException.class,
                    () -> image.write(ByteBuffer.allocate(65)));
            assertTrue(ie.getMessage().contains("65") && ie.getMessage().contains("64"), ie.getMessage());
            ie = assertThrows(IllegalArgumentException.class, () -> image.read(ByteBuffer.allocate(63)));
            assertTrue(ie.getMessage().contains("63") && ie.getMessage().contains("64"), ie.getMessage());
        } finally {
            closeAndAssertClean(session);
        }
    }

    /**
     * The backend keeps each resource's state in the {@link Resource} it returned (no table): a
     * destroyed one, one of another device, an image given as a buffer or a resource it did not
     * create is refused by name, never handed to the driver (a second vkDestroyBuffer would be a
     * double free in the driver).
     */
    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void staleForeignAndWrongKindResourcesAreRefusedByName(String device) {
        Session session = open(device);
        Session other = open(device);
        try {
            VulkanBackend backend = backend(session);
            int usage = BufferUsage.toBits(BufferUsage.DEFAULT);
            Resource buffer = backend.createBuffer(256, usage);
            Resource image = backend.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8));
            Resource foreign = backend(other).createBuffer(256, usage);
            long page = backend.allocatePage(Integer.numberOfTrailingZeros(buffer.requirements().memoryTypeBits()), 1 << 20);
            String hex = Long.toHexString(buffer.handle());
            try {
                backend.bindBuffer(buffer, page, 0);
                backend.destroyBuffer(buffer);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.destroyBuffer(buffer));
                assertTrue(e.getMessage().contains(hex) && e.getMessage().contains("already destroyed"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> backend.bindBuffer(buffer, page, 0));
                assertTrue(e.getMessage().contains("already destroyed"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> backend.copyToBuffer(buffer, 0, ByteBuffer.allocateDirect(16)));
                assertTrue(e.getMessage().contains("already destroyed"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> backend.destroyBuffer(foreign));
                assertTrue(e.getMessage().contains("another device"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class, () -> backend.destroyBuffer(image));
                assertTrue(e.getMessage().contains("unknown buffer"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> backend.destroyImage(new Resource(image.handle(), image.requirements())));
                assertTrue(e.getMessage().contains("not created by this backend"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> backend.destroyBuffer(null));
            } finally {
                backend.destroyImage(image);
                backend.freePage(page);
                backend(other).destroyBuffer(foreign);
            }
        } finally {
            closeAndAssertClean(other);
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void transfersNeedTheTransferUsage(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            Resource storageOnly = backend.createBuffer(256, BufferUsage.toBits(EnumSet.of(BufferUsage.STORAGE_BUFFER)));
            int type = Integer.numberOfTrailingZeros(storageOnly.requirements().memoryTypeBits());
            long page = backend.allocatePage(type, 4096);
            try {
                backend.bindBuffer(storageOnly, page, 0);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> backend.copyToBuffer(storageOnly, 0, ByteBuffer.allocate(16)));
                assertTrue(e.getMessage().contains("TRANSFER_DST"), e.getMessage());
                e = assertThrows(IllegalArgumentException.class,
                        () -> backend.copyFromBuffer(storageOnly, 0, ByteBuffer.allocate(16)));
                assertTrue(e.getMessage().contains("TRANSFER_SRC"), e.getMessage());
            } finally {
                backend.destroyBuffer(storageOnly);
                backend.freePage(page);
            }
            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Image sampledOnly = memory.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8)
                    .withUsage(EnumSet.of(ImageUsage.SAMPLED)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sampledOnly.write(ByteBuffer.allocate(16)));
            assertTrue(e.getMessage().contains("TRANSFER_DST"), e.getMessage());
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void anAllocationLargerThanItsHeapIsOutOfDeviceMemoryAndLeaksNothing(String device) {
        Session session = open(device);
        try {
            VulkanBackend backend = backend(session);
            MemoryType type = session.device().memoryTypes().get(0);
            long heapSize = session.device().memoryHeaps().get(type.heapIndex()).size();
            OutOfDeviceMemoryException e = assertThrows(OutOfDeviceMemoryException.class,
                    () -> backend.allocatePage(type.index(), heapSize + 1));
            assertEquals(type.heapIndex(), e.heapIndex());
            assertEquals(heapSize + 1, e.requested());
            assertTrue(e.getMessage().contains(Long.toString(heapSize)), e.getMessage());

            Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            long tooBig = session.device().memoryHeaps().get(memory.memoryType().heapIndex()).size() + 4096;
            if (Long.compareUnsigned(tooBig, backend.maxBufferSize()) <= 0) {
                assertThrows(OutOfDeviceMemoryException.class, () -> memory.createBuffer(tooBig));
            } else {
                IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> memory.createBuffer(tooBig));
                assertTrue(big.getMessage().contains(Long.toString(tooBig)), big.getMessage());
            }
            assertEquals(0, memory.pageCount(), "the failed buffer left no page");
            assertTrue(memory.objects().isEmpty());
            assertEquals(0, backend.liveAllocationCount());
            // The memory still works afterwards.
            memory.createBuffer(1024).write(0, ByteBuffer.allocate(1024));
            assertEquals(1, memory.pageCount());
        } finally {
            closeAndAssertClean(session);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void mappingDeviceLocalOnlyMemoryIsRefusedWhileTransfersStillWork(String device) {
        Session session = open(device);
        try {
            MemoryType deviceOnly = session.device().memoryTypes().stream()
                    .filter(t -> !t.isHostVisible() && t.flags().contains(MemoryPropertyFlag.DEVICE_LOCAL))
                    .findFirst().orElse(null);
            Assumptions.assumeTrue(deviceOnly != null, session.device().name()
                    + " has no device-local type that the host cannot map (lavapipe maps all its memory)");
            Memory memory = session.createMemory(deviceOnly.flags(), 1 << 20, true);
            Buffer buffer = memory.createBuffer(64);
            MemoryNotMappableException e = assertThrows(MemoryNotMappableException.class, buffer::map);
            assertTrue(e.getMessage().contains("HOST_VISIBLE"), e.getMessage());
            // Bytes still go in and out, through the staging buffer.
            ByteBuffer data = ByteBuffer.allocate(64);
            for (int i = 0; i < 64; i++) {
                data.put((byte) (i * 3));
            }
            buffer.write(0, data.flip());
            ByteBuffer back = ByteBuffer.allocate(64);
            buffer.read(0, back);
            assertEquals(data.rewind(), back.flip());
        } finally {
            closeAndAssertClean(session);
        }
    }
}
