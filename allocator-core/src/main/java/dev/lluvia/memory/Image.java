package dev.lluvia.memory;

/** A 1D, 2D or 3D image allocated from a {@link Memory} (Lluvia's {@code Image}). */
public final class Image extends MemoryObject {

    private final ImageDescriptor descriptor;

    Image(Memory memory, long id, long resource, ImageDescriptor descriptor) {
        super(memory, id, resource);
        this.descriptor = descriptor;
    }

    /** Shape, channel type, tiling and usage. */
    public ImageDescriptor descriptor() {
        return descriptor;
    }

    public int width() {
        return descriptor.width();
    }

    public int height() {
        return descriptor.height();
    }

    public int depth() {
        return descriptor.depth();
    }

    public ChannelType channelType() {
        return descriptor.channelType();
    }

    public int channelCount() {
        return descriptor.channelCount();
    }

    @Override
    String kind() {
        return "Image";
    }

    @Override
    String shape() {
        return descriptor.width() + "x" + descriptor.height() + "x" + descriptor.depth()
                + " " + descriptor.channelType() + "x" + descriptor.channelCount() + " " + descriptor.tiling();
    }

    @Override
    boolean isOptimalImage() {
        return descriptor.tiling() == ImageTiling.OPTIMAL;
    }

    @Override
    void bindResource(long handle, long pageHandle, long offset) {
        memory().backend().bindImage(handle, pageHandle, offset);
    }

    @Override
    void destroyResource(long handle) {
        memory().backend().destroyImage(handle);
    }
}
