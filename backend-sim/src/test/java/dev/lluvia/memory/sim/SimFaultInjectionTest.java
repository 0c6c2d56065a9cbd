package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.IncompatibleMemoryTypeException;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.OutOfHostMemoryException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fault point of the sim, with every driver result, on every profile: the library throws
 * the matching typed exception, and afterwards nothing leaked (device pages, resources and heap
 * bytes equal what the API reports), the statistics are those of before the call, every live
 * object keeps its bytes, and the same operation succeeds once the fault has passed.
 */
class SimFaultInjectionTest {

    /** Some tests leave objects for the session's close to free: its leak report is kept off stderr. */
    @org.junit.jupiter.api.extension.RegisterExtension
    final dev.lluvia.memory.testing.CapturedLog log =
            dev.lluvia.memory.testing.CapturedLog.leakReports();

    private static final long PAGE = 64 * 1024;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String profile : SimProfiles.names()) {
            for (FaultPoint point : FaultPoint.values()) {
                for (FaultResult result : FaultResult.values()) {
                    out.add(Arguments.of(profile, point, result));
                }
            }
        }
        return out.stream();
    }

    /** Fault tries of {@link #eachFaultIsTypedAndChangesNothing}, for the report. */
    static int tries;

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void eachFaultIsTypedAndChangesNothing(String profile, FaultPoint point, FaultResult result) {
        SessionOptions options = SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE);
        if (point == FaultPoint.ALLOCATE_DEDICATED_PAGE) {
            // Memory allocated for one resource is what the driver requires; a large buffer it only prefers alone gets a plain page.
            options = options.withProperty("lluvia.sim.profile.buffer.requiresDedicatedAbove", String.valueOf(PAGE / 2));
        }
        try (Session s = Session.create(options)) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            Memory host = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), PAGE);
            Memory device = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), PAGE);
            List<Buffer> keep = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Buffer b = host.createBuffer(15_000 + i); // together they nearly fill the one page
                Referee.fill(b, i);
                keep.add(b);
            }
            Image image = device.createImage(64, 64, ChannelType.FLOAT32);
            // Two places each fault can strike: an existing page with room, and a fresh Memory
            // whose first object needs a new page (so a failing bind must give that page back).
            for (boolean fresh : new boolean[]{false, true}) {
                if (fresh && point == FaultPoint.TRANSFER) {
                    continue; // a transfer allocates nothing: one place is enough
                }
                Memory target = fresh ? s.createMemory(EnumSet.of(point == FaultPoint.CREATE_IMAGE
                        || point == FaultPoint.BIND_IMAGE ? MemoryPropertyFlag.DEVICE_LOCAL
                        : MemoryPropertyFlag.HOST_VISIBLE), PAGE) : null;
                Function<Memory, Object> op = operation(point, host, device, keep.get(0));
                Memory on = target != null ? target : point == FaultPoint.CREATE_IMAGE || point == FaultPoint.BIND_IMAGE
                        ? device : host;
                List<Statistics> before = stats(s);
                long faults = sim.inspect().faultsInjected();
                String where = profile + " " + point + " " + result + (fresh ? " on a fresh memory" : "");
                sim.inspect().injectFault(point, FaultRule.at(1, result));
                RuntimeException e = assertThrows(RuntimeException.class, () -> op.apply(on), where);
                tries++;
                assertEquals(faults + 1, sim.inspect().faultsInjected(), where + ": the fault struck: " + e);
                assertTyped(result, e, where);
                assertEquals(before, stats(s), where + ": statistics unchanged");
                Referee.assertConsistent(s, where);
                for (int i = 0; i < keep.size(); i++) {
                    Referee.assertFilled(keep.get(i), i, where);
                }
                assertEquals(64 * 64 * 4, image.allocationInfo().size(), where + ": the image is still open");
                // The fault has passed (at:1): the same operation works now.
                Object ok = op.apply(on);
                Referee.assertConsistent(s, where + ", then again");
                if (ok instanceof MemoryObject o) {
                    o.close();
                }
                Referee.assertConsistent(s, where + ", closed again");
                if (target != null) {
                    target.close();
                }
            }
        }
    }

    /** The call that reaches {@code point}, on the memory given (or on the objects for a map). */
    private static Function<Memory, Object> operation(FaultPoint point, Memory host, Memory device, Buffer mapped) {
        return switch (point) {
            case ALLOCATE_PAGE -> m -> m == host || m == device
                    ? freshPageBuffer(m) : m.createBuffer(1024);
            case ALLOCATE_DEDICATED_PAGE -> m -> m.createBuffer(PAGE); // one the driver requires to have alone
            case MAP -> m -> mapped.map();
            case CREATE_BUFFER, BIND_BUFFER -> m -> m.createBuffer(512);
            case CREATE_IMAGE, BIND_IMAGE -> m -> m.createImage(16, 16, ChannelType.UINT8);
            case TRANSFER -> m -> {
                // a transfer into a device-local image (no mapping there): a staging copy on the queue
                Image target = device.objects().stream().filter(o -> o instanceof Image).map(o -> (Image) o)
                        .findFirst().orElseThrow();
                java.nio.ByteBuffer pixels = java.nio.ByteBuffer.allocate((int) target.descriptor().byteSize());
                target.write(pixels);
                return null;
            };
        };
    }

    /** A buffer that does not fit in the pages there are, so that a new regular page is needed. */
    private static Buffer freshPageBuffer(Memory m) {
        return m.createBuffer(8192); // below half a page, more than the keepers leave
    }

    private static void assertTyped(FaultResult result, RuntimeException e, String where) {
        switch (result) {
            case OUT_OF_DEVICE_MEMORY -> assertInstanceOf(OutOfDeviceMemoryException.class, e, where);
            case OUT_OF_HOST_MEMORY -> assertInstanceOf(OutOfHostMemoryException.class, e, where);
            case DEVICE_LOST -> assertEquals("VK_ERROR_DEVICE_LOST", assertInstanceOf(BackendException.class, e, where).result(), where);
        }
        assertTrue(e.getMessage().contains(result.vkResult()) || e instanceof BackendException, where + ": " + e.getMessage());
    }

    private static List<Statistics> stats(Session s) {
        List<Statistics> out = new ArrayList<>();
        for (Memory m : s.memories()) {
            out.add(m.statistics());
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------
    // Rules from session properties, and whole workloads under them

    @ParameterizedTest
    @ValueSource(strings = {"every:2", "every:3:OUT_OF_HOST_MEMORY", "every:5:DEVICE_LOST", "every:7"})
    void everyNthCallOfEveryPointFromSessionProperties(String rule) {
        SessionOptions options = SessionOptions.defaults().withBackend("sim").withDevice("mobile-noncoherent")
                .withLeakPolicy(LeakPolicy.IGNORE).withProperty("lluvia.sim.fault.all", rule);
        FaultStats st = workload(options, 42, 1500);
        System.out.println("fault workload " + rule + ": " + st);
        assertTrue(st.faults > 20, rule + ": faults struck: " + st);
        assertTrue(st.created > 100, rule + ": the workload made progress: " + st);
    }

    @Test
    void pointPropertiesArmOnlyThatPoint() {
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("llvmpipe")
                .withProperty("lluvia.sim.fault.allocatePage", "at:2:DEVICE_LOST")
                .withProperty("lluvia.sim.fault.map", "every:2:VK_ERROR_OUT_OF_HOST_MEMORY"))) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            assertEquals("at:2:DEVICE_LOST", sim.inspect().fault(FaultPoint.ALLOCATE_PAGE).toString());
            assertEquals("every:2:OUT_OF_HOST_MEMORY", sim.inspect().fault(FaultPoint.MAP).toString());
            assertTrue(sim.inspect().fault(FaultPoint.CREATE_BUFFER).isOff());
            Memory a = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), PAGE);
            Buffer b = a.createBuffer(64); // page call 1
            b.map(); // map call 1
            assertThrows(OutOfHostMemoryException.class, b::map); // map call 2
            Memory c = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), PAGE);
            BackendException lost = assertThrows(BackendException.class, () -> c.createBuffer(64)); // page call 2
            assertEquals("VK_ERROR_DEVICE_LOST", lost.result());
            assertEquals("allocatePage", lost.operation(), "the bare call; the rule is in the message");
            assertTrue(lost.getMessage().contains("lluvia.sim.fault.allocatePage=at:2:DEVICE_LOST"), lost.getMessage());
            c.createBuffer(64).close();
            Referee.assertConsistent(s, "after point faults");
        }
    }

    @Test
    void badFaultPropertiesNameTheKeyAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Session.create(
                SessionOptions.defaults().withBackend("sim").withProperty("lluvia.sim.fault.allocate", "at:1")));
        assertTrue(e.getMessage().contains("lluvia.sim.fault.allocate") && e.getMessage().contains("allocatePage"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Session.create(
                SessionOptions.defaults().withBackend("sim").withProperty("lluvia.sim.fault.map", "every:0")));
        assertTrue(e.getMessage().contains("every:0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Session.create(
                SessionOptions.defaults().withBackend("sim").withProperty("lluvia.sim.fault.random", "1:2.5")));
        assertTrue(e.getMessage().contains("2.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FaultRule.parse("at:3:OUT_OF_PATIENCE"));
        assertTrue(e.getMessage().contains("OUT_OF_PATIENCE"), e.getMessage());
    }

    /**
     * Debug margins map the page when an object is placed and when it is closed: a map fault there
     * fails the create (rolled back) or surfaces from close, and either way nothing is left behind,
     * also when a Memory close meets the fault on one of several objects.
     */
    @Test
    void debugMarginChecksUnderMapFaultsLeaveNothingBehind() {
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("llvmpipe")
                .withDebug(true).withLeakPolicy(LeakPolicy.IGNORE))) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), PAGE);
            assertTrue(m.hasDebugMargins());
            Buffer keep = m.createBuffer(100);
            Referee.fill(keep, 1);
            sim.inspect().injectFault(FaultPoint.MAP, FaultRule.at(1, FaultResult.OUT_OF_HOST_MEMORY));
            assertThrows(OutOfHostMemoryException.class, () -> m.createBuffer(200), "margin fill failed");
            Referee.assertConsistent(s, "after a failed margin fill");
            assertEquals(1, m.statistics().allocationCount());

            Buffer victim = m.createBuffer(300);
            sim.inspect().injectFault(FaultPoint.MAP, FaultRule.at(1, FaultResult.DEVICE_LOST));
            BackendException lost = assertThrows(BackendException.class, victim::close, "margin check failed");
            assertEquals("VK_ERROR_DEVICE_LOST", lost.result());
            assertTrue(victim.isClosed(), "destroyed and freed anyway");
            Referee.assertConsistent(s, "after a failed margin check on close");
            Referee.assertFilled(keep, 1, "neighbour");

            Memory many = s.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE), PAGE);
            for (int i = 0; i < 5; i++) {
                many.createBuffer(100 + i);
            }
            sim.inspect().injectFault(FaultPoint.MAP, FaultRule.every(2, FaultResult.OUT_OF_DEVICE_MEMORY));
            assertThrows(OutOfDeviceMemoryException.class, many::close);
            sim.inspect().clearFaults();
            assertTrue(many.isClosed());
            Referee.assertConsistent(s, "after a Memory close that met faults");
            assertEquals(1, sim.inspect().liveResourceCount(), "only the kept buffer is left on the device");
        }
    }

    @Test
    void legacyPageFailuresAreTheNextRule() {
        try (SimBackend b = new SimBackend(SimProfiles.load("llvmpipe"), true)) {
            b.inspect().injectPageAllocationFailures(1);
            assertEquals("next:1:OUT_OF_DEVICE_MEMORY", b.inspect().fault(FaultPoint.ALLOCATE_PAGE).toString());
            assertThrows(OutOfDeviceMemoryException.class, () -> b.allocatePage(0, 4096));
            b.freePage(b.allocatePage(0, 4096));
            assertEquals(1, b.inspect().faultsInjected());
            assertEquals(2, b.inspect().calls(FaultPoint.ALLOCATE_PAGE));
        }
    }

    /** Counts of a workload under faults. */
    record FaultStats(long faults, int created, int closed, int failed) {
    }

    /**
     * Seeded random creates, maps and closes on every memory of the device under {@code options}
     * (whose fault rules strike); each failure must be a typed driver fault, and after each the
     * session must be consistent and every live buffer keep its bytes.
     */
    static FaultStats workload(SessionOptions options, long seed, int steps) {
        Random rnd = new Random(seed);
        int created = 0;
        int closed = 0;
        int failed = 0;
        try (Session s = Session.create(options)) {
            SimBackend sim = s.unwrap(SimBackend.class).orElseThrow();
            List<Memory> memories = new ArrayList<>();
            for (Set<MemoryPropertyFlag> flags : s.supportedMemoryPropertyFlags()) {
                memories.add(s.createMemory(flags, 128 << 10, true));
            }
            List<MemoryObject> live = new ArrayList<>();
            List<Long> tags = new ArrayList<>();
            for (int step = 0; step < steps; step++) {
                String where = "seed " + seed + ", step " + step;
                try {
                    int op = rnd.nextInt(10);
                    if (live.isEmpty() || op < 5) {
                        Memory m = memories.get(rnd.nextInt(memories.size()));
                        MemoryObject o = rnd.nextInt(3) > 0
                                ? m.createBuffer(1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 200_000 : 6000))
                                : m.createImage(ImageDescriptor.of(1 + rnd.nextInt(128), 1 + rnd.nextInt(128), ChannelType.UINT8));
                        created++;
                        if (o instanceof Buffer b && m.isMappable()) {
                            try {
                                Referee.fill(b, step);
                            } catch (RuntimeException mapFailed) {
                                o.close();
                                throw mapFailed;
                            }
                        }
                        live.add(o);
                        tags.add((long) step);
                    } else if (op < 8) {
                        int i = rnd.nextInt(live.size());
                        tags.remove(i);
                        live.remove(i).close();
                        closed++;
                    } else {
                        int i = rnd.nextInt(live.size());
                        if (live.get(i) instanceof Buffer b && b.memory().isMappable()) {
                            Referee.assertFilled(b, tags.get(i), where);
                        }
                    }
                } catch (IncompatibleMemoryTypeException expected) {
                    // images the profile cannot put in this memory type: refused before any driver call
                } catch (RuntimeException e) {
                    if (!Referee.isDriverFault(e)) {
                        throw new AssertionError(where + ": not a typed driver fault: " + e, e);
                    }
                    failed++;
                }
                if (step % 25 == 0 || failed > 0 && step % 5 == 0) {
                    Referee.assertConsistent(s, where);
                }
            }
            Referee.assertConsistent(s, "seed " + seed + ", end");
            long faults = sim.inspect().faultsInjected();
            sim.inspect().clearFaults();
            for (MemoryObject o : live) {
                o.close();
            }
            Referee.assertConsistent(s, "seed " + seed + ", all closed");
            return new FaultStats(faults, created, closed, failed);
        }
    }
}
