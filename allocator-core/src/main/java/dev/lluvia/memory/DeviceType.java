package dev.lluvia.memory;

/** Vulkan's {@code VkPhysicalDeviceType}, in the order a session prefers them by default. */
public enum DeviceType {
    /** A GPU of its own, with its own memory. */
    DISCRETE_GPU,
    /** A GPU that shares memory with the host. */
    INTEGRATED_GPU,
    /** A GPU of a virtual machine. */
    VIRTUAL_GPU,
    /** The host's processors (e.g. Mesa's lavapipe). */
    CPU,
    /** Any other device. */
    OTHER
}
