package dev.lluvia.memory;

/** The device (or sim profile) asked for does not exist; the message lists those that do. */
public class DeviceNotFoundException extends LluviaException {
    private static final long serialVersionUID = 1L;

    public DeviceNotFoundException(String message) {
        super(message);
    }
}
