package dev.lluvia.memory;

/**
 * A backend call failed with a driver result other than running out of memory (for example
 * {@code VK_ERROR_DEVICE_LOST}). Carries the result's name and the call that returned it.
 *
 * <p>One rule for every backend: {@link #operation()} is the bare call ({@code vkAllocateMemory}),
 * {@link #result()} the bare result name ({@code VK_ERROR_TOO_MANY_OBJECTS}), so both can be
 * compared; what else explains the failure (sizes, limits, the device) goes in the detail, which
 * only the message shows.
 */
public class BackendException extends LluviaException {
    private static final long serialVersionUID = 1L;

    /** The driver's result name. */
    private final String result;
    /** The call that failed. */
    private final String operation;

    /**
     * A failed driver call.
     *
     * @param operation the call, e.g. {@code vkAllocateMemory}
     * @param result    the bare result name, e.g. {@code VK_ERROR_DEVICE_LOST}
     */
    public BackendException(String operation, String result) {
        super(operation + " failed: " + result);
        this.operation = operation;
        this.result = result;
    }

    /**
     * @param detail what else explains the failure, shown in the message after the result
     * @param operation the call, e.g. {@code vkAllocateMemory}
     * @param result the bare result name, e.g. {@code VK_ERROR_DEVICE_LOST}
     */
    public BackendException(String operation, String result, String detail) {
        super(operation + " failed: " + result + " (" + detail + ")");
        this.operation = operation;
        this.result = result;
    }

    /**
     * A failed driver call, caused by another exception.
     *
     * @param operation the call, e.g. {@code vkAllocateMemory}
     * @param result    the bare result name
     * @param cause     what was thrown
     */
    public BackendException(String operation, String result, Throwable cause) {
        super(operation + " failed: " + result, cause);
        this.operation = operation;
        this.result = result;
    }

    /** {@return the driver's result name, e.g. {@code VK_ERROR_DEVICE_LOST}} */
    public String result() {
        return result;
    }

    /** {@return the call that failed, e.g. {@code vkAllocateMemory}} */
    public String operation() {
        return operation;
    }
}
