package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.AllocationRequest;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.shaderc.Shaderc;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.locks.Lock;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * What a renderer does with the library's memory, offscreen, on one device and graphics queue (the
 * library's or the program's): a 4x MSAA color attachment and a 4x depth attachment made from
 * {@link VulkanImageInfo}s (transient usage, samples: what {@code ImageDescriptor} cannot say), two
 * overlapping triangles drawn into them with a depth test from a vertex buffer that is the program's
 * own {@code VkBuffer} bound to a library {@link Allocation}, resolved into a
 * single-sample image (with a mutable-format view-format list), copied into a readback buffer and
 * checked pixel by pixel against the triangles' exact coverage of the standard sample positions;
 * a cube map with mip levels and a BC1-compressed texture, filled from a staging buffer with
 * {@code vkCmdCopyBufferToImage} and sampled by a compute shader, each texel checked. Every Vulkan
 * object it makes is destroyed before it returns; the library objects live in Memories it closes.
 */
final class RenderChecks {

    static final int SIZE = 64;
    static final int CUBE_SIZE = 8;
    static final int CUBE_LEVELS = 3;
    static final int BC_SIZE = 8;
    /** The standard 4-sample positions inside a pixel (Vulkan spec, "Multisampling"). */
    private static final float[][] SAMPLES_4 = {{0.375f, 0.125f}, {0.875f, 0.375f}, {0.125f, 0.625f}, {0.625f, 0.875f}};
    /** Triangle A (red, near) and B (green, far) in pixels: x, y of three corners. */
    static final float[][] TRIANGLE_A = {{8.3f, 6.1f}, {56.7f, 14.2f}, {20.9f, 58.4f}};
    static final float[][] TRIANGLE_B = {{30.2f, 4.7f}, {60.1f, 50.3f}, {4.4f, 40.6f}};
    static final int RED = 0xFF0000FF, GREEN = 0xFF00FF00, CLEAR = 0xFFFF0000; // ABGR as the bytes R, G, B, A read

    static final String VERTEX = """
            #version 450
            layout(location = 0) in vec3 position;
            layout(location = 1) in vec3 color;
            layout(location = 0) out vec3 vColor;
            void main() { gl_Position = vec4(position, 1.0); vColor = color; }
            """;
    static final String FRAGMENT = """
            #version 450
            layout(location = 0) in vec3 vColor;
            layout(location = 0) out vec4 outColor;
            void main() { outColor = vec4(vColor, 1.0); }
            """;
    static final String SAMPLE = """
            #version 450
            layout(local_size_x = 1) in;
            layout(binding = 0) uniform samplerCube cube;
            layout(binding = 1) uniform sampler2D bc;
            layout(std430, binding = 2) writeonly buffer Out { vec4 cubeTexels[18]; vec4 bcTexels[64]; };
            void main() {
                vec3 dirs[6] = vec3[](vec3(1, 0, 0), vec3(-1, 0, 0), vec3(0, 1, 0), vec3(0, -1, 0), vec3(0, 0, 1), vec3(0, 0, -1));
                for (int level = 0; level < 3; level++) {
                    for (int face = 0; face < 6; face++) {
                        cubeTexels[level * 6 + face] = textureLod(cube, dirs[face], float(level));
                    }
                }
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        bcTexels[y * 8 + x] = texelFetch(bc, ivec2(x, y), 0);
                    }
                }
            }
            """;

    private final VkDevice device;
    private final VkQueue queue;
    private final Lock queueLock;
    private final Session session;
    private final long commandPool;
    private final VkCommandBuffer cmd;
    private final long fence;
    /** Vulkan objects to destroy, in reverse order: {kind, handle}. */
    private final List<long[]> made = new ArrayList<>();
    /** What was checked, one line each. */
    final List<String> checked = new ArrayList<>();

