package dev.lluvia.memory.sim;

import java.util.Locale;
import java.util.Random;

/**
 * When a {@link FaultPoint} fails, and with what {@link FaultResult}: the one fault-injection
 * mechanism of the sim. A rule is a value; {@link SimInspector#injectFault} arms it on a point and
 * counts that point's calls from then on.
 *
 * <h2>Syntax</h2>
 * The same text is accepted by {@link #parse} and by the session properties below;
 * {@code RESULT} is {@code OUT_OF_DEVICE_MEMORY} (the default), {@code OUT_OF_HOST_MEMORY} or
 * {@code DEVICE_LOST} (the {@code VK_ERROR_} names work too).
 * <table>
 *   <caption>rules</caption>
 *   <tr><td>{@code at:N[:RESULT]}</td><td>the Nth call after arming fails, once (N from 1)</td></tr>
 *   <tr><td>{@code every:N[:RESULT]}</td><td>calls N, 2N, 3N, ... fail</td></tr>
 *   <tr><td>{@code next:N[:RESULT]}</td><td>the next N calls fail, then none</td></tr>
 *   <tr><td>{@code random:SEED:P[:RESULT]}</td><td>each call fails with probability P (0 to 1),
 *       drawn from {@code new Random(SEED)}; without RESULT the result is drawn too</td></tr>
 *   <tr><td>{@code off}</td><td>no fault</td></tr>
 * </table>
 *
 * <h2>Session properties</h2>
 * <ul>
 *   <li>{@code lluvia.sim.fault.POINT=RULE}, POINT a {@link FaultPoint#call()} name:
 *       {@code lluvia.sim.fault.allocatePage=every:3:OUT_OF_DEVICE_MEMORY}, {@code lluvia.sim.fault.bindImage=at:2:DEVICE_LOST};</li>
 *   <li>{@code lluvia.sim.fault.all=RULE}: the rule on every point (each point counts its own calls;
 *       random rules get seed {@code SEED + point ordinal}, so points fail independently);</li>
 *   <li>{@code lluvia.sim.fault.random=SEED:P[:RESULT]}: shorthand for {@code lluvia.sim.fault.all=random:SEED:P[:RESULT]}.</li>
 * </ul>
 * A point's own key wins over {@code all} and {@code random}.
 */
public final class FaultRule {

    /** The property prefix of fault rules. */
    public static final String PROPERTY_PREFIX = "lluvia.sim.fault.";

    private enum Kind { AT, EVERY, NEXT, RANDOM, OFF }

    private static final FaultRule OFF = new FaultRule(Kind.OFF, 0, 0, 0, null);

    private final Kind kind;
    private final long n;
    private final long seed;
    private final double probability;
    /** {@code null}: drawn at random (random rules only). */
    private final FaultResult result;

    private FaultRule(Kind kind, long n, long seed, double probability, FaultResult result) {
        this.kind = kind;
        this.n = n;
        this.seed = seed;
        this.probability = probability;
        this.result = result;
    }

    /** The {@code n}th call after arming fails once with {@code result}. */
    public static FaultRule at(long n, FaultResult result) {
        return new FaultRule(Kind.AT, positive("at", n), 0, 0, requireResult(result));
    }

    /** Every {@code n}th call fails with {@code result}. */
    public static FaultRule every(long n, FaultResult result) {
        return new FaultRule(Kind.EVERY, positive("every", n), 0, 0, requireResult(result));
    }

    /** The next {@code n} calls fail with {@code result}; 0 is no fault. */
    public static FaultRule next(long n, FaultResult result) {
        if (n < 0) {
            throw new IllegalArgumentException("next: count must not be negative, was " + n);
        }
        return new FaultRule(Kind.NEXT, n, 0, 0, requireResult(result));
    }

    /**
     * Each call fails with probability {@code p}, drawn from {@code new Random(seed)}; with
     * {@code result} {@code null} the result is drawn too.
     */
    public static FaultRule random(long seed, double p, FaultResult result) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("random: probability must be 0 to 1, was " + p);
        }
        return new FaultRule(Kind.RANDOM, 0, seed, p, result);
    }

    /** No fault. */
    public static FaultRule off() {
        return OFF;
    }

    /**
     * A rule from its text (see the class comment).
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static FaultRule parse(String text) {
        String[] parts = text.trim().split(":");
        try {
            String kind = parts[0].toLowerCase(Locale.ROOT);
            switch (kind) {
                case "off":
                    expect(parts, 1, 1);
                    return OFF;
                case "at":
                case "every":
                case "next":
                    expect(parts, 2, 3);
                    long n = Long.parseLong(parts[1]);
                    FaultResult r = parts.length > 2 ? FaultResult.of(parts[2]) : FaultResult.OUT_OF_DEVICE_MEMORY;
                    return kind.equals("at") ? at(n, r) : kind.equals("every") ? every(n, r) : next(n, r);
                case "random":
                    expect(parts, 3, 4);
                    return random(Long.parseLong(parts[1]), Double.parseDouble(parts[2]),
                            parts.length > 3 ? FaultResult.of(parts[3]) : null);
                default:
                    throw new IllegalArgumentException("unknown rule '" + parts[0] + "'");
            }
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IllegalArgumentException("bad fault rule '" + text + "': " + e.getMessage()
                    + "; expected at:N[:RESULT], every:N[:RESULT], next:N[:RESULT], random:SEED:P[:RESULT] or off", e);
        }
    }

    /** The same rule with a random rule's seed moved by {@code delta} (other rules unchanged). */
    FaultRule reseeded(long delta) {
        return kind == Kind.RANDOM ? new FaultRule(kind, n, seed + delta, probability, result) : this;
    }

    /** Whether this rule never fails a call. */
    public boolean isOff() {
        return kind == Kind.OFF || (kind == Kind.NEXT && n == 0) || (kind == Kind.RANDOM && probability == 0);
    }

    /** The rule's text, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return switch (kind) {
            case OFF -> "off";
            case AT -> "at:" + n + ":" + result;
            case EVERY -> "every:" + n + ":" + result;
            case NEXT -> "next:" + n + ":" + result;
            case RANDOM -> "random:" + seed + ":" + probability + (result == null ? "" : ":" + result);
        };
    }

    /** A rule armed on a point: its call count and random state. Guarded by the backend's lock. */
    final class Armed {
        private final Random random = kind == Kind.RANDOM ? new Random(seed) : null;
        private long calls;

        /** Counts one call; the result to fail it with, or {@code null} to let it pass. */
        FaultResult onCall() {
            long c = ++calls;
            return switch (kind) {
                case OFF -> null;
                case AT -> c == n ? result : null;
                case EVERY -> c % n == 0 ? result : null;
                case NEXT -> c <= n ? result : null;
                case RANDOM -> random.nextDouble() < probability
                        ? (result != null ? result : FaultResult.values()[random.nextInt(FaultResult.values().length)])
                        : null;
            };
        }

        long calls() {
            return calls;
        }

        FaultRule rule() {
            return FaultRule.this;
        }
    }

    private static void expect(String[] parts, int min, int max) {
        if (parts.length < min || parts.length > max) {
            throw new IllegalArgumentException("'" + parts[0] + "' takes " + (min - 1)
                    + (max > min ? " to " + (max - 1) : "") + " argument(s), got " + (parts.length - 1));
        }
    }

    private static long positive(String kind, long n) {
        if (n <= 0) {
            throw new IllegalArgumentException(kind + ": N must be positive, was " + n);
        }
        return n;
    }

    private static FaultResult requireResult(FaultResult result) {
        return java.util.Objects.requireNonNull(result, "result");
    }
}
