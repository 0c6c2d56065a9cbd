package dev.lluvia.memory;

/**
 * One of the device's memory heaps: where the bytes of its memory types come from.
 *
 * @param index       Vulkan heap index
 * @param size        bytes in the heap
 * @param deviceLocal whether the heap is {@code VK_MEMORY_HEAP_DEVICE_LOCAL_BIT}
 */
public record MemoryHeap(int index, long size, boolean deviceLocal) {
}
