package dev.lluvia.memory.report;

/**
 * A trace that cannot be read or replayed: the message names the source, the line and the bad
 * token, e.g. {@code frame.trace line 7: unknown memory 'm9' (defined: m0, m1)}. An
 * {@link IllegalArgumentException}, so the CLI reports it as a usage error (exit status 2).
 */
public final class TraceException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int line;

    TraceException(String source, int line, String message, Throwable cause) {
        super(source + " line " + line + ": " + message, cause);
        this.line = line;
    }

    /** The 1-based line of the trace that failed. */
    public int line() {
        return line;
    }
}
