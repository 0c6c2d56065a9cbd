package dev.lluvia.memory.sim;

import dev.lluvia.memory.LluviaException;

/**
 * The caller broke a rule the sim's referee checks: a bug in the allocator (or in a test that
 * calls the backend directly), never a condition of the device. The message names the rule,
 * the handles involved and the numbers that break it. The backend's state is unchanged.
 */
public class SimViolationException extends LluviaException {
    private static final long serialVersionUID = 1L;

    private final SimRule rule;

    public SimViolationException(SimRule rule, String message) {
        super(message + " [" + rule + ": " + rule.description() + "]");
        this.rule = rule;
    }

    /** The rule that was broken. */
    public SimRule rule() {
        return rule;
    }
}
