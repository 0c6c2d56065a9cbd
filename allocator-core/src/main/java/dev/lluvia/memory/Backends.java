package dev.lluvia.memory;

import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Finds backend providers with {@link ServiceLoader} and opens the one a session asks for. */
final class Backends {
    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory");

    private Backends() {
    }

    /** Every provider that loads, highest priority first; a provider that fails to load is logged and skipped. */
    static List<MemoryBackendProvider> providers() {
        List<MemoryBackendProvider> found = new ArrayList<>();
        Iterator<MemoryBackendProvider> it = ServiceLoader.load(MemoryBackendProvider.class,
                Backends.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "skipping a memory backend that failed to load: " + e, e);
            }
        }
        found.sort(Comparator.comparingInt(MemoryBackendProvider::priority).reversed()
                .thenComparing(MemoryBackendProvider::name));
        return found;
    }

    static List<BackendInfo> describe() {
        List<BackendInfo> infos = new ArrayList<>();
        for (MemoryBackendProvider p : providers()) {
            Availability a = probe(p);
            infos.add(new BackendInfo(p.name(), p.priority(), a.available(), a.reason()));
        }
        return infos;
    }

    static List<DeviceSummary> devices(String backend) {
        java.util.Objects.requireNonNull(backend, "backend");
        return List.copyOf(requireProvider(providers(), backend).devices());
    }

    /** The provider named {@code name} (case-insensitive), available, or an error naming what was found. */
    private static MemoryBackendProvider requireProvider(List<MemoryBackendProvider> providers, String name) {
        for (MemoryBackendProvider p : providers) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                Availability a = probe(p);
                if (!a.available()) {
                    throw new BackendNotFoundException("memory backend '" + name + "' is unavailable: " + a.reason());
                }
                return p;
            }
        }
        throw new BackendNotFoundException("unknown memory backend '" + name + "'; found: "
                + (providers.isEmpty() ? "none" : providers.stream().map(MemoryBackendProvider::name)
                .collect(Collectors.joining(", "))) + ". " + ADD_MODULE);
    }

    static MemoryBackend open(SessionOptions options) {
        List<MemoryBackendProvider> providers = providers();
        checkPropertyKeys(options.properties().keySet(), providers);
        String wanted = options.backend() != null ? options.backend() : System.getProperty(LluviaProperties.BACKEND);
        BackendOptions backendOptions = new BackendOptions(options.debug(), options.device(), options.properties(),
                options.features());
        if (wanted != null && !wanted.isBlank()) {
            return withFeatures(requireProvider(providers, wanted).open(backendOptions), options.features());
        }
        List<String> reasons = new ArrayList<>();
        for (MemoryBackendProvider p : providers) {
            Availability a = probe(p);
            if (a.available()) {
                if (reasons.isEmpty()) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "memory backend '" + p.name() + "' chosen (priority "
                            + p.priority() + "): " + a.reason());
                } else {
                    FallbackWarnings.warnOnce("memory backend '" + p.name() + "' chosen because the backends ranked above it are "
                            + "unavailable (" + String.join("; ", reasons) + "). Name a backend ("
                            + "SessionOptions.withBackend or -D" + LluviaProperties.BACKEND
                            + "=NAME) to choose one on purpose.");
                }
                return withFeatures(p.open(backendOptions), options.features());
            }
            reasons.add(p.name() + ": " + a.reason());
        }
        throw new BackendNotFoundException(providers.isEmpty()
                ? "no memory backend found on the class or module path. " + ADD_MODULE
                : "no memory backend is available (" + String.join("; ", reasons) + "). " + ADD_MODULE);
    }

    /**
     * Refuses a session property under {@code lluvia.} that no provider found reads
     * ({@link MemoryBackendProvider#propertyKeys()}), naming it and the keys there are.
     *
     * @throws IllegalArgumentException naming the first unknown key
     */
    static void checkPropertyKeys(Set<String> keys, List<MemoryBackendProvider> providers) {
        for (String key : new java.util.TreeSet<>(keys)) {
            if (!key.startsWith(LluviaProperties.PREFIX)) {
                continue;
            }
            boolean known = false;
            List<String> all = new ArrayList<>();
            for (MemoryBackendProvider p : providers) {
                for (String k : p.propertyKeys()) {
                    all.add(k);
                    known |= k.endsWith("*") ? key.startsWith(k.substring(0, k.length() - 1)) : key.equals(k);
                }
            }
            if (!known) {
                java.util.Collections.sort(all);
                throw new IllegalArgumentException("unknown session property '" + key + "'; the backends found ("
                        + providers.stream().map(MemoryBackendProvider::name).collect(Collectors.joining(", "))
                        + ") read " + (all.isEmpty() ? "none" : String.join(", ", all))
                        + (key.equals(LluviaProperties.BACKEND) ? " (" + LluviaProperties.BACKEND
                        + " is a system property; a session names its backend with SessionOptions.withBackend)" : ""));
            }
        }
    }

    /**
     * A fallback to a lower-ranked backend is logged at WARNING, once per JVM per message: a program
     * must not believe it runs on a GPU when it runs on the simulated device, but one that opens many
     * sessions needs to read it once. A holder class: made only when a fallback happens.
     */
    private static final class FallbackWarnings {
        /**
         * The logger of backend choices, a child of {@code dev.lluvia.memory}: an application that
         * reports the choice itself (as the {@code lluvia-mem} command line does) can turn this one off.
         */
        static final System.Logger LOG = System.getLogger("dev.lluvia.memory.backend");
        static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

        static void warnOnce(String message) {
            if (WARNED.add(message)) {
                LOG.log(System.Logger.Level.WARNING, message);
            }
        }
    }

    /**
     * The backend, if it enabled every feature asked for; otherwise it is closed and the first
     * missing feature is an {@link UnsupportedFeatureException} (a backend that knows features
     * throws that itself, naming the device; this catches backends that ignore them).
     */
    private static MemoryBackend withFeatures(MemoryBackend backend, java.util.Set<DeviceFeature> wanted) {
        for (DeviceFeature f : wanted) {
            if (!backend.enabledFeatures().contains(f)) {
                String name = backend.name();
                backend.close();
                throw new UnsupportedFeatureException(f, "memory backend '" + name + "' did not enable " + f + " ("
                        + f.vulkanName() + "), which the session asked for");
            }
        }
        return backend;
    }

    private static final String ADD_MODULE = "Add dev.lluvia.memory:lluvia-memory-vulkan for real Vulkan devices "
            + "or dev.lluvia.memory:lluvia-memory-sim for the simulated device.";

    private static Availability probe(MemoryBackendProvider p) {
        try {
            Availability a = p.probe();
            return a != null ? a : Availability.unavailable("probe returned nothing");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("probe failed: " + e);
        }
    }
}
