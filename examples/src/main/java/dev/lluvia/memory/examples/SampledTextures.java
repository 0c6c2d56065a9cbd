package dev.lluvia.memory.examples;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.vulkan.VulkanFormats;
import dev.lluvia.memory.vulkan.VulkanImageInfo;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.util.shaderc.Shaderc;
import org.lwjgl.vulkan.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.locks.Lock;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

/**
 * The second part of {@link OffscreenRenderer}: a cube map with mip levels and a BC1-compressed
 * texture in the library's memory, made from {@link VulkanImageInfo}s (cube-compatible, a
 * compressed format), filled from a staging buffer with {@code vkCmdCopyBufferToImage} and sampled
 * by a compute shader; every texel is checked against the color it was filled with (the cube) or
 * the block's exact decode (BC1).
 */
final class SampledTextures extends VulkanObjects {

    static final int CUBE_SIZE = 8;
    static final int CUBE_LEVELS = 3;
    static final int BC_SIZE = 8;

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

    private final Session session;
    /** What was checked, one line each. */
    private final List<String> checked;

    SampledTextures(VkDevice device, int queueFamily, VkQueue queue, Lock queueLock, Session session, List<String> checked) {
        super(device, queueFamily, queue, queueLock);
        this.session = session;
        this.checked = checked;
    }

    void sampledImages() {
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
                            throw new IllegalStateException("cube face " + face + " level " + level + " channel " + c + " sampled "
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
                        throw new IllegalStateException("BC1 texel (" + i % BC_SIZE + ", " + i / BC_SIZE + ") channel " + c
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

}
