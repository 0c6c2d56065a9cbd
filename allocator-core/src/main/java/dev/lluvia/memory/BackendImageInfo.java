package dev.lluvia.memory;

/**
 * A backend's own create-info for an image: everything its API can say about one (the Vulkan
 * module's {@code VulkanImageInfo} carries all of {@code VkImageCreateInfo}: samples, create flags,
 * any format the device supports, format lists, queue families, a pNext chain), where
 * {@link ImageDescriptor} is the portable subset. {@link Memory#createImage(BackendImageInfo)} reads
 * only {@link #descriptor()} and {@link #texelsPortable()} and hands the create-info unread to the
 * backend named by {@link #backend()}, which checks the rest against its device. Implementations
 * are immutable.
 */
public interface BackendImageInfo {

    /** {@return the provider name of the backend this create-info is for (e.g. {@code "vulkan"})} */
    String backend();

    /**
     * {@return the portable part, which {@link Image#descriptor()} returns: extent, mip levels, array layers,
     * tiling, the usages {@link ImageUsage} names, and the format when {@link #texelsPortable()}}
     */
    ImageDescriptor descriptor();

    /**
     * {@return whether {@link #descriptor()} describes the texels exactly (its format or channel type and
     * count is the image's format, one sample per pixel), so that {@link Image#write}, {@link Image#read}
     * and defragmentation may move them} False for, e.g., a compressed or multisampled image: a
     * program fills and reads such an image with its own commands, and defragmentation leaves it
     * in place. When false, the descriptor's channel type, count and format are placeholders.
     */
    boolean texelsPortable();

    /** {@return how messages and leak reports name the image: its extent, format and what else sets it apart} */
    String shape();
}
