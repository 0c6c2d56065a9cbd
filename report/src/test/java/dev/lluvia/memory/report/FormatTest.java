package dev.lluvia.memory.report;

import dev.lluvia.memory.MemoryPropertyFlag;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_CACHED;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_COHERENT;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_VISIBLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

class FormatTest {

    @Test
    void flagsPrintInEnumOrderWhateverTheSetsOrder() {
        // Set.of iterates in an unspecified order; the output must not depend on it.
        assertEquals("[DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT, HOST_CACHED]",
                Format.flags(Set.of(HOST_CACHED, HOST_COHERENT, HOST_VISIBLE, DEVICE_LOCAL)));
        assertEquals("[]", Format.flags(Set.<MemoryPropertyFlag>of()));
    }

    @Test
    void sizesPrintInBinaryUnitsWithTheExactCount() {
        assertEquals("1000 B", Format.bytes(1000));
        assertEquals("32 MiB", Format.bytes(32L << 20));
        assertEquals("2 GiB", Format.bytes(2L << 30));
        assertEquals("1.5 KiB", Format.bytes(1536));
        assertEquals("79.65 GiB (85520809984 bytes)", Format.bytesExact(85_520_809_984L));
        assertEquals("64 bytes", Format.bytesExact(64));
    }
}
