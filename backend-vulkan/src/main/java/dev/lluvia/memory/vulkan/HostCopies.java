package dev.lluvia.memory.vulkan;

import org.lwjgl.system.MemoryUtil;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copies between a caller's {@link ByteBuffer} and staging memory on the host. One core's memcpy
 * is slower than a PCIe link, so a copy of at least {@link #PARALLEL_MIN} bytes is split in parts
 * over a few threads ({@link #copyThreads()}): all parts but one run on a pool of daemon threads
 * shared by every transfer queue of the JVM, made on first use.
 *
 * <p>Thread-safe.
 */
final class HostCopies {

    /** Smallest host copy split over several threads. */
    static final int PARALLEL_MIN = 4 << 20;

    private static ExecutorService copyPool;

    private HostCopies() {
    }

    /** Threads a large host copy is split over: half the cores, at most 8 (memory bandwidth, not cores, is the limit). */
    static int copyThreads() {
        return Math.max(1, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
    }

    private static synchronized ExecutorService copyPool() {
        if (copyPool == null) {
            copyPool = Executors.newFixedThreadPool(copyThreads() - 1, r -> {
                Thread t = new Thread(r, "lluvia-transfer-copy");
                t.setDaemon(true);
                return t;
            });
        }
        return copyPool;
    }

    /**
     * Copies {@code length} bytes between {@code host} (from its position + {@code at}) and
     * {@code address}: into the address when {@code toAddress}, else out of it. Large copies are
     * split in parts, all but one run on the copy pool.
     */
    static void hostCopy(ByteBuffer host, int at, long address, int length, boolean toAddress) {
        final int threads = length >= PARALLEL_MIN ? copyThreads() : 1;
        if (threads == 1) {
            copyPart(host, at, address, length, toAddress);
            return;
        }
        final int part = (length / threads + 63) & ~63;
        final Future<?>[] others = new Future<?>[threads - 1];
        int start = part;
        for (int p = 0; p < threads - 1 && start < length; p++) {
            final int from = start;
            final int len = Math.min(part, length - from);
            others[p] = copyPool().submit(() -> copyPart(host, at + from, address + from, len, toAddress));
            start += part;
        }
        Throwable failure = null;
        try {
            copyPart(host, at, address, Math.min(part, length), toAddress);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> f : others) {
            if (f == null) {
                continue;
            }
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the part must finish before the staging buffer is reused
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    private static void copyPart(ByteBuffer host, int at, long address, int length, boolean toAddress) {
        final int from = host.position() + at;
        if (host.isDirect()) {
            final long h = MemoryUtil.memAddress0(host) + from;
            if (toAddress) {
                MemoryUtil.memCopy(h, address, length);
            } else {
                MemoryUtil.memCopy(address, h, length);
            }
        } else if (toAddress) {
            MemoryUtil.memByteBuffer(address, length).put(0, host, from, length);
        } else {
            host.duplicate().put(from, MemoryUtil.memByteBuffer(address, length), 0, length);
        }
    }
}
