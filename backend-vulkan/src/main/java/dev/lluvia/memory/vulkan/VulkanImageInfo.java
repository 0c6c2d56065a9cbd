package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendImageInfo;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.Memory;
import org.lwjgl.vulkan.VkImageCreateInfo;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.lwjgl.vulkan.VK10.*;

/**
 * Everything {@code VkImageCreateInfo} carries, for {@link Memory#createImage(dev.lluvia.memory.BackendImageInfo)}
 * on a Vulkan session: any format the device supports (compressed ones included), samples (MSAA
 * attachments), create flags (cube-compatible, mutable-format, 2D-array-compatible...), a list of
 * view formats ({@code VkImageFormatListCreateInfo}, chained by the library), concurrent sharing
 * with queue families, any {@code VkImageUsageFlags} (transient and input attachments...), and a
 * {@code pNext} chain the program owns. The library creates the image, places it like any image
 * (optimal tiling counts for {@code bufferImageGranularity}) and binds it;
 * {@link dev.lluvia.memory.Image#handle()} is the {@code VkImage} and {@link VulkanFormats#vkFormat}
 * its format.
 *
 * <p>Before anything is created the library asks the device
 * ({@code vkGetPhysicalDeviceImageFormatProperties2}) whether it supports the format with the image's
 * type, tiling, usage and flags, and whether the sample count, extent, levels and layers are within
 * what it reports for them: an {@link dev.lluvia.memory.UnsupportedImageFormatException} naming the
 * format or the sample count if not. The rules Vulkan states without the device (a cube-compatible
 * image is square with six or more layers, a multisampled image has one level, view formats without
 * the mutable-format flag are at most one) and chain structures the library must not chain (those it
 * chains itself, and those that ask for memory the library does not allocate: external memory,
 * swapchain images) are an {@link IllegalArgumentException} naming the value. Sparse, protected and
 * disjoint images are not offered (they are bound by other calls than the library's).
 *
 * <p>{@link #descriptor()} is the portable part: {@link dev.lluvia.memory.Image#write}/{@code read}
 * and defragmentation move an image's texels only when its format is one an {@link ImageDescriptor}
 * names and it has one sample ({@link #texelsPortable()}). The chain is read when the image is
 * created and again if defragmentation moves it: keep it alive as long as the image, or
 * {@link dev.lluvia.memory.MemoryObject#setMovable(boolean) setMovable(false)}.
 *
 * @param flags         {@code VkImageCreateFlags}
 * @param imageType     {@code VK_IMAGE_TYPE_1D}, {@code _2D} or {@code _3D}
 * @param format        a {@code VkFormat}
 * @param samples       a {@code VkSampleCountFlagBits}: 1, 2, 4, ... 64
 * @param tiling        {@code VK_IMAGE_TILING_OPTIMAL} or {@code _LINEAR}
 * @param usage         {@code VkImageUsageFlags}; at least one bit {@link ImageUsage} names
 * @param sharingMode   {@code VK_SHARING_MODE_EXCLUSIVE} or {@code VK_SHARING_MODE_CONCURRENT}
 * @param queueFamilies for concurrent sharing, two or more distinct queue family indices; else empty
 * @param viewFormats   the formats views of the image may have ({@code VkImageFormatListCreateInfo}); may be empty
 * @param initialLayout {@code VK_IMAGE_LAYOUT_UNDEFINED} or {@code _PREINITIALIZED}
 * @param pNext         the address of the program's chain of extension structures, or 0
 */
