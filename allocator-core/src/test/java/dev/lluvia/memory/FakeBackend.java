package dev.lluvia.memory;

import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.ImageRequest;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.PageRequest;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.Resource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small device in plain Java for the core's own tests: memory types and heaps, limits, pages as
 * byte arrays, simple requirement rules, transfers as plain copies. It is not the sim (no
 * profiles, no fault rules); it exists so that a change to {@code Memory} or {@code Session} fails tests in
 * allocator-core itself.
 *
 * <p>It checks every bind as a driver's validation would (the page is live and of an allowed
 * memory type, the offset is aligned, the resource lies inside the page and overlaps no other bound
 * resource, a dedicated page holds only its own resource) and fails the test with an
 * {@link AssertionError} naming the broken rule. Non-coherent memory types have a host copy and a
 * device copy of each page, joined only by flush and invalidate, so a missing flush is visible.
 */
final class FakeBackend implements MemoryBackend {

    private static final MemoryPropertyFlag DL = MemoryPropertyFlag.DEVICE_LOCAL;
    private static final MemoryPropertyFlag HV = MemoryPropertyFlag.HOST_VISIBLE;
    private static final MemoryPropertyFlag HC = MemoryPropertyFlag.HOST_COHERENT;
    private static final MemoryPropertyFlag CACHED = MemoryPropertyFlag.HOST_CACHED;

    /**
     * How the fake answers {@code vkGet*MemoryRequirements}: the tight size rounded up to
     * {@code sizeGranularity} and at least {@code minSize}; dedicated preferred above
     * {@code prefersDedicatedAbove} bytes and required above {@code requiresDedicatedAbove} (0: never).
     */
    record Rule(long alignment, long sizeGranularity, long minSize, int memoryTypeBits, long prefersDedicatedAbove,
                long requiresDedicatedAbove) {
        Rule(long alignment, long sizeGranularity, long minSize, int memoryTypeBits, long prefersDedicatedAbove) {
            this(alignment, sizeGranularity, minSize, memoryTypeBits, prefersDedicatedAbove, 0);
        }

        Rule withPrefersDedicatedAbove(long bytes) {
            return new Rule(alignment, sizeGranularity, minSize, memoryTypeBits, bytes, requiresDedicatedAbove);
        }

        Rule withRequiresDedicatedAbove(long bytes) {
            return new Rule(alignment, sizeGranularity, minSize, memoryTypeBits, prefersDedicatedAbove, bytes);
        }

        MemoryRequirements requirements(long bytes) {
            long size = Math.max(minSize, (bytes + sizeGranularity - 1) / sizeGranularity * sizeGranularity);
            boolean requires = requiresDedicatedAbove > 0 && size > requiresDedicatedAbove;
            return new MemoryRequirements(size, alignment, memoryTypeBits,
                    requires || prefersDedicatedAbove > 0 && size > prefersDedicatedAbove, requires);
        }
    }

