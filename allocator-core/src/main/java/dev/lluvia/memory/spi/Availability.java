package dev.lluvia.memory.spi;

/**
 * The result of {@link MemoryBackendProvider#probe()}.
 *
 * @param available whether the backend can be opened
 * @param reason    why not, or a short description of what was found
 */
public record Availability(boolean available, String reason) {

    /**
     * An available backend.
     *
     * @param description what was found, e.g. the device
     * @return the availability
     */
    public static Availability available(String description) {
        return new Availability(true, description);
    }

    /**
     * An unavailable backend.
     *
     * @param reason why it cannot be opened
     * @return the availability
     */
    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
