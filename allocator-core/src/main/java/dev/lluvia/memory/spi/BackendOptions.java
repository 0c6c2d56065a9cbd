package dev.lluvia.memory.spi;

import dev.lluvia.memory.LluviaProperties;
import dev.lluvia.memory.DeviceFeature;

import java.util.Map;
import java.util.Set;

/**
 * What a session asks of a backend when it opens it.
 *
 * @param debug      turn on the backend's checks (validation layers on Vulkan)
 * @param device     which device: an index, or a name (a substring for real devices, a profile
 *                   name for the sim); {@code null} for the backend's default
 * @param properties backend-specific settings, keys under {@code lluvia.} and the backend's name
 *                   ({@link LluviaProperties})
 * @param features   device features to enable; a backend that cannot throws
 *                   {@link dev.lluvia.memory.UnsupportedFeatureException} naming the first it lacks
 */
public record BackendOptions(boolean debug, String device, Map<String, String> properties,
                             Set<DeviceFeature> features) {
    /**
     * Copies the properties and features (unmodifiable).
     *
     * @param debug turn on the backend's checks (validation layers on Vulkan)
     * @param device which device: an index, or a name (a substring for real devices, a profile name for the
     *               sim); {@code null} for the backend's default
     * @param properties backend-specific settings, keys under {@code lluvia.} and the backend's name ({@link
     *                   LluviaProperties})
     * @param features device features to enable; a backend that cannot throws {@link
     *                 dev.lluvia.memory.UnsupportedFeatureException} naming the first it lacks
     */
    public BackendOptions {
        properties = Map.copyOf(properties);
        features = Set.copyOf(features);
    }

    /**
     * Options that ask for no device feature.
     *
     * @param debug turn on the backend's checks
     * @param device which device, or {@code null} for the default
     * @param properties backend-specific settings
     */
    public BackendOptions(boolean debug, String device, Map<String, String> properties) {
        this(debug, device, properties, Set.of());
    }

    /**
     * {@return a true/false setting: the property, else the system property of that name, else
     * {@code fallback}; parsed by {@link LluviaProperties#parseFlag}}
     *
     * @param key the property, under {@code lluvia.}
     * @param fallback the value when neither property is set
     * @throws IllegalArgumentException if the value is not true or false, naming the key and value
     */
    public boolean flag(String key, boolean fallback) {
        return LluviaProperties.flag(properties, key, fallback);
    }
}
