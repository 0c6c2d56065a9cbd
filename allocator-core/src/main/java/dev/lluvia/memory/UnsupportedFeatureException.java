package dev.lluvia.memory;

/**
 * A {@link DeviceFeature} was asked for (in {@link SessionOptions#withFeatures}, or declared for a
 * wrapped device) that the device does not support. The message names the feature and the device;
 * no session was opened.
 */
public class UnsupportedFeatureException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /** The feature the device lacks. */
    private final DeviceFeature feature;

    /**
     * The device lacks a feature the session asked for.
     *
     * @param feature the feature
     * @param message which device and what it lacks
     */
    public UnsupportedFeatureException(DeviceFeature feature, String message) {
        super(message);
        this.feature = feature;
    }

    /** {@return the feature the device lacks} */
    public DeviceFeature feature() {
        return feature;
    }
}
