package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedSegments;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.alloc.AllocationStrategy;
import dev.lluvia.memory.contract.MappingCases;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link SimSegmentViewTest}: {@link MappedSegments} views used after each kind
 * of end (buffer close, Memory close, Session close, move by defragmentation), and a race of eight
 * threads writing through segments while buffers close, move and memories close. Prints
 * {@code PASS}/{@code FAIL} lines and one {@code RACE} line of totals; exits 0 when every case
 * passed, 1 when one failed; anything else is a crash.
 */
public final class SegmentCases {

    private static final long PAGE = 1 << 20;
    private static final int SIZE = 4096;

    private SegmentCases() {
    }

    /** {@code PROFILE stale} or {@code PROFILE race SEED}. */
    public static void main(String[] args) {
        String profile = args[0];
        int failures = 0;
        try {
            if (args[1].equals("race")) {
                failures += race(profile, Long.parseLong(args[2]));
            } else {
                failures += MappingCases.run("after Buffer.close, new buffer in its place", () -> afterBufferClose(profile));
                failures += MappingCases.run("after Memory.close", () -> afterMemoryClose(profile));
                failures += MappingCases.run("after Session.close", () -> afterSessionClose(profile));
                failures += MappingCases.run("after a move by defragmentation", () -> afterMove(profile));
            }
        } catch (Throwable t) {
            System.out.println("FAIL " + t);
            t.printStackTrace(System.out);
            failures++;
        }
        System.out.flush();
        System.exit(failures == 0 ? 0 : 1);
    }

