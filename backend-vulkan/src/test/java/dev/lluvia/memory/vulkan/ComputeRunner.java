package dev.lluvia.memory.vulkan;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.shaderc.Shaderc;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * A test's own compute work on library memory, as a program would write it: GLSL compiled to
 * SPIR-V with shaderc, its own shader module, descriptor set layout, pipeline, descriptor pool and
 * set, image views, command pool and buffer and fence, bound to the handles the library gives
 * ({@code Buffer.handle()}, {@code Image.handle()}, {@code Buffer.deviceAddress()}). Nothing here
 * goes through the library.
 *
 * <p>The queue rule: when {@code queueLock} is not null (the queue is shared with the library's
 * transfers), every submission holds it.
 */
final class ComputeRunner implements AutoCloseable {

    /** One descriptor: a storage buffer (a VkBuffer) or a storage image (a VkImage and its format), at its binding. */
    record Binding(long handle, boolean image, int format) {
        static Binding buffer(long vkBuffer) {
            return new Binding(vkBuffer, false, 0);
        }

        static Binding storageImage(long vkImage, int vkFormat) {
            return new Binding(vkImage, true, vkFormat);
        }
    }

    private final VkDevice device;
    private final VkQueue queue;
    private final Lock queueLock;
    private final long commandPool;
    private final VkCommandBuffer commandBuffer;
    private final long fence;

