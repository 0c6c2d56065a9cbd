package dev.lluvia.memory;

import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One creation path: flags or a usage choose the type; page size, algorithm and strategy apply to both. */
class MemoryOptionsTest {

    private static Session open() {
        return FakeBackend.session(FakeBackend.Config.discrete(), SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE));
    }

    @Test
    void aUsageChosenMemoryTakesAnAlgorithmAndStrategy() {
        try (Session s = open()) {
            Memory m = s.createMemory(MemoryOptions.of(MemoryUsage.READBACK).withPageSize(1 << 20)
                    .withAlgorithm(AllocationAlgorithm.FIRST_FIT).withStrategy(AllocationStrategy.MIN_MEMORY));
            assertEquals(3, m.memoryType().index(), "READBACK takes the cached host type");
            assertEquals(AllocationAlgorithm.FIRST_FIT, m.algorithm());
            assertEquals(AllocationStrategy.MIN_MEMORY, m.strategy());
            assertEquals(1 << 20, m.pageSize());
            Buffer b = m.createBuffer(100);
            assertEquals(0, b.allocationInfo().offset());
            assertEquals(1 << 20, FakeBackend.of(s).pageSize(FakeBackend.of(s).livePages().get(0)));
        }
    }

    @Test
    void everyOverloadChoosesWhatItsOptionsChoose() {
        try (Session s = open()) {
            assertEquals(1, s.createMemory(MemoryUsage.DEVICE_ONLY).memoryType().index());
            assertEquals(4, s.createMemory(MemoryUsage.UPLOAD, 4096).memoryType().index());
            assertEquals(4096, s.createMemory(MemoryUsage.UPLOAD, 4096).pageSize());
            assertEquals(1, s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).memoryType().index());
            assertEquals(2, s.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT)
                    .memoryType().index());
            assertEquals(4, s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL, MemoryPropertyFlag.HOST_VISIBLE,
                    MemoryPropertyFlag.HOST_COHERENT), 8192, true).memoryType().index());
            assertThrows(UnsupportedMemoryFlagsException.class, () -> s.createMemory(
                    EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL, MemoryPropertyFlag.HOST_VISIBLE), 8192, true));
            Memory lluvia = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 8192);
            assertEquals(2, lluvia.memoryType().index());
            assertEquals(MemoryOptions.DEFAULT_PAGE_SIZE, s.createMemory(MemoryUsage.READBACK).pageSize());
        }
    }

    @Test
    void flagsAndUsageAreOneOrTheOther() {
        MemoryOptions byUsage = MemoryOptions.of(MemoryUsage.UPLOAD);
        assertNull(byUsage.flags());
        assertEquals(MemoryUsage.UPLOAD, byUsage.usage());
        assertNull(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).usage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> new MemoryOptions(
                EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), MemoryUsage.UPLOAD, 4096, false,
                AllocationAlgorithm.TLSF, AllocationStrategy.MIN_TIME, MemoryOptions.DEFAULT_PRIORITY, false,
                MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET, java.util.Set.of(), MemoryOptions.ALL_MEMORY_TYPES, 0,
                Integer.MAX_VALUE, false));
        assertTrue(both.getMessage().contains("DEVICE_LOCAL") && both.getMessage().contains("UPLOAD"), both.getMessage());
        IllegalArgumentException exact = assertThrows(IllegalArgumentException.class,
                () -> byUsage.withExactFlagsMatch(true));
        assertTrue(exact.getMessage().contains("exactFlagsMatch"), exact.getMessage());
        IllegalArgumentException page = assertThrows(IllegalArgumentException.class, () -> byUsage.withPageSize(0));
        assertTrue(page.getMessage().contains("was 0"), page.getMessage());
        NullPointerException none = assertThrows(NullPointerException.class, () -> MemoryOptions.of((MemoryUsage) null));
        assertEquals("usage", none.getMessage());
        try (Session s = open()) {
            assertThrows(IllegalArgumentException.class, () -> s.createMemory(MemoryUsage.UPLOAD, -1));
            assertTrue(s.memories().isEmpty(), "a refused memory is not registered");
        }
    }
}
