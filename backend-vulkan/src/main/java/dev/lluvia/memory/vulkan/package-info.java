/**
 * The {@code vulkan} backend: real Vulkan devices through LWJGL. A session opened on it gives its
 * {@code VkDevice}, queue and queue lock ({@link dev.lluvia.memory.vulkan.VulkanBackend}, through
 * {@code session.unwrap(VulkanBackend.class)}); {@link dev.lluvia.memory.vulkan.VulkanSession#wrap}
 * opens a session on a device the program made itself ({@link dev.lluvia.memory.vulkan.ExistingDevice}).
 */
package dev.lluvia.memory.vulkan;
