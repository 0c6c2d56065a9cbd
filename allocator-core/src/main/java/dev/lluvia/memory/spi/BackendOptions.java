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
    public BackendOptions {
        properties = Map.copyOf(properties);
        features = Set.copyOf(features);
    }

    /** Options that ask for no device feature. */
    public BackendOptions(boolean debug, String device, Map<String, String> properties) {
        this(debug, device, properties, Set.of());
    }

    /**
     * A true/false setting: the property, else the system property of that name, else
     * {@code fallback}; parsed by {@link LluviaProperties#parseFlag}.
     *
     * @throws IllegalArgumentException if the value is not true or false, naming the key and value
     */
    public boolean flag(String key, boolean fallback) {
        return LluviaProperties.flag(properties, key, fallback);
    }
}
