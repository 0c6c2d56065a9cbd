package dev.lluvia.memory.sim;

import dev.lluvia.memory.OutOfDeviceMemoryException;

import java.util.List;

/**
 * What a test may see and change of a {@link SimBackend} beyond the {@code MemoryBackend} calls:
 * counters of live pages, resources and checked binds, the device side of pages, and fault
 * injection. Get it with {@link SimBackend#inspect()}. Every method takes the device's lock, so
 * a test may call it from any thread.
 */
public final class SimInspector {

    private final SimBackend device;
    private final SimPages pages;
    private final SimResources resources;
    private final BindReferee referee;
    private final FaultInjector faults;

    SimInspector(SimBackend device, SimPages pages, SimResources resources, BindReferee referee, FaultInjector faults) {
        this.device = device;
        this.pages = pages;
        this.resources = resources;
        this.referee = referee;
        this.faults = faults;
    }

    /** Whether binds are checked against bufferImageGranularity ({@value SimBackend#CHECK_GRANULARITY_PROPERTY}). */
    public boolean checksGranularity() {
        return referee.checksGranularity();
    }

    /** Pages allocated and not freed. */
    public int livePageCount() {
        synchronized (device) {
            return pages.count();
        }
    }

    /** The handles of live pages, in allocation order. */
    public List<Long> livePages() {
        synchronized (device) {
            return pages.handles();
        }
    }

    /** Buffers and images created and not destroyed, bound or not. */
    public int liveResourceCount() {
        synchronized (device) {
            return resources.count();
        }
    }

    /** Live resources that are bound to a page (aliases not counted). */
    public int boundResourceCount() {
        synchronized (device) {
            int n = 0;
            for (SimPage p : pages.live()) {
                n += p.bound.size();
            }
            return n;
        }
    }

    /** Aliases bound onto a live resource now. */
    public int aliasCount(long resource) {
        synchronized (device) {
            SimResource r = resources.get(resource);
            return r == null ? 0 : r.aliases.size();
        }
    }

    /** Bytes of live pages in heap {@code heapIndex}. */
    public long heapUsage(int heapIndex) {
        synchronized (device) {
            return pages.heapUsage(heapIndex);
        }
    }

    /** Bind calls the referee has checked, passed or refused. */
    public long bindsChecked() {
        synchronized (device) {
            return referee.bindsChecked();
        }
    }

    /** The size of a live page. */
    public long pageSize(long page) {
        synchronized (device) {
            return resources.page(page, "pageSize").size;
        }
    }

    /** The priority a live page was allocated with (0.5 when none was given or applied). */
    public float pagePriority(long page) {
        synchronized (device) {
            return resources.page(page, "pagePriority").priority;
        }
    }

    /**
     * The bytes the device sees at {@code [offset, offset + length)} of a page. On a non-coherent
     * page these differ from the host's until a flush; on other pages they are the page's bytes.
     */
    public byte[] readDeviceBytes(long page, long offset, int length) {
        synchronized (device) {
            device.requireOpen();
            return SimPages.readDevice(resources.page(page, "readDeviceBytes"), offset, length, "readDeviceBytes");
        }
    }

    /**
     * The device writes {@code bytes} at {@code offset} of a page, as a shader would. On a
     * non-coherent page the host sees them only after an invalidate.
     */
    public void writeDeviceBytes(long page, long offset, byte[] bytes) {
        synchronized (device) {
            device.requireOpen();
            SimPages.writeDevice(resources.page(page, "writeDeviceBytes"), offset, bytes, "writeDeviceBytes");
        }
    }

    /**
     * The next {@code count} calls of allocatePage and the next {@code count} of
     * allocateDedicatedPage fail with an {@link OutOfDeviceMemoryException}, as a driver under
     * memory pressure does. The same as arming {@code FaultRule.next(count, OUT_OF_DEVICE_MEMORY)}
     * on both points.
     */
    public void injectPageAllocationFailures(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        synchronized (device) {
            faults.arm(FaultPoint.ALLOCATE_PAGE, FaultRule.next(count, FaultResult.OUT_OF_DEVICE_MEMORY));
            faults.arm(FaultPoint.ALLOCATE_DEDICATED_PAGE, FaultRule.next(count, FaultResult.OUT_OF_DEVICE_MEMORY));
        }
    }

    /**
     * Arms {@code rule} on {@code point}, replacing the rule there, and counts the point's calls
     * from now on ({@code at:1} is the next call). {@link FaultRule#off()} or {@code null} disarms
     * it. See {@link FaultRule} for the rules and the session properties that arm them when the
     * device opens.
     */
    public void injectFault(FaultPoint point, FaultRule rule) {
        synchronized (device) {
            faults.arm(point, rule);
        }
    }

    /** Arms {@code rule} on every point; a random rule gets seed {@code SEED + ordinal} per point. */
    public void injectFaults(FaultRule rule) {
        synchronized (device) {
            faults.armAll(rule);
        }
    }

    /** Disarms every fault rule. */
    public void clearFaults() {
        synchronized (device) {
            faults.clear();
        }
    }

    /** The rule armed on {@code point}, or {@link FaultRule#off()}. */
    public FaultRule fault(FaultPoint point) {
        synchronized (device) {
            return faults.rule(point);
        }
    }

    /** Faults injected since the device opened, all points together. */
    public long faultsInjected() {
        synchronized (device) {
            return faults.injected();
        }
    }

    /** Calls of {@code point} that passed the referee since the device opened, failed or not. */
    public long calls(FaultPoint point) {
        synchronized (device) {
            return faults.calls(point);
        }
    }
}
