package dev.lluvia.memory.spi;

import dev.lluvia.memory.BackendImageInfo;
import dev.lluvia.memory.ImageDescriptor;

/**
 * One image asked of a backend ({@link MemoryBackend#createImage(ImageRequest)}); see
 * {@link BufferRequest}.
 *
 * @param descriptor  Lluvia's portable description (of {@code backendInfo}, its portable part)
 * @param exportable  whether the image goes to an exportable page ({@code VkExternalMemoryImageCreateInfo})
 * @param backendInfo the backend's own create-info, or {@code null} for {@code descriptor} alone
 */
public record ImageRequest(ImageDescriptor descriptor, boolean exportable, BackendImageInfo backendInfo) {

    public ImageRequest {
        java.util.Objects.requireNonNull(descriptor, "descriptor");
    }

    /** A portable image, not for an exportable page. */
    public static ImageRequest of(ImageDescriptor descriptor) {
        return new ImageRequest(descriptor, false, null);
    }

    /** An image from the backend's own create-info, not for an exportable page. */
    public static ImageRequest of(BackendImageInfo info) {
        return new ImageRequest(info.descriptor(), false, info);
    }

    /** This request for an exportable page, or not. */
    public ImageRequest withExportable(boolean exportable) {
        return new ImageRequest(descriptor, exportable, backendInfo);
    }
}
