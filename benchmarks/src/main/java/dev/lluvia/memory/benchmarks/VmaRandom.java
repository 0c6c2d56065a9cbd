package dev.lluvia.memory.benchmarks;

/**
 * The pseudo-random generator of VMA's {@code src/Tests.cpp} ({@code RandomNumberGenerator}), so
 * the size sequences here are the very ones VMA's own benchmarks use: a 32-bit linear congruential
 * step {@code s = s * 196314165 + 907633515}, and {@code next = f() ^ (f() >>> 7)} of two steps.
 * Java's {@code int} arithmetic wraps exactly like C's {@code uint32_t}; results are unsigned.
 */
final class VmaRandom {

    private int state;

    VmaRandom(int seed) {
        state = seed;
    }

    /** The next unsigned 32-bit value, as a non-negative {@code long}. */
    long next() {
        final int a = step();
        final int b = step();
        return ((a ^ (b >>> 7)) & 0xFFFF_FFFFL);
    }

    /** {@code next() % bound}, as VMA writes {@code rand.Generate() % bound}. */
    int nextBelow(int bound) {
        return (int) (next() % bound);
    }

    private int step() {
        state = state * 196314165 + 907633515;
        return state;
    }
}
