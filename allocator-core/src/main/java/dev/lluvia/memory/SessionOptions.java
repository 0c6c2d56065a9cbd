package dev.lluvia.memory;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * @param features   device features the session needs (VMA's allocator creation flags): the device
 *                   the library creates enables them, and opening fails with an
 *                   {@link UnsupportedFeatureException} when the device lacks one
 */
public record SessionOptions(boolean debug, String backend, String device, Map<String, String> properties,
                             LeakPolicy leakPolicy, Set<DeviceFeature> features) {

    private static final SessionOptions DEFAULTS = new SessionOptions(false, null, null, Map.of(), LeakPolicy.LOG, Set.of());

    /**
     * Checks the components and copies the properties and features.
     *
     * @param debug turn on the backend's checks (Vulkan validation layers); Lluvia's {@code enableDebug}
     * @param backend the backend's name, or {@code null} for the system property {@code lluvia.backend} and
     *                then the best available one
     * @param device the device: an index, or a name (a substring of a real device's name; a sim profile
     *               name); {@code null} for the backend's default
     * @param properties backend-specific settings
     * @param leakPolicy what closing a Memory or the Session does about live objects; in debug mode the
     *                   report also says where each object was created
     * @param features device features the session needs (VMA's allocator creation flags): the device the
     *                 library creates enables them, and opening fails with an {@link
     *                 UnsupportedFeatureException} when the device lacks one
     * @throws NullPointerException if {@code properties}, {@code leakPolicy} or {@code features} is null
     */
    public SessionOptions {
        properties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
        Objects.requireNonNull(leakPolicy, "leakPolicy");
        Objects.requireNonNull(features, "features");
        features = DeviceFeature.setOf(features);
    }

    /**
     * Options that ask for no device features ({@link #features()} empty).
     *
     * @param debug      turn on the backend's checks
     * @param backend    the backend's name, or {@code null}
     * @param device     the device, or {@code null} for the default
     * @param properties backend-specific settings
     * @param leakPolicy what closing does about live objects
     */
    public SessionOptions(boolean debug, String backend, String device, Map<String, String> properties,
                          LeakPolicy leakPolicy) {
        this(debug, backend, device, properties, leakPolicy, Set.of());
    }

    /**
     * No debug, best backend, default device.
     *
     * @return the defaults
     */
    public static SessionOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns these options with debug checks on or off.
     *
     * @param enable whether to turn on the backend's checks (Vulkan validation layers)
     * @return the changed copy
     */
    public SessionOptions withDebug(boolean enable) {
        return new SessionOptions(enable, backend, device, properties, leakPolicy, features);
    }

    /**
     * Returns these options naming a backend.
     *
     * @param name the backend's name ({@code vulkan}, {@code sim}), or {@code null} for the best available
     * @return the changed copy
     */
    public SessionOptions withBackend(String name) {
        return new SessionOptions(debug, name, device, properties, leakPolicy, features);
    }

    /**
     * Returns these options naming a device.
     *
     * @param nameOrIndex an index, or a name (a substring of a real device's name; a sim profile name);
     *                    {@code null} for the backend's default
     * @return the changed copy
     */
    public SessionOptions withDevice(String nameOrIndex) {
        return new SessionOptions(debug, backend, nameOrIndex, properties, leakPolicy, features);
    }

    /**
     * Returns these options with another leak policy.
     *
     * @param policy what closing a Memory or the Session does about live objects
     * @return the changed copy
     */
    public SessionOptions withLeakPolicy(LeakPolicy policy) {
        return new SessionOptions(debug, backend, device, properties, policy, features);
    }

    /**
     * Returns these options with one more backend property (replacing one of that key).
     *
     * @param key   the setting, under {@code lluvia.}
     * @param value its value
     * @return the changed copy
     * @throws NullPointerException if {@code key} or {@code value} is null
     */
    public SessionOptions withProperty(String key, String value) {
        Map<String, String> copy = new HashMap<>(properties);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new SessionOptions(debug, backend, device, copy, leakPolicy, features);
    }

    /**
     * Asks for device features; replaces those asked for before. An empty set asks for none.
     *
     * @param features the features; empty for none
     * @return the changed copy
     * @throws NullPointerException if {@code features} or an element is null
     */
    public SessionOptions withFeatures(Set<DeviceFeature> features) {
        Objects.requireNonNull(features, "features");
        for (DeviceFeature f : features) {
            Objects.requireNonNull(f, "feature");
        }
        return new SessionOptions(debug, backend, device, properties, leakPolicy, features);
    }

    /**
     * Asks for device features; see {@link #withFeatures(Set)}.
     *
     * @param features the features; none for none
     * @return the changed copy
     */
    public SessionOptions withFeatures(DeviceFeature... features) {
        return withFeatures(Set.of(features));
    }
}
