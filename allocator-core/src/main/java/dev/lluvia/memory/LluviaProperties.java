package dev.lluvia.memory;

import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the library is a key under {@code lluvia.}, given as a session's backend
 * property ({@link SessionOptions#withProperty}) or a system property ({@code -Dkey=value}); where
 * both are read, the backend property wins (the keys' own Javadoc says where only one is read:
 * {@value #BACKEND} and {@code lluvia.vulkan.keepInstances} are system properties, the sim's
 * profile overrides and fault rules and the Vulkan import setting are session properties). The keys:
 * <ul>
 *   <li>{@value #BACKEND}: the backend to open when the session options name none.</li>
 *   <li>{@code lluvia.sim.*}: the simulated device's checks, profile overrides and fault rules,
 *       listed on {@code dev.lluvia.memory.sim.SimBackend}.</li>
 *   <li>{@code lluvia.vulkan.*}: the Vulkan backend's validation and instance settings, listed on
 *       {@code dev.lluvia.memory.vulkan.VulkanBackend}.</li>
 * </ul>
 * A backend's keys are constants of its own public class, so the core does not name them.
 *
 * <p>Switches are {@code true} or {@code false} (any case, surrounding blanks ignored) and are
 * parsed by {@link #parseFlag}; anything else is an {@link IllegalArgumentException} that names the
 * key and the value.
 */
public final class LluviaProperties {

    /** What every key starts with. */
    public static final String PREFIX = "lluvia.";

    /** The backend to open when the session options name none, e.g. {@code -Dlluvia.backend=sim}. */
    public static final String BACKEND = PREFIX + "backend";

    private LluviaProperties() {
    }

    /**
     * {@return a switch's value: {@code true} or {@code false}, any case, blanks around it ignored}
     *
     * @param key the property, named in the exception
     * @param value the text to parse
     * @throws IllegalArgumentException for any other value, naming {@code key} and the value
     */
    public static boolean parseFlag(String key, String value) {
        switch (value == null ? "" : value.strip().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(key + " must be true or false, was '" + value + "'");
        }
    }

    /**
     * {@return a switch from {@code properties} (a session's backend properties), else from the system
     * property of that name, else {@code fallback}}
     *
     * @param properties a session's backend properties
     * @param key the property, under {@code lluvia.}
     * @param fallback the value when neither property is set
     * @throws IllegalArgumentException if the value found is not true or false
     */
    public static boolean flag(Map<String, String> properties, String key, boolean fallback) {
        String value = properties.get(key);
        if (value == null) {
            value = System.getProperty(key);
        }
        return value == null ? fallback : parseFlag(key, value);
    }
}
