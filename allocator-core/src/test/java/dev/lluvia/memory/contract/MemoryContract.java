package dev.lluvia.memory.contract;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.FeatureNotEnabledException;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryNotMappableException;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.UnsupportedFeatureException;
import dev.lluvia.memory.UnsupportedMemoryFlagsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every backend must show through the public API, whatever the device. A backend
 * module runs it by subclassing with the {@link SessionOptions} of each device it has; the sim
 * runs it on every profile and the Vulkan module on every device present, so the same assertions
 * hold on simulated and real memory.
 *
 * <p>Subclasses may override {@link #afterEachCheck(Session)} to add backend checks (leaks,
 * validation messages) after every test.
 */
public abstract class MemoryContract {

    protected Session session;

    /**
     * Tests end with objects still open for the session's close to free (a contract of its own):
     * its leak report is expected and kept off stderr; any other warning fails the test.
     */
    @org.junit.jupiter.api.extension.RegisterExtension
    protected final dev.lluvia.memory.testing.CapturedLog log =
            dev.lluvia.memory.testing.CapturedLog.leakReports();

    /** The options that open a session on the device under test. */
    protected abstract SessionOptions options();

    /** Extra checks after each test, while the session is still open. */
    protected void afterEachCheck(Session session) {
    }

    @BeforeEach
    void open() {
        session = Session.create(options());
    }

    @AfterEach
    void closeSession() {
        try {
            afterEachCheck(session);
        } finally {
            session.close();
        }
    }

    @Test
    void supportedFlagsAreTheDistinctNonEmptyTypeFlagsInTypeOrder() {
        List<Set<MemoryPropertyFlag>> expected = new ArrayList<>();
        for (MemoryType t : session.device().memoryTypes()) {
            if (!t.flags().isEmpty() && !expected.contains(t.flags())) {
                expected.add(t.flags());
            }
        }
        assertEquals(expected, session.supportedMemoryPropertyFlags());
        assertFalse(expected.isEmpty(), "a device has at least one memory type with flags");
    }

