package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_CACHED;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_COHERENT;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_VISIBLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MemoryTypeChoice} on the discrete fake (types: 0 none, 1 DL, 2 HV|HC, 3 HV|HC|CACHED,
 * 4 DL|HV|HC): by flags the type with the fewest flags that has them all, or exactly them; no match
 * names the flag sets the device has.
 */
class MemoryTypeChoiceTest {

    private final MemoryTypeChoice choice = new MemoryTypeChoice(new FakeBackend(FakeBackend.Config.discrete()).device());

    @Test
    void supportedFlagsAreTheDistinctNonEmptySetsInTypeOrder() {
        assertEquals(List.of(Set.of(DEVICE_LOCAL), Set.of(HOST_VISIBLE, HOST_COHERENT),
                        Set.of(HOST_VISIBLE, HOST_COHERENT, HOST_CACHED), Set.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT)),
                choice.supportedFlags());
    }

    @Test
    void byFlagsTheTypeWithTheFewestFlagsThatHasThemAll() {
        assertEquals(2, choice.choose(MemoryOptions.of(EnumSet.of(HOST_VISIBLE))).index());
        assertEquals(1, choice.choose(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL))).index());
        assertEquals(4, choice.choose(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE))).index());
    }

    @Test
    void exactMatchSkipsTypesWithMoreFlags() {
        assertEquals(3, choice.choose(MemoryOptions.of(EnumSet.of(HOST_VISIBLE, HOST_COHERENT, HOST_CACHED))
                .withExactFlagsMatch(true)).index());
        UnsupportedMemoryFlagsException e = assertThrows(UnsupportedMemoryFlagsException.class,
                () -> choice.choose(MemoryOptions.of(EnumSet.of(HOST_VISIBLE)).withExactFlagsMatch(true)));
        assertTrue(e.getMessage().contains("exactly the flags [HOST_VISIBLE]"), e.getMessage());
    }

    @Test
    void noMatchNamesTheSupportedFlagSets() {
        UnsupportedMemoryFlagsException e = assertThrows(UnsupportedMemoryFlagsException.class,
                () -> choice.choose(MemoryOptions.of(EnumSet.of(DEVICE_LOCAL, HOST_CACHED))));
        assertTrue(e.getMessage().contains("supported flag sets: " + choice.supportedFlags()), e.getMessage());
    }
}
