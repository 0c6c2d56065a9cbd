/**
 * The Vulkan memory backend: real devices through LWJGL. Needs the system's Vulkan loader
 * ({@code libvulkan.so.1}); the validation layer ({@code VK_LAYER_KHRONOS_validation}) for debug checks.
 */
module dev.lluvia.memory.vulkan {
    requires transitive dev.lluvia.memory;
    requires transitive org.lwjgl;
    requires transitive org.lwjgl.vulkan;

    exports dev.lluvia.memory.vulkan;

    provides dev.lluvia.memory.spi.MemoryBackendProvider with dev.lluvia.memory.vulkan.VulkanBackendProvider;
}
