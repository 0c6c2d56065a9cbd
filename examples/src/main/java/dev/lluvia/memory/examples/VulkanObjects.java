package dev.lluvia.memory.examples;

import dev.lluvia.memory.Image;
import dev.lluvia.memory.vulkan.VulkanFormats;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.shaderc.Shaderc;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * The Vulkan objects an example program makes itself, beside the library's memory: a command
 * buffer with its pool and fence on the program's queue (submitted under the program's queue lock,
 * which the library's transfers take too), and the views, shaders, samplers and pipelines it
 * destroys, latest first, in {@link #destroy()}. The library's objects live in Memories the
 * program closes.
 */
class VulkanObjects {

    final VkDevice device;
    final VkQueue queue;
    final Lock queueLock;
    final long commandPool;
    final VkCommandBuffer cmd;
    final long fence;
    /** Vulkan objects to destroy, in reverse order: {kind, handle}. */
    final List<long[]> made = new ArrayList<>();

    VulkanObjects(VkDevice device, int queueFamily, VkQueue queue, Lock queueLock) {
        this.device = device;
        this.queue = queue;
        this.queueLock = queueLock;
        try (MemoryStack stack = stackPush()) {
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT).queueFamilyIndex(queueFamily), null, p), "vkCreateCommandPool");
            commandPool = p.get(0);
            org.lwjgl.PointerBuffer pc = stack.mallocPointer(1);
            check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), pc), "vkAllocateCommandBuffers");
            cmd = new VkCommandBuffer(pc.get(0), device);
            check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, p), "vkCreateFence");
            fence = p.get(0);
        }
    }

    long sampler(MemoryStack stack) {
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateSampler(device, VkSamplerCreateInfo.calloc(stack).sType$Default()
                .magFilter(VK_FILTER_NEAREST).minFilter(VK_FILTER_NEAREST).mipmapMode(VK_SAMPLER_MIPMAP_MODE_NEAREST)
                .addressModeU(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE).addressModeV(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE)
                .addressModeW(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE).maxLod(VK_LOD_CLAMP_NONE), null, p), "vkCreateSampler");
        return keep(8, p.get(0));
    }

    void layoutBarrier(MemoryStack stack, long image, int levels, int layers, int from, int to, int srcAccess,
                               int dstAccess, int srcStage, int dstStage) {
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, null, null, VkImageMemoryBarrier.calloc(1, stack).sType$Default()
                .srcAccessMask(srcAccess).dstAccessMask(dstAccess).oldLayout(from).newLayout(to)
                .srcQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED).dstQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED).image(image)
                .subresourceRange(r -> r.aspectMask(VK_IMAGE_ASPECT_COLOR_BIT).levelCount(levels).layerCount(layers)));
    }

    long view(MemoryStack stack, Image image, int aspect) {
        return view(stack, image.handle(), VK_IMAGE_VIEW_TYPE_2D, VulkanFormats.vkFormat(image), aspect, 1, 1);
    }

    long view(MemoryStack stack, long image, int type, int format, int aspect, int levels, int layers) {
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateImageView(device, VkImageViewCreateInfo.calloc(stack).sType$Default().image(image).viewType(type)
                .format(format).subresourceRange(r -> r.aspectMask(aspect).levelCount(levels).layerCount(layers)), null, p),
                "vkCreateImageView");
        return keep(1, p.get(0));
    }

    long shader(MemoryStack stack, String name, String glsl, int stage) {
        ByteBuffer spirv = compile(name, glsl, stage);
        try {
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateShaderModule(device, VkShaderModuleCreateInfo.calloc(stack).sType$Default().pCode(spirv), null, p),
                    "vkCreateShaderModule");
            return keep(0, p.get(0));
        } finally {
            MemoryUtil.memFree(spirv);
        }
    }

    void begin(MemoryStack stack) {
        check(vkResetCommandBuffer(cmd, 0), "vkResetCommandBuffer");
        check(vkBeginCommandBuffer(cmd, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
    }

    void submitAndWait(MemoryStack stack) {
        check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
        queueLock.lock();
        try {
            check(vkQueueSubmit(queue, VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(cmd)), fence),
                    "vkQueueSubmit");
        } finally {
            queueLock.unlock();
        }
        check(vkWaitForFences(device, stack.longs(fence), true, -1L), "vkWaitForFences");
        check(vkResetFences(device, stack.longs(fence)), "vkResetFences");
    }

    /** GLSL source of a stage ({@code Shaderc.shaderc_*_shader}) to SPIR-V, in a direct buffer the caller frees. */
    static ByteBuffer compile(String name, String glsl, int stage) {
        long compiler = Shaderc.shaderc_compiler_initialize();
        long options = Shaderc.shaderc_compile_options_initialize();
        try {
            Shaderc.shaderc_compile_options_set_target_env(options, Shaderc.shaderc_target_env_vulkan, Shaderc.shaderc_env_version_vulkan_1_1);
            long result = Shaderc.shaderc_compile_into_spv(compiler, glsl, stage, name, "main", options);
            try {
                if (Shaderc.shaderc_result_get_compilation_status(result) != Shaderc.shaderc_compilation_status_success) {
                    throw new IllegalStateException(name + ": " + Shaderc.shaderc_result_get_error_message(result));
                }
                ByteBuffer bytes = Shaderc.shaderc_result_get_bytes(result);
                return MemoryUtil.memAlloc(bytes.remaining()).put(bytes).flip();
            } finally {
                Shaderc.shaderc_result_release(result);
            }
        } finally {
            Shaderc.shaderc_compile_options_release(options);
            Shaderc.shaderc_compiler_release(compiler);
        }
    }

    static void check(int result, String call) {
        if (result != VK_SUCCESS) {
            throw new IllegalStateException(call + " failed: VkResult " + result);
        }
    }

    long keep(int kind, long handle) {
        made.add(new long[]{kind, handle});
        return handle;
    }

    void destroy() {
        for (int i = made.size() - 1; i >= 0; i--) {
            long h = made.get(i)[1];
            switch ((int) made.get(i)[0]) {
                case 0 -> vkDestroyShaderModule(device, h, null);
                case 1 -> vkDestroyImageView(device, h, null);
                case 2 -> vkDestroyRenderPass(device, h, null);
                case 3 -> vkDestroyFramebuffer(device, h, null);
                case 4 -> vkDestroyPipelineLayout(device, h, null);
                case 5 -> vkDestroyPipeline(device, h, null);
                case 6 -> vkDestroyDescriptorSetLayout(device, h, null);
                case 7 -> vkDestroyDescriptorPool(device, h, null);
                case 9 -> vkDestroyBuffer(device, h, null);
                default -> vkDestroySampler(device, h, null);
            }
        }
        vkDestroyFence(device, fence, null);
        vkDestroyCommandPool(device, commandPool, null);
    }
}
