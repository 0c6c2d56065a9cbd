package dev.lluvia.memory.sim;

import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;

import java.util.ArrayList;
import java.util.List;
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
 * {@code lluvia.sim.profile.KEY} overrides of profile keys (see {@link SimProfiles}), and
 * {@code lluvia.sim.fault.POINT=RULE}, {@code lluvia.sim.fault.all=RULE}, {@code lluvia.sim.fault.random=SEED:P[:RESULT]}
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

    /** The two checks' switches, profile overrides and fault rules (each family checked when the backend opens). */
    @Override
    public java.util.Set<String> propertyKeys() {
        return java.util.Set.of(SimBackend.CHECK_GRANULARITY_PROPERTY, SimBackend.CHECK_DEDICATED_SIZE_PROPERTY,
                SimProfiles.OVERRIDE_PREFIX + "*", FaultRule.PROPERTY_PREFIX + "*");
    }

    /** The profiles of {@link SimProfiles#names()}, in index order, as their devices describe themselves. */
    @Override
    public List<DeviceSummary> devices() {
        List<DeviceSummary> infos = new ArrayList<>();
        List<String> names = SimProfiles.names();
        for (int i = 0; i < names.size(); i++) {
            DeviceProperties d = SimProfiles.load(names.get(i)).device();
            infos.add(new DeviceSummary(i, d.name(), d.type(), d.apiVersion(), d.memoryHeaps(), true));
        }
        return infos;
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
                options.flag(SimBackend.CHECK_GRANULARITY_PROPERTY, true),
                options.flag(SimBackend.CHECK_DEDICATED_SIZE_PROPERTY, true), options.features());
        backend.configureFaults(options.properties());
        return backend;
    }
}
