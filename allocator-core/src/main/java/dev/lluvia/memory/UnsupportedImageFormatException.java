package dev.lluvia.memory;

/**
 * The device cannot create an image of this format with this tiling and usage (for example a
 * three-channel storage image, or {@code FLOAT64} channels on most GPUs). The message names the
 * format, tiling and usage. Try another channel count, {@link ImageTiling#OPTIMAL}, or fewer usages.
 */
public class UnsupportedImageFormatException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * The device does not support an image as described.
     *
     * @param message the format, usage, levels and layers
     */
    public UnsupportedImageFormatException(String message) {
        super(message);
    }
}