    /** A device to build the fake from; the three presets mirror the sim's profiles in miniature. */
    record Config(String name, List<MemoryHeap> heaps, List<MemoryType> types, DeviceLimits limits,
                  int budgetPercent, Rule buffer, Rule optimalImage, Rule linearImage) {

        /** A discrete GPU shaped like the H100: two heaps, five types, granularity 1024, 80 % budget. */
        static Config discrete() {
            return new Config("fake discrete",
                    List.of(new MemoryHeap(0, 80L << 30, true), new MemoryHeap(1, 96L << 30, false)),
                    List.of(new MemoryType(0, 1, Set.of()), new MemoryType(1, 0, EnumSet.of(DL)),
                            new MemoryType(2, 1, EnumSet.of(HV, HC)), new MemoryType(3, 1, EnumSet.of(HV, HC, CACHED)),
                            new MemoryType(4, 0, EnumSet.of(DL, HV, HC))),
                    limits(1024, 64), 80,
                    new Rule(16, 16, 0, 0x1f, 0), new Rule(1024, 1024, 2048, 0x3, 0), new Rule(16, 16, 0, 0x1f, 0));
        }

        /** A CPU device shaped like llvmpipe: one 2 GiB heap, one type with every flag, no budget. */
        static Config cpu() {
            return new Config("fake cpu", List.of(new MemoryHeap(0, 2L << 30, true)),
                    List.of(new MemoryType(0, 0, EnumSet.of(DL, HV, HC, CACHED))), limits(64, 64), 0,
                    new Rule(64, 64, 0, 0x1, 0), new Rule(16, 1024, 2048, 0x1, 0), new Rule(64, 64, 0, 0x1, 0));
        }

        /** A mobile GPU with non-coherent cached memory: granularity 4096, atom 256, 75 % budget. */
        static Config nonCoherent() {
            return new Config("fake non-coherent", List.of(new MemoryHeap(0, 4L << 30, true)),
                    List.of(new MemoryType(0, 0, EnumSet.of(DL)), new MemoryType(1, 0, EnumSet.of(DL, HV, HC)),
                            new MemoryType(2, 0, EnumSet.of(DL, HV, CACHED))),
                    limits(4096, 256), 75,
                    new Rule(64, 64, 0, 0x7, 0), new Rule(1024, 1024, 1024, 0x7, 0), new Rule(64, 64, 0, 0x7, 0));
        }

        Config withBuffer(Rule rule) {
            return new Config(name, heaps, types, limits, budgetPercent, rule, optimalImage, linearImage);
        }

        Config withOptimalImage(Rule rule) {
            return new Config(name, heaps, types, limits, budgetPercent, buffer, rule, linearImage);
        }

        private static DeviceLimits limits(long granularity, long atom) {
            return new DeviceLimits(granularity, atom, 4096, 16384, 16384, 2048, 16);
        }
    }

    private static final class Page {
        final int type;
        final long size;
        final boolean dedicated;
        final long resource;
        byte[] device;
        /** The host's copy on non-coherent types; the device array itself on coherent ones. */
        byte[] host;

        Page(int type, long size, boolean dedicated, long resource) {
            this.type = type;
            this.size = size;
            this.dedicated = dedicated;
            this.resource = resource;
        }
    }

    private static final class Res {
        final MemoryRequirements requirements;
        final boolean image;
        long page;
        long offset;

        Res(MemoryRequirements requirements, boolean image) {
            this.requirements = requirements;
            this.image = image;
        }
    }

    private final Config config;
    private final DeviceProperties device;
    private final Map<Long, Page> pages = new LinkedHashMap<>();
    private final Map<Long, Res> resources = new LinkedHashMap<>();
    private final long[] heapUsage;
    private long nextHandle = 1;
    private int pageFailures;
    private int budgetFailures;
    private int pageAllocations;
    private boolean closed;
    /**
     * Run at the start of every transfer (copyTo/From Buffer/Image), outside the fake's monitor, so
     * a test can hold a transfer in flight; the copy then checks that its resource is still alive.
     */
    volatile Runnable transferHook;
    /** The last buffer the core asked for, for tests of what reaches the backend. */
    private BufferRequest lastBufferRequest;

    FakeBackend(Config config) {
        this.config = config;
        this.device = new DeviceProperties(config.name(), DeviceType.OTHER, 0, 0, "1.3.0", "fake",
                config.types(), config.heaps(), config.limits(), config.budgetPercent() > 0);
        this.heapUsage = new long[config.heaps().size()];
    }

    /** A session on a fresh fake device; the backend is {@code session.unwrap(FakeBackend.class)}. */
    static Session session(Config config, SessionOptions options) {
        return new Session(new FakeBackend(config), options.withBackend("fake"));
    }