public record VulkanImageInfo(int flags, int imageType, int format, int width, int height, int depth, int mipLevels,
                              int arrayLayers, int samples, int tiling, int usage, int sharingMode,
                              List<Integer> queueFamilies, List<Integer> viewFormats, int initialLayout, long pNext)
        implements BackendImageInfo {

    public VulkanImageInfo {
        if (imageType != VK_IMAGE_TYPE_1D && imageType != VK_IMAGE_TYPE_2D && imageType != VK_IMAGE_TYPE_3D) {
            throw new IllegalArgumentException("imageType must be VK_IMAGE_TYPE_1D, _2D or _3D, was " + imageType);
        }
        if (width <= 0 || height <= 0 || depth <= 0) {
            throw new IllegalArgumentException("image extent must be positive, was " + width + "x" + height + "x" + depth);
        }
        if ((imageType == VK_IMAGE_TYPE_1D && (height != 1 || depth != 1)) || (imageType == VK_IMAGE_TYPE_2D && depth != 1)) {
            throw new IllegalArgumentException("a " + (imageType + 1) + "D image has extent " + width + "x" + height + "x" + depth);
        }
        if (Integer.bitCount(samples) != 1 || samples > VK_SAMPLE_COUNT_64_BIT) {
            throw new IllegalArgumentException("samples must be one VkSampleCountFlagBits (1, 2, 4 ... 64), was " + samples);
        }
        if (samples != VK_SAMPLE_COUNT_1_BIT && mipLevels != 1) {
            throw new IllegalArgumentException("a multisampled image (samples " + samples + ") has one mip level, not " + mipLevels);
        }
        if (tiling != VK_IMAGE_TILING_OPTIMAL && tiling != VK_IMAGE_TILING_LINEAR) {
            throw new IllegalArgumentException("tiling must be VK_IMAGE_TILING_OPTIMAL or _LINEAR, was " + tiling);
        }
        if ((flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) != 0 && (width != height || arrayLayers < 6 || imageType != VK_IMAGE_TYPE_2D)) {
            throw new IllegalArgumentException("a cube-compatible image is 2D, square, with 6 or more layers; was "
                    + width + "x" + height + " with " + arrayLayers + " layers");
        }
        int notOffered = VK_IMAGE_CREATE_SPARSE_BINDING_BIT | VK_IMAGE_CREATE_SPARSE_RESIDENCY_BIT | VK_IMAGE_CREATE_SPARSE_ALIASED_BIT
                | org.lwjgl.vulkan.VK11.VK_IMAGE_CREATE_PROTECTED_BIT | org.lwjgl.vulkan.VK11.VK_IMAGE_CREATE_DISJOINT_BIT;
        if ((flags & notOffered) != 0) {
            throw new IllegalArgumentException("image flags 0x" + Integer.toHexString(flags & notOffered)
                    + " (sparse, protected or disjoint) are not offered: such images are bound by other calls than the library's");
        }
        if (initialLayout != VK_IMAGE_LAYOUT_UNDEFINED && initialLayout != VK_IMAGE_LAYOUT_PREINITIALIZED) {
            throw new IllegalArgumentException("initialLayout must be UNDEFINED or PREINITIALIZED, was " + initialLayout);
        }
        queueFamilies = checkSharing(sharingMode, queueFamilies);
        viewFormats = List.copyOf(viewFormats);
        if (viewFormats.size() > 1 && (flags & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT) == 0) {
            throw new IllegalArgumentException("view formats " + names(viewFormats)
                    + " need VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT in flags 0x" + Integer.toHexString(flags));
        }
        // The descriptor is made here, so that its checks (levels for the extent, layers of 3D images) come first.
        if ((usage & ImageUsage.toBits(EnumSet.allOf(ImageUsage.class))) == 0) {
            throw new IllegalArgumentException("image usage 0x" + Integer.toHexString(usage)
                    + " has none of the usages Lluvia's images name " + EnumSet.allOf(ImageUsage.class));
        }
        portableDescriptor(format, width, height, depth, mipLevels, arrayLayers, tiling, usage);
    }

    /** A 2D image: one level, one layer, one sample, optimal tiling, exclusive, no flags, no chain. */
    public static VulkanImageInfo of2D(int format, int width, int height, int usage) {
        return new VulkanImageInfo(0, VK_IMAGE_TYPE_2D, format, width, height, 1, 1, 1, VK_SAMPLE_COUNT_1_BIT,
                VK_IMAGE_TILING_OPTIMAL, usage, VK_SHARING_MODE_EXCLUSIVE, List.of(), List.of(), VK_IMAGE_LAYOUT_UNDEFINED, 0);
    }

    /** A cube map: 6 layers of {@code size} x {@code size}, {@code VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT}. */
    public static VulkanImageInfo cube(int format, int size, int mipLevels, int usage) {
        return new VulkanImageInfo(VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT, VK_IMAGE_TYPE_2D, format, size, size, 1, mipLevels, 6,
                VK_SAMPLE_COUNT_1_BIT, VK_IMAGE_TILING_OPTIMAL, usage, VK_SHARING_MODE_EXCLUSIVE, List.of(), List.of(),
                VK_IMAGE_LAYOUT_UNDEFINED, 0);
    }

    /**
     * Everything {@code ci} carries ({@code pNext} as its address: the program keeps the chain
     * alive, and a {@code VkImageFormatListCreateInfo} in it stays the program's); the struct can be
     * freed after this returns.
     */
    public static VulkanImageInfo from(VkImageCreateInfo ci) {
        return new VulkanImageInfo(ci.flags(), ci.imageType(), ci.format(), ci.extent().width(), ci.extent().height(),
                ci.extent().depth(), ci.mipLevels(), ci.arrayLayers(), ci.samples(), ci.tiling(), ci.usage(), ci.sharingMode(),
                families(ci.sharingMode(), ci.pQueueFamilyIndices()), List.of(), ci.initialLayout(), ci.pNext());
    }

    /** This create-info with {@code VkImageCreateFlags} {@code newFlags}. */
    public VulkanImageInfo withFlags(int newFlags) {
        return new VulkanImageInfo(newFlags, imageType, format, width, height, depth, mipLevels, arrayLayers, samples, tiling,
                usage, sharingMode, queueFamilies, viewFormats, initialLayout, pNext);
    }

    /** This create-info with {@code newSamples} samples per pixel (a {@code VkSampleCountFlagBits}). */
    public VulkanImageInfo withSamples(int newSamples) {
        return new VulkanImageInfo(flags, imageType, format, width, height, depth, mipLevels, arrayLayers, newSamples, tiling,
                usage, sharingMode, queueFamilies, viewFormats, initialLayout, pNext);
    }

    /** This create-info with {@code levels} mip levels. */
    public VulkanImageInfo withMipLevels(int levels) {
        return new VulkanImageInfo(flags, imageType, format, width, height, depth, levels, arrayLayers, samples, tiling,
                usage, sharingMode, queueFamilies, viewFormats, initialLayout, pNext);
    }

    /** This create-info with {@code layers} array layers. */
    public VulkanImageInfo withArrayLayers(int layers) {
        return new VulkanImageInfo(flags, imageType, format, width, height, depth, mipLevels, layers, samples, tiling,
                usage, sharingMode, queueFamilies, viewFormats, initialLayout, pNext);
    }

    /** This create-info with {@code VK_IMAGE_TILING_*} {@code newTiling}. */
    public VulkanImageInfo withTiling(int newTiling) {
        return new VulkanImageInfo(flags, imageType, format, width, height, depth, mipLevels, arrayLayers, samples, newTiling,
                usage, sharingMode, queueFamilies, viewFormats, initialLayout, pNext);
    }

    /**
     * This create-info with {@code VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT} and the formats its views may
     * have, which the library chains as {@code VkImageFormatListCreateInfo}.
     */
    public VulkanImageInfo withMutableFormats(int... formats) {
        return new VulkanImageInfo(flags | VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT, imageType, format, width, height, depth,
                mipLevels, arrayLayers, samples, tiling, usage, sharingMode, queueFamilies, list(formats), initialLayout, pNext);
    }

    /** This create-info shared concurrently by {@code families} (two or more distinct indices). */
    public VulkanImageInfo withConcurrentSharing(int... families) {
        return new VulkanImageInfo(flags, imageType, format, width, height, depth, mipLevels, arrayLayers, samples, tiling,
                usage, VK_SHARING_MODE_CONCURRENT, list(families), viewFormats, initialLayout, pNext);
    }

    /** This create-info with the program's chain at {@code newPNext} (0 for none). */
    public VulkanImageInfo withPNext(long newPNext) {
        return new VulkanImageInfo(flags, imageType, format, width, height, depth, mipLevels, arrayLayers, samples, tiling,
                usage, sharingMode, queueFamilies, viewFormats, initialLayout, newPNext);
    }

    @Override
    public String backend() {
        return VulkanBackend.NAME;
    }

    @Override
    public ImageDescriptor descriptor() {
        return portableDescriptor(format, width, height, depth, mipLevels, arrayLayers, tiling, usage);
    }

    @Override
    public boolean texelsPortable() {
        return samples == VK_SAMPLE_COUNT_1_BIT
                && (VulkanFormats.imageFormat(format) != null || VulkanFormats.channelType(format) != null);
    }

    @Override
    public String shape() {
        return width + "x" + height + "x" + depth + " " + VulkanFormats.name(format).replace("VK_FORMAT_", "")
                + (tiling == VK_IMAGE_TILING_LINEAR ? " LINEAR" : " OPTIMAL")
                + (samples > 1 ? " " + samples + " samples" : "")
                + ((flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) != 0 ? " cube" : "")
                + (mipLevels > 1 ? " " + mipLevels + " levels" : "")
                + (arrayLayers > 1 ? " " + arrayLayers + " layers" : "");
    }

    private static ImageDescriptor portableDescriptor(int format, int width, int height, int depth, int mipLevels,
                                                      int arrayLayers, int tiling, int usage) {
        Set<ImageUsage> usages = EnumSet.noneOf(ImageUsage.class);
        for (ImageUsage u : ImageUsage.values()) {
            if ((usage & u.bit()) != 0) {
                usages.add(u);
            }
        }
        ImageFormat explicit = VulkanFormats.imageFormat(format);
        ChannelType type = explicit != null ? explicit.channelType() : VulkanFormats.channelType(format);
        int count = explicit != null ? explicit.channelCount() : type != null ? VulkanFormats.channelCount(format) : 1;
        return new ImageDescriptor(width, height, depth, type != null ? type : ChannelType.UINT8, count,
                tiling == VK_IMAGE_TILING_LINEAR ? ImageTiling.LINEAR : ImageTiling.OPTIMAL, usages, explicit,
                mipLevels, arrayLayers);
    }

    static List<Integer> checkSharing(int sharingMode, List<Integer> queueFamilies) {
        List<Integer> families = List.copyOf(queueFamilies);
        if (sharingMode == VK_SHARING_MODE_EXCLUSIVE) {
            if (!families.isEmpty()) {
                throw new IllegalArgumentException("queue families " + families + " are for concurrent sharing; the sharing mode is exclusive");
            }
        } else if (sharingMode == VK_SHARING_MODE_CONCURRENT) {
            if (families.size() < 2 || new HashSet<>(families).size() != families.size()) {
                throw new IllegalArgumentException("concurrent sharing needs two or more distinct queue families, was " + families);
            }
        } else {
            throw new IllegalArgumentException("sharingMode must be VK_SHARING_MODE_EXCLUSIVE or _CONCURRENT, was " + sharingMode);
        }
        return families;
    }

    static List<Integer> families(int sharingMode, IntBuffer indices) {
        if (sharingMode != VK_SHARING_MODE_CONCURRENT || indices == null) {
            return List.of();
        }
        List<Integer> list = new ArrayList<>();
        for (int i = indices.position(); i < indices.limit(); i++) {
            list.add(indices.get(i));
        }
        return list;
    }

    static List<Integer> list(int... values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return List.copyOf(list);
    }

    private static String names(List<Integer> formats) {
        List<String> names = new ArrayList<>();
        for (int f : formats) {
            names.add(VulkanFormats.name(f));
        }
        return names.toString();
    }
}
