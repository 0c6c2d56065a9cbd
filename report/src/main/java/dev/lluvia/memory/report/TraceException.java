package dev.lluvia.memory.report;

import dev.lluvia.memory.LluviaException;

/**
 * A trace that cannot be read or replayed: the message names the source, the line and the bad
 * token, e.g. {@code frame.trace line 7: unknown memory 'm9' (defined: m0, m1)}, or the call the
 * library refused on replay, with the library's exception as the cause. A {@link LluviaException},
 * as every exception type of the library is (see the {@code dev.lluvia.memory} package).
 */
public final class TraceException extends LluviaException {

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
