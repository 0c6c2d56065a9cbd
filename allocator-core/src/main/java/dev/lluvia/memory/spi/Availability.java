package dev.lluvia.memory.spi;

/**
 * The result of {@link MemoryBackendProvider#probe()}.
 *
 * @param available whether the backend can be opened
 * @param reason    why not, or a short description of what was found
 */
public record Availability(boolean available, String reason) {

    public static Availability available(String description) {
        return new Availability(true, description);
    }

    public static Availability unavailable(String reason) {
        return new Availability(false, reason);
    }
}
