package dev.lluvia.memory.contract;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The cases of issue 12, run in a child JVM by each backend's test ({@link ChildJvm}), because
 * the failure they guard against is a JVM crash: a {@link MappedView} used after its buffer, its
 * Memory or its Session closed, and a Session or Memory closed while eight threads read and write
 * through views. Each case prints one line starting {@code PASS} or {@code FAIL}; the JVM exits 0
 * when every case passed, 1 when one failed, and anything else (a signal) means it crashed.
 *
 * <p>A backend's child main calls {@link #main(Device, String...)} with a way to open a session
 * and a check to run after each close (Vulkan: the validation layer said nothing).
 */
public final class MappingCases {

    /** How a child opens sessions on the device under test, and what it checks after a close. */
    public interface Device {
        Session open();

        /** Called after {@code closed} was closed; throws if the backend saw something wrong. */
        default void afterClose(Session closed) {
        }

        /** {@link LongRun}: called once the session is open, before any Memory is made (to attach a listener). */
        default void opened(Session session) {
        }

        /** {@link LongRun}: called when the threads are done, before the session closes; throws if a check fails. */
        default void beforeClose(Session session) {
        }
    }

    /** What the parent passes: {@code stale}, or {@code race SEED}. */
    public static final String STALE = "stale";
    public static final String RACE = "race";
    /** {@code long OPS SEED}: {@link LongRun}. */
    public static final String LONG = "long";