    static Session open(String profile) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    static Memory host(Session s) {
        return s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT))
                .withPageSize(PAGE).withStrategy(AllocationStrategy.MIN_OFFSET));
    }

    private static void afterBufferClose(String profile) {
        try (Session s = open(profile)) {
            Memory m = host(s);
            Buffer b = m.createBuffer(SIZE);
            MemorySegment stale = MappedSegments.map(b);
            MemorySegment slice = stale.asSlice(16, 64);
            stale.fill((byte) 1);
            long offset = b.allocationInfo().offset();
            b.close();
            Buffer next = m.createBuffer(SIZE);
            check(next.allocationInfo().offset() == offset, "the new buffer took the old place");
            MappedSegments.map(next).fill((byte) 2);
            everyAccessThrows(stale);
            everyAccessThrows(slice);
            checkAll(next, (byte) 2);
        }
    }

    private static void afterMemoryClose(String profile) {
        try (Session s = open(profile)) {
            Memory m = host(s);
            MemorySegment stale = MappedSegments.map(m.createBuffer(SIZE));
            m.close();
            everyAccessThrows(stale);
            Buffer next = host(s).createBuffer(SIZE);
            MappedSegments.map(next).fill((byte) 3);
            everyAccessThrows(stale);
            checkAll(next, (byte) 3);
        }
    }

    private static void afterSessionClose(String profile) {
        MemorySegment stale;
        try (Session s = open(profile)) {
            stale = MappedSegments.map(host(s).createBuffer(SIZE));
        }
        everyAccessThrows(stale);
        try (Session s = open(profile)) {
            Buffer next = host(s).createBuffer(SIZE);
            MappedSegments.map(next).fill((byte) 4);
            everyAccessThrows(stale);
            checkAll(next, (byte) 4);
        }
    }

    private static void afterMove(String profile) {
        try (Session s = open(profile)) {
            Memory m = host(s);
            Buffer first = m.createBuffer(SIZE);
            Buffer moving = m.createBuffer(SIZE);
            MemorySegment stale = MappedSegments.map(moving);
            stale.fill((byte) 5);
            first.close();
            try (Defragmentation d = m.beginDefragmentation(PAGE, 10)) {
                check(d.pass().size() == 1, "the buffer moved");
            }
            Buffer next = m.createBuffer(SIZE); // where the moved buffer was, or near
            MappedSegments.map(next).fill((byte) 6);
            everyAccessThrows(stale);
            IllegalStateException e = expectThrows(() -> MappedSegments.write(next, 0, stale));
            check(e.getMessage().contains("closed or moved by defragmentation"), "a transfer from it says why: " + e.getMessage());
            checkAll(moving, (byte) 5);
            checkAll(next, (byte) 6);
        }
    }

    private static void everyAccessThrows(MemorySegment stale) {
        List<Runnable> accesses = List.of(
                () -> stale.get(ValueLayout.JAVA_BYTE, 0),
                () -> stale.set(ValueLayout.JAVA_INT, 4, 77),
                () -> stale.fill((byte) 9),
                () -> MemorySegment.copy(new byte[32], 0, stale, ValueLayout.JAVA_BYTE, 0, 32),
                () -> stale.toArray(ValueLayout.JAVA_BYTE),
                () -> stale.asByteBuffer().put(0, (byte) 9));
        for (Runnable access : accesses) {
            expectThrows(access::run);
        }
        check(!stale.scope().isAlive(), "the segment's scope has ended");
    }

    private static IllegalStateException expectThrows(Runnable access) {
        try {
            access.run();
        } catch (IllegalStateException expected) {
            return expected;
        }
        throw new AssertionError("an access through a stale segment did not throw");
    }

    private static void checkAll(Buffer b, byte expected) {
        MappedView v = b.map();
        for (int i = 0; i < v.size(); i++) {
            check(v.get(i) == expected, b + " byte " + i + " is " + v.get(i) + ", not " + expected);
        }
    }

    /**
     * Eight threads fill live buffers through segments with each buffer's own tag (bulk and single
     * values) while the main thread closes, creates and moves buffers and closes memories for a
     * second; a stale segment's write would leave a foreign tag in some buffer. At the end every
     * live buffer must hold only its tag, and the session closes under the writers.
     */
    private static int race(String profile, long seed) throws Exception {
        Random random = new Random(seed);
        AtomicLong accesses = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Tagged> live = new CopyOnWriteArrayList<>();
        Session s = open(profile);
        List<Memory> memories = new ArrayList<>(List.of(host(s), host(s)));
        int tags = 1;
        for (int i = 0; i < 24; i++) {
            live.add(Tagged.create(memories.get(i % 2), tags++));
        }
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            final long threadSeed = seed * 31 + t;
            Thread w = new Thread(() -> {
                Random r = new Random(threadSeed);
                byte[] chunk = new byte[SIZE];
                while (!stop.get()) {
                    List<Tagged> now = live;
                    if (now.isEmpty()) {
                        continue;
                    }
                    Tagged b = now.get(r.nextInt(now.size()));
                    try {
                        if (r.nextBoolean()) {
                            java.util.Arrays.fill(chunk, b.tag);
                            MemorySegment.copy(chunk, 0, b.segment, ValueLayout.JAVA_BYTE, 0, SIZE);
                        } else {
                            for (int i = 0; i < 64; i++) {
                                b.segment.set(ValueLayout.JAVA_BYTE, r.nextInt(SIZE), b.tag);
                            }
                        }
                        accesses.incrementAndGet();
                    } catch (IllegalStateException closedOrMoved) {
                        refused.incrementAndGet();
                    } catch (Throwable e) {
                        unexpected.compareAndSet(null, e);
                    }
                }
            });
            w.start();
            writers.add(w);
        }
        long end = System.nanoTime() + 1_000_000_000L;
        int moves = 0;
        while (System.nanoTime() < end) {
            int op = random.nextInt(10);
            if (op < 5 && live.size() > 4) {
                Tagged t = live.remove(random.nextInt(live.size()));
                t.buffer.close();
            } else if (op < 8) {
                live.add(Tagged.create(memories.get(random.nextInt(memories.size())), tags++ % 120 + 1));
            } else if (op == 8) {
                Memory m = memories.get(random.nextInt(memories.size()));
                try (Defragmentation d = m.beginDefragmentation(PAGE, 8)) {
                    for (var move : d.pass()) {
                        moves++;
                        Buffer moved = (Buffer) move.object();
                        for (int i = 0; i < live.size(); i++) {
                            if (live.get(i).buffer == moved) {
                                live.set(i, new Tagged(moved, live.get(i).tag, MappedSegments.map(moved)));
                            }
                        }
                    }
                }
            } else if (random.nextInt(8) == 0) {
                Memory doomed = memories.remove(random.nextInt(memories.size()));
                live.removeIf(t -> t.buffer.memory() == doomed);
                doomed.close();
                memories.add(host(s));
            }
        }
        // The writers still run: verify through checked views, then close the session under them.
        long wrong = 0;
        for (Tagged t : live) {
            MappedView v = t.buffer.map();
            for (int i = 0; i < SIZE; i++) {
                if (v.get(i) != t.tag) {
                    wrong++;
                }
            }
        }
        s.close();
        Thread.sleep(50);
        stop.set(true);
        for (Thread w : writers) {
            w.join();
        }
        System.out.println("RACE seed=" + seed + " accesses=" + accesses.get() + " refused=" + refused.get()
                + " moves=" + moves + " wrongBytes=" + wrong);
        if (unexpected.get() != null) {
            System.out.println("FAIL race: unexpected " + unexpected.get());
            unexpected.get().printStackTrace(System.out);
            return 1;
        }
        return wrong == 0 ? 0 : 1;
    }

    /** A live buffer, its tag, and a segment of it; filled with the tag before it is shared. */
    record Tagged(Buffer buffer, byte tag, MemorySegment segment) {
        Tagged(Buffer buffer, int tag, MemorySegment segment) {
            this(buffer, (byte) tag, segment);
        }

        static Tagged create(Memory m, int tag) {
            Buffer b = m.createBuffer(SIZE);
            MemorySegment segment = MappedSegments.map(b);
            segment.fill((byte) tag);
            return new Tagged(b, tag, segment);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
