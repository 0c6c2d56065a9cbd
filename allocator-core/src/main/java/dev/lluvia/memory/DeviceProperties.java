package dev.lluvia.memory;

import java.util.List;

/**
 * What an open session's device is and what memory it offers ({@link Session#device()}): its
 * memory types, heaps and limits, as the allocator uses them. To choose a device before opening a
 * session, {@link Session#devices(String)} lists each as a {@link DeviceSummary}.
 *
 * @param name           the device name the driver reports
 * @param type           discrete, integrated, virtual, CPU or other
 * @param vendorId       PCI vendor id (0x10de NVIDIA, 0x10005 Mesa)
 * @param deviceId       PCI device id
 * @param apiVersion     Vulkan API version, {@code major.minor.patch}
 * @param driverVersion  the driver's version string
 * @param memoryTypes    the memory types in Vulkan order
 * @param memoryHeaps    the memory heaps in Vulkan order
 * @param limits         the limits that bind the allocator
 * @param hasMemoryBudget whether the device reports heap budgets ({@code VK_EXT_memory_budget})
 */
public record DeviceProperties(String name, DeviceType type, int vendorId, int deviceId, String apiVersion,
                               String driverVersion, List<MemoryType> memoryTypes, List<MemoryHeap> memoryHeaps,
                               DeviceLimits limits, boolean hasMemoryBudget) {
    /**
     * Copies the memory types and heaps (unmodifiable).
     *
     * @param name the device name the driver reports
     * @param type discrete, integrated, virtual, CPU or other
     * @param vendorId PCI vendor id (0x10de NVIDIA, 0x10005 Mesa)
     * @param deviceId PCI device id
     * @param apiVersion Vulkan API version, {@code major.minor.patch}
     * @param driverVersion the driver's version string
     * @param memoryTypes the memory types in Vulkan order
     * @param memoryHeaps the memory heaps in Vulkan order
     * @param limits the limits that bind the allocator
     * @param hasMemoryBudget whether the device reports heap budgets ({@code VK_EXT_memory_budget})
     */
    public DeviceProperties {
        memoryTypes = List.copyOf(memoryTypes);
        memoryHeaps = List.copyOf(memoryHeaps);
    }

    /**
     * The memory type that suits {@code usage} best among those whose bit is set in
     * {@code memoryTypeBits} (a resource's {@code VkMemoryRequirements::memoryTypeBits}), ranked
     * as a {@link Memory} of that usage is placed; for a backend's own allocations (staging
     * buffers rank as {@link MemoryUsage#READBACK}: host memory, cached, coherent).
     *
     * @param usage          what the memory is for
     * @param memoryTypeBits bit {@code i} set: memory type {@code i} may be chosen
     * @return the type, or {@code null} when no allowed type suits the usage
     */
    public MemoryType bestMemoryType(MemoryUsage usage, int memoryTypeBits) {
        return MemoryTypeRanking.choose(memoryTypes, usage, memoryTypeBits);
    }
}
