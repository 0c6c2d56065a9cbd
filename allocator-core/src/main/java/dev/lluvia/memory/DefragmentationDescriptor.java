package dev.lluvia.memory;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * How a defragmentation runs ({@link Memory#beginDefragmentation(DefragmentationDescriptor)}; VMA's
 * {@code VmaDefragmentationInfo}): immutable, with {@code with...} methods. New options become
 * fields here, never a new overload.
 *
 * @param maxBytesPerPass   the most bytes one pass moves, at least 1
 * @param maxObjectsPerPass the most objects one pass moves, at least 1
 * @param movable           which objects a pass may move, beside the rules every pass keeps (see
 *                          {@link Defragmentation}); objects it rejects stay where they are, the
 *                          others still move (unlike {@link MemoryObject#setMovable}, which
 *                          makes the start refuse). Called under the Memory's lock: it must not
 *                          call back into the Memory.
 * @param algorithm         how hard a pass looks for a place
 * @param shouldBreak       asked before each move (VMA's {@code pfnBreakCallback}): when it returns
 *                          true the pass stops there, keeping what it moved, so that a frame loop
 *                          can end a pass on time. Called under the Memory's lock.
 */
public record DefragmentationDescriptor(long maxBytesPerPass, int maxObjectsPerPass, Predicate<MemoryObject> movable,
                                        Algorithm algorithm, BooleanSupplier shouldBreak) {

    /** How hard a pass looks for a place for an object (VMA's {@code VmaDefragmentationFlags} algorithms). */
    public enum Algorithm {
        /** Only into fuller pages: an object never moves within its own page. Fewer copies. */
        FAST,
        /** Into fuller pages, then lower in its own page: the densest result. The default. */
        FULL
    }

    /** VMA's defaults in spirit: no limits that matter (all bytes, all objects), every object, {@link Algorithm#FULL}. */
    public static final DefragmentationDescriptor DEFAULT =
            new DefragmentationDescriptor(Long.MAX_VALUE, Integer.MAX_VALUE, o -> true, Algorithm.FULL, () -> false);

    /**
     * Checks every value; nothing is started on a bad one.
     *
     * @param maxBytesPerPass   the most bytes one pass moves
     * @param maxObjectsPerPass the most objects one pass moves
     * @param movable           which objects may move
     * @param algorithm         how hard a pass looks
     * @param shouldBreak       asked before each move
     * @throws IllegalArgumentException if a limit is not positive
     * @throws NullPointerException     if an object argument is null
     */
    public DefragmentationDescriptor {
        if (maxBytesPerPass <= 0) {
            throw new IllegalArgumentException("maxBytesPerPass must be positive, was " + maxBytesPerPass);
        }
        if (maxObjectsPerPass <= 0) {
            throw new IllegalArgumentException("maxObjectsPerPass must be positive, was " + maxObjectsPerPass);
        }
        Objects.requireNonNull(movable, "movable");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(shouldBreak, "shouldBreak");
    }

    /**
     * {@return these options with other per-pass limits}
     *
     * @param maxBytesPerPass   the most bytes one pass moves, at least 1
     * @param maxObjectsPerPass the most objects one pass moves, at least 1
     */
    public DefragmentationDescriptor withLimits(long maxBytesPerPass, int maxObjectsPerPass) {
        return new DefragmentationDescriptor(maxBytesPerPass, maxObjectsPerPass, movable, algorithm, shouldBreak);
    }

    /**
     * {@return these options moving only the objects {@code movable} accepts}
     *
     * @param movable see {@link #movable()}
     */
    public DefragmentationDescriptor withMovable(Predicate<MemoryObject> movable) {
        return new DefragmentationDescriptor(maxBytesPerPass, maxObjectsPerPass, movable, algorithm, shouldBreak);
    }

    /**
     * {@return these options with another algorithm}
     *
     * @param algorithm see {@link #algorithm()}
     */
    public DefragmentationDescriptor withAlgorithm(Algorithm algorithm) {
        return new DefragmentationDescriptor(maxBytesPerPass, maxObjectsPerPass, movable, algorithm, shouldBreak);
    }

    /**
     * {@return these options with a break callback}
     *
     * @param shouldBreak see {@link #shouldBreak()}
     */
    public DefragmentationDescriptor withShouldBreak(BooleanSupplier shouldBreak) {
        return new DefragmentationDescriptor(maxBytesPerPass, maxObjectsPerPass, movable, algorithm, shouldBreak);
    }
}