    private RenderChecks(VkDevice device, int queueFamily, VkQueue queue, Lock queueLock, Session session) {
        this.device = device;
        this.queue = queue;
        this.queueLock = queueLock;
        this.session = session;
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

    /**
     * Runs every check on {@code session}'s device with the program's graphics queue; returns what
     * was checked. Throws {@link AssertionError} naming the first wrong pixel or texel.
     */
    static List<String> run(Session session, VkDevice device, int queueFamily, VkQueue queue, Lock queueLock) {
        RenderChecks r = new RenderChecks(device, queueFamily, queue, queueLock, session);
        try {
            r.triangles();
            r.sampledImages();
            return r.checked;
        } finally {
            r.destroy();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // MSAA triangles with depth, resolved and read back

    private void triangles() {
        try (Memory attachments = session.createMemory(MemoryUsage.DEVICE_ONLY);
             Memory upload = session.createMemory(MemoryUsage.UPLOAD);
             Memory readback = session.createMemory(MemoryUsage.READBACK);
             MemoryStack stack = stackPush()) {
            Image color = attachments.createImage(VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, SIZE, SIZE,
                    VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT).withSamples(VK_SAMPLE_COUNT_4_BIT));
            Image depth = attachments.createImage(VulkanImageInfo.of2D(VK_FORMAT_D32_SFLOAT, SIZE, SIZE,
                    VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSIENT_ATTACHMENT_BIT).withSamples(VK_SAMPLE_COUNT_4_BIT));
            Image resolved = attachments.createImage(VulkanImageInfo.of2D(VK_FORMAT_R8G8B8A8_UNORM, SIZE, SIZE,
                    VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT)
                    .withMutableFormats(VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8G8B8A8_SRGB));
            // The vertex buffer is the program's own VkBuffer, bound to an allocation of the library's memory.
            LongBuffer pBuffer = stack.mallocLong(1);
            check(vkCreateBuffer(device, VkBufferCreateInfo.calloc(stack).sType$Default().size(6 * 6 * Float.BYTES)
                    .usage(VK_BUFFER_USAGE_VERTEX_BUFFER_BIT).sharingMode(VK_SHARING_MODE_EXCLUSIVE), null, pBuffer), "vkCreateBuffer");
            long vertexBuffer = keep(9, pBuffer.get(0));
            Allocation vertices = upload.allocate(AllocationRequest.forBuffer(vertexBuffer));
            vertices.bindBuffer(vertexBuffer);
            Buffer pixels = readback.createBuffer((long) SIZE * SIZE * 4, EnumSet.of(BufferUsage.TRANSFER_DST));
            checked.add("vertex buffer: the program's own VkBuffer bound to " + vertices + " of the library's memory");
            checked.add("4x MSAA color " + color.toString() + ", depth " + depth.toString() + ", resolve " + resolved.toString()
                    + " made through the library, formats " + VulkanFormats.name(VulkanFormats.vkFormat(color)) + ", "
                    + VulkanFormats.name(VulkanFormats.vkFormat(depth)));

            ByteBuffer v = ByteBuffer.allocateDirect(6 * 6 * Float.BYTES).order(ByteOrder.nativeOrder());
            putTriangle(v, TRIANGLE_A, 0.25f, 1, 0, 0);
            putTriangle(v, TRIANGLE_B, 0.75f, 0, 1, 0);
            v.flip();
            vertices.mapByteBuffer(0, v.remaining()).put(v);
            vertices.flush(0, v.remaining());

            long renderPass = renderPass(stack);
            long colorView = view(stack, color, VK_IMAGE_ASPECT_COLOR_BIT);
            long depthView = view(stack, depth, VK_IMAGE_ASPECT_DEPTH_BIT);
            long resolveView = view(stack, resolved, VK_IMAGE_ASPECT_COLOR_BIT);
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateFramebuffer(device, VkFramebufferCreateInfo.calloc(stack).sType$Default().renderPass(renderPass)
                    .pAttachments(stack.longs(colorView, depthView, resolveView)).width(SIZE).height(SIZE).layers(1), null, p),
                    "vkCreateFramebuffer");
            long framebuffer = keep(3, p.get(0));
            check(vkCreatePipelineLayout(device, VkPipelineLayoutCreateInfo.calloc(stack).sType$Default(), null, p),
                    "vkCreatePipelineLayout");
            long layout = keep(4, p.get(0));
            long pipeline = graphicsPipeline(stack, renderPass, layout);

            begin(stack);
            VkClearValue.Buffer clears = VkClearValue.calloc(3, stack);
            clears.get(0).color().float32(0, 0).float32(1, 0).float32(2, 1).float32(3, 1);
            clears.get(1).depthStencil().depth(1.0f);
            vkCmdBeginRenderPass(cmd, VkRenderPassBeginInfo.calloc(stack).sType$Default().renderPass(renderPass)
                    .framebuffer(framebuffer).renderArea(a -> a.extent().set(SIZE, SIZE)).pClearValues(clears),
                    VK_SUBPASS_CONTENTS_INLINE);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
            vkCmdBindVertexBuffers(cmd, 0, stack.longs(vertexBuffer), stack.longs(0));
            vkCmdDraw(cmd, 6, 1, 0, 0);
            vkCmdEndRenderPass(cmd);
            vkCmdCopyImageToBuffer(cmd, resolved.handle(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, pixels.handle(),
                    VkBufferImageCopy.calloc(1, stack).imageSubresource(s -> s.aspectMask(VK_IMAGE_ASPECT_COLOR_BIT).layerCount(1))
                            .imageExtent(e -> e.set(SIZE, SIZE, 1)));
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_TRANSFER_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_HOST_READ_BIT), null, null);
            submitAndWait(stack);

            ByteBuffer out = ByteBuffer.allocateDirect(SIZE * SIZE * 4);
            pixels.read(0, out);
            out.flip();
            checkPixels(out, standardSampleLocations());
            // The program destroys its buffer, then frees the allocation (which never destroys it).
            vkDestroyBuffer(device, vertexBuffer, null);
            made.removeIf(m -> m[1] == vertexBuffer);
            vertices.close();
        }
    }

