package dev.lluvia.memory;

import dev.lluvia.memory.spi.MemoryBackend;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open device: the entry point of the library, as Lluvia's {@code Session}.
 *
 * <pre>{@code
 * try (Session session = Session.create()) {
 *     Memory device = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
 *     Buffer buffer = device.createBuffer(1024);
 *     System.out.println(buffer.allocationInfo());
 * }
 * }</pre>
 *
 * <p>A session opens one backend ({@link Session#create(SessionOptions)} says which) and owns every
 * {@link Memory} created from it; {@link #close()} closes them all and then the device.
 *
 * <p>Thread safety: a session may be shared between threads. Its own state (the set of live
 * memories) has one lock; each Memory has its own lock, so threads working on different Memories
 * do not wait for each other.
 */
public final class Session implements AutoCloseable {

    private final MemoryBackend backend;
    private final DeviceProperties device;
    private final SessionOptions options;
    private final MemoryTypeChoice types;
    private final Set<DeviceFeature> enabledFeatures;
    private final Set<Memory> memories = new LinkedHashSet<>();
    /** Live host registrations; guarded by {@link #memories}. */
    private final Set<HostRegistration> registrations = new LinkedHashSet<>();
    private final AtomicLong nextObjectId = new AtomicLong();
    private static final AtomicLong SESSION_IDS = new AtomicLong();
    /** This session's number in the JVM, from 1: how JFR events and metrics name it. */
    private final long id = SESSION_IDS.incrementAndGet();
    private final java.util.concurrent.atomic.AtomicInteger memoryNumbers = new java.util.concurrent.atomic.AtomicInteger();
    /** Transfers by path, told by the backend. */
    final TransferCounts transfers = new TransferCounts();
    /** Copy-on-write, so the create and close paths read it without a lock. */
    private volatile SessionListener[] listeners = NO_LISTENERS;
    private static final SessionListener[] NO_LISTENERS = {};
    /** Bytes of live pages of this session per heap, kept so that heap limits are checked without a driver call. */
    final HeapAccountant heaps;
    private volatile boolean closed;

    // Package-private for the core's tests, which open sessions on a fake backend.
    Session(MemoryBackend backend, SessionOptions options) {
        this.backend = backend;
        this.device = backend.device();
        this.options = options;
        this.types = new MemoryTypeChoice(device);
        // The SPI's set is unmodifiable and constant for the backend's life: kept as it is.
        this.enabledFeatures = backend.enabledFeatures();
        this.heaps = new HeapAccountant(backend);
        backend.setSessionCloser(this::close);
        backend.setTransferListener(transfers);
        Events.sessionOpened(this);
    }

    /** {@return this session's number in the JVM (from 1, in the order sessions opened), as JFR events and {@link MemoryMetrics} name it} */
    public long id() {
        return id;
    }

    /** The number of the next Memory of this session, from 1. */
    int nextMemoryNumber() {
        return memoryNumbers.incrementAndGet();
    }

    /**
     * Opens the best backend present on its default device, without debug checks.
     *
     * @return the open session
     */
    public static Session create() {
        return create(SessionOptions.defaults());
    }

    /**
     * Opens a session.
     *
     * <p>Which backend: the one named in the options or by {@code -Dlluvia.backend=NAME}, else the
     * available one with the highest priority (Vulkan before the simulated device). When a backend
     * ranked above the one chosen is unavailable (no Vulkan driver, no natives), the choice and the
     * reasons are logged at WARNING, once per JVM, on the logger {@code dev.lluvia.memory.backend}:
     * a program should not run on the simulated device believing it has a GPU. Naming the backend
     * chooses it on purpose, without the warning.
     *
     * @param options which backend and device, and how
     * @return the open session
     * @throws BackendNotFoundException if the backend named is unknown or unavailable, or none is present
     * @throws DeviceNotFoundException  if the device named does not exist
     */
    public static Session create(SessionOptions options) {
        Objects.requireNonNull(options, "options");
        return new Session(Backends.open(options), options);
    }

    /**
     * Opens a session on a backend the caller opened itself, for backend modules that wrap a device
     * a program made (see {@code dev.lluvia.memory.vulkan.VulkanSession#wrap}). The session owns
     * the backend from now on: {@link #close()} closes it, which frees what the library made and
     * nothing else. Features in {@code options} are not checked here: the backend was opened with
     * its own.
     *
     * @param backend an open backend; the session closes it
     * @param options the session's options
     * @return the session
     * @throws NullPointerException if an argument is null
     */
    public static Session create(MemoryBackend backend, SessionOptions options) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(options, "options");
        return new Session(backend, options);
    }

    /**
     * {@return the device features this session's device has enabled and the allocator uses (for example
     * {@link DeviceFeature#BUFFER_DEVICE_ADDRESS} for {@link Buffer#deviceAddress()})}
     */
    public Set<DeviceFeature> enabledFeatures() {
        return enabledFeatures;
    }

    /** {@return every backend on the class or module path, whether it is available, and why not} */
    public static List<BackendInfo> availableBackends() {
        return Backends.describe();
    }

    /**
     * {@return the devices a backend can open, without opening a session: index (for
     * {@link SessionOptions#withDevice(String)}), name, type, API version and heaps} Open one
     * session per device to use several GPUs.
     *
     * @param backend a backend name, e.g. {@code vulkan} or {@code sim}
     * @throws BackendNotFoundException if no backend of that name is on the class path or it is unavailable
     */
    public static List<DeviceSummary> devices(String backend) {
        return Backends.devices(backend);
    }

    /** {@return the name of the backend this session runs on ({@code vulkan}, {@code sim}, ...)} */
    public String backendName() {
        return backend.name();
    }

    /**
     * {@return the backend object of this session if it is a {@code type}, for backend-specific features
     * and tests (the sim's referee, the Vulkan handles); empty otherwise}
     *
     * @param type the backend class, e.g. {@code VulkanBackend.class}
     * @param <T> the backend type asked for
     */
    public <T> java.util.Optional<T> unwrap(Class<T> type) {
        return type.isInstance(backend) ? java.util.Optional.of(type.cast(backend)) : java.util.Optional.empty();
    }

    /** {@return whether debug checks were asked for} */
    public boolean isDebugEnabled() {
        return options.debug();
    }

    /** {@return the device: name, memory types, heaps and limits} */
    public DeviceProperties device() {
        return device;
    }

    /**
     * {@return the distinct, non-empty flag sets of the device's memory types, in memory type order} As in
     * Lluvia, index N of this list is not Vulkan memory type N when types repeat or have no flags.
     */
    public List<Set<MemoryPropertyFlag>> supportedMemoryPropertyFlags() {
        return types.supportedFlags();
    }

    /**
     * Budget and usage of each heap, in heap order.
     *
     * @return one budget per heap
     */
    public List<HeapBudget> heapBudgets() {
        requireOpen();
        return backend.heapBudgets();
    }

    /**
     * {@link #createMemory(Set, long, boolean)} with 32 MiB pages, flags not matched exactly.
     *
     * @param flags memory property flags the memory type must have; not empty
     * @return the new memory
     */
    public Memory createMemory(Set<MemoryPropertyFlag> flags) {
        return createMemory(MemoryOptions.of(flags));
    }

    /**
     * {@link #createMemory(Set, long, boolean)} with flags not matched exactly.
     *
     * @param flags memory property flags the memory type must have; not empty
     * @param pageSize bytes of a regular page, at least 1
     * @return the new memory
     */
    public Memory createMemory(Set<MemoryPropertyFlag> flags, long pageSize) {
        return createMemory(flags, pageSize, false);
    }

    /**
     * Shorthand for a memory of some flags with the default page size.
     *
     * @param flag a flag the memory type must have
     * @param more more such flags
     * @return the new memory
     * @throws NullPointerException naming {@code flag} or {@code more} if either, or an element of
     *                              {@code more}, is null
     */
    public Memory createMemory(MemoryPropertyFlag flag, MemoryPropertyFlag... more) {
        Objects.requireNonNull(flag, "flag");
        Objects.requireNonNull(more, "more");
        EnumSet<MemoryPropertyFlag> set = EnumSet.of(flag);
        for (int i = 0; i < more.length; i++) {
            set.add(Objects.requireNonNull(more[i], "more[" + i + "]"));
        }
        return createMemory(set);
    }

    /**
     * Creates a Memory that allocates pages of one memory type, chosen now for its whole life.
     *
     * <p>The type chosen has every flag asked for ({@code exactFlagsMatch}: exactly those); among
     * several, the one with the fewest extra flags, then the lowest index. On common devices this
     * is Lluvia's choice (the first type that contains the flags); on odd ones it avoids paying for
     * flags nobody asked for. {@link Memory#memoryFlags()} reports the chosen type's actual flags.
     *
     * <p>No page is allocated until the first object is created.
     *
     * @param flags           the flags the memory must have, not empty
     * @param pageSize        bytes of each page, positive; objects larger than this get a page of their own
     *                 size
     * @param exactFlagsMatch whether the type's flags must equal {@code flags}
     * @return the new memory
     * @throws UnsupportedMemoryFlagsException if no memory type has the flags
     */
    public Memory createMemory(Set<MemoryPropertyFlag> flags, long pageSize, boolean exactFlagsMatch) {
        return createMemory(MemoryOptions.of(flags).withPageSize(pageSize).withExactFlagsMatch(exactFlagsMatch));
    }

    /**
     * Makes host writes to every one of {@code objects} visible to the device (VMA's
     * {@code vmaFlushAllocations}): {@link Buffer#flush()} of each, with one driver call per Memory
     * ({@code vkFlushMappedMemoryRanges} with all its ranges). Objects of coherent memory are skipped.
     *
     * @param objects {@link Buffer}s and {@link Allocation}s of this session
     * @throws IllegalArgumentException naming the object if one is an {@link Image} or of another
     *                                  session; nothing is flushed then
     * @throws NullPointerException     if {@code objects} is or contains null
     * @throws IllegalStateException    naming the object if one of non-coherent memory is closed (the
     *                                  objects of Memories before it in the list may have been flushed,
     *                                  which is harmless); closed objects of coherent memory are skipped
     */
    public void flush(java.util.Collection<? extends MemoryObject> objects) {
        syncObjects(objects, true);
    }

    /**
     * Makes device writes to every one of {@code objects} visible to the host (VMA's
     * {@code vmaInvalidateAllocations}); as {@link #flush(java.util.Collection)}.
     *
     * @param objects {@link Buffer}s and {@link Allocation}s of this session
     * @throws IllegalArgumentException naming the object if one is an {@link Image} or of another
     *                                  session; nothing is invalidated then
     * @throws NullPointerException     if {@code objects} is or contains null
     * @throws IllegalStateException    naming the object if one of non-coherent memory is closed (the
     *                                  objects of Memories before it in the list may have been
     *                                  invalidated); closed objects of coherent memory are skipped
     */
    public void invalidate(java.util.Collection<? extends MemoryObject> objects) {
        syncObjects(objects, false);
    }

    private void syncObjects(java.util.Collection<? extends MemoryObject> objects, boolean flush) {
        Objects.requireNonNull(objects, "objects");
        java.util.Map<Memory, List<MemoryObject>> byMemory = new java.util.LinkedHashMap<>();
        for (MemoryObject o : objects) {
            Objects.requireNonNull(o, "objects must not contain null");
            if (o.memory().session() != this) {
                throw new IllegalArgumentException(o.describe() + " belongs to " + o.memory().session() + ", not " + this);
            }
            o.mappableSize(); // an image is refused before anything is flushed
            byMemory.computeIfAbsent(o.memory(), m -> new ArrayList<>()).add(o);
        }
        for (java.util.Map.Entry<Memory, List<MemoryObject>> e : byMemory.entrySet()) {
            Memory memory = e.getKey();
            if (!memory.memoryType().needsFlush()) {
                continue;
            }
            synchronized (memory.lock()) {
                List<dev.lluvia.memory.spi.MappedRange> ranges = new ArrayList<>(e.getValue().size());
                for (MemoryObject o : e.getValue()) {
                    o.requireOpen();
                    dev.lluvia.memory.spi.MappedRange r = o.mappedRangeLocked(0, o.mappableSize());
                    if (r != null) {
                        ranges.add(r);
                    }
                }
                if (flush) {
                    backend.flush(ranges);
                } else {
                    backend.invalidate(ranges);
                }
            }
        }
    }

    /**
     * The memory type {@link #createMemory(MemoryOptions)} would choose for {@code options}, without
     * creating anything (VMA's {@code vmaFindMemoryTypeIndex}). For a resource, give its
     * requirement's bits with {@link MemoryOptions#withMemoryTypeBits} (VMA's
     * {@code vmaFindMemoryTypeIndexForBufferInfo}/{@code ForImageInfo}).
     *
     * @param options the options a Memory would be created with
     * @return the memory type that Memory would get
     * @throws NullPointerException            if {@code options} is null
     * @throws UnsupportedMemoryFlagsException if no memory type the options allow has the flags or suits the usage
     * @throws IllegalStateException           if this session is closed
     */
    public MemoryType findMemoryType(MemoryOptions options) {
        Objects.requireNonNull(options, "options");
        requireOpen();
        return types.choose(options);
    }

    /**
     * Creates a Memory from full options; the one creation path that every other overload takes.
     * See {@link #createMemory(Set, long, boolean)} for how flags choose the memory type and
     * {@link #createMemory(MemoryUsage, long)} for how a usage does.
     *
     * @param options how to create it
     * @return the new memory
     * @throws UnsupportedMemoryFlagsException     if no memory type has the flags or suits the usage
     * @throws IllegalArgumentException            if the page size is larger than the chosen type's heap
     * @throws UnsupportedExternalMemoryException  if the options ask for exportable pages and the
     *                                             device has no {@code VK_KHR_external_memory_fd}
     */
    public Memory createMemory(MemoryOptions options) {
        Objects.requireNonNull(options, "options");
        if (options.exportable() && !backend.hasExternalMemoryFd()) {
            throw new UnsupportedExternalMemoryException("cannot create an exportable Memory on " + device.name()
                    + " (backend " + backend.name() + "): the device has no VK_KHR_external_memory_fd");
        }
        MemoryType type = types.choose(options);
        heaps.requireFits(type, options.pageSize());
        synchronized (memories) {
            requireOpen();
            Memory memory = new Memory(this, backend, type, options);
            memory.allocateMinimumPages();
            memories.add(memory);
            for (SessionListener l : listeners) {
                l.memoryCreated(memory);
            }
            return memory;
        }
    }

    /**
     * {@link #createMemory(MemoryUsage, long)} with 32 MiB pages.
     *
     * @param usage what the memory is for
     * @return the new memory
     */
    public Memory createMemory(MemoryUsage usage) {
        return createMemory(MemoryOptions.of(usage));
    }

    /**
     * Creates a Memory for what it will be used for, ranking the device's memory types instead of
     * asking for flags (see {@link MemoryUsage} for each ranking). {@link Memory#memoryFlags()} says
     * what was chosen; on a device with one memory type (a CPU device) every usage takes it
     * ({@code docs/devices.md} lists the choices on the devices the library was run on).
     * {@link MemoryOptions#of(MemoryUsage)} adds the algorithm and strategy.
     *
     * @param usage    what the memory is for
     * @param pageSize bytes of each page, positive
     * @return the new memory
     * @throws UnsupportedMemoryFlagsException if no memory type suits the usage (no host-visible type
     *                                         for UPLOAD or READBACK)
     */
    public Memory createMemory(MemoryUsage usage, long pageSize) {
        return createMemory(MemoryOptions.of(usage).withPageSize(pageSize));
    }

    /**
     * Totals over every Memory of this session; cheap (no walk of pages). A Memory closed by
     * another thread meanwhile counts as empty. The transfers' staging memory belongs to no
     * Memory: it is in {@link #stagingStatistics()}.
     *
     * @return the totals of every Memory
     * @throws IllegalStateException if the session is closed
     */
    public Statistics statistics() {
        Statistics total = Statistics.EMPTY;
        for (Memory m : memories()) {
            total = total.plus(m.statisticsIfOpen());
        }
        return total;
    }

    /**
     * Totals per heap, in heap order; cheap (no walk of pages).
     *
     * @return one total per heap
     * @throws IllegalStateException if the session is closed
     */
    public List<Statistics> heapStatistics() {
        Statistics[] perHeap = new Statistics[device.memoryHeaps().size()];
        java.util.Arrays.fill(perHeap, Statistics.EMPTY);
        for (Memory m : memories()) {
            int heap = m.memoryType().heapIndex();
            perHeap[heap] = perHeap[heap].plus(m.statisticsIfOpen());
        }
        return List.of(perHeap);
    }

    /**
     * The staging memory of this session's transfers, per heap in heap order: host-visible buffers
     * the backend allocates to copy bytes that no mapping reaches, kept for later transfers until the
     * session closes. It is in no Memory, so not in {@link #statistics()} or
     * {@link #heapStatistics()}, but it counts in {@link #heapBudgets()}' usage as pages do. Each
     * staging buffer is one page and one allocation of its size. Cheap.
     *
     * @return one total per heap
     * @throws IllegalStateException if the session is closed
     */
    public List<Statistics> stagingStatistics() {
        requireOpen();
        return backend.stagingStatistics();
    }

    /**
     * Totals and fragmentation over every Memory; walks every page.
     *
     * @return the totals with free-range and object-size extremes
     * @throws IllegalStateException if the session is closed
     */
    public DetailedStatistics detailedStatistics() {
        DetailedStatistics total = DetailedStatistics.EMPTY;
        for (Memory m : memories()) {
            total = total.plus(m.detailedStatisticsIfOpen());
        }
        return total;
    }

    /**
     * {@return a snapshot for a metrics scraper: per heap budget and usage, per Memory pages, objects and
     * free ranges, transfers by path} Walks every page (as {@link #detailedStatistics()}) and asks
     * the driver for the heap budgets: poll it every few seconds, not per frame.
     *
     * @throws IllegalStateException if the session is closed
     */
    public MemoryMetrics metrics() {
        return MemoryMetrics.of(this);
    }

    /**
     * {@return the live Memories of this session, in creation order}
     *
     * @throws IllegalStateException if the session is closed
     */
    public List<Memory> memories() {
        synchronized (memories) {
            requireOpen();
            return List.copyOf(memories);
        }
    }

    /**
     * Frees the empty pages that the Memories of {@code asking}'s heap other than {@code asking}
     * keep (their empty-page budgets): a create that found no room in the heap tries once more
     * after this, so that pages kept idle by one Memory do not refuse another's. Called with no
     * Memory's lock held, as it takes each one's in turn. Returns the bytes given back.
     */
    long releaseEmptyPagesOfOthers(Memory asking) {
        final List<Memory> all;
        try {
            all = memories();
        } catch (IllegalStateException closed) {
            return 0;
        }
        final int heap = asking.memoryType().heapIndex();
        long released = 0;
        for (Memory m : all) {
            if (m != asking && m.memoryType().heapIndex() == heap) {
                released += m.releaseEmptyPagesIfOpen();
            }
        }
        return released;
    }

    /**
     * Registers a range of the program's own host memory, {@code memory}'s bytes from its position
     * to its limit, so that transfers from and into any slice of it are copied by the device in
     * place at pinned-memory speed (see {@link HostRegistration} for the rules). Register memory
     * that many transfers use; close the registration before freeing the memory.
     *
     * @param memory a direct buffer; its bytes from position to limit are registered
     * @return the registration; closing it ends the registration
     * @throws IllegalArgumentException             if {@code memory} is not direct or has no bytes
     *                                              remaining, or its pages overlap another
     *                                              registration or memory of this session
     * @throws UnsupportedExternalMemoryException   if the device cannot import host memory (a
     *                                              Vulkan device without {@code VK_EXT_external_memory_host});
     *                                              transfers from such bytes are staged instead
     * @throws IllegalStateException                if the session is closed
     */
    public HostRegistration registerHostMemory(java.nio.ByteBuffer memory) {
        java.util.Objects.requireNonNull(memory, "memory");
        if (!memory.isDirect()) {
            throw new IllegalArgumentException("only direct ByteBuffers can be registered; " + memory
                    + " is a heap buffer, which the JVM may move (transfers stage heap buffers)");
        }
        if (!memory.hasRemaining()) {
            throw new IllegalArgumentException("nothing to register: " + memory + " has no bytes remaining");
        }
        final java.nio.ByteBuffer bytes = memory.slice();
        requireOpen();
        // Pinning may take a while for a large range: not under the lock that creates take.
        final HostRegistration registration = new HostRegistration(this, backend.registerHostMemory(bytes), bytes);
        synchronized (memories) {
            if (!closed) {
                registrations.add(registration);
                return registration;
            }
        }
        try {
            registration.close(); // the session closed meanwhile: its close did not see this one
        } catch (IllegalArgumentException | IllegalStateException freedWithTheBackend) {
            // the backend's close freed it already
        }
        throw new IllegalStateException(this + " is closed");
    }

    /** {@link HostRegistration#close()}: out of the live set, then the backend unpins it. */
    void unregister(HostRegistration registration, long handle) {
        synchronized (memories) {
            registrations.remove(registration);
        }
        backend.unregisterHostMemory(handle);
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every Memory (and so every object) of this session, then the device. Idempotent.
     * Every memory is closed and the device too even when one fails; the first failure is thrown.
     *
     * @throws MemoryLeakException       under {@link LeakPolicy#THROW} when objects were alive, after
     *                             freeing them
     * @throws MemoryCorruptionException in debug mode when a live object's margin was overwritten
     */
    @Override
    public void close() {
        if (!closed) {
            Events.sessionClosing(this); // its last statistics, while it is still open
        }
        List<Memory> toClose;
        synchronized (memories) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(memories);
        }
        final List<HostRegistration> registered;
        synchronized (memories) {
            registered = new ArrayList<>(registrations);
        }
        List<String> leaks = new ArrayList<>();
        List<String> corruptions = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (HostRegistration r : registered) {
                try {
                    r.close();
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
            }
            for (Memory m : toClose) {
                List<String> memoryCorruptions = new ArrayList<>();
                try {
                    for (String leak : m.closeAndCollectLeaks(memoryCorruptions)) {
                        leaks.add(m + ": " + leak);
                    }
                } catch (RuntimeException e) {
                    // Close the other memories anyway; the first failure is thrown afterwards.
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
                for (String c : memoryCorruptions) {
                    corruptions.add(m + ": " + c);
                }
            }
        } finally {
            backend.close();
        }
        if (failure != null) {
            throw failure;
        }
        LeakReport.finish(options.leakPolicy(), leaks, corruptions, toString());
    }

    /**
     * Checks the debug margins of every object of every Memory ({@link Memory#checkCorruption()}).
     *
     * @return the number of objects checked; 0 when not in debug mode or no memory is host-visible
     * @throws MemoryCorruptionException naming every object with a damaged margin and the offset written
     */
    public int checkCorruption() {
        List<String> corruptions = new ArrayList<>();
        int checked = 0;
        for (Memory m : memories()) {
            List<String> found = new ArrayList<>();
            checked += m.checkCorruption(found);
            for (String c : found) {
                corruptions.add(m + ": " + c);
            }
        }
        if (!corruptions.isEmpty()) {
            throw MemoryCorruptionException.of(toString(), corruptions);
        }
        return checked;
    }

    @Override
    public String toString() {
        return "Session[" + backend.name() + ": " + device.name() + (closed ? ", closed" : "") + "]";
    }

    void forget(Memory memory) {
        synchronized (memories) {
            memories.remove(memory);
        }
    }

    /**
     * Tells {@code listener} of every Memory and object created or closed from now on (see
     * {@link SessionListener} for when and on which thread). Adding one twice tells it twice.
     *
     * @param listener told of creates, moves and closes from now on
     */
    public void addListener(SessionListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (memories) {
            SessionListener[] now = listeners;
            SessionListener[] more = java.util.Arrays.copyOf(now, now.length + 1);
            more[now.length] = listener;
            listeners = more;
        }
    }

    /**
     * Stops telling {@code listener} (one registration of it); does nothing if it was not added.
     *
     * @param listener a listener added before; others are ignored
     */
    public void removeListener(SessionListener listener) {
        synchronized (memories) {
            SessionListener[] now = listeners;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == listener) {
                    SessionListener[] fewer = new SessionListener[now.length - 1];
                    System.arraycopy(now, 0, fewer, 0, i);
                    System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                    listeners = fewer;
                    return;
                }
            }
        }
    }

    /** The listeners now; empty (a shared constant) when none, so the hot paths only loop. */
    SessionListener[] listeners() {
        return listeners;
    }

    /**
     * The first of {@code count} object ids no other caller gets. Memories take ids in blocks
     * ({@link Memory#OBJECT_ID_BLOCK}), so that threads creating objects in Memories of their own
     * do not all increment one shared counter (a cache line every core writes, per object).
     */
    long reserveObjectIds(int count) {
        return nextObjectId.getAndAdd(count) + 1;
    }

    /** The leak policy of this session, for a Memory's close. */
    LeakPolicy leakPolicy() {
        return options.leakPolicy();
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }
}
