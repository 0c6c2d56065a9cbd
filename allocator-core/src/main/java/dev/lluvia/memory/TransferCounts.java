package dev.lluvia.memory;

import dev.lluvia.memory.spi.TransferListener;

import java.util.concurrent.atomic.LongAdder;

/**
 * A session's transfers and their bytes by {@link TransferPath}, and the listener its backend
 * tells the path of each transfer to. The backend calls the listener on the transferring thread
 * before its copy returns; the object's write or read then takes the path with
 * {@link #backendPath} and counts it, so the count and JFR's transfer event agree.
 */
final class TransferCounts implements TransferListener {

    private static final TransferPath[] PATHS = TransferPath.values();
    /** The path the backend reported for this thread's transfer in progress; null when none. */
    private static final ThreadLocal<TransferPath[]> REPORTED = ThreadLocal.withInitial(() -> new TransferPath[1]);

    private final LongAdder[] transfers = adders();
    private final LongAdder[] bytes = adders();

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[PATHS.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    @Override
    public void transferred(TransferPath path) {
        REPORTED.get()[0] = path;
    }

    /**
     * After a backend copy of {@code n} bytes returned: the path it reported ({@link TransferPath#STAGED}
     * for a backend that reports none), counted.
     */
    TransferPath backendPath(long n) {
        TransferPath[] slot = REPORTED.get();
        TransferPath path = slot[0];
        slot[0] = null;
        return count(path == null ? TransferPath.STAGED : path, n);
    }

    /** Counts a transfer of {@code n} bytes that took {@code path}; returns the path. */
    TransferPath count(TransferPath path, long n) {
        transfers[path.ordinal()].increment();
        bytes[path.ordinal()].add(n);
        return path;
    }

    long transfers(TransferPath path) {
        return transfers[path.ordinal()].sum();
    }

    long bytes(TransferPath path) {
        return bytes[path.ordinal()].sum();
    }
}
