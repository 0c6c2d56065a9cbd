package dev.lluvia.memory.contract;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.alloc.AllocationAlgorithm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The long run of issue 22: eight threads share one session and three Memories and do, at random,
 * what a program does (create and close buffers and images, write and read them through checked
 * views and transfers, create and close aliases), while one of them defragments every Memory now
 * and then, moving the others' buffers under their views. Every buffer holds a pattern of its own
 * tag: a wrong byte anywhere is counted. The only exceptions allowed are the documented ones the
 * workload provokes on purpose: a view of a buffer that moved ("moved by defragmentation ... map it
 * again", after which the thread maps again). Anything else, a referee violation of the sim
 * included, fails the run; the device's own checks run before the session closes
 * ({@link MappingCases.Device#beforeClose}: the report module replays a trace recorded during the
 * run and compares the layouts) and after ({@link MappingCases.Device#afterClose}: nothing left on
 * the sim, no validation message on Vulkan).
 *
 * <p>Run in a child JVM through {@link MappingCases#main} ({@code long OPS SEED}); prints one
 * {@code LONGRUN} line of totals.
 */
public final class LongRun {

    private static final int THREADS = 8;
    private static final long PAGE = 1 << 20;

    private LongRun() {
    }

    /** Runs {@code ops} operations in all; returns 0 when clean, 1 otherwise. */
    static int run(MappingCases.Device device, long ops, long seed) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong wrongBytes = new AtomicLong();
        AtomicLong movedViews = new AtomicLong();
        AtomicLong moves = new AtomicLong();
        AtomicLong aliases = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        Session session = device.open();
        device.opened(session);
        List<Memory> memories = List.of(
                session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT))
                        .withPageSize(PAGE)),
                session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE))
                        .withPageSize(PAGE / 2).withAlgorithm(AllocationAlgorithm.FIRST_FIT)),
                session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(PAGE)));
        long perThread = ops / THREADS;
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final int index = t;
            Thread thread = new Thread(() -> {
                try {
                    new Worker(index, new Random(seed * 977 + index), memories, wrongBytes, movedViews, moves, aliases, done)
                            .run(perThread);
                } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                }
            }, "long-run-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        Throwable afterClose = null;
        try {
            if (unexpected.get() == null) {
                device.beforeClose(session);
            }
            session.close();
            device.afterClose(session);
        } catch (Throwable e) {
            afterClose = e;
        }
        System.out.println("LONGRUN seed=" + seed + " operations=" + done.get() + " moves=" + moves.get()
                + " movedViews=" + movedViews.get() + " aliases=" + aliases.get() + " wrongBytes=" + wrongBytes.get()
                + " unexpected=" + (unexpected.get() == null ? 0 : 1) + " afterClose=" + (afterClose == null ? 0 : 1));
        if (unexpected.get() != null) {
            System.out.println("FAIL long run: " + unexpected.get());
            unexpected.get().printStackTrace(System.out);
        }
        if (afterClose != null) {
            System.out.println("FAIL after close: " + afterClose);
            afterClose.printStackTrace(System.out);
        }
        return unexpected.get() == null && afterClose == null && wrongBytes.get() == 0 ? 0 : 1;
    }

    /** One thread's objects and its random steps. */
    private static final class Worker {
        private final int index;
        private final Random random;
        private final List<Memory> memories;
        private final AtomicLong wrongBytes;
        private final AtomicLong movedViews;
        private final AtomicLong moves;
        private final AtomicLong aliases;
        private final AtomicLong done;
        private final List<Tagged> buffers = new ArrayList<>();
        private final List<MemoryObject> images = new ArrayList<>();
        private long nextTag;

        Worker(int index, Random random, List<Memory> memories, AtomicLong wrongBytes, AtomicLong movedViews,
               AtomicLong moves, AtomicLong aliases, AtomicLong done) {
            this.index = index;
            this.random = random;
            this.memories = memories;
            this.wrongBytes = wrongBytes;
            this.movedViews = movedViews;
            this.moves = moves;
            this.aliases = aliases;
            this.done = done;
            this.nextTag = (long) index << 40;
        }

        void run(long steps) {
            for (long step = 0; step < steps; step++) {
                int op = random.nextInt(100);
                if (op < 25 || buffers.size() < 4) {
                    create();
                } else if (op < 45 && buffers.size() > 8) {
                    buffers.remove(random.nextInt(buffers.size())).buffer.close();
                } else if (op < 70) {
                    access(buffers.get(random.nextInt(buffers.size())));
                } else if (op < 80) {
                    transfer(buffers.get(random.nextInt(buffers.size())));
                } else if (op < 88) {
                    alias(buffers.get(random.nextInt(buffers.size())));
                } else if (op < 95) {
                    image();
                } else if (index == 0 && op < 97) {
                    defragment(memories.get(random.nextInt(memories.size())));
                } else if (buffers.size() > 40) {
                    buffers.remove(0).buffer.close();
                }
                done.incrementAndGet();
            }
            // Left open for the checks before the session closes (a replayed trace's layout), and
            // for the session's close to free under the other threads' last steps.
            for (Tagged t : buffers) {
                check(t);
            }
        }

        private void create() {
            Memory m = memories.get(random.nextInt(memories.size()));
            int size = 1 + random.nextInt(random.nextInt(10) == 0 ? 300_000 : 8_000);
            Buffer b = m.createBuffer(size);
            Tagged t = new Tagged(b, nextTag++);
            ByteBuffer pattern = t.pattern(0, size);
            b.write(0, pattern);
            buffers.add(t);
        }

        /** Writes and reads a few values through the buffer's view; maps again when it moved. */
        private void access(Tagged t) {
            if (!t.buffer.memory().isMappable()) {
                check(t);
                return;
            }
            for (int attempt = 0; ; attempt++) {
                if (t.view == null) {
                    t.view = t.buffer.map();
                }
                try {
                    for (int k = 0; k < 8; k++) {
                        int i = random.nextInt((int) t.buffer.size());
                        byte expected = t.at(i);
                        t.view.put(i, expected);
                        if (t.view.get(i) != expected) {
                            wrongBytes.incrementAndGet();
                        }
                    }
                    return;
                } catch (IllegalStateException e) {
                    if (attempt > 2 || e.getMessage() == null || !e.getMessage().contains("was moved by defragmentation after this view was made: map it again")) {
                        throw e;
                    }
                    movedViews.incrementAndGet();
                    t.view = null;
                }
            }
        }

        /** A transfer read of a random range, compared with the pattern. */
        private void transfer(Tagged t) {
            int size = (int) t.buffer.size();
            int from = random.nextInt(size);
            int length = 1 + random.nextInt(Math.min(4096, size - from));
            ByteBuffer back = ByteBuffer.allocate(length);
            t.buffer.read(from, back);
            for (int i = 0; i < length; i++) {
                if (back.get(i) != t.at(from + i)) {
                    wrongBytes.incrementAndGet();
                }
            }
        }

        /** An alias over part of a buffer of a regular page: sees its bytes; closed again. */
        private void alias(Tagged t) {
            Memory m = t.buffer.memory();
            if (!m.isMappable() || t.buffer.size() < 256 || t.buffer.allocationInfo().size() > m.pageSize() / 2) {
                return;
            }
            Buffer alias = m.createAliasingBuffer(t.buffer, 0, 256, BufferUsage.DEFAULT);
            try {
                MappedView v = alias.map();
                for (int i = 0; i < 256; i += 17) {
                    if (v.get(i) != t.at(i)) {
                        wrongBytes.incrementAndGet();
                    }
                }
                aliases.incrementAndGet();
            } finally {
                alias.close();
            }
        }

        private void image() {
            if (images.size() > 6) {
                images.remove(0).close();
                return;
            }
            Memory m = memories.get(2);
            // At least 2 high: a height of 1 is a 1D image, which some devices (the H100) refuse LINEAR.
            ImageDescriptor d = ImageDescriptor.of(1 + random.nextInt(128), 2 + random.nextInt(127), ChannelType.UINT8, 4)
                    .withTiling(random.nextBoolean() ? ImageTiling.OPTIMAL : ImageTiling.LINEAR);
            images.add(m.createImage(d));
        }

        private void defragment(Memory m) {
            try (Defragmentation d = m.beginDefragmentation(PAGE, 16)) {
                for (int pass = 0; pass < 4 && !d.isDone(); pass++) {
                    moves.addAndGet(d.pass().size());
                }
            }
        }

        private void check(Tagged t) {
            int size = (int) t.buffer.size();
            ByteBuffer back = ByteBuffer.allocate(size);
            t.buffer.read(0, back);
            for (int i = 0; i < size; i++) {
                if (back.get(i) != t.at(i)) {
                    wrongBytes.incrementAndGet();
                }
            }
        }
    }

    /** A buffer, its tag and the view the thread holds (null until mapped, or after a move). */
    private static final class Tagged {
        final Buffer buffer;
        final long tag;
        MappedView view;

        Tagged(Buffer buffer, long tag) {
            this.buffer = buffer;
            this.tag = tag;
        }

        byte at(int i) {
            return (byte) (tag * 131 + i * 7 + (i >>> 8));
        }

        ByteBuffer pattern(int from, int length) {
            ByteBuffer b = ByteBuffer.allocate(length);
            for (int i = 0; i < length; i++) {
                b.put(i, at(from + i));
            }
            return b;
        }
    }
}
