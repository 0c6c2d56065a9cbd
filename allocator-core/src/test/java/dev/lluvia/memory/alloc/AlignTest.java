package dev.lluvia.memory.alloc;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignTest {

    @Test
    void alignRoundsUpToPowersOfTwo() {
        assertEquals(0, Align.align(0, 64));
        assertEquals(64, Align.align(1, 64));
        assertEquals(64, Align.align(64, 64));
        assertEquals(128, Align.align(65, 64));
        assertEquals(7, Align.align(7, 1));
        assertEquals(1L << 40, Align.align((1L << 40) - 5, 1L << 40));
    }

    @Test
    void paddingIsWhatAlignAdds() {
        SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 10_000; i++) {
            long value = random.nextLong(1L << 50);
            long alignment = 1L << random.nextInt(40);
            long aligned = Align.align(value, alignment);
            assertEquals(aligned - value, Align.padding(value, alignment), value + " to " + alignment);
            assertEquals(0, aligned % alignment);
            assertTrue(aligned - value < alignment);
            // The division form agrees on powers of two.
            assertEquals(aligned, Align.roundUp(value, alignment));
        }
    }

    @Test
    void roundUpAndDownTakeAnyPositiveQuantum() {
        assertEquals(0, Align.roundUp(0, 3));
        assertEquals(3, Align.roundUp(1, 3));
        assertEquals(3, Align.roundUp(3, 3));
        assertEquals(1000, Align.roundUp(999, 1000));
        assertEquals(5, Align.roundUp(5, 1));
        assertEquals(0, Align.roundDown(2, 3));
        assertEquals(6, Align.roundDown(8, 3));
        assertEquals(1024, Align.roundDown(1087, 64));
    }

    @Test
    void powersOfTwoArePositive() {
        assertTrue(Align.isPowerOfTwo(1));
        assertTrue(Align.isPowerOfTwo(1L << 62));
        assertFalse(Align.isPowerOfTwo(0));
        assertFalse(Align.isPowerOfTwo(-64));
        assertFalse(Align.isPowerOfTwo(Long.MIN_VALUE));
        assertFalse(Align.isPowerOfTwo(3));
        assertFalse(Align.isPowerOfTwo(96));
    }
}
