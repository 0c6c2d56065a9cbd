package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Buffer#write}/{@link Buffer#read} and {@link Image#write}/{@link Image#read} through the
 * device (memory the host cannot map) and the mapping, on the core's {@link FakeBackend}; and that
 * a transfer pins its object without the Memory's lock: other objects are created and closed
 * while it runs, and a close of its own object waits for it. The fake's transfer hook holds a copy
 * in flight on latches (no sleeps); the fake fails a copy whose resource was destroyed meanwhile.
 */
class TransferTest {

    private static final long MIB = 1 << 20;
    /** A guard against a hang if the lock were held: a lost wait fails instead of blocking the build. */
    private static final long GUARD_SECONDS = 30;

    private static Session open() {
        return FakeBackend.session(FakeBackend.Config.discrete(), SessionOptions.defaults());
    }

    private static Memory deviceOnly(Session s) {
        Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(64 * MIB));
        assertFalse(m.isMappable(), "the fake's DEVICE_LOCAL-only type is not host-visible");
        return m;
    }

    private static ByteBuffer pattern(int size, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            b.put(i, (byte) (i * 31 + seed));
        }
        return b;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    @Test
    void aBufferInDeviceMemoryRoundTripsThroughTransfers() {
        try (Session s = open()) {
            Memory m = deviceOnly(s);
            try (Buffer b = m.createBuffer(4096)) {
                ByteBuffer src = pattern(1000, 7);
                b.write(100, src);
                assertEquals(src.limit(), src.position(), "write advances src to its limit");
                ByteBuffer dst = ByteBuffer.allocate(1000);
                b.read(100, dst);
                assertEquals(dst.limit(), dst.position());
                assertArrayEquals(bytes(src.flip()), dst.array());
                assertThrows(IndexOutOfBoundsException.class, () -> b.write(4000, pattern(200, 1)));
            }
        }
    }

    @Test
    void aBufferInNonCoherentMemoryRoundTripsThroughTheMapping() {
        try (Session s = FakeBackend.session(FakeBackend.Config.nonCoherent(), SessionOptions.defaults())) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED));
            assertTrue(m.memoryType().needsFlush());
            try (Buffer b = m.createBuffer(4096)) {
                ByteBuffer src = pattern(4096, 3);
                b.write(0, src);
                ByteBuffer dst = ByteBuffer.allocate(4096);
                b.read(0, dst);
                // The fake joins host and device copies only through flush and invalidate.
                assertArrayEquals(bytes(src.flip()), dst.array());
            }
        }
    }

    @Test
    void anImageRoundTripsThroughTransfers() {
        try (Session s = open()) {
            Memory m = deviceOnly(s);
            try (Image image = m.createImage(32, 16, ChannelType.UINT8)) {
                int size = (int) image.descriptor().byteSize();
                ByteBuffer src = pattern(size, 11);
                image.write(src);
                ByteBuffer dst = ByteBuffer.allocate(size);
                image.read(dst);
                assertArrayEquals(bytes(src.flip()), dst.array());
                assertThrows(IllegalArgumentException.class, () -> image.write(ByteBuffer.allocate(size - 1)));
            }
        }
    }

    @Test
    void createsAndClosesGoOnWhileALargeWriteRuns() throws Exception {
        try (Session s = open()) {
            Memory m = deviceOnly(s);
            FakeBackend fake = FakeBackend.of(s);
            Buffer large = m.createBuffer(32 * MIB);
            Buffer other = m.createBuffer(MIB);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try (HeldTransfer held = new HeldTransfer(fake)) {
                ByteBuffer src = pattern((int) (32 * MIB), 5);
                Future<?> write = writer.submit(() -> large.write(0, src));
                held.awaitInCopy();
                // The copy is in flight: the Memory's lock is free for creates and closes.
                Future<Buffer> created = CompletableFuture.supplyAsync(() -> {
                    Buffer b = m.createBuffer(2 * MIB);
                    other.close();
                    return b;
                });
                Buffer made = created.get(GUARD_SECONDS, TimeUnit.SECONDS);
                assertFalse(write.isDone(), "the write is still held in its copy");
                assertEquals(2, m.statistics().allocationCount());
                held.finish();
                write.get(GUARD_SECONDS, TimeUnit.SECONDS);
                made.close();
            } finally {
                writer.shutdownNow();
            }
            ByteBuffer back = ByteBuffer.allocate(64);
            large.read(32 * MIB - 64, back);
            assertArrayEquals(bytes(pattern((int) (32 * MIB), 5).position((int) (32 * MIB - 64))), back.array());
            large.close();
        }
    }

    @Test
    void aCloseOfTheObjectWaitsForItsTransfer() throws Exception {
        try (Session s = open()) {
            Memory m = deviceOnly(s);
            FakeBackend fake = FakeBackend.of(s);
            Buffer buffer = m.createBuffer(MIB);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try (HeldTransfer held = new HeldTransfer(fake)) {
                Future<?> write = writer.submit(() -> buffer.write(0, pattern((int) MIB, 1)));
                held.awaitInCopy();
                Thread closer = new Thread(buffer::close, "closer");
                closer.start();
                // The closer either waits for the pin (parked) or, were the pin missing, ends at once
                // and the fake's copy then fails on the destroyed buffer.
                while (closer.getState() != Thread.State.TIMED_WAITING && closer.getState() != Thread.State.TERMINATED) {
                    Thread.onSpinWait();
                }
                assertTrue(closer.isAlive(), "close waits for the transfer in flight");
                assertFalse(buffer.isClosed() && fake.liveResourceCount() == 0, "the buffer is not destroyed yet");
                held.finish();
                write.get(GUARD_SECONDS, TimeUnit.SECONDS); // the fake checked the buffer was alive to the end
                closer.join(TimeUnit.SECONDS.toMillis(GUARD_SECONDS));
                assertFalse(closer.isAlive());
                assertTrue(buffer.isClosed());
                assertEquals(0, fake.liveResourceCount());
            } finally {
                writer.shutdownNow();
            }
        }
    }

    /** Holds the fake's next transfer in its copy until {@link #finish()} (or close). */
    private static final class HeldTransfer implements AutoCloseable {
        private final FakeBackend fake;
        private final CountDownLatch inCopy = new CountDownLatch(1);
        private final CountDownLatch finish = new CountDownLatch(1);

        HeldTransfer(FakeBackend fake) {
            this.fake = fake;
            fake.transferHook = () -> {
                inCopy.countDown();
                await(finish);
            };
        }

        void awaitInCopy() throws InterruptedException {
            assertTrue(inCopy.await(GUARD_SECONDS, TimeUnit.SECONDS), "the transfer reached the device copy");
        }

        void finish() {
            finish.countDown();
        }

        @Override
        public void close() {
            finish.countDown();
            fake.transferHook = null;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never let the transfer finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
