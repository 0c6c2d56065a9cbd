package dev.lluvia.memory.contract;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MappedView} through the public API, the same on every backend: values round-trip in
 * native order through the view and the raw mapping, bulk copies move buffer positions and array
 * ranges, and one view is shared by threads writing their own ranges. The cases that can crash a
 * JVM (stale views, closes racing accesses) are {@link MappingCases}, run in child JVMs.
 */
public abstract class MappedViewContract extends DeviceContract {

    private static final EnumSet<MemoryPropertyFlag> HOST = EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
            MemoryPropertyFlag.HOST_COHERENT);

    @Test
    void valuesRoundTripInNativeOrderThroughTheMappingAndTheRawView() {
        Session s = open();
        Buffer b = s.createMemory(HOST, 1 << 20, false).createBuffer(64);
        MappedView v = b.map();
        assertEquals(64, v.size());
        assertEquals(0, v.offset());
        assertEquals(b, v.buffer());
        v.put(0, (byte) -2);
        v.putShort(2, (short) 0x1234);
        v.putInt(4, 0xCAFEBABE);
        v.putLong(8, 0x0102030405060708L);
        v.putFloat(16, 1.5f);
        v.putDouble(24, -2.25);
        assertEquals(-2, v.get(0));
        assertEquals(0x1234, v.getShort(2));
        assertEquals(0xCAFEBABE, v.getInt(4));
        assertEquals(0x0102030405060708L, v.getLong(8));
        assertEquals(1.5f, v.getFloat(16));
        assertEquals(-2.25, v.getDouble(24));
        ByteBuffer raw = b.mapByteBuffer();
        assertEquals(ByteOrder.nativeOrder(), raw.order());
        assertEquals(0xCAFEBABE, raw.getInt(4));
        assertEquals(0x0102030405060708L, raw.getLong(8));

        MappedView part = b.map(32, 16);
        assertEquals(32, part.offset());
        part.putInt(0, 77);
        assertEquals(77, v.getInt(32), "a part view starts at its offset in the buffer");
        assertThrows(IndexOutOfBoundsException.class, () -> part.getInt(13));
    }
    @Test
    void bulkCopiesMoveBufferPositionsAndArrayRanges() {
        Session s = open();
        Buffer b = s.createMemory(HOST, 1 << 20, false).createBuffer(256);
        MappedView v = b.map();
        byte[] src = new byte[100];
        for (int i = 0; i < src.length; i++) {
            src[i] = (byte) (i + 1);
        }
        v.put(10, src, 20, 50);
        byte[] back = new byte[50];
        v.get(10, back);
        assertArrayEquals(java.util.Arrays.copyOfRange(src, 20, 70), back);

        ByteBuffer in = ByteBuffer.allocateDirect(40);
        in.position(8);
        for (int i = 8; i < 40; i++) {
            in.put(i, (byte) (200 + i));
        }
        v.put(100, in);
        assertEquals(40, in.position(), "the source advanced to its limit");
        ByteBuffer out = ByteBuffer.allocate(32);
        v.get(100, out);
        assertEquals(32, out.position(), "the destination advanced to its limit");
        for (int i = 0; i < 32; i++) {
            assertEquals((byte) (208 + i), out.get(i));
        }
        ByteBuffer untouched = ByteBuffer.allocate(300);
        assertThrows(IndexOutOfBoundsException.class, () -> v.get(0, untouched));
        assertEquals(0, untouched.position(), "a refused copy moves nothing");
    }
    @Test
    void oneViewIsSharedByThreadsWritingTheirOwnRanges() throws Exception {
        Session s = open();
        Buffer b = s.createMemory(HOST, 1 << 20, false).createBuffer(8 * 4096);
        MappedView v = b.map();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                final int base = t * 4096;
                final int tag = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 200; round++) {
                        for (int i = 0; i < 4096; i += 4) {
                            v.putInt(base + i, tag * 1_000_000 + round);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < 4096; i += 4) {
                assertEquals(t * 1_000_000 + 199, v.getInt(t * 4096 + i));
            }
        }
        assertTrue(v.isValid());
        b.close();
        assertFalse(v.isValid());
    }
}