    @Test
    void everySupportedFlagSetMakesAMemoryWithNoPagesYet() {
        for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
            Memory exact = session.createMemory(flags, MemoryOptions.DEFAULT_PAGE_SIZE, true);
            assertEquals(flags, exact.memoryFlags());
            assertEquals(0, exact.pageCount());
            assertEquals(32L * 1024 * 1024, exact.pageSize());
            assertEquals(flags.contains(MemoryPropertyFlag.HOST_VISIBLE), exact.isMappable());
            Memory loose = session.createMemory(flags);
            assertTrue(loose.memoryFlags().containsAll(flags));
        }
    }

    @Test
    void chosenTypeHasFewestExtraFlags() {
        Memory m = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        int fewest = Integer.MAX_VALUE;
        for (MemoryType t : session.device().memoryTypes()) {
            if (t.flags().contains(MemoryPropertyFlag.DEVICE_LOCAL)) {
                fewest = Math.min(fewest, t.flags().size());
            }
        }
        assertEquals(fewest, m.memoryFlags().size());
    }

    @Test
    void firstObjectCreatesThePageAndObjectsDoNotOverlap() {
        Memory m = deviceLocal();
        Buffer buffer = m.createBuffer(1024);
        assertEquals(1, m.pageCount());
        Image image = m.createImage(32, 32, ChannelType.UINT8);
        AllocationInfo b = buffer.allocationInfo();
        AllocationInfo i = image.allocationInfo();
        assertTrue(b.size() >= 1024, "buffer size " + b.size());
        assertTrue(i.size() >= 32 * 32, "image size " + i.size());
        assertEquals(1024, buffer.size());
        assertTrue(b.leftPadding() >= 0 && i.leftPadding() >= 0);
        assertNoOverlap(List.of(buffer, image));
        assertEquals(m, buffer.memory());
        assertEquals(1, m.pageCount(), "both fit in one 32 MiB page");
    }

    @Test
    void closedRangeIsReusedWithoutNewPages() {
        Memory m = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 64 * 1024);
        List<Buffer> buffers = new ArrayList<>();
        for (int n = 0; n < 32; n++) {
            buffers.add(m.createBuffer(1024));
        }
        assertNoOverlap(buffers);
        int pages = m.pageCount();
        for (Buffer b : buffers) {
            b.close();
        }
        for (int n = 0; n < 32; n++) {
            m.createBuffer(1024);
        }
        assertTrue(m.pageCount() <= pages, "closed ranges must be reused: " + m.pageCount() + " pages, was " + pages);
    }

    @Test
    void objectLargerThanThePageGetsAPageOfItsOwn() {
        long pageSize = 1024 * 1024;
        Memory m = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), pageSize);
        Buffer small = m.createBuffer(4096);
        Buffer big = m.createBuffer(3 * pageSize);
        assertEquals(2, m.pageCount());
        assertEquals(0, big.allocationInfo().offset());
        assertTrue(big.allocationInfo().page() != small.allocationInfo().page());
        assertTrue(big.allocationInfo().size() >= 3 * pageSize);
    }

    /**
     * Regression (issue 22 item 4): an object larger than half the page gets a dedicated page,
     * which Vulkan binds to that object alone; an alias onto it was bound there anyway (lavapipe's
     * validation: VUID-vkBindBufferMemory-memory-01508). It is refused, naming the object, and
     * leaves nothing behind.
     */
    @Test
    void anObjectInADedicatedPageIsNotAliased() {
        Memory m = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 1 << 20);
        Buffer big = m.createBuffer(700 << 10);
        dev.lluvia.memory.Statistics before = m.statistics();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.createAliasingBuffer(big, 0, 256, dev.lluvia.memory.BufferUsage.DEFAULT));
        assertTrue(e.getMessage().contains("Buffer#" + big.id()) && e.getMessage().contains("dedicated"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.createAliasingImage(big, 0,
                ImageDescriptor.of(8, 8, ChannelType.UINT8).withTiling(ImageTiling.LINEAR)));
        assertTrue(big.aliases().isEmpty());
        assertEquals(before, m.statistics(), "a refused alias changes nothing");
        assertEquals(List.of(big), m.objects());
        big.close();
    }

    @Test
    void mappedBytesSurviveOtherObjectsComingAndGoing() {
        Memory m = mappable();
        Buffer keep = m.createBuffer(4096);
        MappedView view = keep.map();
        assertEquals(4096, view.size());
        for (int i = 0; i < 4096; i++) {
            view.put(i, (byte) (i * 31 + 7));
        }
        keep.flush();
        for (int round = 0; round < 8; round++) {
            Buffer other = m.createBuffer(1000 + round * 100);
            MappedView ov = other.map();
            for (int i = 0; i < ov.size(); i++) {
                ov.put(i, (byte) 0xEE);
            }
            other.flush();
            other.close();
        }
        keep.invalidate();
        MappedView again = keep.map();
        for (int i = 0; i < 4096; i++) {
            assertEquals((byte) (i * 31 + 7), again.get(i), "byte " + i);
        }
    }

    @Test
    void mappingNonHostVisibleMemoryIsRefused() {
        MemoryType deviceOnly = null;
        for (MemoryType t : session.device().memoryTypes()) {
            if (!t.flags().isEmpty() && !t.isHostVisible()) {
                deviceOnly = t;
                break;
            }
        }
        if (deviceOnly == null) {
            // Every typed memory of this device is host-visible (llvmpipe): mapping always works.
            assertEquals(16, mappable().createBuffer(16).map().size());
            return;
        }
        Memory m = session.createMemory(deviceOnly.flags(), MemoryOptions.DEFAULT_PAGE_SIZE, true);
        Buffer b = m.createBuffer(64);
        MemoryNotMappableException e = assertThrows(MemoryNotMappableException.class, b::map);
        assertTrue(e.getMessage().contains("Buffer#" + b.id()), e.getMessage());
    }

    @Test
    void badInputIsRejectedAndNamesTheValue() {
        assertMessage(NullPointerException.class, "flags", () -> session.createMemory((Set<MemoryPropertyFlag>) null));
        assertMessage(IllegalArgumentException.class, "empty", () -> session.createMemory(EnumSet.noneOf(MemoryPropertyFlag.class)));
        assertMessage(IllegalArgumentException.class, "-5", () -> session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), -5));
        assertMessage(IllegalArgumentException.class, "0", () -> session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 0));
        assertMessage(UnsupportedMemoryFlagsException.class, "PROTECTED",
                () -> session.createMemory(EnumSet.of(MemoryPropertyFlag.PROTECTED, MemoryPropertyFlag.HOST_VISIBLE)));
        assertEquals(0, session.memories().size(), "failed calls create no Memory");

        Memory m = deviceLocal();
        assertMessage(IllegalArgumentException.class, "0", () -> m.createBuffer(0));
        assertMessage(IllegalArgumentException.class, "-1", () -> m.createBuffer(-1));
        assertMessage(IllegalArgumentException.class, "empty", () -> m.createBuffer(16, Set.of()));
        assertMessage(IllegalArgumentException.class, "0", () -> m.createImage(0, 32, ChannelType.UINT8));
        assertMessage(IllegalArgumentException.class, "5", () -> ImageDescriptor.of(4, 4, ChannelType.FLOAT32, 5));
        assertMessage(IllegalArgumentException.class, "0", () -> ImageDescriptor.of(4, 4, ChannelType.FLOAT32, 0));
        DeviceLimits limits = session.device().limits();
        int tooWide = limits.maxImageDimension2D() + 1;
        assertMessage(IllegalArgumentException.class, String.valueOf(limits.maxImageDimension2D()),
                () -> m.createImage(tooWide, 4, ChannelType.UINT8));
        assertEquals(0, m.pageCount(), "failed calls allocate no page");
        assertEquals(0, m.objects().size());
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseNamesTheObject() {
        Memory m = deviceLocal();
        Buffer b = m.createBuffer(256);
        b.close();
        b.close();
        assertTrue(b.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, b::allocationInfo);
        assertTrue(e.getMessage().contains("Buffer#" + b.id()), e.getMessage());

        Image i = m.createImage(8, 8, ChannelType.FLOAT32);
        m.close();
        assertTrue(i.isClosed());
        assertThrows(IllegalStateException.class, i::allocationInfo);
        IllegalStateException me = assertThrows(IllegalStateException.class, () -> m.createBuffer(16));
        assertTrue(me.getMessage().contains("Memory"), me.getMessage());
        m.close();
    }

    @Test
    void closingTheSessionClosesEverything() {
        Memory m = deviceLocal();
        Buffer b = m.createBuffer(256);
        session.close();
        assertTrue(m.isClosed());
        assertTrue(b.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.createBuffer(8));
        assertTrue(e.getMessage().contains("session"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)));
        session.close();
        session = Session.create(options()); // for afterEachCheck
    }

    @Test
    void imagesOfEveryChannelTypeAndCount() {
        Memory m = deviceLocal();
        List<Image> images = new ArrayList<>();
        for (ChannelType t : ChannelType.values()) {
            for (int c : new int[]{1, 2, 4}) {
                if (t == ChannelType.FLOAT64 && (c > 1 ? !supportsWideFloat64() : !supportsFloat64Images())) {
                    continue;
                }
                Image img = m.createImage(ImageDescriptor.of(16, 8, t, c));
                assertTrue(img.allocationInfo().size() >= 16L * 8 * t.byteSize() * c, img.toString());
                images.add(img);
            }
        }
        assertNoOverlap(images);
    }

    @Test
    void linearImagesAndBuffersShareAMemory() {
        Memory m = mappable();
        Buffer b = m.createBuffer(100);
        Image linear = m.createImage(ImageDescriptor.of(16, 16, ChannelType.UINT8, 4).withTiling(ImageTiling.LINEAR));
        Buffer b2 = m.createBuffer(100);
        assertNoOverlap(List.of(b, linear, b2));
    }

    @Test
    void seededRandomCreateAndCloseKeepsObjectsApart() {
        long seed = Long.getLong("lluvia.contract.seed", 20240611L);
        int steps = Integer.getInteger("lluvia.contract.steps", 400);
        java.util.Random rnd = new java.util.Random(seed);
        List<Memory> memories = new ArrayList<>();
        for (Set<MemoryPropertyFlag> flags : session.supportedMemoryPropertyFlags()) {
            memories.add(session.createMemory(flags, 1L << (16 + rnd.nextInt(6)), true));
        }
        List<dev.lluvia.memory.MemoryObject> live = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            String where = "seed " + seed + ", step " + step;
            if (live.isEmpty() || rnd.nextInt(100) < 60) {
                Memory m = memories.get(rnd.nextInt(memories.size()));
                try {
                    if (rnd.nextBoolean()) {
                        live.add(m.createBuffer(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 4 << 20 : 8192)));
                    } else {
                        live.add(m.createImage(1 + rnd.nextInt(256), 1 + rnd.nextInt(256),
                                ChannelType.values()[rnd.nextInt(ChannelType.values().length - 1)]));
                    }
                } catch (dev.lluvia.memory.IncompatibleMemoryTypeException expected) {
                    // e.g. optimal images on NVIDIA's host-visible types: refused, nothing allocated
                    assertNotNull(expected.getMessage(), where);
                }
            } else {
                live.remove(rnd.nextInt(live.size())).close();
            }
            assertNoOverlap(live, where);
        }
        for (Memory m : memories) {
            for (dev.lluvia.memory.MemoryObject o : m.objects()) {
                assertTrue(live.contains(o), "memory reports an object the test closed: " + o);
            }
        }
    }

    /**
     * The random workload again on a device whose driver calls fail at random: every failure is
     * a typed driver error ({@link dev.lluvia.memory.OutOfDeviceMemoryException},
     * {@link dev.lluvia.memory.OutOfHostMemoryException}, {@link dev.lluvia.memory.BackendException}),
     * and afterwards the objects the memories report are exactly those the test holds, never
     * overlap, and keep what was written into them. A backend that can make its driver calls fail
     * (the sim's {@code lluvia.sim.fault.random}) runs it from a test of its own with those options;
     * {@link #afterEachCheck} is applied to that session too.
     */
    protected void seededRandomWorkloadUnderDriverFaults(SessionOptions faulty) {
        long seed = Long.getLong("lluvia.contract.seed", 20240612L);
        int steps = Integer.getInteger("lluvia.contract.steps", 400);
        java.util.Random rnd = new java.util.Random(seed);
        int failures = 0;
        try (Session s = Session.create(faulty)) {
            List<Memory> memories = new ArrayList<>();
            for (Set<MemoryPropertyFlag> flags : s.supportedMemoryPropertyFlags()) {
                memories.add(s.createMemory(flags, 1L << (16 + rnd.nextInt(6)), true));
            }
            List<dev.lluvia.memory.MemoryObject> live = new ArrayList<>();
            java.util.Map<dev.lluvia.memory.MemoryObject, Byte> written = new java.util.HashMap<>();
            for (int step = 0; step < steps; step++) {
                String where = "seed " + seed + ", step " + step;
                try {
                    if (live.isEmpty() || rnd.nextInt(100) < 60) {
                        Memory m = memories.get(rnd.nextInt(memories.size()));
                        if (rnd.nextBoolean()) {
                            Buffer b = m.createBuffer(1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 4 << 20 : 8192));
                            live.add(b);
                            if (m.isMappable()) {
                                byte tag = (byte) step;
                                MappedView v = b.map();
                                v.put(0, tag);
                                v.put(v.size() - 1, tag);
                                b.flush();
                                written.put(b, tag);
                            }
                        } else {
                            live.add(m.createImage(1 + rnd.nextInt(256), 1 + rnd.nextInt(256),
                                    ChannelType.values()[rnd.nextInt(ChannelType.values().length - 1)]));
                        }
                    } else {
                        dev.lluvia.memory.MemoryObject o = live.get(rnd.nextInt(live.size()));
                        Byte tag = written.get(o);
                        if (tag != null) { // the read-back may fault too: the object stays then
                            Buffer b = (Buffer) o;
                            b.invalidate();
                            MappedView v = b.map();
                            assertEquals(tag.byteValue(), v.get(0), where + ": first byte of " + b);
                            assertEquals(tag.byteValue(), v.get(v.size() - 1), where + ": last byte of " + b);
                        }
                        live.remove(o);
                        written.remove(o);
                        o.close();
                    }
                } catch (dev.lluvia.memory.IncompatibleMemoryTypeException expected) {
                    assertNotNull(expected.getMessage(), where);
                } catch (dev.lluvia.memory.OutOfDeviceMemoryException | dev.lluvia.memory.OutOfHostMemoryException
                         | dev.lluvia.memory.BackendException driverFault) {
                    failures++;
                    assertNotNull(driverFault.getMessage(), where);
                }
                assertNoOverlap(live, where);
                List<dev.lluvia.memory.MemoryObject> reported = new ArrayList<>();
                for (Memory m : memories) {
                    reported.addAll(m.objects());
                }
                // A buffer whose map failed after creation is live and held by the test.
                assertEquals(new HashSet<>(live), new HashSet<>(reported), where + ": objects the memories report");
            }
            assertTrue(failures > 0, "seed " + seed + ": no fault struck in " + steps + " steps");
            afterEachCheck(s);
        }
    }

    // ------------------------------------------------------------------------------------

    @Test
    void handlesNameTheObjectAndThePageItIsBoundTo() {
        Memory memory = deviceLocal();
        Buffer a = memory.createBuffer(1024);
        Buffer b = memory.createBuffer(1024);
        Image image = memory.createImage(8, 8, ChannelType.UINT8);
        Set<Long> handles = new HashSet<>(List.of(a.handle(), b.handle(), image.handle()));
        assertEquals(3, handles.size(), "every object has a handle of its own");
        assertFalse(handles.contains(0L), "no handle is VK_NULL_HANDLE");
        for (MemoryObjectPair p : List.of(new MemoryObjectPair(a, b), new MemoryObjectPair(a, image))) {
            boolean samePage = p.x().allocationInfo().page() == p.y().allocationInfo().page();
            assertEquals(samePage, p.x().pageHandle() == p.y().pageHandle(), "page handles follow page indices: " + p);
        }
        assertNotEquals(0L, a.pageHandle());
        a.close();
        assertMessage(IllegalStateException.class, "Buffer#" + a.id(), a::handle);
        assertMessage(IllegalStateException.class, "Buffer#" + a.id(), a::pageHandle);
        assertEquals(b.handle(), b.handle(), "a live object's handle is stable");
        memory.close();
        assertMessage(IllegalStateException.class, "Image#" + image.id(), image::handle);
    }

    private record MemoryObjectPair(dev.lluvia.memory.MemoryObject x, dev.lluvia.memory.MemoryObject y) {
    }

    @Test
    void deviceAddressNeedsTheUsageAndTheFeature() {
        Set<dev.lluvia.memory.BufferUsage> addressable = EnumSet.of(dev.lluvia.memory.BufferUsage.STORAGE_BUFFER,
                dev.lluvia.memory.BufferUsage.SHADER_DEVICE_ADDRESS);
        Memory memory = deviceLocal();
        assertFalse(session.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS), "not asked for");
        FeatureNotEnabledException off = assertMessage(FeatureNotEnabledException.class, "BUFFER_DEVICE_ADDRESS",
                () -> memory.createBuffer(256, addressable));
        assertEquals(DeviceFeature.BUFFER_DEVICE_ADDRESS, off.feature());
        assertEquals(0, memory.pageCount(), "nothing was allocated");
        Buffer plain = memory.createBuffer(256);
        assertMessage(IllegalStateException.class, "SHADER_DEVICE_ADDRESS", plain::deviceAddress);

        Session withFeature;
        try {
            withFeature = Session.create(options().withFeatures(DeviceFeature.BUFFER_DEVICE_ADDRESS));
        } catch (UnsupportedFeatureException e) {
            assertFalse(supportsBufferDeviceAddress(), "the device should support it: " + e.getMessage());
            assertEquals(DeviceFeature.BUFFER_DEVICE_ADDRESS, e.feature());
            assertTrue(e.getMessage().contains("BUFFER_DEVICE_ADDRESS"), e.getMessage());
            return;
        }
        try {
            assertTrue(supportsBufferDeviceAddress(), "the device was expected to lack it");
            assertTrue(withFeature.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS));
            Memory m = withFeature.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer x = m.createBuffer(1000, addressable);
            Buffer y = m.createBuffer(3000, addressable);
            long ax = x.deviceAddress();
            long ay = y.deviceAddress();
            assertNotEquals(0L, ax);
            assertNotEquals(0L, ay);
            assertTrue(ax + x.size() <= ay || ay + y.size() <= ax, "address ranges are disjoint: " + ax + ", " + ay);
            assertEquals(ax, x.deviceAddress(), "the address is stable");
            x.close();
            assertMessage(IllegalStateException.class, "Buffer#" + x.id(), x::deviceAddress);
        } finally {
            withFeature.close();
        }
    }

    /** Whether the device supports {@link DeviceFeature#BUFFER_DEVICE_ADDRESS}. */
    protected boolean supportsBufferDeviceAddress() {
        return true;
    }

    protected Memory deviceLocal() {
        return session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
    }

    protected Memory mappable() {
        return session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE));
    }

    /** Whether the device can make 2- and 4-channel FLOAT64 images; most real devices cannot. */
    protected boolean supportsWideFloat64() {
        return true;
    }

    /**
     * Whether one-channel FLOAT64 images with the default usage (storage included) can be created.
     * Vulkan does not require R64_SFLOAT storage images; lavapipe and NVIDIA refuse them with
     * {@link dev.lluvia.memory.UnsupportedImageFormatException}.
     */
    protected boolean supportsFloat64Images() {
        return true;
    }

    protected static void assertNoOverlap(List<? extends dev.lluvia.memory.MemoryObject> objects) {
        assertNoOverlap(objects, "");
    }

    /** Live objects of the same Memory and page never share a byte, and sit inside their page. */
    protected static void assertNoOverlap(List<? extends dev.lluvia.memory.MemoryObject> objects, String where) {
        Set<String> seen = new HashSet<>();
        for (int a = 0; a < objects.size(); a++) {
            dev.lluvia.memory.MemoryObject x = objects.get(a);
            AllocationInfo xi = x.allocationInfo();
            assertTrue(xi.offset() >= 0 && xi.leftPadding() >= 0 && xi.leftPadding() <= xi.offset(), where + " " + x);
            if (xi.size() > x.memory().pageSize()) {
                assertEquals(0, xi.offset(), where + ": an object larger than a page has a page of its own: " + x);
            } else {
                assertTrue(xi.offset() + xi.size() <= x.memory().pageSize(), where + ": outside its page: " + x);
            }
            assertTrue(seen.add(System.identityHashCode(x.memory()) + "/" + x.id()), where + ": listed twice " + x);
            for (int b = a + 1; b < objects.size(); b++) {
                dev.lluvia.memory.MemoryObject y = objects.get(b);
                AllocationInfo yi = y.allocationInfo();
                if (x.memory() == y.memory() && xi.page() == yi.page()) {
                    boolean apart = xi.offset() + xi.size() <= yi.offset() - yi.leftPadding()
                            || yi.offset() + yi.size() <= xi.offset() - xi.leftPadding();
                    assertTrue(apart, where + ": " + x + " overlaps " + y);
                }
            }
        }
    }

    protected static <T extends Throwable> T assertMessage(Class<T> type, String fragment,
                                                           org.junit.jupiter.api.function.Executable call) {
        T e = assertThrows(type, call);
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "message should name '" + fragment + "': " + e.getMessage());
        return e;
    }
}
