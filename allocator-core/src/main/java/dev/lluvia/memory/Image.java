package dev.lluvia.memory;

import dev.lluvia.memory.spi.Resource;

import java.nio.ByteBuffer;

/** A 1D, 2D or 3D image allocated from a {@link Memory} (Lluvia's {@code Image}). */
public final class Image extends MemoryObject {

    private final ImageDescriptor descriptor;
    /** The backend's own create-info it was made from, or null for a portable descriptor. */
    private final BackendImageInfo backendInfo;

    Image(Memory memory, long id, Resource resource, ImageDescriptor descriptor) {
        this(memory, id, resource, descriptor, null);
    }

    Image(Memory memory, long id, Resource resource, ImageDescriptor descriptor, BackendImageInfo backendInfo) {
        super(memory, id, resource);
        this.descriptor = descriptor;
        this.backendInfo = backendInfo;
    }

    /**
     * Shape, channel type, tiling and usage; for an image made from a {@link #backendInfo()}, its
     * portable part ({@link BackendImageInfo#descriptor()}).
     *
     * @return the portable description of the image
     */
    public ImageDescriptor descriptor() {
        return descriptor;
    }

    /**
     * {@return the backend's own create-info this image was made from ({@link Memory#createImage(BackendImageInfo)}),
     * or null when it was made from an {@link ImageDescriptor}} The Vulkan module's
     * {@code VulkanFormats.vkFormat(Image)} gives every image's {@code VkFormat}, whichever way it was made.
     */
    public BackendImageInfo backendInfo() {
        return backendInfo;
    }

    /** Whether {@link #write}/{@link #read} and defragmentation can move this image's texels. */
    private boolean texelsPortable() {
        return backendInfo == null || backendInfo.texelsPortable();
    }

    /** {@return the width in texels} */
    public int width() {
        return descriptor.width();
    }

    /** {@return the height in texels} */
    public int height() {
        return descriptor.height();
    }

    /** {@return the depth in texels (1 for 2D images)} */
    public int depth() {
        return descriptor.depth();
    }

    /** {@return what each channel is stored as} */
    public ChannelType channelType() {
        return descriptor.channelType();
    }

    /** {@return the number of channels, 1 to 4} */
    public int channelCount() {
        return descriptor.channelCount();
    }

    /**
     * Replaces every pixel with {@code src}'s remaining bytes: {@link ImageDescriptor#byteSize()}
     * bytes, pixels tightly packed row by row (then slice by slice, then layer by layer), channels
     * interleaved; mip level 0 only. Goes through a staging buffer and a buffer-to-image copy on the
     * device's queue; returns when done, with {@code src}'s position at its limit.
     *
     * <p>Layout (Vulkan): the write discards what every level and layer held, and leaves the whole
     * image in {@code VK_IMAGE_LAYOUT_GENERAL}; so does {@link #read}. A program that uses the image
     * between them in its own commands leaves it in {@code GENERAL} too, as the library expects it
     * there.
     *
     * @param src the pixels: its remaining bytes
     * @throws IllegalArgumentException      if {@code src} does not hold exactly the image's bytes, or the
     *                                       image's usage lacks {@link ImageUsage#TRANSFER_DST}
     * @throws UnsupportedOperationException if the backend cannot copy into images, or the image was made
     *                                       from a {@link #backendInfo()} whose texels are not portable
     */
    public void write(ByteBuffer src) {
        java.util.Objects.requireNonNull(src, "src");
        checkTransferSize("write", src.remaining());
        transfer(src, true);
        src.position(src.limit());
    }

