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

    /**
     * Checks that the descriptor is given.
     *
     * @param descriptor  the portable description
     * @param exportable  whether the image goes to an exportable page
     * @param backendInfo the backend's own create-info, or {@code null}
     */
    public ImageRequest {
        java.util.Objects.requireNonNull(descriptor, "descriptor");
    }

    /**
     * {@return a portable image, not for an exportable page}
     *
     * @param descriptor what to create
     */
    public static ImageRequest of(ImageDescriptor descriptor) {
        return new ImageRequest(descriptor, false, null);
    }

    /**
     * {@return an image from the backend's own create-info, not for an exportable page}
     *
     * @param info the backend's create-info
     */
    public static ImageRequest of(BackendImageInfo info) {
        return new ImageRequest(info.descriptor(), false, info);
    }

    /**
     * {@return this request for an exportable page, or not}
     *
     * @param exportable whether the image goes to an exportable page
     */
    public ImageRequest withExportable(boolean exportable) {
        return new ImageRequest(descriptor, exportable, backendInfo);
    }
}
