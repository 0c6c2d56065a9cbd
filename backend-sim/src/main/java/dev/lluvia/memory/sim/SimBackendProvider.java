package dev.lluvia.memory.sim;

import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;

import java.util.Locale;

/**
 * Opens the simulated device ({@code sim}). Always available; ranked below real devices
 * (priority {@value #PRIORITY}, Vulkan uses 100), so it is chosen when named or when no GPU is present.
 *
 * <p>The device option selects a profile from {@link SimProfiles#names()} by name
 * (case-insensitive) or index; {@code null} opens {@value SimProfiles#DEFAULT_PROFILE}.
 * Backend properties: {@value SimBackend#CHECK_GRANULARITY_PROPERTY} ({@code true}/{@code false},
 * falling back to the system property of that name, default {@code true}),
 * {@value SimBackend#CHECK_DEDICATED_SIZE_PROPERTY} (likewise, default {@code true}) and
 * {@code sim.profile.KEY} overrides of profile keys (see {@link SimProfiles}), and
 * {@code sim.fault.POINT=RULE}, {@code sim.fault.all=RULE}, {@code sim.fault.random=SEED:P[:RESULT]}
 * fault rules (see {@link FaultRule}).
 */
public final class SimBackendProvider implements MemoryBackendProvider {

    /** Priority below every real device backend. */
    public static final int PRIORITY = 10;

    @Override
    public String name() {
        return SimBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability probe() {
        return Availability.available("simulated devices: " + String.join(", ", SimProfiles.names()));
    }

    /**
     * @throws dev.lluvia.memory.DeviceNotFoundException listing the profiles when the device names none
     * @throws dev.lluvia.memory.UnsupportedFeatureException if a feature asked for is not in the profile's {@code features}
     * @throws IllegalArgumentException if a check property is not true or false, or a profile
     *                                  override or fault rule is malformed
     */
    @Override
    public MemoryBackend open(BackendOptions options) {
        String profile = SimProfiles.resolve(options.device());
        SimBackend backend = new SimBackend(SimProfiles.load(profile, options.properties()),
                flag(options, SimBackend.CHECK_GRANULARITY_PROPERTY, "true"),
                flag(options, SimBackend.CHECK_DEDICATED_SIZE_PROPERTY, "true"), options.features());
        backend.configureFaults(options.properties());
        return backend;
    }

    /** A true/false backend property, else the system property of that name, else the default. */
    private static boolean flag(BackendOptions options, String key, String fallback) {
        String value = options.properties().get(key);
        if (value == null) {
            value = System.getProperty(key, fallback);
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(key + " must be true or false, was '" + value + "'");
        }
    }
}
