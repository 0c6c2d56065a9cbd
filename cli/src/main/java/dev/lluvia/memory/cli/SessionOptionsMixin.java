package dev.lluvia.memory.cli;

import dev.lluvia.memory.SessionOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every command that opens a {@link dev.lluvia.memory.Session} shares: which backend
 * and device, debug checks, and stack traces.
 *
 * <p>{@code --profile NAME} is a shorthand for {@code --backend sim --device NAME}: a simulated
 * device of a measured real one. Combined with another backend or another device it is a usage
 * error rather than a silent choice of one of them.
 */
final class SessionOptionsMixin {

    /** The backend that simulated device profiles belong to. */
    static final String SIM_BACKEND = "sim";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to open (vulkan, sim, ...). Default: the best one available.")
    String backend;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "Simulated device profile (llvmpipe, nvidia-h100, ...): the sim backend on that device.")
    String profile;

    @Option(names = "--device", paramLabel = "NAME|INDEX",
            description = "Device by index, or by name (a part of a real device's name; a sim profile name).")
    String device;

    @Option(names = "--backend-property", paramLabel = "KEY=VALUE",
            description = "Backend setting, repeatable (sim: lluvia.sim.checkGranularity=true, lluvia.sim.profile.KEY=VALUE "
                    + "to change a key of the device profile).")
    Map<String, String> backendProperties = new LinkedHashMap<>();

    @Option(names = "--debug", description = "Turn on the backend's checks (Vulkan validation layers).")
    boolean debug;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    /**
     * The session options these flags ask for.
     *
     * @throws ParameterException if {@code --profile} contradicts {@code --backend} or {@code --device}
     */
    SessionOptions toSessionOptions() {
        SessionOptions options = SessionOptions.defaults().withDebug(debug);
        for (Map.Entry<String, String> e : backendProperties.entrySet()) {
            options = options.withProperty(e.getKey(), e.getValue());
        }
        if (profile != null) {
            if (backend != null && !backend.trim().equalsIgnoreCase(SIM_BACKEND)) {
                throw new ParameterException(mixee.commandLine(), "--profile " + profile
                        + " is a device of the sim backend, but --backend " + backend + " was asked for");
            }
            if (device != null && !device.equals(profile)) {
                throw new ParameterException(mixee.commandLine(), "--profile " + profile
                        + " and --device " + device + " both name the device; give one of them");
            }
            return options.withBackend(SIM_BACKEND).withDevice(profile);
        }
        return options.withBackend(backend).withDevice(device);
    }
}
