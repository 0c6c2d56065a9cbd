package dev.lluvia.memory;

/** Vulkan's {@code VkPhysicalDeviceType}, in the order a session prefers them by default. */
public enum DeviceType {
    DISCRETE_GPU,
    INTEGRATED_GPU,
    VIRTUAL_GPU,
    CPU,
    OTHER
}
