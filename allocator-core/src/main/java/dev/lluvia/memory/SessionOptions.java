package dev.lluvia.memory;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to open a {@link Session}. Immutable; each {@code with} method returns a copy.
 *
 * <pre>{@code
 * Session s = Session.create(SessionOptions.defaults().withDebug(true).withBackend("sim").withDevice("nvidia-h100"));
 * }</pre>
 *
 * @param debug      turn on the backend's checks (Vulkan validation layers); Lluvia's {@code enableDebug}
 * @param backend    the backend's name, or {@code null} for the system property {@code lluvia.backend}
 *                   and then the best available one
 * @param device     the device: an index, or a name (a substring of a real device's name; a sim
 *                   profile name); {@code null} for the backend's default
 * @param properties backend-specific settings
 * @param leakPolicy what closing a Memory or the Session does about live objects; in debug mode
 *                   the report also says where each object was created
 */
public record SessionOptions(boolean debug, String backend, String device, Map<String, String> properties,
                             LeakPolicy leakPolicy) {

    private static final SessionOptions DEFAULTS = new SessionOptions(false, null, null, Map.of(), LeakPolicy.LOG);

    public SessionOptions {
        properties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
        Objects.requireNonNull(leakPolicy, "leakPolicy");
    }

    /** No debug, best backend, default device. */
    public static SessionOptions defaults() {
        return DEFAULTS;
    }

    public SessionOptions withDebug(boolean enable) {
        return new SessionOptions(enable, backend, device, properties, leakPolicy);
    }

    public SessionOptions withBackend(String name) {
        return new SessionOptions(debug, name, device, properties, leakPolicy);
    }

    public SessionOptions withDevice(String nameOrIndex) {
        return new SessionOptions(debug, backend, nameOrIndex, properties, leakPolicy);
    }

    public SessionOptions withLeakPolicy(LeakPolicy policy) {
        return new SessionOptions(debug, backend, device, properties, policy);
    }

    public SessionOptions withProperty(String key, String value) {
        Map<String, String> copy = new HashMap<>(properties);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new SessionOptions(debug, backend, device, copy, leakPolicy);
    }
}
