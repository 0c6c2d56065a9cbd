package dev.lluvia.memory;

/** No memory type of the device has the flags asked for; the message lists the flag sets it has. */
public class UnsupportedMemoryFlagsException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * No memory type of the device has the flags asked for.
     *
     * @param message the flags, and the flags the device has
     */
    public UnsupportedMemoryFlagsException(String message) {
        super(message);
    }
}