    private static void putTriangle(ByteBuffer v, float[][] corners, float z, float r, float g, float b) {
        for (float[] c : corners) {
            v.putFloat(c[0] / SIZE * 2 - 1).putFloat(c[1] / SIZE * 2 - 1).putFloat(z).putFloat(r).putFloat(g).putFloat(b);
        }
    }

    private boolean standardSampleLocations() {
        try (MemoryStack stack = stackPush()) {
            VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
            vkGetPhysicalDeviceProperties(device.getPhysicalDevice(), props);
            return props.limits().standardSampleLocations();
        }
    }

    /**
     * Each pixel is the mean of its four samples' colors: A where A covers the sample (A is nearer
     * and drawn first), else B where B covers it, else the clear color. A sample within
     * {@code margin} pixels of an edge may go either way (the rasterizer's fixed point), and so
     * bounds the pixel from both sides; without standard sample positions the margin is the pixel's
     * diagonal.
     */
    private void checkPixels(ByteBuffer out, boolean standardSamples) {
        float margin = standardSamples ? 0.02f : 1.5f;
        int pureA = 0, pureB = 0, pureClear = 0, edges = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int[] min = new int[4], max = new int[4];
                int certainA = 0, certainB = 0, certainClear = 0;
                for (float[] s : SAMPLES_4) {
                    float sx = x + s[0], sy = y + s[1];
                    int a = coverage(TRIANGLE_A, sx, sy, margin);
                    int b = coverage(TRIANGLE_B, sx, sy, margin);
                    List<Integer> possible = new ArrayList<>();
                    if (a >= 0) {
                        possible.add(RED);
                    }
                    if (a <= 0) {
                        if (b >= 0) {
                            possible.add(GREEN);
                        }
                        if (b <= 0) {
                            possible.add(CLEAR);
                        }
                    }
                    if (a == 1) {
                        certainA++;
                    } else if (a == -1 && b == 1) {
                        certainB++;
                    } else if (a == -1 && b == -1) {
                        certainClear++;
                    }
                    for (int c = 0; c < 4; c++) {
                        int lo = 255, hi = 0;
                        for (int color : possible) {
                            int value = (color >>> (8 * c)) & 0xFF;
                            lo = Math.min(lo, value);
                            hi = Math.max(hi, value);
                        }
                        min[c] += lo;
                        max[c] += hi;
                    }
                }
                for (int c = 0; c < 4; c++) {
                    int got = out.get((y * SIZE + x) * 4 + c) & 0xFF;
                    if (got < Math.floor(min[c] / 4.0) - 1 || got > Math.ceil(max[c] / 4.0) + 1) {
                        throw new AssertionError("pixel (" + x + ", " + y + ") channel " + c + " is " + got + ", expected "
                                + min[c] / 4.0 + " to " + max[c] / 4.0);
                    }
                }
                if (certainA == 4) {
                    pureA++;
                } else if (certainB == 4) {
                    pureB++;
                } else if (certainClear == 4) {
                    pureClear++;
                } else {
                    edges++;
                }
            }
        }
        if (pureA < 300 || pureB < 200 || pureClear < 300 || edges < 50) {
            throw new AssertionError("the triangles cover too little to tell: " + pureA + " red, " + pureB + " green, "
                    + pureClear + " clear, " + edges + " edge pixels");
        }
        checked.add("triangles drawn with 4x MSAA and a depth test, resolved and read back: " + SIZE * SIZE
                + " pixels right (" + pureA + " red in front, " + pureB + " green behind, " + pureClear + " clear, "
                + edges + " edge pixels the mean of their samples)");
    }

    /** 1 inside the triangle, -1 outside, 0 within {@code margin} pixels of an edge. */
    private static int coverage(float[][] t, float x, float y, float margin) {
        boolean inside = true;
        for (int i = 0; i < 3; i++) {
            float[] p = t[i], q = t[(i + 1) % 3];
            float ex = q[0] - p[0], ey = q[1] - p[1];
            float distance = (ex * (y - p[1]) - ey * (x - p[0])) / (float) Math.hypot(ex, ey);
            float area = (t[1][0] - t[0][0]) * (t[2][1] - t[0][1]) - (t[1][1] - t[0][1]) * (t[2][0] - t[0][0]);
            float signed = area > 0 ? distance : -distance;
            if (Math.abs(signed) < margin) {
                return 0;
            }
            inside &= signed > 0;
        }
        return inside ? 1 : -1;
    }

    private long renderPass(MemoryStack stack) {
        VkAttachmentDescription.Buffer a = VkAttachmentDescription.calloc(3, stack);
        a.get(0).format(VK_FORMAT_R8G8B8A8_UNORM).samples(VK_SAMPLE_COUNT_4_BIT).loadOp(VK_ATTACHMENT_LOAD_OP_CLEAR)
                .storeOp(VK_ATTACHMENT_STORE_OP_DONT_CARE).stencilLoadOp(VK_ATTACHMENT_LOAD_OP_DONT_CARE)
                .stencilStoreOp(VK_ATTACHMENT_STORE_OP_DONT_CARE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED)
                .finalLayout(VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
        a.get(1).format(VK_FORMAT_D32_SFLOAT).samples(VK_SAMPLE_COUNT_4_BIT).loadOp(VK_ATTACHMENT_LOAD_OP_CLEAR)
                .storeOp(VK_ATTACHMENT_STORE_OP_DONT_CARE).stencilLoadOp(VK_ATTACHMENT_LOAD_OP_DONT_CARE)
                .stencilStoreOp(VK_ATTACHMENT_STORE_OP_DONT_CARE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED)
                .finalLayout(VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL);
        a.get(2).format(VK_FORMAT_R8G8B8A8_UNORM).samples(VK_SAMPLE_COUNT_1_BIT).loadOp(VK_ATTACHMENT_LOAD_OP_DONT_CARE)
                .storeOp(VK_ATTACHMENT_STORE_OP_STORE).stencilLoadOp(VK_ATTACHMENT_LOAD_OP_DONT_CARE)
                .stencilStoreOp(VK_ATTACHMENT_STORE_OP_DONT_CARE).initialLayout(VK_IMAGE_LAYOUT_UNDEFINED)
                .finalLayout(VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
        VkSubpassDescription.Buffer subpass = VkSubpassDescription.calloc(1, stack)
                .pipelineBindPoint(VK_PIPELINE_BIND_POINT_GRAPHICS)
                .colorAttachmentCount(1)
                .pColorAttachments(VkAttachmentReference.calloc(1, stack).attachment(0).layout(VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL))
                .pDepthStencilAttachment(VkAttachmentReference.calloc(stack).attachment(1).layout(VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL))
                .pResolveAttachments(VkAttachmentReference.calloc(1, stack).attachment(2).layout(VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL));
        VkSubpassDependency.Buffer deps = VkSubpassDependency.calloc(2, stack);
        // In: the host wrote the vertices before the submit; attachments start UNDEFINED.
        deps.get(0).srcSubpass(VK_SUBPASS_EXTERNAL).dstSubpass(0)
                .srcStageMask(VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT
                        | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT)
                .dstStageMask(VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT
                        | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT)
                .srcAccessMask(0)
                .dstAccessMask(VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT);
        // Out: the resolve is read by the copy to the readback buffer.
        deps.get(1).srcSubpass(0).dstSubpass(VK_SUBPASS_EXTERNAL)
                .srcStageMask(VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT).dstStageMask(VK_PIPELINE_STAGE_TRANSFER_BIT)
                .srcAccessMask(VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT).dstAccessMask(VK_ACCESS_TRANSFER_READ_BIT);
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateRenderPass(device, VkRenderPassCreateInfo.calloc(stack).sType$Default().pAttachments(a)
                .pSubpasses(subpass).pDependencies(deps), null, p), "vkCreateRenderPass");
        return keep(2, p.get(0));
    }

    private long graphicsPipeline(MemoryStack stack, long renderPass, long layout) {
        long vertex = shader(stack, "triangle.vert", VERTEX, Shaderc.shaderc_vertex_shader);
        long fragment = shader(stack, "triangle.frag", FRAGMENT, Shaderc.shaderc_fragment_shader);
        VkPipelineShaderStageCreateInfo.Buffer stages = VkPipelineShaderStageCreateInfo.calloc(2, stack);
        stages.get(0).sType$Default().stage(VK_SHADER_STAGE_VERTEX_BIT).module(vertex).pName(stack.UTF8("main"));
        stages.get(1).sType$Default().stage(VK_SHADER_STAGE_FRAGMENT_BIT).module(fragment).pName(stack.UTF8("main"));
        VkVertexInputAttributeDescription.Buffer attributes = VkVertexInputAttributeDescription.calloc(2, stack);
        attributes.get(0).location(0).binding(0).format(VK_FORMAT_R32G32B32_SFLOAT).offset(0);
        attributes.get(1).location(1).binding(0).format(VK_FORMAT_R32G32B32_SFLOAT).offset(3 * Float.BYTES);
        VkGraphicsPipelineCreateInfo.Buffer info = VkGraphicsPipelineCreateInfo.calloc(1, stack);
        info.get(0).sType$Default()
                .pStages(stages)
                .pVertexInputState(VkPipelineVertexInputStateCreateInfo.calloc(stack).sType$Default()
                        .pVertexBindingDescriptions(VkVertexInputBindingDescription.calloc(1, stack).binding(0)
                                .stride(6 * Float.BYTES).inputRate(VK_VERTEX_INPUT_RATE_VERTEX))
                        .pVertexAttributeDescriptions(attributes))
                .pInputAssemblyState(VkPipelineInputAssemblyStateCreateInfo.calloc(stack).sType$Default()
                        .topology(VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST))
                .pViewportState(VkPipelineViewportStateCreateInfo.calloc(stack).sType$Default()
                        .pViewports(VkViewport.calloc(1, stack).width(SIZE).height(SIZE).minDepth(0).maxDepth(1)).viewportCount(1)
                        .pScissors(VkRect2D.calloc(1, stack).extent(e -> e.set(SIZE, SIZE))).scissorCount(1))
                .pRasterizationState(VkPipelineRasterizationStateCreateInfo.calloc(stack).sType$Default()
                        .polygonMode(VK_POLYGON_MODE_FILL).cullMode(VK_CULL_MODE_NONE).frontFace(VK_FRONT_FACE_COUNTER_CLOCKWISE)
                        .lineWidth(1.0f))
                .pMultisampleState(VkPipelineMultisampleStateCreateInfo.calloc(stack).sType$Default()
                        .rasterizationSamples(VK_SAMPLE_COUNT_4_BIT))
                .pDepthStencilState(VkPipelineDepthStencilStateCreateInfo.calloc(stack).sType$Default()
                        .depthTestEnable(true).depthWriteEnable(true).depthCompareOp(VK_COMPARE_OP_LESS))
                .pColorBlendState(VkPipelineColorBlendStateCreateInfo.calloc(stack).sType$Default()
                        .pAttachments(VkPipelineColorBlendAttachmentState.calloc(1, stack).colorWriteMask(0xF)))
                .layout(layout)
                .renderPass(renderPass)
                .subpass(0);
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateGraphicsPipelines(device, VK_NULL_HANDLE, info, null, p), "vkCreateGraphicsPipelines");
        return keep(5, p.get(0));
    }

    // ---------------------------------------------------------------------------------------------
    // A cube map with mip levels and a BC1 texture, sampled by a compute shader

    private void sampledImages() {
        try (Memory textures = session.createMemory(MemoryUsage.DEVICE_ONLY);
             Memory upload = session.createMemory(MemoryUsage.UPLOAD);
             Memory readback = session.createMemory(MemoryUsage.READBACK);
             MemoryStack stack = stackPush()) {
            Image cube = textures.createImage(VulkanImageInfo.cube(VK_FORMAT_R8G8B8A8_UNORM, CUBE_SIZE, CUBE_LEVELS,
                    VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT));
            Image bc = textures.createImage(VulkanImageInfo.of2D(VK10.VK_FORMAT_BC1_RGB_UNORM_BLOCK, BC_SIZE, BC_SIZE,
                    VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT));
            long cubeBytes = 0;
            for (int level = 0; level < CUBE_LEVELS; level++) {
                cubeBytes += 6L * (CUBE_SIZE >> level) * (CUBE_SIZE >> level) * 4;
            }
            byte[] blocks = bcBlocks();
            Buffer staging = upload.createBuffer(cubeBytes + blocks.length, EnumSet.of(BufferUsage.TRANSFER_SRC));
            Buffer texels = readback.createBuffer((18 + 64) * 16, EnumSet.of(BufferUsage.STORAGE_BUFFER));

            ByteBuffer data = ByteBuffer.allocateDirect((int) (cubeBytes + blocks.length)).order(ByteOrder.LITTLE_ENDIAN);
            VkBufferImageCopy.Buffer regions = VkBufferImageCopy.calloc(6 * CUBE_LEVELS, stack);
            for (int level = 0; level < CUBE_LEVELS; level++) {
                int side = CUBE_SIZE >> level;
                for (int face = 0; face < 6; face++) {
                    final int l = level, f = face;
                    regions.get(level * 6 + face).bufferOffset(data.position())
                            .imageSubresource(s -> s.aspectMask(VK_IMAGE_ASPECT_COLOR_BIT).mipLevel(l).baseArrayLayer(f).layerCount(1))
                            .imageExtent(e -> e.set(side, side, 1));
                    for (int i = 0; i < side * side; i++) {
                        data.putInt(cubeColor(face, level));
                    }
                }
            }
            data.put(blocks).flip();
            staging.write(0, data);

            long sampler = sampler(stack);
            long cubeView = view(stack, cube.handle(), VK_IMAGE_VIEW_TYPE_CUBE, VulkanFormats.vkFormat(cube),
                    VK_IMAGE_ASPECT_COLOR_BIT, CUBE_LEVELS, 6);
            long bcView = view(stack, bc.handle(), VK_IMAGE_VIEW_TYPE_2D, VulkanFormats.vkFormat(bc), VK_IMAGE_ASPECT_COLOR_BIT, 1, 1);

            VkDescriptorSetLayoutBinding.Buffer bindings = VkDescriptorSetLayoutBinding.calloc(3, stack);
            bindings.get(0).binding(0).descriptorType(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER).descriptorCount(1)
                    .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            bindings.get(1).binding(1).descriptorType(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER).descriptorCount(1)
                    .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            bindings.get(2).binding(2).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(1)
                    .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateDescriptorSetLayout(device, VkDescriptorSetLayoutCreateInfo.calloc(stack).sType$Default()
                    .pBindings(bindings), null, p), "vkCreateDescriptorSetLayout");
            long setLayout = keep(6, p.get(0));
            check(vkCreatePipelineLayout(device, VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(setLayout)), null, p), "vkCreatePipelineLayout");
            long layout = keep(4, p.get(0));
            VkDescriptorPoolSize.Buffer sizes = VkDescriptorPoolSize.calloc(2, stack);
            sizes.get(0).type(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER).descriptorCount(2);
            sizes.get(1).type(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(1);
            check(vkCreateDescriptorPool(device, VkDescriptorPoolCreateInfo.calloc(stack).sType$Default().maxSets(1)
                    .pPoolSizes(sizes), null, p), "vkCreateDescriptorPool");
            long pool = keep(7, p.get(0));
            check(vkAllocateDescriptorSets(device, VkDescriptorSetAllocateInfo.calloc(stack).sType$Default()
                    .descriptorPool(pool).pSetLayouts(stack.longs(setLayout)), p), "vkAllocateDescriptorSets");
            long set = p.get(0);
            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(3, stack);
            writes.get(0).sType$Default().dstSet(set).dstBinding(0).descriptorCount(1)
                    .descriptorType(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER)
                    .pImageInfo(VkDescriptorImageInfo.calloc(1, stack).sampler(sampler).imageView(cubeView)
                            .imageLayout(VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL));
            writes.get(1).sType$Default().dstSet(set).dstBinding(1).descriptorCount(1)
                    .descriptorType(VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER)
                    .pImageInfo(VkDescriptorImageInfo.calloc(1, stack).sampler(sampler).imageView(bcView)
                            .imageLayout(VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL));
            writes.get(2).sType$Default().dstSet(set).dstBinding(2).descriptorCount(1)
                    .descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)
                    .pBufferInfo(VkDescriptorBufferInfo.calloc(1, stack).buffer(texels.handle()).range(VK_WHOLE_SIZE));
            vkUpdateDescriptorSets(device, writes, null);
            long module = shader(stack, "sample.comp", SAMPLE, Shaderc.shaderc_compute_shader);
            VkComputePipelineCreateInfo.Buffer ci = VkComputePipelineCreateInfo.calloc(1, stack);
            ci.get(0).sType$Default().layout(layout).stage(s -> s.sType$Default().stage(VK_SHADER_STAGE_COMPUTE_BIT)
                    .module(module).pName(stack.UTF8("main")));
            check(vkCreateComputePipelines(device, VK_NULL_HANDLE, ci, null, p), "vkCreateComputePipelines");
            long pipeline = keep(5, p.get(0));

            begin(stack);
            layoutBarrier(stack, cube.handle(), CUBE_LEVELS, 6, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    0, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
            layoutBarrier(stack, bc.handle(), 1, 1, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    0, VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT);
            vkCmdCopyBufferToImage(cmd, staging.handle(), cube.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, regions);
            vkCmdCopyBufferToImage(cmd, staging.handle(), bc.handle(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VkBufferImageCopy.calloc(1, stack).bufferOffset(cubeBytes)
                            .imageSubresource(s -> s.aspectMask(VK_IMAGE_ASPECT_COLOR_BIT).layerCount(1))
                            .imageExtent(e -> e.set(BC_SIZE, BC_SIZE, 1)));
            layoutBarrier(stack, cube.handle(), CUBE_LEVELS, 6, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
            layoutBarrier(stack, bc.handle(), 1, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_ACCESS_TRANSFER_WRITE_BIT, VK_ACCESS_SHADER_READ_BIT,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, stack.longs(set), null);
            vkCmdDispatch(cmd, 1, 1, 1);
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_HOST_READ_BIT), null, null);
            submitAndWait(stack);

            ByteBuffer out = ByteBuffer.allocateDirect((18 + 64) * 16).order(ByteOrder.nativeOrder());
            texels.read(0, out);
            out.flip();
            for (int level = 0; level < CUBE_LEVELS; level++) {
                for (int face = 0; face < 6; face++) {
                    int expected = cubeColor(face, level);
                    for (int c = 0; c < 4; c++) {
                        int got = Math.round(out.getFloat(((level * 6 + face) * 4 + c) * 4) * 255);
                        int want = (expected >>> (8 * c)) & 0xFF;
                        if (got != want) {
                            throw new AssertionError("cube face " + face + " level " + level + " channel " + c + " sampled "
                                    + got + ", expected " + want);
                        }
                    }
                }
            }
            checked.add("cube map " + cube.toString() + ": 6 faces x " + CUBE_LEVELS + " levels sampled in a shader, each right");
            int[] decoded = bcDecoded(blocks);
            for (int i = 0; i < BC_SIZE * BC_SIZE; i++) {
                for (int c = 0; c < 3; c++) {
                    int got = Math.round(out.getFloat((18 * 4 + i * 4 + c) * 4) * 255);
                    int want = (decoded[i] >>> (8 * c)) & 0xFF;
                    // Hardware interpolates the 5:6:5 end colors with its own rounding: the NVIDIA H100
                    // is up to 5 off the exact decode, lavapipe 0. A wrong index or end color is 40 or more off.
                    if (Math.abs(got - want) > 8) {
                        throw new AssertionError("BC1 texel (" + i % BC_SIZE + ", " + i / BC_SIZE + ") channel " + c
                                + " sampled " + got + ", expected " + want);
                    }
                }
            }
            checked.add("BC1-compressed texture " + bc.toString() + ": " + BC_SIZE * BC_SIZE
                    + " texels sampled in a shader, each the block's decoded color");
        }
    }

    /** Face {@code face} of level {@code level}: its own color, as the bytes R, G, B, A. */
    static int cubeColor(int face, int level) {
        return 0xFF000000 | (200 << 16) | ((80 * level + 20) << 8) | (40 * face + 10);
    }

    /** Four BC1 blocks (2x2 of 4x4 texels), each with two 5:6:5 end colors (c0 > c1) and every index used. */
    static byte[] bcBlocks() {
        int[][] ends = {{0xF800, 0x001F}, {0x07E0, 0x0000}, {0xFFFF, 0x8410}, {0xFC00, 0x03FF}};
        ByteBuffer b = ByteBuffer.allocate(4 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int[] e : ends) {
            b.putShort((short) e[0]).putShort((short) e[1]);
            int indices = 0;
            for (int t = 0; t < 16; t++) {
                indices |= ((t * 7 + 3) & 3) << (2 * t);
            }
            b.putInt(indices);
        }
        return b.array();
    }

    /** The texels of {@link #bcBlocks()} as the bytes R, G, B, A (row-major, {@link #BC_SIZE} wide). */
    static int[] bcDecoded(byte[] blocks) {
        ByteBuffer b = ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN);
        int[] texels = new int[BC_SIZE * BC_SIZE];
        for (int block = 0; block < 4; block++) {
            int c0 = b.getShort(block * 8) & 0xFFFF, c1 = b.getShort(block * 8 + 2) & 0xFFFF, indices = b.getInt(block * 8 + 4);
            int[][] palette = new int[4][];
            palette[0] = rgb565(c0);
            palette[1] = rgb565(c1);
            palette[2] = new int[3];
            palette[3] = new int[3];
            for (int c = 0; c < 3; c++) {
                palette[2][c] = (2 * palette[0][c] + palette[1][c] + 1) / 3;
                palette[3][c] = (palette[0][c] + 2 * palette[1][c] + 1) / 3;
            }
            for (int t = 0; t < 16; t++) {
                int[] rgb = palette[(indices >>> (2 * t)) & 3];
                int x = (block % 2) * 4 + t % 4, y = (block / 2) * 4 + t / 4;
                texels[y * BC_SIZE + x] = 0xFF000000 | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0];
            }
        }
        return texels;
    }

    private static int[] rgb565(int c) {
        int r = c >>> 11, g = (c >>> 5) & 63, b = c & 31;
        return new int[]{(r << 3) | (r >>> 2), (g << 2) | (g >>> 4), (b << 3) | (b >>> 2)};
    }

    private long sampler(MemoryStack stack) {
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateSampler(device, VkSamplerCreateInfo.calloc(stack).sType$Default()
                .magFilter(VK_FILTER_NEAREST).minFilter(VK_FILTER_NEAREST).mipmapMode(VK_SAMPLER_MIPMAP_MODE_NEAREST)
                .addressModeU(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE).addressModeV(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE)
                .addressModeW(VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE).maxLod(VK_LOD_CLAMP_NONE), null, p), "vkCreateSampler");
        return keep(8, p.get(0));
    }

    private void layoutBarrier(MemoryStack stack, long image, int levels, int layers, int from, int to, int srcAccess,
                               int dstAccess, int srcStage, int dstStage) {
        vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, null, null, VkImageMemoryBarrier.calloc(1, stack).sType$Default()
                .srcAccessMask(srcAccess).dstAccessMask(dstAccess).oldLayout(from).newLayout(to)
                .srcQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED).dstQueueFamilyIndex(VK_QUEUE_FAMILY_IGNORED).image(image)
                .subresourceRange(r -> r.aspectMask(VK_IMAGE_ASPECT_COLOR_BIT).levelCount(levels).layerCount(layers)));
    }

    // ---------------------------------------------------------------------------------------------

    private long view(MemoryStack stack, Image image, int aspect) {
        return view(stack, image.handle(), VK_IMAGE_VIEW_TYPE_2D, VulkanFormats.vkFormat(image), aspect, 1, 1);
    }

    private long view(MemoryStack stack, long image, int type, int format, int aspect, int levels, int layers) {
        LongBuffer p = stack.mallocLong(1);
        check(vkCreateImageView(device, VkImageViewCreateInfo.calloc(stack).sType$Default().image(image).viewType(type)
                .format(format).subresourceRange(r -> r.aspectMask(aspect).levelCount(levels).layerCount(layers)), null, p),
                "vkCreateImageView");
        return keep(1, p.get(0));
    }

    private long shader(MemoryStack stack, String name, String glsl, int stage) {
        ByteBuffer spirv = ComputeRunner.compile(name, glsl, stage);
        try {
            LongBuffer p = stack.mallocLong(1);
            check(vkCreateShaderModule(device, VkShaderModuleCreateInfo.calloc(stack).sType$Default().pCode(spirv), null, p),
                    "vkCreateShaderModule");
            return keep(0, p.get(0));
        } finally {
            MemoryUtil.memFree(spirv);
        }
    }

    private void begin(MemoryStack stack) {
        check(vkResetCommandBuffer(cmd, 0), "vkResetCommandBuffer");
        check(vkBeginCommandBuffer(cmd, VkCommandBufferBeginInfo.calloc(stack).sType$Default()
                .flags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT)), "vkBeginCommandBuffer");
    }

    private void submitAndWait(MemoryStack stack) {
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

    private long keep(int kind, long handle) {
        made.add(new long[]{kind, handle});
        return handle;
    }

    private void destroy() {
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
