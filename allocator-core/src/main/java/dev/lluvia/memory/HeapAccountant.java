package dev.lluvia.memory;

import dev.lluvia.memory.spi.MemoryBackend;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The bytes a session's live pages take of each heap, reserved before the driver is asked for a
 * page, so a full heap or an exhausted budget is a typed exception and not a driver error (the
 * model is Arrow's {@code Accountant}).
 *
 * <p>A {@link #tryReserve} either succeeds whole or changes nothing: concurrent reservations never
 * take a heap past its size, and one refused by the budget is given back before the refusal. The
 * backend's own staging memory counts too: in the driver's usage on a device with a memory
 * budget, else beside the pages against the heap's size ({@link MemoryBackend#stagingStatistics()}).
 * The success path allocates nothing but that query's answer; the message is built only on failure.
 *
 * <p>Thread-safe, lock-free: one {@link AtomicLongArray} slot per heap.
 */
final class HeapAccountant {

    private final DeviceProperties device;
    private final MemoryBackend backend;
    private final AtomicLongArray used;

    HeapAccountant(MemoryBackend backend) {
        this.backend = backend;
        this.device = backend.device();
        this.used = new AtomicLongArray(device.memoryHeaps().size());
    }

    /**
     * Whether a {@link #tryReserve} reserved the bytes: {@link #RESERVED} (one shared value, the
     * fast path allocates nothing) or a refusal with its message, built only on failure. An
     * outcome, not an exception, so that the caller can try to make room (free kept empty pages)
     * before it turns a refusal into an {@link OutOfDeviceMemoryException}.
     *
     * @param refusal why the heap or its budget cannot give the bytes; {@code null} when reserved
     */
    record Outcome(String refusal, int heap, long size) {
        static final Outcome RESERVED = new Outcome(null, -1, 0);

        boolean reserved() {
            return refusal == null;
        }

        /** The exception that reports this refusal. */
        OutOfDeviceMemoryException exception() {
            return new OutOfDeviceMemoryException(refusal, heap, size);
        }
    }

    /**
     * Reserves {@code size} bytes of {@code heap} for a new page, or reports why the heap (with the
     * backend's staging memory in it) or, on a device with a memory budget, the budget cannot give
     * them; nothing is reserved then. Undo
     * a reservation with {@link #release}.
     *
     * @throws RuntimeException what the backend's budget or staging query threw; nothing is reserved then
     */
    Outcome tryReserve(int heap, long size) {
        MemoryHeap h = device.memoryHeaps().get(heap);
        long now;
        while (true) {
            now = used.get(heap);
            if (size > h.size() - now) {
                return new Outcome("heap " + heap + " (" + h.size() + " bytes) cannot give a page of "
                        + size + " bytes: " + now + " bytes are in use by this session", heap, size);
            }
            if (used.compareAndSet(heap, now, now + size)) {
                break;
            }
        }
        if (!device.hasMemoryBudget()) {
            // No driver usage to ask: the backend's staging buffers in the heap count here beside the pages.
            long staging;
            try {
                staging = backend.stagingStatistics().get(heap).pageBytes();
            } catch (RuntimeException | Error e) {
                used.addAndGet(heap, -size);
                throw e;
            }
            if (size > h.size() - now - staging) {
                used.addAndGet(heap, -size);
                return new Outcome("heap " + heap + " (" + h.size() + " bytes) cannot give a page of " + size
                        + " bytes: " + now + " bytes are in use by this session's pages and " + staging
                        + " by its transfers' staging buffers", heap, size);
            }
        } else {
            HeapBudget b;
            try {
                b = backend.heapBudgets().get(heap);
            } catch (RuntimeException | Error e) {
                used.addAndGet(heap, -size); // all or nothing: a failed query reserves nothing
                throw e;
            }
            if (size > b.budget() - b.usage()) {
                used.addAndGet(heap, -size);
                return new Outcome("heap " + heap + " is over budget for a page of " + size
                        + " bytes: budget " + b.budget() + ", usage " + b.usage() + " bytes", heap, size);
            }
        }
        return Outcome.RESERVED;
    }

    /** Gives back bytes of a page freed, or of a reservation whose page the driver refused. */
    void release(int heap, long size) {
        used.addAndGet(heap, -size);
    }

    /** Bytes reserved of {@code heap} now. */
    long used(int heap) {
        return used.get(heap);
    }

    /**
     * No page of a Memory whose page is larger than its heap could ever be allocated: say so at
     * creation, as the heap refusing the bytes (another device's heap may hold them).
     */
    void requireFits(MemoryType type, long pageSize) {
        MemoryHeap heap = device.memoryHeaps().get(type.heapIndex());
        if (pageSize > heap.size()) {
            throw new OutOfDeviceMemoryException("pageSize " + pageSize + " is larger than heap " + heap.index()
                    + " (" + heap.size() + " bytes) of memory type " + type.index() + " " + type.flags()
                    + "; choose smaller pages", heap.index(), pageSize);
        }
    }
}
