package dev.lluvia.memory;

import java.util.List;

/**
 * Bytes next to an object were overwritten: something wrote outside the object (a shader's or
 * the host's out-of-bounds write). Detected in debug mode only ({@link SessionOptions#debug()}),
 * where each object of a host-visible memory is surrounded by margins of a magic value
 * ({@link Memory#DEBUG_MARGIN} bytes at least) that are checked when the object is closed and by
 * {@link Memory#checkCorruption()} / {@link Session#checkCorruption()}, as VMA's
 * {@code VMA_DEBUG_DETECT_CORRUPTION} does.
 *
 * <p>When thrown by {@code close()} the object has been destroyed and its range freed anyway.
 */
public class MemoryCorruptionException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /** One line per damaged margin. */
    private final List<String> corruptions;

    /**
     * Debug margins were found damaged.
     *
     * @param message     what was checked
     * @param corruptions one line per damaged margin
     */
    public MemoryCorruptionException(String message, List<String> corruptions) {
        super(message);
        this.corruptions = List.copyOf(corruptions);
    }

    /**
     * {@return one line per damaged margin: the object (kind, id, name, page, offset) and the page offset of
     * the first byte found overwritten, with its distance before the object's start or past its end}
     */
    public List<String> corruptions() {
        return corruptions;
    }

    static MemoryCorruptionException of(String where, List<String> corruptions) {
        return new MemoryCorruptionException("memory corruption found in " + where + ": " + corruptions.size()
                + " damaged margin" + (corruptions.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", corruptions),
                corruptions);
    }
}
