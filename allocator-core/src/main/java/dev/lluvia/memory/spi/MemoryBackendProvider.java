package dev.lluvia.memory.spi;

import dev.lluvia.memory.DeviceSummary;

import java.util.List;

/**
 * A backend's entry point, found with {@link java.util.ServiceLoader}. Register an implementation
 * both in {@code module-info.java} ({@code provides}) and in
 * {@code META-INF/services/dev.lluvia.memory.spi.MemoryBackendProvider}, so class path and module
 * path users both find it.
 *
 * <p>Choice: an explicit name (session options, or {@code -Dlluvia.backend=NAME}) wins; otherwise
 * the available provider with the highest {@link #priority()}.
 */
public interface MemoryBackendProvider {

    /** {@return the short name users select the backend with, e.g. {@code vulkan} or {@code sim}} */
    String name();

    /**
     * Higher wins when no backend is named. Real devices rank above simulated ones.
     *
     * @return the rank; the highest available backend opens when none is named
     */
    int priority();

    /**
     * {@return whether {@link #open} can succeed here} Must never throw: a missing native library or
     * device is reported as {@link Availability#unavailable(String)} with the reason.
     */
    Availability probe();

    /**
     * Opens the backend on one device.
     *
     * @param options the device and settings asked for
     * @return the open backend, which the session closes
     * @throws dev.lluvia.memory.DeviceNotFoundException if {@code options.device()} names no device
     */
    MemoryBackend open(BackendOptions options);

    /**
     * {@return the session properties this backend reads ({@link BackendOptions#properties()}): each entry a
     * key, or a prefix ending in {@code *} for a family of keys (such as the sim's profile
     * overrides) whose members the backend checks itself when it opens} A session property under
     * {@code lluvia.} that no provider found lists is refused before any backend opens, so that a
     * misspelt key is an error rather than a setting silently ignored. The default lists none.
     */
    default java.util.Set<String> propertyKeys() {
        return java.util.Set.of();
    }

    /**
     * {@return the devices {@link #open} can open, in index order, listed without opening any} Called only
     * when {@link #probe()} says available. The default lists none, for backends that cannot tell.
     *
     * @throws dev.lluvia.memory.BackendException if the listing fails
     */
    default List<DeviceSummary> devices() {
        return List.of();
    }
}
