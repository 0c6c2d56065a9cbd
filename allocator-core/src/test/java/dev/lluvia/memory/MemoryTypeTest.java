package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_CACHED;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_COHERENT;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_VISIBLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MemoryTypeTest {

    @Test
    void flagsPrintInEnumOrderAndCannotBeChanged() {
        MemoryType type = new MemoryType(3, 1, Set.of(HOST_CACHED, HOST_COHERENT, HOST_VISIBLE));
        assertEquals("[HOST_VISIBLE, HOST_COHERENT, HOST_CACHED]", type.flags().toString());
        assertEquals("[]", new MemoryType(0, 1, Set.of()).flags().toString());
        assertThrows(UnsupportedOperationException.class, () -> type.flags().add(DEVICE_LOCAL));
    }
}
