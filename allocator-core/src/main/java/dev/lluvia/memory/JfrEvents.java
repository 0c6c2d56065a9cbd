package dev.lluvia.memory;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.SettingControl;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The allocator's JDK Flight Recorder events, all in the category {@value #CATEGORY} and named
 * {@code dev.lluvia.memory.*}; only {@link Events} calls this class, and only where the runtime
 * has {@code jdk.jfr}. Each event carries the session (a number unique in the JVM), the device's
 * name and the Memory ({@link MemoryMetrics#name}); what each adds is in its {@code @Description}.
 *
 * <p>Defaults keep a recording cheap where events could come per frame: {@code Transfer} has a
 * 1 ms threshold, and the object events leave out objects under 1 MiB; a recording that asks
 * (threshold 0, {@code minSize} 0, as the CLI's {@code --jfr} does) gets every one.
 *
 * <p>Settings beyond JFR's own: {@code minSize} (bytes) on the object events, so that a
 * recording with default settings sees only large objects and one that asks sees every object;
 * {@code pressure} (percent of the budget) on {@code BudgetPressure}. Every hook first asks
 * {@code isEnabled()} on a shared instance (a check of the class's state, not of the instance),
 * so nothing is allocated or formatted for an event no recording wants.
 *
 * <p>Registration: the classes register themselves when Flight Recorder starts (at once when it
 * already runs), together with the periodic {@code HeapStatistics} and {@code MemoryStatistics},
 * which report every open session; a JVM that never records never initializes Flight Recorder
 * on this library's account.
 */
final class JfrEvents {

    static final String CATEGORY = "Lluvia Memory";
    /** Object events with at least this many bytes are recorded unless the recording asks otherwise. */
    static final long DEFAULT_MIN_SIZE = 1 << 20;
    /** Budget pressure is usage at or over this percent of the heap's budget unless the recording asks otherwise. */
    static final long DEFAULT_PRESSURE_PERCENT = 90;
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
        final long bytes = object.infoLocked().size();
        if (OBJECT_CREATED.isEnabled() && bytes >= MinSizeSetting.smallest) {
            ObjectCreated e = new ObjectCreated();
            e.bytes = bytes;
            if (e.shouldCommit()) {
                fillObject(e, object);
                e.commit();
            }
        }
    }

    static void objectClosed(MemoryObject object) {
        final long bytes = object.infoLocked().size();
        if (OBJECT_CLOSED.isEnabled() && bytes >= MinSizeSetting.smallest) {
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

    static Object beginTransfer() {
        if (!TRANSFER.isEnabled()) {
            return null;
        }
        Transfer e = new Transfer();
        e.startNanos = System.nanoTime();
        e.begin();
        return e;
    }

    static void transfer(Object event, MemoryObject object, boolean upload, long bytes, TransferPath path) {
        if (event instanceof Transfer e) {
            e.end();
            if (e.shouldCommit()) {
                final long nanos = System.nanoTime() - e.startNanos;
                fillMemory(e, object.memory());
                e.object = object.describe();
                e.direction = upload ? "upload" : "download";
                e.path = path.name();
                e.bytes = bytes;
                e.gbPerSecond = nanos <= 0 ? 0 : (double) bytes / nanos;
                e.commit();
            }
        }
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

    // ------------------------------------------------------------------------------------------
    // The events

    @Category(CATEGORY)
    abstract static class SessionEvent extends Event {
        @Label("Session")
        @Description("The session's number, unique in this JVM")
        long session;
        @Label("Device")
        String device;
    }

    abstract static class MemoryEvent extends SessionEvent {
        @Label("Memory")
        @Description("The Memory's number in its session and its memory type")
        String memory;
    }

    abstract static class PageEvent extends MemoryEvent {
        @Label("Memory Type")
        int memoryType;
        @Label("Heap")
        int heap;
        @Label("Page")
        @Description("The page's index in its Memory")
        int page;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("Dedicated")
        @Description("Whether the page is a dedicated allocation for one object")
        boolean dedicated;
    }

    @Name("dev.lluvia.memory.PageAllocated")
    @Label("Page Allocated")
    @Description("A Memory asked the driver for a page (vkAllocateMemory); the duration is the driver's time")
    static final class PageAllocated extends PageEvent {
    }

    @Name("dev.lluvia.memory.PageFreed")
    @Label("Page Freed")
    @Description("A Memory gave a page back to the driver (vkFreeMemory); the duration is the driver's time")
    static final class PageFreed extends PageEvent {
    }

    abstract static class ObjectEvent extends MemoryEvent {
        @Label("Object")
        String object;
        @Label("Size")
        @Description("The driver's requirement size of the object")
        @DataAmount
        long bytes;
        @Label("Page")
        int page;
        @Label("Offset")
        @DataAmount
        long offset;

        @Label("Minimum Size")
        @Description("Objects smaller than this many bytes are not recorded (0 records all)")
        @Name("minSize")
        @SettingDefinition
        protected boolean minSize(MinSizeSetting setting) {
            return bytes >= setting.bytes;
        }
    }

    @Name("dev.lluvia.memory.ObjectCreated")
    @Label("Object Created")
    @Description("A buffer or image was created and bound; objects under the minSize setting (1 MiB by default) are left out")
    @StackTrace(false)
    static final class ObjectCreated extends ObjectEvent {
    }

    @Name("dev.lluvia.memory.ObjectClosed")
    @Label("Object Closed")
    @Description("A buffer or image was closed; objects under the minSize setting (1 MiB by default) are left out")
    @StackTrace(false)
    static final class ObjectClosed extends ObjectEvent {
    }

    @Name("dev.lluvia.memory.CreateRefused")
    @Label("Create Refused")
    @Description("Creating a buffer or image failed after its driver object was made: no room in the heap, "
            + "a memory type the driver does not allow, or the driver's error")
    static final class CreateRefused extends MemoryEvent {
        @Label("Object")
        String object;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("Reason")
        @Description("The exception's type")
        String reason;
        @Label("Message")
        String message;
    }

    @Name("dev.lluvia.memory.DefragmentationPass")
    @Label("Defragmentation Pass")
    @Description("One pass of a Memory's defragmentation; the duration is the pass's time, device copies included")
    static final class DefragmentationPass extends MemoryEvent {
        @Label("Objects Moved")
        int objectsMoved;
        @Label("Bytes Moved")
        @DataAmount
        long bytesMoved;
    }

    @Name("dev.lluvia.memory.Transfer")
    @Label("Transfer")
    @Description("A Buffer or Image write or read that took at least the threshold (1 ms by default; 0 records "
            + "every transfer); the duration is the whole copy's")
    @StackTrace(false)
    @Threshold("1 ms")
    static final class Transfer extends MemoryEvent {
        @Label("Object")
        String object;
        @Label("Direction")
        @Description("upload (host to object) or download")
        String direction;
        @Label("Path")
        @Description("MAPPED (the object's own mapping), PINNED (a device copy from or into a mapped page of the "
                + "session), REGISTERED (from or into registered host memory), IMPORTED (the caller's memory imported "
                + "for the copy) or STAGED")
        String path;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("GB/s")
        @Description("Bytes per nanosecond: 10^9 bytes per second")
        double gbPerSecond;
        transient long startNanos;
    }

    @Name("dev.lluvia.memory.BudgetPressure")
    @Label("Budget Pressure")
    @Description("A heap's usage is at or over the pressure setting's share of its budget (90% by default); "
            + "checked after each page allocation and with the periodic heap statistics")
    static final class BudgetPressure extends SessionEvent {
        @Label("Heap")
        int heap;
        @Label("Budget")
        @DataAmount
        long budget;
        @Label("Usage")
        @DataAmount
        long usage;
        @Label("Share")
        @Percentage
        double share;
        @Label("Budget Reported")
        @Description("Whether the driver reported the budget (VK_EXT_memory_budget) or it is estimated")
        boolean budgetReported;

        @Label("Pressure")
        @Description("Percent of the budget from which usage is recorded as pressure")
        @Name("pressure")
        @SettingDefinition
        protected boolean pressure(PressureSetting setting) {
            return budget > 0 && usage * 100.0 >= (double) setting.percent * budget;
        }
    }

    @Name("dev.lluvia.memory.LeakReported")
    @Label("Leak Reported")
    @Description("A Memory closed with live objects (whatever the session's leak policy)")
    static final class LeakReported extends MemoryEvent {
        @Label("Objects")
        int objects;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("Leak Policy")
        String policy;
        @Label("Object Names")
        @Description("The first leaked objects")
        String objectNames;
    }

    @Name("dev.lluvia.memory.HeapStatistics")
    @Label("Heap Statistics")
    @Description("Each heap's budget and usage, and this session's pages in it; every period and once as the session closes")
    @Period("1 s")
    @StackTrace(false)
    static final class HeapStatistics extends SessionEvent {
        @Label("Heap")
        int heap;
        @Label("Heap Size")
        @DataAmount
        long heapSize;
        @Label("Budget")
        @DataAmount
        long budget;
        @Label("Usage")
        @Description("The process's usage of the heap (the driver's figure where it reports one)")
        @DataAmount
        long usage;
        @Label("Budget Reported")
        boolean budgetReported;
        @Label("Page Bytes")
        @Description("Bytes of this session's pages in the heap")
        @DataAmount
        long pageBytes;
        @Label("Object Bytes")
        @DataAmount
        long objectBytes;
    }

    @Name("dev.lluvia.memory.MemoryStatistics")
    @Label("Memory Statistics")
    @Description("Each Memory's pages, objects and free ranges; every period and once as its session closes")
    @Period("1 s")
    @StackTrace(false)
    static final class MemoryStatistics extends MemoryEvent {
        @Label("Memory Type")
        int memoryType;
        @Label("Pages")
        int pages;
        @Label("Page Bytes")
        @DataAmount
        long pageBytes;
        @Label("Objects")
        int objects;
        @Label("Object Bytes")
        @DataAmount
        long objectBytes;
        @Label("Free Ranges")
        int freeRanges;
        @Label("Largest Free Range")
        @DataAmount
        long largestFreeRange;
    }

    // ------------------------------------------------------------------------------------------
    // Settings

    /**
     * A non-negative whole number; when several recordings run, the smallest wins, so that each
     * gets at least the events it asked for. A value that is not such a number is ignored.
     */
    abstract static class MinimumSetting extends SettingControl {
        private String value;

        MinimumSetting(long initial) {
            value = Long.toString(initial);
            apply(initial);
        }

        abstract void apply(long parsed);

        @Override
        public String combine(Set<String> values) {
            long min = Long.MAX_VALUE;
            for (String v : values) {
                long parsed = parse(v);
                if (parsed >= 0) {
                    min = Math.min(min, parsed);
                }
            }
            return min == Long.MAX_VALUE ? value : Long.toString(min);
        }

        @Override
        public void setValue(String settingValue) {
            long parsed = parse(settingValue);
            if (parsed >= 0) {
                value = Long.toString(parsed);
                apply(parsed);
            }
        }

        @Override
        public String getValue() {
            return value;
        }

        private static long parse(String v) {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /**
     * The object events' {@code minSize}: bytes. {@link #smallest} is the least value of every
     * instance (one per event type), which the hooks test before they make an event, so that a
     * recording at the default costs no allocation for the many small objects.
     */
    public static final class MinSizeSetting extends MinimumSetting {
        private static final List<MinSizeSetting> ALL = new ArrayList<>();
        static volatile long smallest = DEFAULT_MIN_SIZE;
        volatile long bytes;

        public MinSizeSetting() {
            super(DEFAULT_MIN_SIZE);
            synchronized (ALL) {
                ALL.add(this);
            }
        }

        @Override
        void apply(long parsed) {
            bytes = parsed;
            synchronized (ALL) {
                long min = parsed;
                for (MinSizeSetting s : ALL) {
                    min = Math.min(min, s.bytes);
                }
                smallest = min;
            }
        }
    }

    /** {@code BudgetPressure}'s {@code pressure}: percent of the budget. */
    public static final class PressureSetting extends MinimumSetting {
        volatile long percent;

        public PressureSetting() {
            super(DEFAULT_PRESSURE_PERCENT);
        }

        @Override
        void apply(long parsed) {
            percent = parsed;
        }
    }
}