    ComputeRunner(VkDevice device, VkQueue queue, int queueFamily, Lock queueLock) {
        this.device = device;
        this.queue = queue;
        this.queueLock = queueLock;
        try (MemoryStack stack = stackPush()) {
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default()
                    .queueFamilyIndex(queueFamily).flags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT), null, p),
                    "vkCreateCommandPool");
            commandPool = p.get(0);
            PointerBuffer pc = stack.mallocPointer(1);
            check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                    .commandPool(commandPool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), pc),
                    "vkAllocateCommandBuffers");
            commandBuffer = new VkCommandBuffer(pc.get(0), device);
            check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, p), "vkCreateFence");
            fence = p.get(0);
        }
    }

    /** GLSL compute source to SPIR-V (Vulkan 1.2 environment), in a direct buffer the caller frees. */
    static ByteBuffer compile(String name, String glsl) {
        return compile(name, glsl, Shaderc.shaderc_compute_shader);
    }

    /** GLSL source of a stage ({@code Shaderc.shaderc_*_shader}) to SPIR-V; see {@link #compile(String, String)}. */
    static ByteBuffer compile(String name, String glsl, int stage) {
        long compiler = Shaderc.shaderc_compiler_initialize();
        long options = Shaderc.shaderc_compile_options_initialize();
        try {
            Shaderc.shaderc_compile_options_set_target_env(options, Shaderc.shaderc_target_env_vulkan,
                    Shaderc.shaderc_env_version_vulkan_1_2);
            long result = Shaderc.shaderc_compile_into_spv(compiler, glsl, stage, name, "main", options);
            try {
                if (Shaderc.shaderc_result_get_compilation_status(result) != Shaderc.shaderc_compilation_status_success) {
                    throw new IllegalStateException("shader " + name + " does not compile: "
                            + Shaderc.shaderc_result_get_error_message(result));
                }
                ByteBuffer bytes = Shaderc.shaderc_result_get_bytes(result);
                ByteBuffer copy = MemoryUtil.memAlloc(bytes.remaining());
                copy.put(bytes).flip();
                return copy;
            } finally {
                Shaderc.shaderc_result_release(result);
            }
        } finally {
            Shaderc.shaderc_compile_options_release(options);
            Shaderc.shaderc_compiler_release(compiler);
        }
    }

    /**
     * Compiles {@code glsl}, binds {@code bindings} at 0, 1, ... of set 0, pushes {@code pushConstants}
     * (may be null), dispatches {@code groupsX x groupsY} workgroups, submits and waits. Every
     * Vulkan object made for it is destroyed before returning.
     */
    void dispatch(String name, String glsl, List<Binding> bindings, ByteBuffer pushConstants, int groupsX, int groupsY) {
        ByteBuffer spirv = compile(name, glsl);
        List<Long> views = new ArrayList<>();
        long module = VK_NULL_HANDLE, setLayout = VK_NULL_HANDLE, pipelineLayout = VK_NULL_HANDLE;
        long pipeline = VK_NULL_HANDLE, pool = VK_NULL_HANDLE;
        try (MemoryStack stack = stackPush()) {
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateShaderModule(device, VkShaderModuleCreateInfo.calloc(stack).sType$Default().pCode(spirv), null, p),
                    "vkCreateShaderModule");
            module = p.get(0);

            VkDescriptorSetLayoutBinding.Buffer layoutBindings = VkDescriptorSetLayoutBinding.calloc(bindings.size(), stack);
            int buffers = 0, images = 0;
            for (int i = 0; i < bindings.size(); i++) {
                boolean image = bindings.get(i).image();
                layoutBindings.get(i).binding(i).descriptorCount(1).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT)
                        .descriptorType(image ? VK_DESCRIPTOR_TYPE_STORAGE_IMAGE : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
                if (image) {
                    images++;
                } else {
                    buffers++;
                }
            }
            check(vkCreateDescriptorSetLayout(device, VkDescriptorSetLayoutCreateInfo.calloc(stack).sType$Default()
                    .pBindings(layoutBindings), null, p), "vkCreateDescriptorSetLayout");
            setLayout = p.get(0);

            VkPipelineLayoutCreateInfo plci = VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(setLayout));
            if (pushConstants != null) {
                plci.pPushConstantRanges(VkPushConstantRange.calloc(1, stack)
                        .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).offset(0).size(pushConstants.remaining()));
            }
            check(vkCreatePipelineLayout(device, plci, null, p), "vkCreatePipelineLayout");
            pipelineLayout = p.get(0);

            VkComputePipelineCreateInfo.Buffer pci = VkComputePipelineCreateInfo.calloc(1, stack);
            pci.get(0).sType$Default().layout(pipelineLayout);
            pci.get(0).stage().sType$Default().stage(VK_SHADER_STAGE_COMPUTE_BIT).module(module).pName(stack.UTF8("main"));
            check(vkCreateComputePipelines(device, VK_NULL_HANDLE, pci, null, p), "vkCreateComputePipelines");
            pipeline = p.get(0);

            VkDescriptorPoolSize.Buffer sizes = VkDescriptorPoolSize.calloc(2, stack);
            sizes.get(0).type(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(Math.max(1, buffers));
            sizes.get(1).type(VK_DESCRIPTOR_TYPE_STORAGE_IMAGE).descriptorCount(Math.max(1, images));
            check(vkCreateDescriptorPool(device, VkDescriptorPoolCreateInfo.calloc(stack).sType$Default()
                    .maxSets(1).pPoolSizes(sizes), null, p), "vkCreateDescriptorPool");
            pool = p.get(0);
            check(vkAllocateDescriptorSets(device, VkDescriptorSetAllocateInfo.calloc(stack).sType$Default()
                    .descriptorPool(pool).pSetLayouts(stack.longs(setLayout)), p), "vkAllocateDescriptorSets");
            long set = p.get(0);

            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(bindings.size(), stack);
            for (int i = 0; i < bindings.size(); i++) {
                Binding b = bindings.get(i);
                writes.get(i).sType$Default().dstSet(set).dstBinding(i).descriptorCount(1);
                if (b.image()) {
                    VkImageViewCreateInfo vci = VkImageViewCreateInfo.calloc(stack).sType$Default()
                            .image(b.handle()).viewType(VK_IMAGE_VIEW_TYPE_2D).format(b.format())
                            .subresourceRange(r -> r.aspectMask(VK_IMAGE_ASPECT_COLOR_BIT).levelCount(1).layerCount(1));
                    check(vkCreateImageView(device, vci, null, p), "vkCreateImageView");
                    views.add(p.get(0));
                    writes.get(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_IMAGE).pImageInfo(VkDescriptorImageInfo
                            .calloc(1, stack).imageView(p.get(0)).imageLayout(VK_IMAGE_LAYOUT_GENERAL));
                } else {
                    writes.get(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).pBufferInfo(VkDescriptorBufferInfo
                            .calloc(1, stack).buffer(b.handle()).offset(0).range(VK_WHOLE_SIZE));
                }
            }
            vkUpdateDescriptorSets(device, writes, null);

            check(vkResetCommandBuffer(commandBuffer, 0), "vkResetCommandBuffer");
            check(vkBeginCommandBuffer(commandBuffer, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                    .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
            // What the library's transfers wrote (waited for on the host) is made visible to the shader.
            VkMemoryBarrier.Buffer before = VkMemoryBarrier.calloc(1, stack);
            before.get(0).sType$Default().srcAccessMask(VK_ACCESS_MEMORY_WRITE_BIT)
                    .dstAccessMask(VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
            vkCmdPipelineBarrier(commandBuffer, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                    0, before, null, null);
            vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
            vkCmdBindDescriptorSets(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipelineLayout, 0, stack.longs(set), null);
            if (pushConstants != null) {
                vkCmdPushConstants(commandBuffer, pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pushConstants);
            }
            vkCmdDispatch(commandBuffer, groupsX, groupsY, 1);
            // The shader's writes are made available to whatever reads next (the library's copies).
            VkMemoryBarrier.Buffer after = VkMemoryBarrier.calloc(1, stack);
            after.get(0).sType$Default().srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT)
                    .dstAccessMask(VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
            vkCmdPipelineBarrier(commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                    0, after, null, null);
            check(vkEndCommandBuffer(commandBuffer), "vkEndCommandBuffer");

            VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(commandBuffer));
            if (queueLock != null) {
                queueLock.lock();
            }
            try {
                check(vkQueueSubmit(queue, submit, fence), "vkQueueSubmit");
            } finally {
                if (queueLock != null) {
                    queueLock.unlock();
                }
            }
            check(vkWaitForFences(device, stack.longs(fence), true, -1L), "vkWaitForFences");
            check(vkResetFences(device, stack.longs(fence)), "vkResetFences");
        } finally {
            for (long v : views) {
                vkDestroyImageView(device, v, null);
            }
            vkDestroyDescriptorPool(device, pool, null);
            vkDestroyPipeline(device, pipeline, null);
            vkDestroyPipelineLayout(device, pipelineLayout, null);
            vkDestroyDescriptorSetLayout(device, setLayout, null);
            vkDestroyShaderModule(device, module, null);
            MemoryUtil.memFree(spirv);
        }
    }

    @Override
    public void close() {
        vkDestroyFence(device, fence, null);
        vkDestroyCommandPool(device, commandPool, null);
    }
}
