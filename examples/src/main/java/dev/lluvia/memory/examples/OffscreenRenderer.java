package dev.lluvia.memory.examples;

import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.AllocationRequest;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.vulkan.VulkanBackend;
import dev.lluvia.memory.vulkan.VulkanBufferInfo;
import dev.lluvia.memory.vulkan.VulkanFormats;
import dev.lluvia.memory.vulkan.VulkanImageInfo;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.util.shaderc.Shaderc;
import org.lwjgl.vulkan.*;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.locks.Lock;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * A renderer's memory from the library, offscreen, on the library's device with validation and
 * synchronization validation on: the program's own render pass, pipelines, views and commands;
 * the library's {@link Memory}s hold every attachment, texture and buffer, made from
 * {@link VulkanImageInfo} / {@link VulkanBufferInfo} (what {@code VkImageCreateInfo} and
 * {@code VkBufferCreateInfo} carry: samples, transient usage, cube-compatible, mutable formats,
 * compressed formats). It draws two overlapping triangles, from a vertex buffer that is its own
 * {@code VkBuffer} bound to a library {@link Allocation}, into a 4x MSAA color attachment with a
 * 4x depth attachment, resolves them into a single-sample image, copies that into a readback buffer
 * and checks every pixel against the triangles' exact coverage of the standard sample positions;
 * then it fills a cube map with mip levels and a BC1-compressed texture from a staging buffer and
 * samples both in a compute shader, checking every texel. It prints what it checked.
 *
 * <p>Run: {@code java -cp 'examples/target/lib/*:examples/target/classes' dev.lluvia.memory.examples.OffscreenRenderer [DEVICE_INDEX]}.
 * Exits with 0 when every pixel and texel is right and the validation layer said nothing, else 1.
 */
public final class OffscreenRenderer extends VulkanObjects {

    static final int SIZE = 64;
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

    private final Session session;
    /** What was checked, one line each. */
    private final List<String> checked;

    private OffscreenRenderer(VkDevice device, int queueFamily, VkQueue queue, Lock queueLock, Session session,
                              List<String> checked) {
        super(device, queueFamily, queue, queueLock);
        this.session = session;
        this.checked = checked;
    }

    public static void main(String[] args) {
        int status = run(args.length > 0 ? args[0] : null, System.out);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the example on device {@code device} (an index or name; null for the library's choice); returns the exit status. */
    static int run(String device, PrintStream out) {
        // Debug turns the validation layer on (with synchronization validation) where it is installed. Each
        // part frees its objects by closing their Memory, so closing a Memory with live objects is no leak here.
        try (Session session = Session.create(SessionOptions.defaults().withBackend("vulkan").withDevice(device).withDebug(true)
                .withLeakPolicy(LeakPolicy.IGNORE))) {
            VulkanBackend vulkan = session.unwrap(VulkanBackend.class).orElseThrow();
            out.println("device: " + session.device().name() + ", validation " + (vulkan.isValidationEnabled() ? "on" : "not installed"));
            List<String> checked = new ArrayList<>();
            try {
                render(session, vulkan.vkDevice(), vulkan.queueFamilyIndex(), vulkan.vkQueue(), vulkan.queueLock(), checked);
            } finally {
                checked.forEach(line -> out.println("checked: " + line));
            }
            long messages = vulkan.validationErrorCount() + vulkan.validationWarningCount();
            out.println("validation messages: " + messages);
            vulkan.validationMessages().forEach(m -> out.println("validation: " + m));
            out.println(messages == 0 ? "OK" : "FAILED");
            return messages == 0 ? 0 : 1;
        }
    }

    /**
     * Draws, samples and checks on {@code session}'s memory with the program's device and graphics
     * queue (the library's, or one the program created and wrapped), adding a line to
     * {@code checked} for each thing checked. Throws {@link IllegalStateException} naming the first
     * wrong pixel or texel. Every Vulkan object it makes is destroyed before it returns.
     */
    public static void render(Session session, VkDevice device, int queueFamily, VkQueue queue, Lock queueLock,
                              List<String> checked) {
        OffscreenRenderer r = new OffscreenRenderer(device, queueFamily, queue, queueLock, session, checked);
        try {
            r.triangles();
        } finally {
            r.destroy();
        }
        SampledTextures t = new SampledTextures(device, queueFamily, queue, queueLock, session, checked);
        try {
            t.sampledImages();
        } finally {
            t.destroy();
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
                        throw new IllegalStateException("pixel (" + x + ", " + y + ") channel " + c + " is " + got + ", expected "
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
            throw new IllegalStateException("the triangles cover too little to tell: " + pureA + " red, " + pureB + " green, "
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
}