    private static final Set<MemoryPropertyFlag> HOST = EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE,
            MemoryPropertyFlag.HOST_COHERENT);
    /** Lavapipe's case in the issue: 1 MiB pages. */
    private static final long PAGE = 1 << 20;
    private static final int SIZE = 4096;
    private static final int THREADS = 8;
    private static final int BUFFERS_PER_THREAD = 4;

    private MappingCases() {
    }

    /**
     * Runs the cases named by {@code args} ({@value #STALE}, {@value #RACE} and a seed, or
     * {@value #LONG}, a number of operations and a seed) and
     * exits: 0 all passed, 1 one failed.
     */
    public static void main(Device device, String... args) {
        int failures = 0;
        try {
            if (args.length > 0 && args[0].equals(RACE)) {
                failures += race(device, Long.parseLong(args[1]));
            } else if (args.length > 0 && args[0].equals(LONG)) {
                failures += LongRun.run(device, Long.parseLong(args[1]), Long.parseLong(args[2]));
            } else {
                failures += run("stale view after Buffer.close, new buffer in its place", () -> staleAfterBufferClose(device));
                failures += run("stale view after Memory.close, new buffer in a new Memory", () -> staleAfterMemoryClose(device));
                failures += run("stale view after Session.close, new buffer in a new Session", () -> staleAfterSessionClose(device));
            }
        } catch (Throwable t) {
            System.out.println("FAIL " + t);
            t.printStackTrace(System.out);
            failures++;
        }
        System.out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Runs one case: prints {@code PASS name} and returns 0, or {@code FAIL name: why} with the trace and returns 1. */
    public static int run(String name, Runnable body) {
        try {
            body.run();
            System.out.println("PASS " + name);
            return 0;
        } catch (Throwable t) {
            System.out.println("FAIL " + name + ": " + t);
            t.printStackTrace(System.out);
            return 1;
        }
    }

    // ----------------------------------------------------------------------------------------
    // Stale views

    private static void staleAfterBufferClose(Device device) {
        Session s = device.open();
        try {
            Memory m = s.createMemory(HOST, PAGE, false);
            Buffer a = m.createBuffer(SIZE);
            MappedView stale = a.map();
            stale.put(0, pattern(1));
            long offset = a.allocationInfo().offset();
            a.close();
            Buffer b = m.createBuffer(SIZE);
            check(b.allocationInfo().offset() == offset, "the new buffer took the closed one's range: " + b.allocationInfo());
            byte[] expected = pattern(2);
            b.map().put(0, expected);
            everyAccessThrows(stale, "Buffer#" + a.id() + " (4096 bytes) is closed");
            checkBytes(b, expected);
        } finally {
            s.close();
        }
        device.afterClose(s);
    }

    private static void staleAfterMemoryClose(Device device) {
        Session s = device.open();
        try {
            Memory m1 = s.createMemory(HOST, PAGE, false);
            Buffer a = m1.createBuffer(SIZE);
            MappedView stale = a.map();
            stale.put(0, pattern(3));
            m1.close();
            Memory m2 = s.createMemory(HOST, PAGE, false);
            Buffer b = m2.createBuffer(SIZE);
            byte[] expected = pattern(4);
            b.map().put(0, expected);
            everyAccessThrows(stale, "Buffer#" + a.id() + " (4096 bytes) is closed (its memory was closed)");
            checkBytes(b, expected);
        } finally {
            s.close();
        }
        device.afterClose(s);
    }

    private static void staleAfterSessionClose(Device device) {
        Session s1 = device.open();
        MappedView stale;
        Buffer a;
        try {
            Memory m = s1.createMemory(HOST, PAGE, false);
            a = m.createBuffer(SIZE);
            stale = a.map();
            stale.put(0, pattern(5));
        } finally {
            s1.close();
        }
        device.afterClose(s1);
        String message = "Buffer#" + a.id() + " (4096 bytes) is closed (its session was closed)";
        // The page is unmapped and freed now: a raw view would crash the JVM here on a real driver.
        everyAccessThrows(stale, message);
        Session s2 = device.open();
        try {
            Buffer b = s2.createMemory(HOST, PAGE, false).createBuffer(SIZE);
            byte[] expected = pattern(6);
            b.map().put(0, expected);
            everyAccessThrows(stale, message);
            checkBytes(b, expected);
        } finally {
            s2.close();
        }
        device.afterClose(s2);
    }

    /** Every accessor of the view, single and bulk, read and write, must throw naming the buffer. */
    private static void everyAccessThrows(MappedView view, String message) {
        List<Consumer<MappedView>> accesses = List.of(
                v -> v.get(0), v -> v.put(0, (byte) 0x66),
                v -> v.getShort(2), v -> v.putShort(2, (short) 0x6666),
                v -> v.getInt(4), v -> v.putInt(4, 0x66666666),
                v -> v.getLong(8), v -> v.putLong(8, -1L),
                v -> v.getFloat(16), v -> v.putFloat(16, 1f),
                v -> v.getDouble(24), v -> v.putDouble(24, 1d),
                v -> v.get(0, new byte[SIZE]), v -> v.put(0, new byte[SIZE]),
                v -> v.get(0, new byte[SIZE], 0, 16), v -> v.put(0, new byte[SIZE], 0, 16),
                v -> v.get(0, ByteBuffer.allocateDirect(SIZE)), v -> v.put(0, ByteBuffer.allocate(SIZE)),
                MappedView::flush, MappedView::invalidate);
        check(!view.isValid(), "the view says it is no longer valid");
        for (int i = 0; i < accesses.size(); i++) {
            try {
                accesses.get(i).accept(view);
                throw new AssertionError("access " + i + " of a stale view did not throw");
            } catch (IllegalStateException expected) {
                check(expected.getMessage().contains(message), "access " + i + ": '" + expected.getMessage()
                        + "' names the buffer as '" + message + "'");
            }
        }
    }

    private static void checkBytes(Buffer b, byte[] expected) {
        ByteBuffer back = ByteBuffer.allocate(expected.length);
        b.read(0, back);
        int wrong = 0;
        for (int i = 0; i < expected.length; i++) {
            if (back.get(i) != expected[i]) {
                wrong++;
            }
        }
        check(wrong == 0, wrong + " of " + expected.length + " bytes of " + b + " were overwritten");
    }

    // ----------------------------------------------------------------------------------------
    // The close race

    /**
     * Two rounds: eight threads read and write their own buffers through views until they get the
     * IllegalStateException; meanwhile the main thread closes the Memory (then creates a new one
     * and fills it, so a stray write would show there) and, in the second round, the Session.
     * Every value a thread reads must be the one it wrote.
     */
    private static int race(Device device, long seed) throws Exception {
        Random rnd = new Random(seed);
        AtomicLong wrongBytes = new AtomicLong();
        AtomicLong accesses = new AtomicLong();
        Session s = device.open();
        long reuseWrong;
        try {
            Memory m1 = s.createMemory(HOST, PAGE, false);
            Workers round1 = new Workers(m1, seed, wrongBytes, accesses);
            round1.start();
            Thread.sleep(1 + rnd.nextInt(20));
            m1.close();
            Memory m2 = s.createMemory(HOST, PAGE, false);
            List<Buffer> fresh = new ArrayList<>();
            for (int i = 0; i < THREADS * BUFFERS_PER_THREAD; i++) {
                Buffer b = m2.createBuffer(SIZE);
                b.write(0, ByteBuffer.wrap(pattern(100 + i)));
                fresh.add(b);
            }
            round1.join();
            reuseWrong = 0;
            for (int i = 0; i < fresh.size(); i++) {
                ByteBuffer back = ByteBuffer.allocate(SIZE);
                fresh.get(i).read(0, back);
                byte[] expected = pattern(100 + i);
                for (int j = 0; j < SIZE; j++) {
                    if (back.get(j) != expected[j]) {
                        reuseWrong++;
                    }
                }
            }
            Memory m3 = s.createMemory(HOST, PAGE, false);
            Workers round2 = new Workers(m3, seed + 1, wrongBytes, accesses);
            round2.start();
            Thread.sleep(1 + rnd.nextInt(20));
            s.close();
            round2.join();
        } finally {
            s.close();
        }
        device.afterClose(s);
        System.out.println("RACE seed=" + seed + " threads=" + THREADS + " accesses=" + accesses.get()
                + " wrongBytes=" + wrongBytes.get() + " overwrittenInNewMemory=" + reuseWrong);
        if (wrongBytes.get() != 0 || reuseWrong != 0) {
            System.out.println("FAIL race: wrong bytes read " + wrongBytes.get() + ", overwritten " + reuseWrong);
            return 1;
        }
        System.out.println("PASS race");
        return 0;
    }

    /** Eight threads, each with its own buffers and views, looping until the views throw. */
    private static final class Workers {
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final CyclicBarrier ready = new CyclicBarrier(THREADS + 1);

        Workers(Memory memory, long seed, AtomicLong wrongBytes, AtomicLong accesses) {
            for (int t = 0; t < THREADS; t++) {
                final int id = t;
                final List<MappedView> views = new ArrayList<>();
                final List<Buffer> buffers = new ArrayList<>();
                for (int i = 0; i < BUFFERS_PER_THREAD; i++) {
                    Buffer b = memory.createBuffer(SIZE);
                    buffers.add(b);
                    views.add(b.map());
                }
                threads.add(new Thread(() -> {
                    Random rnd = new Random(seed * 31 + id);
                    byte[] out = new byte[SIZE];
                    byte[] in = new byte[SIZE];
                    long n = 0;
                    try {
                        ready.await();
                        for (long k = 0; ; k++) {
                            MappedView v = views.get((int) (k % BUFFERS_PER_THREAD));
                            byte value = (byte) (id * 37 + k);
                            Arrays.fill(out, value);
                            v.put(0, out);
                            v.get(0, in);
                            n += 2;
                            for (int i = 0; i < SIZE; i++) {
                                if (in[i] != value) {
                                    wrongBytes.incrementAndGet();
                                }
                            }
                            for (int j = 0; j < 64; j++) {
                                int at = rnd.nextInt(SIZE / 4) * 4;
                                int x = rnd.nextInt();
                                v.putInt(at, x);
                                if (v.getInt(at) != x) {
                                    wrongBytes.addAndGet(4);
                                }
                                n += 2;
                            }
                        }
                    } catch (IllegalStateException closed) {
                        String name = closed.getMessage();
                        boolean ours = false;
                        for (Buffer b : buffers) {
                            ours |= name.contains("Buffer#" + b.id() + " ");
                        }
                        if (!ours) {
                            failure.compareAndSet(null, closed);
                        }
                    } catch (Throwable unexpected) {
                        failure.compareAndSet(null, unexpected);
                    } finally {
                        accesses.addAndGet(n);
                    }
                }, "view-worker-" + id));
            }
        }

        void start() throws Exception {
            for (Thread t : threads) {
                t.start();
            }
            ready.await(30, TimeUnit.SECONDS);
        }

        void join() throws Exception {
            for (Thread t : threads) {
                t.join(60_000);
                check(!t.isAlive(), t.getName() + " still runs after the close");
            }
            if (failure.get() != null) {
                throw new AssertionError("a worker ended otherwise than with its buffer's IllegalStateException", failure.get());
            }
        }
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            b[i] = (byte) (seed * 131 + i * 7 + (i >>> 8));
        }
        return b;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
