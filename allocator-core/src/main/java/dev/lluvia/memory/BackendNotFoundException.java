package dev.lluvia.memory;

/**
 * No backend could be opened: the name asked for is unknown or unavailable, or no backend module
 * is on the class or module path. The message lists the backends found and says which module to
 * add.
 */
public class BackendNotFoundException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * No backend of the name asked for is present and available.
     *
     * @param message the name, and the backends present
     */
    public BackendNotFoundException(String message) {
        super(message);
    }
}
