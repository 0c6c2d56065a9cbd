package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendNotFoundException;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryNotMappableException;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.UnsupportedMemoryFlagsException;
import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.BlockAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every argument of the public API that can be wrong, in one table: each row is a call on a fresh
 * {@link Fixture} (a sim session with live and closed objects, memories and sessions), the
 * exception type it must throw, and a fragment its message must contain (the bad value, or the
 * name of the closed object). After each call the fixture's state must be what it was: device
 * pages, resources and heap bytes, statistics of every memory, page counts, and the live
 * objects' mapped bytes; closing a closed object again must be a no-op.
 *
 * <p>Foreign objects: no public method takes a Buffer, Image or Memory as an argument (objects are
 * created by and closed through their owner), so there is no place where an object of another
 * Memory or Session could be passed; {@code close()} of an object always returns it to its own
 * Memory. The table therefore has no foreign-object rows.
 */
class BadInputMatrixTest {

    /** A session on llvmpipe (or another profile) with one of everything, some of it closed. */
    static final class Fixture {
        final Session session;
        final SimBackend sim;
        final Memory device;
        final Memory host;
        final Buffer deviceBuffer;
        final Buffer hostBuffer;
        final Image image;
        final Buffer closedBuffer;
        final dev.lluvia.memory.MappedView staleView; // mapped before closedBuffer was closed
        final dev.lluvia.memory.MappedView orphanView; // mapped before closedMemory was closed
        final dev.lluvia.memory.MappedView hostView;
        final Image closedImage;
        final Memory closedMemory;
        final Buffer orphan; // its memory was closed
        final Session closedSession;
        final Memory memoryOfClosedSession;
        final BlockAllocator allocator;
        final long allocatorHandle;
        final long freedHandle;

