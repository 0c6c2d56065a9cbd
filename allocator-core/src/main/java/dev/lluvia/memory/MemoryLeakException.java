package dev.lluvia.memory;

import java.util.List;

/**
 * Thrown by {@code close()} under {@link LeakPolicy#THROW} when objects were still alive. By the
 * time it is thrown they have been destroyed and their pages freed; the exception is the report.
 */
public class MemoryLeakException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /** One line per object that was alive. */
    private final List<String> leaks;

    /**
     * A close found live objects (under {@link LeakPolicy#THROW}).
     *
     * @param message what was closed
     * @param leaks   one line per object that was alive
     */
    public MemoryLeakException(String message, List<String> leaks) {
        super(message);
        this.leaks = List.copyOf(leaks);
    }

    /** {@return one line per object that was alive: kind, id, name, size, page and offset (and creation site in debug mode)} */
    public List<String> leaks() {
        return leaks;
    }
}