    static FakeBackend of(Session session) {
        return session.unwrap(FakeBackend.class).orElseThrow();
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public DeviceProperties device() {
        return device;
    }

    @Override
    public synchronized List<Statistics> stagingStatistics() {
        List<Statistics> perHeap = new java.util.ArrayList<>();
        for (int h = 0; h < config.heaps().size(); h++) {
            long bytes = h < stagingBytes.length ? stagingBytes[h] : 0;
            perHeap.add(bytes == 0 ? Statistics.EMPTY : new Statistics(1, bytes, 1, bytes));
        }
        return perHeap;
    }

    /** Staging memory the fake says it holds in {@code heap}, as a backend's transfers would: one buffer of {@code bytes}. */
    synchronized void holdStaging(int heap, long bytes) {
        if (stagingBytes.length <= heap) {
            stagingBytes = java.util.Arrays.copyOf(stagingBytes, heap + 1);
        }
        stagingBytes[heap] = bytes;
    }

    private long[] stagingBytes = new long[0];

    @Override
    public synchronized List<HeapBudget> heapBudgets() {
        if (budgetFailures > 0) {
            budgetFailures--;
            throw new BackendException("heapBudgets", "fake: injected failure");
        }
        List<HeapBudget> list = new ArrayList<>();
        for (MemoryHeap h : device.memoryHeaps()) {
            boolean reported = config.budgetPercent() > 0;
            long budget = reported ? h.size() / 100 * config.budgetPercent() : h.size();
            list.add(new HeapBudget(h.index(), budget, heapUsage[h.index()], reported));
        }
        return list;
    }

    @Override
    public synchronized long allocatePage(PageRequest request) {
        check(request.extension() == null, "the fake takes no request extension");
        PageRequest.Dedicated to = request.dedicatedTo();
        if (to == null) {
            return newPage(request.memoryTypeIndex(), request.size(), false, 0);
        }
        Res r = resources.get(to.resource().handle());
        check(r != null && r.image == to.image(), "dedicated page for an unknown resource " + to.resource().handle());
        check(request.size() == r.requirements.size(), "dedicated page of " + request.size() + " bytes for a resource of "
                + r.requirements.size());
        return newPage(request.memoryTypeIndex(), request.size(), true, to.resource().handle());
    }

    private long newPage(int type, long size, boolean dedicated, long resource) {
        requireOpen();
        check(type >= 0 && type < device.memoryTypes().size() && size > 0, "page of type " + type + ", size " + size);
        pageAllocations++;
        int heap = device.memoryTypes().get(type).heapIndex();
        if (pageFailures > 0) {
            pageFailures--;
            throw new OutOfDeviceMemoryException("fake: injected failure of a page of " + size + " bytes", heap, size);
        }
        if (size > device.memoryHeaps().get(heap).size() - heapUsage[heap]) {
            throw new OutOfDeviceMemoryException("fake: heap " + heap + " is full", heap, size);
        }
        heapUsage[heap] += size;
        long handle = nextHandle++;
        pages.put(handle, new Page(type, size, dedicated, resource));
        return handle;
    }

    @Override
    public synchronized void freePage(long page) {
        Page p = page(page);
        for (Res r : resources.values()) {
            check(r.page != page, "page " + page + " freed while a resource is bound to it");
        }
        pages.remove(page);
        heapUsage[device.memoryTypes().get(p.type).heapIndex()] -= p.size;
    }

    @Override
    public synchronized ByteBuffer map(long page, long offset, long size) {
        Page p = page(page);
        check(device.memoryTypes().get(p.type).isHostVisible(), "map of a page that is not host-visible");
        check(offset >= 0 && size >= 0 && offset + size <= p.size, "map [" + offset + ", +" + size + ") of " + p.size);
        bytes(p);
        return ByteBuffer.wrap(p.host, (int) offset, (int) size).slice();
    }

    @Override
    public synchronized void flush(long page, long offset, long size) {
        Page p = page(page);
        bytes(p);
        System.arraycopy(p.host, (int) offset, p.device, (int) offset, (int) size);
    }

    @Override
    public synchronized void invalidate(long page, long offset, long size) {
        Page p = page(page);
        bytes(p);
        System.arraycopy(p.device, (int) offset, p.host, (int) offset, (int) size);
    }

    @Override
    public synchronized Resource createBuffer(BufferRequest request) {
        requireOpen();
        if (request.backendInfo() != null && !name().equals(request.backendInfo().backend())) {
            throw new UnsupportedOperationException("the fake backend takes no buffer create-info but its own");
        }
        lastBufferRequest = request;
        return newResource(config.buffer().requirements(request.size()), false);
    }

    @Override
    public synchronized Resource createImage(ImageRequest request) {
        requireOpen();
        if (request.backendInfo() != null) {
            throw new UnsupportedOperationException("the fake backend takes no image create-info of its own");
        }
        ImageDescriptor descriptor = request.descriptor();
        Rule rule = descriptor.tiling() == ImageTiling.OPTIMAL ? config.optimalImage() : config.linearImage();
        return newResource(rule.requirements(descriptor.byteSize()), true);
    }

    private Resource newResource(MemoryRequirements requirements, boolean image) {
        long handle = nextHandle++;
        Res r = new Res(requirements, image);
        resources.put(handle, r);
        return new Resource(handle, requirements);
    }

    @Override
    public synchronized void bindBuffer(Resource bufferResource, long page, long offset) {
        final long buffer = bufferResource.handle();
        bind(buffer, false, page, offset);
    }

    @Override
    public synchronized void bindImage(Resource imageResource, long page, long offset) {
        final long image = imageResource.handle();
        bind(image, true, page, offset);
    }

    private void bind(long handle, boolean image, long page, long offset) {
        Res r = resources.get(handle);
        check(r != null && r.image == image && r.page == 0, "bind of an unknown or bound resource " + handle);
        Page p = page(page);
        MemoryRequirements req = r.requirements;
        check((req.memoryTypeBits() & (1 << p.type)) != 0, "memory type " + p.type + " not in memoryTypeBits 0x"
                + Integer.toHexString(req.memoryTypeBits()));
        check(offset % req.alignment() == 0, "offset " + offset + " not aligned to " + req.alignment());
        check(offset >= 0 && offset + req.size() <= p.size, "[" + offset + ", +" + req.size() + ") outside the page of "
                + p.size);
        check(!p.dedicated || (p.resource == handle && offset == 0), "a dedicated page holds its own resource only");
        for (Res o : resources.values()) {
            if (o.page == page && o.offset < offset + req.size() && offset < o.offset + o.requirements.size()) {
                check(false, "[" + offset + ", +" + req.size() + ") overlaps a bound resource at " + o.offset);
            }
        }
        r.page = page;
        r.offset = offset;
    }

    @Override
    public synchronized void destroyBuffer(Resource bufferResource) {
        final long buffer = bufferResource.handle();
        check(resources.remove(buffer) != null, "destroy of an unknown buffer " + buffer);
    }

    @Override
    public synchronized void destroyImage(Resource imageResource) {
        final long image = imageResource.handle();
        check(resources.remove(image) != null, "destroy of an unknown image " + image);
    }

    @Override
    public void copyToBuffer(Resource bufferResource, long offset, ByteBuffer src) {
        final long buffer = bufferResource.handle();
        inTransfer();
        synchronized (this) {
            Res r = bound(buffer, false);
            check(offset + src.remaining() <= r.requirements.size(), "copy past the end of buffer " + buffer);
            src.duplicate().get(deviceBytes(r), (int) (r.offset + offset), src.remaining());
        }
    }

    @Override
    public void copyFromBuffer(Resource bufferResource, long offset, ByteBuffer dst) {
        final long buffer = bufferResource.handle();
        inTransfer();
        synchronized (this) {
            Res r = bound(buffer, false);
            check(offset + dst.remaining() <= r.requirements.size(), "copy past the end of buffer " + buffer);
            dst.duplicate().put(deviceBytes(r), (int) (r.offset + offset), dst.remaining());
        }
    }

    /** An image's bytes lie tightly packed from its offset: the fake has no tiling of its own. */
    @Override
    public void copyToImage(Resource imageResource, ImageDescriptor descriptor, ByteBuffer src) {
        final long image = imageResource.handle();
        inTransfer();
        synchronized (this) {
            Res r = bound(image, true);
            src.duplicate().get(deviceBytes(r), (int) r.offset, (int) descriptor.byteSize());
        }
    }

    @Override
    public void copyFromImage(Resource imageResource, ImageDescriptor descriptor, ByteBuffer dst) {
        final long image = imageResource.handle();
        inTransfer();
        synchronized (this) {
            Res r = bound(image, true);
            dst.duplicate().put(deviceBytes(r), (int) r.offset, (int) descriptor.byteSize());
        }
    }

    /** A device copy, as defragmentation asks for: {@code size} bytes of the device's copy of the pages. */
    @Override
    public synchronized void copyBuffer(Resource srcResource, Resource dstResource, long size) {
        final long src = srcResource.handle();
        final long dst = dstResource.handle();
        Res from = bound(src, false);
        Res to = bound(dst, false);
        check(size <= from.requirements.size() && size <= to.requirements.size(), "copy of " + size + " bytes past a buffer");
        copyDevice(from, to, size);
    }

    @Override
    public synchronized void copyImage(Resource srcResource, Resource dstResource, ImageDescriptor descriptor) {
        final long src = srcResource.handle();
        final long dst = dstResource.handle();
        copyDevice(bound(src, true), bound(dst, true), descriptor.byteSize());
    }

    private void copyDevice(Res from, Res to, long size) {
        System.arraycopy(deviceBytes(from), (int) from.offset, deviceBytes(to), (int) to.offset, (int) size);
    }

    private void inTransfer() {
        Runnable hook = transferHook;
        if (hook != null) {
            hook.run();
        }
    }

    private Res bound(long handle, boolean image) {
        requireOpen();
        Res r = resources.get(handle);
        check(r != null && r.image == image && r.page != 0, "transfer with a destroyed or unbound resource " + handle);
        return r;
    }

    private byte[] deviceBytes(Res r) {
        Page p = page(r.page);
        bytes(p);
        return p.device;
    }

    @Override
    public synchronized void close() {
        check(pages.isEmpty() && resources.isEmpty(), "closed with " + pages.size() + " pages and "
                + resources.size() + " resources alive");
        closed = true;
    }

    // ---- for tests -------------------------------------------------------------------------------

    /** Live page handles in allocation order. */
    synchronized List<Long> livePages() {
        return new ArrayList<>(pages.keySet());
    }

    synchronized int livePageCount() {
        return pages.size();
    }

    synchronized BufferRequest lastBufferRequest() {
        return lastBufferRequest;
    }

    synchronized int liveResourceCount() {
        return resources.size();
    }

    synchronized int boundResourceCount() {
        int n = 0;
        for (Res r : resources.values()) {
            n += r.page != 0 ? 1 : 0;
        }
        return n;
    }

    synchronized long pageSize(long page) {
        return page(page).size;
    }

    synchronized long heapUsage(int heap) {
        return heapUsage[heap];
    }

    /** How many live pages were allocated for one resource ({@code VkMemoryDedicatedAllocateInfo}). */
    synchronized int livePagesForAResource() {
        return (int) pages.values().stream().filter(p -> p.dedicated).count();
    }

    /** Calls of allocatePage and allocateDedicatedPage so far, failed ones included. */
    synchronized int pageAllocations() {
        return pageAllocations;
    }

    /** The next {@code count} calls of {@link #heapBudgets()} throw {@link BackendException}. */
    synchronized void failNextBudgets(int count) {
        budgetFailures = count;
    }

    /** The next {@code count} page allocations fail with {@link OutOfDeviceMemoryException}. */
    synchronized void failNextPages(int count) {
        pageFailures = count;
    }

    /** Writes the device's copy of a page, as a shader would. */
    synchronized void writeDeviceBytes(long page, long offset, byte[] bytes) {
        Page p = page(page);
        bytes(p);
        System.arraycopy(bytes, 0, p.device, (int) offset, bytes.length);
    }

    private Page page(long handle) {
        Page p = pages.get(handle);
        check(p != null, "unknown page " + handle);
        return p;
    }

    /** Page bytes exist from the first access, so pages that are never mapped cost nothing. */
    private void bytes(Page p) {
        if (p.device == null) {
            check(p.size <= Integer.MAX_VALUE - 8, "the fake keeps bytes of pages below 2 GiB only");
            p.device = new byte[(int) p.size];
            p.host = device.memoryTypes().get(p.type).needsFlush() ? new byte[(int) p.size] : p.device;
        }
    }

    private void requireOpen() {
        check(!closed, "the fake backend is closed");
    }

    private static void check(boolean ok, String violation) {
        if (!ok) {
            throw new AssertionError("fake backend: " + violation);
        }
    }
}
