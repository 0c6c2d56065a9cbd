package dev.lluvia.memory;

import dev.lluvia.memory.JfrEventTypes.BudgetPressure;
import dev.lluvia.memory.JfrEventTypes.CreateRefused;
import dev.lluvia.memory.JfrEventTypes.DefragmentationPass;
import dev.lluvia.memory.JfrEventTypes.HeapStatistics;
import dev.lluvia.memory.JfrEventTypes.LeakReported;
import dev.lluvia.memory.JfrEventTypes.MemoryEvent;
import dev.lluvia.memory.JfrEventTypes.MemoryStatistics;
import dev.lluvia.memory.JfrEventTypes.ObjectClosed;
import dev.lluvia.memory.JfrEventTypes.ObjectCreated;
import dev.lluvia.memory.JfrEventTypes.ObjectEvent;
import dev.lluvia.memory.JfrEventTypes.PageAllocated;
import dev.lluvia.memory.JfrEventTypes.PageEvent;
import dev.lluvia.memory.JfrEventTypes.PageFreed;
import dev.lluvia.memory.JfrEventTypes.SessionEvent;
import dev.lluvia.memory.JfrEventTypes.Transfer;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Makes and commits the allocator's JDK Flight Recorder events ({@link JfrEventTypes}); only
 * {@link Events} calls this class, and only where the runtime has {@code jdk.jfr}. Each event
 * carries the session (a number unique in the JVM), the device's name and the Memory
 * ({@link MemoryMetrics#name}).
 *
 * <p>Defaults keep a recording cheap where events could come per frame: {@code Transfer} has a
 * 1 ms threshold, and the object events leave out objects under 1 MiB ({@link JfrSettings}); a
 * recording that asks (threshold 0, {@code minSize} 0, as the CLI's {@code --jfr} does) gets every
 * one. Every hook first asks {@code isEnabled()} on a shared instance (a check of the class's
 * state, not of the instance), so nothing is allocated, timed or formatted for an event no
 * recording wants.
 *
 * <p>Registration: the classes register themselves when Flight Recorder starts (at once when it
 * already runs), together with the periodic {@code HeapStatistics} and {@code MemoryStatistics},
 * which report every open session; a JVM that never records never initializes Flight Recorder
 * on this library's account.
 */
final class JfrEvents {

    /** Objects a leak event names, at most. */
    static final int LEAK_NAMES = 10;

    private static final Set<Session> SESSIONS = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private static final PageAllocated PAGE_ALLOCATED = new PageAllocated();
    private static final PageFreed PAGE_FREED = new PageFreed();
    private static final ObjectCreated OBJECT_CREATED = new ObjectCreated();
    private static final ObjectClosed OBJECT_CLOSED = new ObjectClosed();
    private static final CreateRefused CREATE_REFUSED = new CreateRefused();
    private static final DefragmentationPass DEFRAGMENTATION_PASS = new DefragmentationPass();
    private static final Transfer TRANSFER = new Transfer();
    private static final BudgetPressure BUDGET_PRESSURE = new BudgetPressure();
    private static final LeakReported LEAK_REPORTED = new LeakReported();
    private static final HeapStatistics HEAP_STATISTICS = new HeapStatistics();
    private static final MemoryStatistics MEMORY_STATISTICS = new MemoryStatistics();

    /** Every event class, for registration. */
    static final List<Class<? extends Event>> CLASSES = List.of(PageAllocated.class, PageFreed.class,
            ObjectCreated.class, ObjectClosed.class, CreateRefused.class, DefragmentationPass.class, Transfer.class,
            BudgetPressure.class, LeakReported.class, HeapStatistics.class, MemoryStatistics.class);

    static {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                for (Class<? extends Event> c : CLASSES) {
                    FlightRecorder.register(c);
                }
                FlightRecorder.addPeriodicEvent(HeapStatistics.class, JfrEvents::emitHeapStatistics);
                FlightRecorder.addPeriodicEvent(MemoryStatistics.class, JfrEvents::emitMemoryStatistics);
            }
        });
    }

    private JfrEvents() {
    }

    // ------------------------------------------------------------------------------------------
    // Hooks (called by Events)

    static void sessionOpened(Session session) {
        SESSIONS.add(session);
    }

    static void sessionClosing(Session session) {
        SESSIONS.remove(session);
        if (HEAP_STATISTICS.isEnabled() || MEMORY_STATISTICS.isEnabled()) {
            try {
                MemoryMetrics m = session.metrics();
                heapStatistics(m);
                memoryStatistics(m);
            } catch (IllegalStateException closed) {
                // another thread closed it first and reported it
            }
        }
    }

    static Object beginPageAllocated() {
        if (!PAGE_ALLOCATED.isEnabled()) {
            return null;
        }
        PageAllocated e = new PageAllocated();
        e.begin();
        return e;
    }

    static void pageAllocated(Object event, Memory memory, Page page) {
        if (event instanceof PageAllocated e) {
            e.end();
            if (e.shouldCommit()) {
                fillPage(e, memory, page);
                e.commit();
            }
        }
        if (BUDGET_PRESSURE.isEnabled()) {
            budgetPressure(memory.session(), memory.memoryType().heapIndex());
        }
    }

    static Object beginPageFreed() {
        if (!PAGE_FREED.isEnabled()) {
            return null;
        }
        PageFreed e = new PageFreed();
        e.begin();
        return e;
    }

    static void pageFreed(Object event, Memory memory, Page page) {
        if (event instanceof PageFreed e) {
            e.end();
            if (e.shouldCommit()) {
                fillPage(e, memory, page);
                e.commit();
            }
        }
    }

    static void objectCreated(MemoryObject object) {
        final long bytes = object.sizeLocked();
        if (OBJECT_CREATED.isEnabled() && bytes >= JfrSettings.MinSizeSetting.smallest) {
            ObjectCreated e = new ObjectCreated();
            e.bytes = bytes;
            if (e.shouldCommit()) {
                fillObject(e, object);
                e.commit();
            }
        }
    }

    static void objectClosed(MemoryObject object) {
        final long bytes = object.sizeLocked();
        if (OBJECT_CLOSED.isEnabled() && bytes >= JfrSettings.MinSizeSetting.smallest) {
            ObjectClosed e = new ObjectClosed();
            e.bytes = bytes;
            if (e.shouldCommit()) {
                fillObject(e, object);
                e.commit();
            }
        }
    }

    static void createRefused(Memory memory, MemoryObject object, long bytes, Throwable why) {
        if (CREATE_REFUSED.isEnabled()) {
            CreateRefused e = new CreateRefused();
            if (e.shouldCommit()) {
                fillMemory(e, memory);
                e.object = object.describe();
                e.bytes = bytes;
                e.reason = why.getClass().getSimpleName();
                e.message = why.getMessage();
                e.commit();
            }
        }
    }

    static Object beginDefragmentationPass() {
        if (!DEFRAGMENTATION_PASS.isEnabled()) {
            return null;
        }
        DefragmentationPass e = new DefragmentationPass();
        e.begin();
        return e;
    }

    static void defragmentationPass(Object event, Memory memory, List<Defragmentation.Move> moves) {
        if (event instanceof DefragmentationPass e) {
            e.end();
            if (e.shouldCommit()) {
                fillMemory(e, memory);
                long bytes = 0;
                for (Defragmentation.Move m : moves) {
                    bytes += m.from().size();
                }
                e.objectsMoved = moves.size();
                e.bytesMoved = bytes;
                e.commit();
            }
        }
    }

    /**
     * Each thread's {@code Transfer} event, begun again for each of its transfers: a transfer that
     * no recording keeps (one under the threshold) costs its clock reads and no allocation.
     * Transfers do not nest on a thread (the copy calls no code of the program), and one that
     * threw before its end leaves an event that the next begin starts afresh.
     */
    private static final ThreadLocal<Transfer> TRANSFERS = ThreadLocal.withInitial(Transfer::new);

    static Object beginTransfer() {
        if (!TRANSFER.isEnabled()) {
            return null;
        }
        Transfer e = TRANSFERS.get();
        e.startNanos = System.nanoTime();
        e.begin();
        return e;
    }

    static void transfer(Object event, MemoryObject object, boolean upload, long bytes, TransferPath path) {
        if (event instanceof Transfer e) {
            e.end();
            if (e.shouldCommit()) {
                commitTransfer(e, object, upload, bytes, path);
            }
        }
    }

    /** Out of the transfer's own code, which stays small enough to inline: only kept transfers come here. */
    private static void commitTransfer(Transfer e, MemoryObject object, boolean upload, long bytes, TransferPath path) {
        final long nanos = System.nanoTime() - e.startNanos;
        fillMemory(e, object.memory());
        e.object = object.describe();
        e.direction = upload ? "upload" : "download";
        e.path = path.name();
        e.bytes = bytes;
        e.gbPerSecond = nanos <= 0 ? 0 : (double) bytes / nanos;
        e.commit();
    }

    static void leakReported(Memory memory, LiveObjects live, long bytes) {
        if (LEAK_REPORTED.isEnabled()) {
            LeakReported e = new LeakReported();
            if (e.shouldCommit()) {
                fillMemory(e, memory);
                e.objects = live.size();
                e.bytes = bytes;
                e.policy = memory.session().leakPolicy().name();
                List<String> names = new ArrayList<>();
                for (MemoryObject o : live) {
                    if (names.size() == LEAK_NAMES) {
                        names.add("...");
                        break;
                    }
                    names.add(o.describe());
                }
                e.objectNames = String.join(", ", names);
                e.commit();
            }
        }
    }

    /** A BudgetPressure event for {@code heap} of {@code session} if its usage is over the recording's share. */
    private static void budgetPressure(Session session, int heap) {
        HeapBudget b = session.heapBudgets().get(heap);
        budgetPressure(session.id(), session.device().name(), heap, b.budget(), b.usage(), b.reported());
    }

    private static void budgetPressure(long session, String device, int heap, long budget, long usage, boolean reported) {
        BudgetPressure e = new BudgetPressure();
        e.budget = budget;
        e.usage = usage;
        if (e.shouldCommit()) {
            e.session = session;
            e.device = device;
            e.heap = heap;
            e.budgetReported = reported;
            e.share = (double) usage / budget;
            e.commit();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Periodic events

    private static List<Session> openSessions() {
        synchronized (SESSIONS) {
            return new ArrayList<>(SESSIONS);
        }
    }

    /** The snapshot of each open session (those closed meanwhile left out). */
    private static List<MemoryMetrics> snapshots() {
        List<MemoryMetrics> out = new ArrayList<>();
        for (Session s : openSessions()) {
            try {
                out.add(s.metrics());
            } catch (IllegalStateException closed) {
                // closed since it was listed
            }
        }
        return out;
    }

    private static void emitHeapStatistics() {
        for (MemoryMetrics m : snapshots()) {
            heapStatistics(m);
        }
    }

    private static void heapStatistics(MemoryMetrics m) {
        if (HEAP_STATISTICS.isEnabled()) {
            for (MemoryMetrics.HeapEntry h : m.heaps()) {
                HeapStatistics e = new HeapStatistics();
                e.session = m.session();
                e.device = m.device();
                e.heap = h.heap();
                e.heapSize = h.size();
                e.budget = h.budget();
                e.usage = h.usage();
                e.budgetReported = h.budgetReported();
                e.pageBytes = h.pageBytes();
                e.objectBytes = h.objectBytes();
                e.commit();
                if (BUDGET_PRESSURE.isEnabled()) {
                    budgetPressure(m.session(), m.device(), h.heap(), h.budget(), h.usage(), h.budgetReported());
                }
            }
        }
    }

    private static void emitMemoryStatistics() {
        for (MemoryMetrics m : snapshots()) {
            memoryStatistics(m);
        }
    }

    private static void memoryStatistics(MemoryMetrics m) {
        if (MEMORY_STATISTICS.isEnabled()) {
            for (MemoryMetrics.MemoryEntry entry : m.memories()) {
                MemoryStatistics e = new MemoryStatistics();
                e.session = m.session();
                e.device = m.device();
                e.memory = entry.name();
                e.memoryType = entry.memoryType();
                e.pages = entry.pages();
                e.pageBytes = entry.pageBytes();
                e.objects = entry.objects();
                e.objectBytes = entry.objectBytes();
                e.freeRanges = entry.freeRanges();
                e.largestFreeRange = entry.largestFreeRange();
                e.commit();
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Fields

    private static void fillSession(SessionEvent e, Session session) {
        e.session = session.id();
        e.device = session.device().name();
    }

    private static void fillMemory(MemoryEvent e, Memory memory) {
        fillSession(e, memory.session());
        e.memory = MemoryMetrics.name(memory);
    }

    private static void fillPage(PageEvent e, Memory memory, Page page) {
        fillMemory(e, memory);
        e.memoryType = memory.memoryType().index();
        e.heap = memory.memoryType().heapIndex();
        e.page = page.index;
        e.bytes = page.size;
        e.dedicated = page.dedicated;
    }

    private static void fillObject(ObjectEvent e, MemoryObject object) {
        fillMemory(e, object.memory());
        AllocationInfo info = object.infoLocked();
        e.object = object.describe();
        e.page = info.page();
        e.offset = info.offset();
    }
}
