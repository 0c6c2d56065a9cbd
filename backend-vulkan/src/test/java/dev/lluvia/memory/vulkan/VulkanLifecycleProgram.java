package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The programs of issue 11, through the public API only: optionally the probe
 * ({@link Session#availableBackends()}), then sessions on the listed devices one after the other
 * or all at once on threads, each writing and reading a 256 MiB buffer and creating and closing
 * many small buffers, then closed (or left open); then {@code main} returns. Exit status 0 when
 * every byte read back is right; a crash shows as a signal exit and an {@code hs_err} file.
 *
 * <p>Usage: {@code VulkanLifecycleProgram probe|noprobe seq|par DEVICES(0,1) debug|nodebug close|open [SMALL [BIG_MIB]]}
 * (defaults: 60,000 small buffers, a 256 MiB buffer).
 */
public final class VulkanLifecycleProgram {

    private static int bigMiB;

    private VulkanLifecycleProgram() {
    }

    public static void main(String[] args) throws Exception {
        boolean probe = args[0].equals("probe");
        boolean parallel = args[1].equals("par");
        String[] devices = args[2].isEmpty() ? new String[0] : args[2].split(",");
        boolean debug = args[3].equals("debug");
        boolean close = args[4].equals("close");
        int small = args.length > 5 ? Integer.parseInt(args[5]) : 60_000;
        bigMiB = args.length > 6 ? Integer.parseInt(args[6]) : 256;
        if (probe) {
            System.out.println(Session.availableBackends());
        }
        List<Session> sessions = new ArrayList<>();
        if (parallel) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (String d : devices) {
                Thread t = new Thread(() -> {
                    try {
                        Session s = open(d, debug);
                        work(s, small);
                        if (close) {
                            s.close();
                        } else {
                            sessions.add(s);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "device-" + d);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                throw new IllegalStateException("failed: " + failures);
            }
        } else {
            for (String d : devices) {
                Session s = open(d, debug);
                work(s, small);
                if (close) {
                    s.close();
                } else {
                    sessions.add(s);
                }
            }
        }
        System.out.println("done; " + sessions.size() + " sessions left open; rss "
                + DriverLifecycleExperiment.rssKiB() + " KiB");
    }

    private static Session open(String device, boolean debug) {
        return Session.create(SessionOptions.defaults().withBackend("vulkan").withDevice(device).withDebug(debug)
                .withLeakPolicy(LeakPolicy.IGNORE).withProperty(VulkanBackend.SYNC_VALIDATION_PROPERTY, "false"));
    }

    private static void work(Session session, int small) {
        int size = bigMiB << 20;
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY, size)) {
            Buffer big = memory.createBuffer(size);
            ByteBuffer src = ByteBuffer.allocateDirect(size);
            for (int i = 0; i < size; i += 4) {
                src.putInt(i, i * 31 + 7);
            }
            big.write(0, src.duplicate());
            ByteBuffer dst = ByteBuffer.allocateDirect(size);
            big.read(0, dst);
            if (!src.equals(dst.flip())) {
                throw new IllegalStateException(session + ": the " + bigMiB + " MiB buffer read back differs");
            }
            big.close();
        }
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY)) {
            for (int i = 0; i < small; i++) {
                memory.createBuffer(256 + (i % 7) * 64).close();
            }
        }
        System.out.println(session.device().name() + ": work done on " + Thread.currentThread().getName());
    }
}
