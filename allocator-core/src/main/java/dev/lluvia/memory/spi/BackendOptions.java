package dev.lluvia.memory.spi;

import java.util.Map;

/**
 * What a session asks of a backend when it opens it.
 *
 * @param debug      turn on the backend's checks (validation layers on Vulkan)
 * @param device     which device: an index, or a name (a substring for real devices, a profile
 *                   name for the sim); {@code null} for the backend's default
 * @param properties backend-specific settings, keys prefixed with the backend's name
 */
public record BackendOptions(boolean debug, String device, Map<String, String> properties) {
    public BackendOptions {
        properties = Map.copyOf(properties);
    }
}
