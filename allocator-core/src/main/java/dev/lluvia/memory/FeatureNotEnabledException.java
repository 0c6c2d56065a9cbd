package dev.lluvia.memory;

/**
 * A call needs a {@link DeviceFeature} that the session's device does not have enabled, for
 * example a {@link BufferUsage#SHADER_DEVICE_ADDRESS} buffer without
 * {@link DeviceFeature#BUFFER_DEVICE_ADDRESS}. The message names the feature, the device and how
 * to enable it (ask for it with {@link SessionOptions#withFeatures}, or enable it on your own device
 * and declare it when wrapping). Nothing was allocated.
 */
public class FeatureNotEnabledException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /** The feature that is missing. */
    private final DeviceFeature feature;

    /**
     * An operation needs a feature the session did not enable.
     *
     * @param feature the feature to enable
     * @param message what needed it and how to enable it
     */
    public FeatureNotEnabledException(DeviceFeature feature, String message) {
        super(message);
        this.feature = feature;
    }

    /** {@return the feature that is missing} */
    public DeviceFeature feature() {
        return feature;
    }
}
