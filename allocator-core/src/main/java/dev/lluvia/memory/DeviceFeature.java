package dev.lluvia.memory;

/**
 * Device features and extensions the allocator can use, as VMA's allocator creation flags name
 * them. The device the library creates enables what {@link SessionOptions#withFeatures} asks for
 * (and refuses to open without it); a device a program created and wraps declares what it enabled.
 * {@link Session#enabledFeatures()} says what a session has.
 */
public enum DeviceFeature {
    /**
     * {@code VK_KHR_dedicated_allocation} (core in Vulkan 1.1): objects the driver prefers or
     * requires to have an allocation of their own get one. Always on for the library's own device.
     */
    DEDICATED_ALLOCATION("VK_KHR_dedicated_allocation (core in Vulkan 1.1)"),
    /**
     * {@code VK_EXT_memory_budget}: heap budgets and usage come from the driver instead of being
     * estimated. The library's own device enables it whenever the device has it.
     */
    MEMORY_BUDGET("VK_EXT_memory_budget"),
    /**
     * The {@code bufferDeviceAddress} feature (core in Vulkan 1.2): buffers made with
     * {@link BufferUsage#SHADER_DEVICE_ADDRESS} give {@link Buffer#deviceAddress()}; pages are
     * allocated with {@code VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT}.
     */
    BUFFER_DEVICE_ADDRESS("the bufferDeviceAddress feature (Vulkan 1.2, VkPhysicalDeviceVulkan12Features)"),
    /**
     * {@code VK_EXT_memory_priority} with its {@code memoryPriority} feature: pages are allocated
     * with their Memory's priority ({@link MemoryOptions#withPriority}, default 0.5), which the
     * driver uses when it must evict. Without it a priority is kept but not applied
     * ({@link Memory#isPriorityApplied()}).
     */
    MEMORY_PRIORITY("VK_EXT_memory_priority with its memoryPriority feature");

    private final String vulkanName;

    DeviceFeature(String vulkanName) {
        this.vulkanName = vulkanName;
    }

    /**
     * {@return an unmodifiable copy of {@code features} in declaration order} Not an {@code EnumSet}: sets
     * kept by sessions and backends hold no {@code Class} reference (Lincheck's snapshots of the
     * heap, in the sim's tests, restore the fields of what they reach, and a {@code Class}'s lazily
     * filled caches broke them).
     *
     * @param features the features; no null element
     */
    public static java.util.Set<DeviceFeature> setOf(java.util.Collection<DeviceFeature> features) {
        if (features.isEmpty()) {
            return java.util.Set.of();
        }
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(java.util.EnumSet.copyOf(features)));
    }

    /** {@return what Vulkan calls it: the extension or feature to enable on a device} */
    public String vulkanName() {
        return vulkanName;
    }
}
