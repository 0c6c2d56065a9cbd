package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

/**
 * The lifecycle stress program: several threads, each opening and closing sessions on every
 * Vulkan device present in a seeded random order, calling the probe
 * ({@link Session#availableBackends()}) and the device list between them, and doing real work in
 * each session (buffers and images written and read back through the device's queue, mapped
 * uploads, many small buffers), with validation on in some sessions. Then {@code main} returns
 * and the JVM exits normally: no call at the end. A wrong byte, a validation message or an
 * exception in any thread makes it exit with status 1; a crash shows as a signal exit and an
 * {@code hs_err} file.
 *
 * <p>Usage: {@code VulkanStress SEED THREADS SESSIONS_PER_THREAD [DEBUG_EVERY]}: every
 * DEBUG_EVERY-th session of a thread has debug checks on (0: none; default 3).
 */
public final class VulkanStress {

    private VulkanStress() {
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[0]);
        int threads = Integer.parseInt(args[1]);
        int sessions = Integer.parseInt(args[2]);
        int debugEvery = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Session.availableBackends();
        List<DeviceSummary> devices = new ArrayList<>();
        for (DeviceSummary d : Session.devices("vulkan")) {
            if (d.usable()) {
                devices.add(d);
            }
        }
        System.out.println("stress: seed " + seed + ", " + threads + " threads x " + sessions + " sessions on "
                + devices.size() + " devices: " + devices.stream().map(DeviceSummary::describe).toList());
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int id = t;
            Thread w = new Thread(() -> {
                Random random = new Random(seed * 31 + id);
                try {
                    start.await();
                    List<DeviceSummary> order = new ArrayList<>();
                    while (order.size() < sessions) {
                        List<DeviceSummary> round = new ArrayList<>(devices);
                        Collections.shuffle(round, random);
                        order.addAll(round);
                    }
                    for (int s = 0; s < sessions; s++) {
                        if (random.nextInt(3) == 0) {
                            Session.availableBackends();
                            Session.devices("vulkan");
                        }
                        boolean debug = debugEvery > 0 && s % debugEvery == 0;
                        oneSession(order.get(s), debug, random, "thread " + id + " session " + s);
                    }
                } catch (Throwable e) {
                    failures.add("thread " + id + ": " + e);
                    e.printStackTrace();
                }
            }, "stress-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " stress threads failed: " + failures);
        }
        System.out.println("stress: ok");
    }

    private static void oneSession(DeviceSummary device, boolean debug, Random random, String where) {
        Session session = Session.create(SessionOptions.defaults().withBackend("vulkan").withDebug(debug)
                .withDevice(Integer.toString(device.index())).withLeakPolicy(LeakPolicy.IGNORE)
                .withProperty(VulkanBackend.SYNC_VALIDATION_PROPERTY, "false"));
        VulkanBackend backend = session.unwrap(VulkanBackend.class).orElseThrow();
        try {
            try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY, 8L << 20)) {
                for (int i = 0; i < 3; i++) {
                    Buffer b = memory.createBuffer(1 + random.nextInt(2 << 20));
                    ByteBuffer src = randomBytes((int) b.size(), random);
                    b.write(0, src.duplicate());
                    ByteBuffer dst = ByteBuffer.allocateDirect((int) b.size());
                    b.read(0, dst);
                    require(src.equals(dst.flip()), where + ": buffer of " + b.size() + " B read back differs");
                    b.close();
                }
                int w = 1 + random.nextInt(256);
                int h = 1 + random.nextInt(256);
                Image image = memory.createImage(ImageDescriptor.of(w, h, ChannelType.UINT8, 4));
                ByteBuffer src = randomBytes((int) image.descriptor().byteSize(), random);
                image.write(src.duplicate());
                ByteBuffer dst = ByteBuffer.allocateDirect(src.capacity());
                image.read(dst);
                require(src.equals(dst.flip()), where + ": image " + w + "x" + h + " read back differs");
                List<Buffer> small = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    small.add(memory.createBuffer(16 + random.nextInt(4096)));
                }
                Collections.shuffle(small, random);
                small.forEach(Buffer::close);
            }
            try (Memory upload = session.createMemory(MemoryUsage.UPLOAD, 1L << 20)) {
                Buffer b = upload.createBuffer(4096);
                ByteBuffer src = randomBytes(4096, random);
                b.write(0, src.duplicate());
                ByteBuffer dst = ByteBuffer.allocateDirect(4096);
                b.read(0, dst);
                require(src.equals(dst.flip()), where + ": upload buffer read back differs");
            }
        } finally {
            session.close();
        }
        long messages = backend.validationErrorCount() + backend.validationWarningCount();
        require(messages == 0, where + ": validation reported " + messages + " messages: " + backend.validationMessages());
    }

    private static ByteBuffer randomBytes(int n, Random random) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return ByteBuffer.allocateDirect(n).put(bytes).flip();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
