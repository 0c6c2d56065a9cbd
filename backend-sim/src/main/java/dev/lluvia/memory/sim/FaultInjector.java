package dev.lluvia.memory.sim;

import java.util.Arrays;
import java.util.Map;

/**
 * The sim's fault injection: the {@link FaultRule} armed on each {@link FaultPoint}, the calls
 * counted per point and the faults injected. Rules are armed from a test (through
 * {@link SimInspector}) or from the {@code lluvia.sim.fault.*} backend properties when the device
 * opens ({@link #configure}). {@link SimBackend} asks {@link #onCall} after its referee has
 * checked a call and before anything changes, so an injected fault leaves the device as it was.
 *
 * <p>Not thread-safe: every call is made under the device's lock.
 */
final class FaultInjector {

    /** The fault rule armed on each {@link FaultPoint}, by ordinal; {@code null} when none. */
    private final FaultRule.Armed[] armed = new FaultRule.Armed[FaultPoint.values().length];
    private final long[] calls = new long[FaultPoint.values().length];
    private long injected;

    /**
     * Arms the rules of the {@code lluvia.sim.fault.*} properties (see {@link FaultRule}).
     *
     * @throws IllegalArgumentException naming a key of no point or a rule that does not parse
     */
    void configure(Map<String, String> properties) {
        FaultRule all = null;
        String random = properties.get(FaultRule.PROPERTY_PREFIX + "random");
        if (random != null) {
            all = FaultRule.parse("random:" + random);
        }
        String allText = properties.get(FaultRule.PROPERTY_PREFIX + "all");
        if (allText != null) {
            if (all != null) {
                throw new IllegalArgumentException("set " + FaultRule.PROPERTY_PREFIX + "all or "
                        + FaultRule.PROPERTY_PREFIX + "random, not both");
            }
            all = FaultRule.parse(allText);
        }
        if (all != null) {
            armAll(all);
        }
        for (Map.Entry<String, String> e : properties.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(FaultRule.PROPERTY_PREFIX)) {
                continue;
            }
            String point = key.substring(FaultRule.PROPERTY_PREFIX.length());
            if (point.equals("all") || point.equals("random")) {
                continue;
            }
            FaultPoint p;
            try {
                p = FaultPoint.of(point);
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("backend property " + key + ": " + bad.getMessage(), bad);
            }
            try {
                arm(p, FaultRule.parse(e.getValue()));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("backend property " + key + ": " + bad.getMessage(), bad);
            }
        }
    }

    /** Arms {@code rule} on {@code point}, replacing the rule there; off or {@code null} disarms it. */
    void arm(FaultPoint point, FaultRule rule) {
        armed[point.ordinal()] = rule == null || rule.isOff() ? null : rule.new Armed();
    }

    /** Arms {@code rule} on every point; a random rule gets seed {@code SEED + ordinal} per point. */
    void armAll(FaultRule rule) {
        for (FaultPoint p : FaultPoint.values()) {
            arm(p, rule == null ? null : rule.reseeded(p.ordinal()));
        }
    }

    /** Disarms every rule. */
    void clear() {
        Arrays.fill(armed, null);
    }

    /** The rule armed on {@code point}, or {@link FaultRule#off()}. */
    FaultRule rule(FaultPoint point) {
        FaultRule.Armed a = armed[point.ordinal()];
        return a == null ? FaultRule.off() : a.rule();
    }

    /** Faults injected since the device opened, all points together. */
    long injected() {
        return injected;
    }

    /** Calls of {@code point} counted since the device opened, failed or not. */
    long calls(FaultPoint point) {
        return calls[point.ordinal()];
    }

    /** Counts a call of {@code point} and throws if its armed rule says this call fails. */
    void onCall(FaultPoint point, int heapIndex, long bytes) {
        final int i = point.ordinal();
        calls[i]++;
        FaultRule.Armed a = armed[i];
        if (a == null) {
            return;
        }
        FaultResult result = a.onCall();
        if (result != null) {
            injected++;
            throw result.exception(point.call(), "of " + bytes + " bytes" + (heapIndex >= 0 ? " (heap "
                    + heapIndex + ")" : ""), "(injected by the sim: " + FaultRule.PROPERTY_PREFIX + point.call() + "="
                    + a.rule() + ", call " + a.calls() + ")", heapIndex, bytes);
        }
    }
}
