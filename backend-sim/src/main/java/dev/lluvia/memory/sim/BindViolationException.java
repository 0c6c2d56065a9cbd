package dev.lluvia.memory.sim;

/**
 * A {@code bindBuffer} or {@code bindImage} the referee refused: the message and accessors name the
 * resource, the page, the offset, the rule and, for overlap and granularity, the other resource.
 */
public class BindViolationException extends SimViolationException {
    private static final long serialVersionUID = 1L;

    private final long resource;
    private final long page;
    private final long offset;
    private final long other;

    public BindViolationException(SimRule rule, String message, long resource, long page, long offset, long other) {
        super(rule, message);
        this.resource = resource;
        this.page = page;
        this.offset = offset;
        this.other = other;
    }

    /** The handle of the buffer or image being bound. */
    public long resource() {
        return resource;
    }

    /** The page handle it was to be bound to. */
    public long page() {
        return page;
    }

    /** The offset asked for. */
    public long offset() {
        return offset;
    }

    /** The handle of the live resource it collides with, or -1 when no other resource is involved. */
    public long other() {
        return other;
    }
}