        Fixture(String profile) {
            session = Session.create(options(profile));
            sim = session.unwrap(SimBackend.class).orElseThrow();
            device = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            host = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 1 << 20);
            deviceBuffer = device.createBuffer(256);
            hostBuffer = host.createBuffer(64);
            Referee.fill(hostBuffer, 5);
            image = device.createImage(16, 16, ChannelType.UINT8);
            hostView = hostBuffer.map();
            closedBuffer = host.createBuffer(128);
            staleView = closedBuffer.map();
            closedBuffer.close();
            closedImage = device.createImage(8, 8, ChannelType.FLOAT32);
            closedImage.close();
            closedMemory = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 1 << 20);
            orphan = closedMemory.createBuffer(32);
            orphanView = orphan.map();
            closedMemory.close();
            closedSession = Session.create(options(profile));
            memoryOfClosedSession = closedSession.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            closedSession.close();
            allocator = AllocationAlgorithm.FIRST_FIT.create(4096);
            allocatorHandle = allocator.allocate(100, 16);
            freedHandle = allocator.allocate(50, 1);
            allocator.free(freedHandle);
        }

        static SessionOptions options(String profile) {
            return SessionOptions.defaults().withBackend("sim").withDevice(profile).withLeakPolicy(LeakPolicy.IGNORE);
        }

        /** Everything a bad call must leave as it was. */
        List<Object> state() {
            List<Object> s = new ArrayList<>();
            s.add(sim.inspect().livePageCount());
            s.add(sim.inspect().liveResourceCount());
            s.add(sim.inspect().boundResourceCount());
            for (int h = 0; h < session.device().memoryHeaps().size(); h++) {
                s.add(sim.inspect().heapUsage(h));
            }
            s.add(session.memories().size());
            for (Memory m : session.memories()) {
                Statistics st = m.statistics();
                s.add(st);
                s.add(m.pageCount());
            }
            s.add(allocator.allocationCount());
            s.add(allocator.usedBytes());
            s.add(allocator.statistics());
            return s;
        }
    }

    /** One row: what is called, what it must throw, what the message must name. */
    record Case(String name, String profile, ThrowingConsumer<Fixture> call, Class<? extends Throwable> type,
                java.util.function.Function<Fixture, String> fragment) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Case> CASES = new ArrayList<>();

    private static void row(String name, Class<? extends Throwable> type, String fragment, ThrowingConsumer<Fixture> call) {
        CASES.add(new Case(name, "llvmpipe", call, type, f -> fragment));
    }

    private static void row(String name, String profile, Class<? extends Throwable> type, String fragment,
                            ThrowingConsumer<Fixture> call) {
        CASES.add(new Case(name, profile, call, type, f -> fragment));
    }

    /** A call on a closed object: IllegalStateException naming it (its describe() or toString()). */
    private static void closed(String name, java.util.function.Function<Fixture, String> fragment, ThrowingConsumer<Fixture> call) {
        CASES.add(new Case(name, "llvmpipe", call, IllegalStateException.class, fragment));
    }

    private static final Set<MemoryPropertyFlag> DL = EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL);

    static {
        // Session.create and its options
        row("create: unknown backend", BackendNotFoundException.class, "nosuch",
                f -> Session.create(SessionOptions.defaults().withBackend("nosuch")));
        row("create: unknown profile", DeviceNotFoundException.class, "rtx-9090",
                f -> Session.create(SessionOptions.defaults().withBackend("sim").withDevice("rtx-9090")));
        row("create: device index out of range", DeviceNotFoundException.class, "7",
                f -> Session.create(SessionOptions.defaults().withBackend("sim").withDevice("7")));
        row("create: null options", NullPointerException.class, "options", f -> Session.create(null));
        row("create: granularity check not a boolean", IllegalArgumentException.class, "maybe",
                f -> Session.create(SessionOptions.defaults().withBackend("sim").withProperty(SimBackend.CHECK_GRANULARITY_PROPERTY, "maybe")));
        row("create: fault rule of no point", IllegalArgumentException.class, "lluvia.sim.fault.allocate",
                f -> Session.create(SessionOptions.defaults().withBackend("sim").withProperty("lluvia.sim.fault.allocate", "at:1")));
        row("create: fault rule that does not parse", IllegalArgumentException.class, "sometimes",
                f -> Session.create(SessionOptions.defaults().withBackend("sim").withProperty("lluvia.sim.fault.map", "sometimes")));
        row("options: null property key", NullPointerException.class, "key", f -> SessionOptions.defaults().withProperty(null, "v"));
        row("options: null leak policy", NullPointerException.class, "leakPolicy", f -> SessionOptions.defaults().withLeakPolicy(null));

        // Session.createMemory
        row("createMemory: null flags", NullPointerException.class, "flags", f -> f.session.createMemory((Set<MemoryPropertyFlag>) null));
        row("createMemory: null flag array", NullPointerException.class, "more",
                f -> f.session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, (MemoryPropertyFlag[]) null));
        row("createMemory: null in the flag array", NullPointerException.class, "more[1]",
                f -> f.session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT, null));
        row("createMemory: empty flags", IllegalArgumentException.class, "empty",
                f -> f.session.createMemory(EnumSet.noneOf(MemoryPropertyFlag.class)));
        row("createMemory: null in the flags", NullPointerException.class, "null", f -> {
            Set<MemoryPropertyFlag> flags = new HashSet<>();
            flags.add(MemoryPropertyFlag.DEVICE_LOCAL);
            flags.add(null);
            f.session.createMemory(flags);
        });
        row("createMemory: null flag (varargs)", NullPointerException.class, "flag",
                f -> f.session.createMemory((MemoryPropertyFlag) null));
        row("createMemory: null extra flag (varargs)", NullPointerException.class, "more[0]",
                f -> f.session.createMemory(MemoryPropertyFlag.DEVICE_LOCAL, (MemoryPropertyFlag) null));
        row("createMemory: unsupported flags", UnsupportedMemoryFlagsException.class, "PROTECTED",
                f -> f.session.createMemory(EnumSet.of(MemoryPropertyFlag.PROTECTED)));
        row("createMemory: exact flags no type has", UnsupportedMemoryFlagsException.class, "exactly",
                f -> f.session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), 4096, true));
        row("createMemory: page size 0", IllegalArgumentException.class, "was 0", f -> f.session.createMemory(DL, 0));
        row("createMemory: page size negative", IllegalArgumentException.class, "-4096", f -> f.session.createMemory(DL, -4096));
        row("createMemory: page size Long.MIN_VALUE", IllegalArgumentException.class, String.valueOf(Long.MIN_VALUE),
                f -> f.session.createMemory(DL, Long.MIN_VALUE));
        row("createMemory: null options", NullPointerException.class, "options", f -> f.session.createMemory((MemoryOptions) null));
        row("createMemory: null algorithm", NullPointerException.class, "algorithm",
                f -> f.session.createMemory(MemoryOptions.of(DL).withAlgorithm(null)));
        row("createMemory: page larger than the heap", OutOfDeviceMemoryException.class, "pageSize 4294967296",
                f -> f.session.createMemory(DL, 4L << 30));

        // Memory.createBuffer
        row("createBuffer: size 0", IllegalArgumentException.class, "was 0", f -> f.device.createBuffer(0));
        row("createBuffer: size -1", IllegalArgumentException.class, "-1", f -> f.device.createBuffer(-1));
        row("createBuffer: size Long.MIN_VALUE", IllegalArgumentException.class, String.valueOf(Long.MIN_VALUE),
                f -> f.device.createBuffer(Long.MIN_VALUE));
        row("createBuffer: null usage", NullPointerException.class, "usage", f -> f.device.createBuffer(16, null));
        row("createBuffer: empty usage", IllegalArgumentException.class, "empty",
                f -> f.device.createBuffer(16, EnumSet.noneOf(BufferUsage.class)));
        row("createBuffer: null in usage", NullPointerException.class, "null", f -> {
            Set<BufferUsage> usage = new HashSet<>();
            usage.add(BufferUsage.STORAGE_BUFFER);
            usage.add(null);
            f.device.createBuffer(16, usage);
        });
        row("createBuffer: larger than the heap", OutOfDeviceMemoryException.class, "3221225472",
                f -> f.device.createBuffer(3L << 30));
        row("createBuffer: Long.MAX_VALUE bytes", OutOfDeviceMemoryException.class, String.valueOf(Long.MAX_VALUE),
                f -> f.device.createBuffer(Long.MAX_VALUE));

        // Memory.createImage and ImageDescriptor
        row("createImage: width 0", IllegalArgumentException.class, "width must be positive, was 0",
                f -> f.device.createImage(0, 16, ChannelType.UINT8));
        row("createImage: height -3", IllegalArgumentException.class, "-3", f -> f.device.createImage(16, -3, ChannelType.UINT8));
        row("createImage: depth 0", IllegalArgumentException.class, "depth must be positive, was 0",
                f -> f.device.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8).withDepth(0)));
        row("createImage: width above the 2D limit", UnsupportedImageFormatException.class, "16385",
                f -> f.device.createImage(16385, 4, ChannelType.UINT8));
        row("createImage: height above the 2D limit", UnsupportedImageFormatException.class, "16384",
                f -> f.device.createImage(4, 16385, ChannelType.UINT8));
        row("createImage: depth above the 3D limit", UnsupportedImageFormatException.class, "4097",
                f -> f.device.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8).withDepth(4097)));
        row("createImage: Integer.MAX_VALUE wide", UnsupportedImageFormatException.class, String.valueOf(Integer.MAX_VALUE),
                f -> f.device.createImage(Integer.MAX_VALUE, 1, ChannelType.UINT8));
        row("createImage: 0 channels", IllegalArgumentException.class, "was 0",
                f -> f.device.createImage(ImageDescriptor.of(4, 4, ChannelType.FLOAT32, 0)));
        row("createImage: 5 channels", IllegalArgumentException.class, "was 5",
                f -> f.device.createImage(ImageDescriptor.of(4, 4, ChannelType.FLOAT32, 5)));
        row("createImage: null descriptor", NullPointerException.class, "descriptor", f -> f.device.createImage((ImageDescriptor) null));
        row("createImage: null create-info", NullPointerException.class, "info",
                f -> f.device.createImage((dev.lluvia.memory.BackendImageInfo) null));
        row("createBuffer: null create-info", NullPointerException.class, "info",
                f -> f.device.createBuffer((dev.lluvia.memory.BackendBufferInfo) null));
        row("createImage: null channel type", NullPointerException.class, "channelType", f -> f.device.createImage(4, 4, null));
        row("createImage: null tiling", NullPointerException.class, "tiling",
                f -> f.device.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8).withTiling(null)));
        row("createImage: empty usage", IllegalArgumentException.class, "empty",
                f -> f.device.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8).withUsage(EnumSet.noneOf(ImageUsage.class))));
        row("createImage: optimal image in a type its memoryTypeBits exclude", "nvidia-h100",
                IncompatibleMemoryTypeException.class, "memoryTypeBits", f -> f.host.createImage(16, 16, ChannelType.UINT8));

        // Buffer.map, flush, invalidate
        row("map: memory not host-visible", "nvidia-h100", MemoryNotMappableException.class, "HOST_VISIBLE",
                f -> f.deviceBuffer.map());
        row("map: negative offset", IndexOutOfBoundsException.class, "[-1, -1 + 8)", f -> f.hostBuffer.map(-1, 8));
        row("map: negative length", IndexOutOfBoundsException.class, "[0, 0 + -4)", f -> f.hostBuffer.map(0, -4));
        row("map: range past the end", IndexOutOfBoundsException.class, "[60, 60 + 8)", f -> f.hostBuffer.map(60, 8));
        row("map: offset past the end", IndexOutOfBoundsException.class, "[65, 65 + 0)", f -> f.hostBuffer.map(65, 0));
        row("map: length overflowing", IndexOutOfBoundsException.class, String.valueOf(Long.MAX_VALUE),
                f -> f.hostBuffer.map(8, Long.MAX_VALUE));

        row("mapByteBuffer: negative offset", IndexOutOfBoundsException.class, "[-1, -1 + 8)", f -> f.hostBuffer.mapByteBuffer(-1, 8));
        row("view: index past the end", IndexOutOfBoundsException.class, "[61, 61 + 4)", f -> f.hostView.getInt(61));
        row("view: negative index", IndexOutOfBoundsException.class, "[-1, -1 + 1)", f -> f.hostView.put(-1, (byte) 0));
        row("view: bulk copy past the end", IndexOutOfBoundsException.class, "[1, 1 + 64)", f -> f.hostView.put(1, new byte[64]));
        row("view: array range outside the array", IndexOutOfBoundsException.class, "", f -> f.hostView.get(0, new byte[8], 4, 5));
        row("view: null array", NullPointerException.class, "dst", f -> f.hostView.get(0, (byte[]) null));

        // Buffer.write/read and Image.write/read (transfers)
        row("Buffer.write: null source", NullPointerException.class, "src", f -> f.hostBuffer.write(0, null));
        row("Buffer.write: negative offset", IndexOutOfBoundsException.class, "offset -1",
                f -> f.hostBuffer.write(-1, java.nio.ByteBuffer.allocate(4)));
        row("Buffer.write: past the end", IndexOutOfBoundsException.class, "offset 62",
                f -> f.hostBuffer.write(62, java.nio.ByteBuffer.allocate(4)));
        row("Buffer.read: null destination", NullPointerException.class, "dst", f -> f.deviceBuffer.read(0, null));
        row("Buffer.read: past the end", IndexOutOfBoundsException.class, "offset 255",
                f -> f.deviceBuffer.read(255, java.nio.ByteBuffer.allocate(2)));
        row("Image.write: wrong byte count", IllegalArgumentException.class, "cannot write 10 bytes",
                f -> f.image.write(java.nio.ByteBuffer.allocate(10)));
        row("Image.read: wrong byte count", IllegalArgumentException.class, "cannot read 257 bytes",
                f -> f.image.read(java.nio.ByteBuffer.allocate(257)));
        row("Image.write: null source", NullPointerException.class, "src", f -> f.image.write(null));

        // Session.createMemory(MemoryUsage)
        row("createMemory(usage): null usage", NullPointerException.class, "usage",
                f -> f.session.createMemory((dev.lluvia.memory.MemoryUsage) null));
        row("createMemory(usage): page size 0", IllegalArgumentException.class, "was 0",
                f -> f.session.createMemory(dev.lluvia.memory.MemoryUsage.DEVICE_ONLY, 0));
        row("createMemory(usage): page larger than the heap", OutOfDeviceMemoryException.class, "pageSize 4294967296",
                f -> f.session.createMemory(dev.lluvia.memory.MemoryUsage.UPLOAD, 4L << 30));

        // Closed objects: every operation names the object; close again is a no-op (checked below)
        closed("closed Buffer: allocationInfo", f -> "Buffer#" + f.closedBuffer.id(), f -> f.closedBuffer.allocationInfo());
        closed("closed Buffer: map()", f -> "Buffer#" + f.closedBuffer.id(), f -> f.closedBuffer.map());
        closed("closed Buffer: map(offset, length)", f -> "Buffer#" + f.closedBuffer.id(), f -> f.closedBuffer.map(0, 16));
        closed("stale view of a closed Buffer: get", f -> "Buffer#" + f.closedBuffer.id(), f -> f.staleView.get(0));
        closed("stale view of a closed Buffer: putLong", f -> "Buffer#" + f.closedBuffer.id(), f -> f.staleView.putLong(0, 1));
        closed("stale view of a closed Buffer: bulk put", f -> "Buffer#" + f.closedBuffer.id(), f -> f.staleView.put(0, new byte[128]));
        closed("stale view of a closed Buffer: flush", f -> "Buffer#" + f.closedBuffer.id(), f -> f.staleView.flush());
        closed("stale view after its Memory closed: getDouble", f -> "Buffer#" + f.orphan.id() + " (32 bytes) is closed (its memory was closed)",
                f -> f.orphanView.getDouble(8));
        closed("closed Buffer: flush", f -> "Buffer#" + f.closedBuffer.id(), f -> f.closedBuffer.flush());
        closed("closed Buffer: invalidate", f -> "Buffer#" + f.closedBuffer.id(), f -> f.closedBuffer.invalidate());
        closed("closed Buffer: write", f -> "Buffer#" + f.closedBuffer.id(),
                f -> f.closedBuffer.write(0, java.nio.ByteBuffer.allocate(4)));
        closed("closed Buffer: read", f -> "Buffer#" + f.closedBuffer.id(),
                f -> f.closedBuffer.read(0, java.nio.ByteBuffer.allocate(4)));
        closed("closed Image: allocationInfo", f -> "Image#" + f.closedImage.id(), f -> f.closedImage.allocationInfo());
        closed("closed Image: write", f -> "Image#" + f.closedImage.id(),
                f -> f.closedImage.write(java.nio.ByteBuffer.allocate(8 * 8 * 4)));
        closed("closed Image: read", f -> "Image#" + f.closedImage.id(),
                f -> f.closedImage.read(java.nio.ByteBuffer.allocate(8 * 8 * 4)));
        closed("object of a closed Memory: allocationInfo", f -> "Buffer#" + f.orphan.id() + " (32 bytes) is closed (its memory was closed)",
                f -> f.orphan.allocationInfo());
        closed("object of a closed Memory: map", f -> "Buffer#" + f.orphan.id(), f -> f.orphan.map());
        closed("object of a closed Memory: flush", f -> "Buffer#" + f.orphan.id(), f -> f.orphan.flush());
        closed("closed Memory: createBuffer", f -> f.closedMemory.toString(), f -> f.closedMemory.createBuffer(16));
        closed("closed Memory: createBuffer(size, usage)", f -> f.closedMemory.toString(),
                f -> f.closedMemory.createBuffer(16, BufferUsage.DEFAULT));
        closed("closed Memory: createImage", f -> f.closedMemory.toString(), f -> f.closedMemory.createImage(4, 4, ChannelType.UINT8));
        closed("closed Memory: createImage(descriptor)", f -> f.closedMemory.toString(),
                f -> f.closedMemory.createImage(ImageDescriptor.of(4, 4, ChannelType.UINT8)));
        closed("closed Memory: statistics", f -> f.closedMemory.toString(), f -> f.closedMemory.statistics());
        closed("closed Memory: detailedStatistics", f -> f.closedMemory.toString(), f -> f.closedMemory.detailedStatistics());
        closed("closed Memory: pages", f -> f.closedMemory.toString(), f -> f.closedMemory.pages());
        closed("closed Memory: objects", f -> f.closedMemory.toString(), f -> f.closedMemory.objects());
        closed("closed Memory: pageCount", f -> f.closedMemory.toString(), f -> f.closedMemory.pageCount());
        closed("closed Memory: checkCorruption", f -> f.closedMemory.toString(), f -> f.closedMemory.checkCorruption());
        closed("closed Session: createMemory", f -> f.closedSession.toString(), f -> f.closedSession.createMemory(DL));
        closed("closed Session: createMemory(options)", f -> f.closedSession.toString(),
                f -> f.closedSession.createMemory(MemoryOptions.of(DL)));
        closed("closed Session: createMemory(usage)", f -> f.closedSession.toString(),
                f -> f.closedSession.createMemory(dev.lluvia.memory.MemoryUsage.DEVICE_ONLY));
        closed("closed Session: heapBudgets", f -> f.closedSession.toString(), f -> f.closedSession.heapBudgets());
        closed("closed Session: statistics", f -> f.closedSession.toString(), f -> f.closedSession.statistics());
        closed("closed Session: heapStatistics", f -> f.closedSession.toString(), f -> f.closedSession.heapStatistics());
        closed("closed Session: detailedStatistics", f -> f.closedSession.toString(), f -> f.closedSession.detailedStatistics());
        closed("closed Session: memories", f -> f.closedSession.toString(), f -> f.closedSession.memories());
        closed("closed Session: checkCorruption", f -> f.closedSession.toString(), f -> f.closedSession.checkCorruption());
        closed("Memory of a closed Session: createBuffer", f -> "its session is closed",
                f -> f.memoryOfClosedSession.createBuffer(16));

        // Block allocators on their own
        row("allocator: capacity 0", IllegalArgumentException.class, "was 0", f -> AllocationAlgorithm.FIRST_FIT.create(0));
        row("allocator: capacity negative", IllegalArgumentException.class, "-1", f -> AllocationAlgorithm.FIRST_FIT.create(-1));
        row("allocator: size 0", IllegalArgumentException.class, "was 0", f -> f.allocator.allocate(0, 1));
        row("allocator: size negative", IllegalArgumentException.class, "-8", f -> f.allocator.allocate(-8, 1));
        row("allocator: alignment 0", IllegalArgumentException.class, "was 0", f -> f.allocator.allocate(8, 0));
        row("allocator: alignment 3 (not a power of two)", IllegalArgumentException.class, "was 3", f -> f.allocator.allocate(8, 3));
        row("allocator: alignment negative", IllegalArgumentException.class, "-16", f -> f.allocator.allocate(8, -16));
        row("allocator: free of a freed handle", IllegalArgumentException.class, "handle", f -> f.allocator.free(f.freedHandle));
        row("allocator: free of a handle never issued", IllegalArgumentException.class, "123456789",
                f -> f.allocator.free(123456789L));
        row("allocator: offset of a freed handle", IllegalArgumentException.class, "handle", f -> f.allocator.offset(f.freedHandle));
        row("allocator: free of NO_SPACE", IllegalArgumentException.class, "-1", f -> f.allocator.free(BlockAllocator.NO_SPACE));
    }

    static Stream<Arguments> cases() {
        return CASES.stream().map(c -> Arguments.of(c));
    }

    private static int ran;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsATypedErrorNamingTheValueAndChangesNothing(Case c) throws Throwable {
        Fixture f = new Fixture(c.profile());
        try {
            List<Object> before = f.state();
            Throwable e = assertThrows(c.type(), () -> c.call().accept(f), c.name());
            String fragment = c.fragment().apply(f);
            assertNotNull(e.getMessage(), c.name());
            assertTrue(e.getMessage().contains(fragment), c.name() + ": the message should name '" + fragment + "': "
                    + e.getMessage());
            assertEquals(before, f.state(), c.name() + ": state changed");
            Referee.assertConsistent(f.session, c.name());
            Referee.assertFilled(f.hostBuffer, 5, c.name());
            // Close of anything closed stays a no-op, and the live objects still work.
            f.closedBuffer.close();
            f.closedImage.close();
            f.closedMemory.close();
            f.closedSession.close();
            f.orphan.close();
            assertEquals(before, f.state(), c.name() + ": closing closed objects changed state");
            f.device.createBuffer(64).close();
            ran++;
        } finally {
            f.session.close();
        }
    }

    @AfterAll
    static void report() {
        System.out.println("bad-input matrix: " + ran + " of " + CASES.size() + " cases passed");
    }
}
