package dev.lluvia.memory;

/** The device (or sim profile) asked for does not exist; the message lists those that do. */
public class DeviceNotFoundException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /**
     * The backend has no device of the name or index asked for.
     *
     * @param message the name or index, and the devices present
     */
    public DeviceNotFoundException(String message) {
        super(message);
    }
}