    /**
     * Copies every pixel into {@code dst}, laid out as {@link #write(ByteBuffer)} takes them; returns
     * when done, with {@code dst}'s position at its limit. An image never written reads as whatever
     * its memory held.
     *
     * @param dst where the pixels go: as many bytes as it has remaining
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalArgumentException      if {@code dst.remaining()} is not the image's byte size, or the
     *                                       image's usage lacks {@link ImageUsage#TRANSFER_SRC}
     * @throws UnsupportedOperationException if the backend cannot copy from images, or the image was made
     *                                       from a {@link #backendInfo()} whose texels are not portable
     */
    public void read(ByteBuffer dst) {
        java.util.Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException(); // a staged copy would write into it directly
        }
        checkTransferSize("read", dst.remaining());
        transfer(dst, false);
        dst.position(dst.limit());
    }

    /**
     * {@link #write} ({@code toImage}) or {@link #read}: the image is pinned under the Memory's
     * lock and the copy runs without it (see {@code Buffer.transfer}).
     */
    private void transfer(ByteBuffer bytes, boolean toImage) {
        final Memory memory = memory();
        final java.util.concurrent.atomic.AtomicInteger pin;
        final Resource resource;
        synchronized (memory.lock()) {
            requireOpen();
            resource = resource();
            pin = pinLocked();
        }
        final Object event = Events.beginTransfer();
        try {
            if (toImage) {
                memory.backend().copyToImage(resource, descriptor, bytes);
            } else {
                memory.backend().copyFromImage(resource, descriptor, bytes);
            }
            transferred(event, toImage, descriptor.byteSize(), null);
        } finally {
            unpin(pin);
        }
    }

    private void checkTransferSize(String what, int length) {
        if (!texelsPortable()) {
            throw new UnsupportedOperationException("cannot " + what + " " + describe() + ": its texels are not "
                    + "Lluvia's (a compressed or multisampled format); copy them with your own commands");
        }
        if (length != descriptor.byteSize()) {
            throw new IllegalArgumentException("cannot " + what + " " + length + " bytes: " + describe()
                    + " holds exactly " + descriptor.byteSize() + " bytes");
        }
    }

    @Override
    String kind() {
        return "Image";
    }

    /**
     * {@return the explicit format, or null for Lluvia's channel type x channel count (and for a
     * {@link #backendInfo()} whose format {@link ImageFormat} does not name)}
     */
    public ImageFormat format() {
        return descriptor.format();
    }

    /** {@return the number of mip levels} */
    public int mipLevels() {
        return descriptor.mipLevels();
    }

    /** {@return the number of array layers} */
    public int arrayLayers() {
        return descriptor.arrayLayers();
    }

    @Override
    String shape() {
        if (backendInfo != null) {
            return backendInfo.shape();
        }
        ImageDescriptor d = descriptor;
        return d.width() + "x" + d.height() + "x" + d.depth()
                + " " + (d.format() != null ? d.format().name() : d.channelType() + "x" + d.channelCount()) + " " + d.tiling()
                + (d.mipLevels() > 1 ? " " + d.mipLevels() + " levels" : "")
                + (d.arrayLayers() > 1 ? " " + d.arrayLayers() + " layers" : "");
    }

    @Override
    boolean isOptimalImage() {
        return descriptor.tiling() == ImageTiling.OPTIMAL;
    }

    @Override
    void bindResource(Resource resource, long pageHandle, long offset) {
        memory().backend().bindImage(resource, pageHandle, offset);
    }

    @Override
    void bindAliasResource(Resource resource, long pageHandle, long offset, long aliased) {
        memory().backend().bindAliasingImage(resource, pageHandle, offset, aliased);
    }

    @Override
    Resource createReplacementLocked() {
        return backendInfo != null ? memory().newImage(backendInfo) : memory().newImage(descriptor);
    }

    @Override
    void copyContentsLocked(Resource from, Resource to) {
        memory().backend().copyImage(from, to, descriptor);
    }

    @Override
    boolean canCopy() {
        return texelsPortable() && descriptor.usage().contains(ImageUsage.TRANSFER_SRC) && descriptor.usage().contains(ImageUsage.TRANSFER_DST);
    }

    @Override
    void destroyResource(Resource resource) {
        memory().backend().destroyImage(resource);
    }
}
