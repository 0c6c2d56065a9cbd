package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Aliasing: buffers and images created on the range of an existing object, through the core (which
 * checks what the program asks) and through the SPI (where the referee accepts legal aliases and
 * still refuses every other overlap).
 */
class SimAliasingTest {

    private static Session open(String profile) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static SimBackend sim(Session s) {
        return s.unwrap(SimBackend.class).orElseThrow();
    }

    @Test
    void aBufferAliasSeesTheOriginalsBytesAndAllocatesNothing() {
        try (Session session = open("nvidia-h100")) {
            Memory host = session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
            Buffer before = host.createBuffer(100);
            Buffer original = host.createBuffer(4096);
            Buffer after = host.createBuffer(100);
            Statistics stats = host.statistics();
            Buffer alias = host.createAliasingBuffer(original, 1024, 2048, BufferUsage.DEFAULT);
            assertEquals(stats, host.statistics(), "an alias is not an allocation");
            assertEquals(List.of(before, original, after), host.objects());
            assertSame(original, alias.aliasOf());
            assertEquals(List.of(alias), original.aliases());
            assertEquals(original.allocationInfo().offset() + 1024, alias.allocationInfo().offset());
            assertEquals(original.allocationInfo().page(), alias.allocationInfo().page());

            original.map().putInt(1024 + 8, 0x12345678);
            assertEquals(0x12345678, alias.map().getInt(8), "the alias views the same bytes");
            alias.write(100, ByteBuffer.allocate(4).putInt(0, 77));
            ByteBuffer back = ByteBuffer.allocate(4);
            original.read(1124, back);
            assertEquals(77, back.getInt(0));
            alias.close();
            assertTrue(original.aliases().isEmpty());
            assertEquals(0x12345678, original.map().getInt(1032), "closing an alias leaves the bytes");
        }
    }

    /** Regression: closing an alias left its views open on the range. */
    @Test
    void closingAnAliasShutsItsViews() {
        try (Session session = open("nvidia-h100")) {
            Memory host = session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
            Buffer original = host.createBuffer(4096);
            Buffer alias = host.createAliasingBuffer(original, 1024, 2048, BufferUsage.DEFAULT);
            dev.lluvia.memory.MappedView view = alias.map();
            view.putInt(0, 5);
            alias.close();
            assertThrows(IllegalStateException.class, () -> view.getInt(0));
            assertThrows(IllegalStateException.class, () -> view.putInt(0, 6));
            assertEquals(5, original.map().getInt(1024), "the original's range and views stay");
        }
    }

    /** Regression: a closing Memory shut only its listed objects' views, and aliases are not listed. */
    @Test
    void closingTheSessionShutsAliasViews() {
        Session session = open("nvidia-h100");
        Memory host = session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
        Buffer original = host.createBuffer(4096);
        Buffer alias = host.createAliasingBuffer(original, 1024, 2048, BufferUsage.DEFAULT);
        dev.lluvia.memory.MappedView view = alias.map();
        dev.lluvia.memory.MappedView originalView = original.map();
        view.putInt(0, 5);
        session.close();
        assertThrows(IllegalStateException.class, () -> view.getInt(0));
        assertThrows(IllegalStateException.class, () -> originalView.getInt(0));
    }

    @Test
    void imagesAliasBuffersAndImagesWhereTheRulesAllow() {
        try (Session session = open("nvidia-h100")) {
            Memory dev = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20));
            // An optimal image on an optimal image: same kind, any aligned offset inside.
            Image big = dev.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8, 4)); // 16 KiB
            Image small = dev.createAliasingImage(big, 4096, ImageDescriptor.of(32, 32, ChannelType.UINT8));
            // A buffer over an optimal image's bytes (linear on optimal, inside its granularity blocks).
            Buffer clear = dev.createAliasingBuffer(big, 0, 16384, EnumSet.of(BufferUsage.TRANSFER_DST));
            // An optimal image on a buffer: allowed when its granularity blocks are the buffer's own.
            Buffer neighbour = dev.createBuffer(100);
            Buffer arena = dev.createBuffer(64 * 1024);
            long arenaStart = arena.allocationInfo().offset();
            long firstFullBlock = (arenaStart + 1023) / 1024 * 1024 + 1024 - arenaStart;
            Image transient1 = dev.createAliasingImage(arena, firstFullBlock, ImageDescriptor.of(32, 32, ChannelType.UINT8));
            Image transient2 = dev.createAliasingImage(arena, firstFullBlock, ImageDescriptor.of(16, 16, ChannelType.FLOAT32));
            assertEquals(List.of(small, clear), big.aliases());
            assertEquals(List.of(transient1, transient2), arena.aliases());
            assertTrue(neighbour.aliases().isEmpty());
            assertEquals(3 + 4, sim(session).inspect().liveResourceCount(), "three originals and four aliases on the device");
        } // the session closes aliases before their originals: the referee would refuse the other order
    }

    @Test
    void badAliasesAreRefusedNamingTheValueAndLeaveNothing() {
        try (Session session = open("nvidia-h100")) {
            Memory dev = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20));
            Memory other = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20));
            dev.createBuffer(100);
            Buffer original = dev.createBuffer(4096);
            dev.createBuffer(100);
            SimBackend sim = sim(session);
            int resources = sim.inspect().liveResourceCount();
            Statistics stats = dev.statistics();

            refused(IndexOutOfBoundsException.class, () -> dev.createAliasingBuffer(original, -16, 64, BufferUsage.DEFAULT), "-16");
            refused(IndexOutOfBoundsException.class, () -> dev.createAliasingBuffer(original, 4096, 16, BufferUsage.DEFAULT), "4096");
            refused(IndexOutOfBoundsException.class, () -> dev.createAliasingBuffer(original, 2048, 4096, BufferUsage.DEFAULT), "2048");
            refused(IllegalArgumentException.class, () -> dev.createAliasingBuffer(original, 8, 64, BufferUsage.DEFAULT),
                    "alias offset 8", "alignment 16");
            refused(IllegalArgumentException.class, () -> dev.createAliasingBuffer(original, 0, 0, BufferUsage.DEFAULT), "was 0");
            refused(IllegalArgumentException.class, () -> other.createAliasingBuffer(original, 0, 64, BufferUsage.DEFAULT),
                    original.toString().substring(0, 8));
            Buffer alias = dev.createAliasingBuffer(original, 0, 64, BufferUsage.DEFAULT);
            refused(IllegalArgumentException.class, () -> dev.createAliasingBuffer(alias, 0, 16, BufferUsage.DEFAULT),
                    "itself an alias");
            assertEquals(resources + 1, sim.inspect().liveResourceCount(), "only the good alias is live");

            // The original cannot close under its alias; nothing changes.
            IllegalStateException busy = assertThrows(IllegalStateException.class, original::close);
            assertTrue(busy.getMessage().contains("Buffer#" + alias.id()), busy.getMessage());
            assertFalse(original.isClosed());
            assertEquals(stats, dev.statistics());
            alias.close();
            original.close();
            refused(IllegalStateException.class, () -> dev.createAliasingBuffer(original, 0, 16, BufferUsage.DEFAULT),
                    "Buffer#" + original.id(), "closed");
            assertEquals(resources - 1, sim.inspect().liveResourceCount());
        }
    }

    @Test
    void anOptimalImageOnABufferMustNotShareAGranularityBlockWithItsNeighbours() {
        // mobile-noncoherent: 1 KiB image tiles, bufferImageGranularity 4 KiB.
        try (Session session = open("mobile-noncoherent")) {
            Memory dev = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(1 << 20));
            dev.createBuffer(100);
            Buffer original = dev.createBuffer(3 * 4096);
            dev.createBuffer(100);
            long start = original.allocationInfo().offset();
            assertTrue(start % 4096 != 0, "the original starts inside its neighbour's block: " + start);
            long sharedBlock = 1024 - start % 1024;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.createAliasingImage(
                    original, sharedBlock, ImageDescriptor.of(32, 32, ChannelType.UINT8)));
            assertTrue(e.getMessage().contains("alias offset " + sharedBlock) && e.getMessage().contains("bufferImageGranularity"),
                    e.getMessage());
            long ownBlock = (start + 4095) / 4096 * 4096 - start;
            Image image = dev.createAliasingImage(original, ownBlock, ImageDescriptor.of(32, 32, ChannelType.UINT8));
            assertEquals(0, image.allocationInfo().offset() % 4096);
        }
    }

    @Test
    void aNonCoherentAliasStartsOnAnAtom() {
        try (Session session = open("mobile-noncoherent")) {
            Memory host = session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_CACHED);
            assertTrue(host.memoryType().needsFlush());
            Buffer original = host.createBuffer(4096);
            long atom = session.device().limits().nonCoherentAtomSize();
            assertTrue(atom > 16, "the profile's atom " + atom);
            refused(IllegalArgumentException.class, () -> host.createAliasingBuffer(original, 16, 64, BufferUsage.DEFAULT),
                    "nonCoherentAtomSize");
            Buffer alias = host.createAliasingBuffer(original, atom, 64, BufferUsage.DEFAULT);
            alias.map().put(0, (byte) 9);
            alias.flush(); // the referee checks the atom-aligned range
            assertEquals(9, sim(session).inspect().readDeviceBytes(sim(session).inspect().livePages().get(0),
                    original.allocationInfo().offset() + atom, 1)[0]);
        }
    }

    @Test
    void closingTheMemoryClosesAliasesFirstAndReportsThem() {
        Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("llvmpipe")
                .withLeakPolicy(LeakPolicy.THROW));
        try {
            Memory m = session.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
            Buffer original = m.createBuffer(1024);
            Buffer alias = m.createAliasingBuffer(original, 0, 512, BufferUsage.DEFAULT);
            dev.lluvia.memory.MemoryLeakException leak = assertThrows(dev.lluvia.memory.MemoryLeakException.class, m::close);
            assertTrue(leak.getMessage().contains("an alias of Buffer#" + original.id()), leak.getMessage());
            assertTrue(alias.isClosed() && original.isClosed());
            assertEquals(0, sim(session).inspect().liveResourceCount());
        } finally {
            session.close();
        }
    }

    // ------------------------------------------------------------------------------------------
    // The referee, through the SPI

    @Test
    void theRefereeAcceptsLegalAliasesAndRefusesEverythingElse() {
        SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true);
        try {
            long page = b.allocatePage(1, 1 << 20);
            long original = b.createBuffer(4096, 0x23).handle();
            b.bindBuffer(original, page, 1024);
            long alias = b.createBuffer(1024, 0x23).handle();
            b.bindAliasingBuffer(alias, page, 2048, original);
            assertEquals(1, b.inspect().aliasCount(original));

            // A plain bind on the same range is still an overlap.
            long intruder = b.createBuffer(64, 0x23).handle();
            refusedBy(SimRule.OVERLAP, () -> b.bindBuffer(intruder, page, 2048));
            // An alias outside the range, of an unbound or dead resource, or of an alias.
            long outside = b.createBuffer(2048, 0x23).handle();
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(outside, page, 4096, original));
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(outside, page, 0, original));
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(outside, page, 1024, intruder));
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(intruder, page, 2048, alias));
            refusedBy(SimRule.ALIGNMENT, () -> b.bindAliasingBuffer(intruder, page, 1032 + 1, original));
            // The aliased resource cannot go first.
            refusedBy(SimRule.ALIAS, () -> b.destroyBuffer(original));
            assertEquals(1, b.inspect().aliasCount(original), "refused calls change nothing");

            b.destroyBuffer(alias);
            b.destroyBuffer(original);
            b.destroyBuffer(intruder);
            b.destroyBuffer(outside);
            b.freePage(page);
        } finally {
            b.close();
        }
    }

    /**
     * Regression (issue 22 item 4): memory allocated for one resource binds that resource alone, so
     * an alias onto a resource in a dedicated page is refused, as lavapipe's validation refuses it
     * (VUID-vkBindBufferMemory-memory-01508).
     */
    @Test
    void theRefereeRefusesAnAliasInMemoryDedicatedToAnotherResource() {
        SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true);
        try {
            dev.lluvia.memory.spi.Resource bigResource = b.createBuffer(700 << 10, 0x23);
            long big = bigResource.handle();
            long page = b.allocateDedicatedPage(1, bigResource.requirements().size(), big, false);
            b.bindBuffer(big, page, 0);
            long alias = b.createBuffer(256, 0x23).handle();
            refusedBy(SimRule.DEDICATED, () -> b.bindAliasingBuffer(alias, page, 0, big));
            long image = b.createImage(ImageDescriptor.of(16, 16, ChannelType.UINT8).withTiling(ImageTiling.LINEAR)).handle();
            refusedBy(SimRule.DEDICATED, () -> b.bindAliasingImage(image, page, 0, big));
            assertEquals(0, b.inspect().aliasCount(big), "refused calls change nothing");
            b.destroyImage(image);
            b.destroyBuffer(alias);
            b.destroyBuffer(big);
            b.freePage(page);
        } finally {
            b.close();
        }
    }

    @Test
    void theRefereeRefusesAnOptimalAliasSharingAGranularityBlockWithANeighbour() {
        SimBackend b = new SimBackend(SimProfiles.load("mobile-noncoherent"), true);
        try {
            long page = b.allocatePage(0, 1 << 20);
            long neighbour = b.createBuffer(64, 0x23).handle();
            b.bindBuffer(neighbour, page, 0);
            long original = b.createBuffer(8192, 0x23).handle();
            b.bindBuffer(original, page, 64);
            long image = b.createImage(ImageDescriptor.of(32, 32, ChannelType.UINT8)).handle(); // 1 KiB, align 1 KiB
            refusedBy(SimRule.GRANULARITY, () -> b.bindAliasingImage(image, page, 1024, original));
            b.bindAliasingImage(image, page, 4096, original);
            b.destroyImage(image);
            b.destroyBuffer(original);
            b.destroyBuffer(neighbour);
            b.freePage(page);
        } finally {
            b.close();
        }
    }

    @Test
    void anAliasOfAnImageIsALinearImageOrBufferInsideIt() {
        SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true);
        try {
            long page = b.allocatePage(1, 1 << 20);
            long image = b.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8)).handle(); // 4096 B
            b.bindImage(image, page, 0);
            long linear = b.createImage(ImageDescriptor.of(16, 16, ChannelType.UINT8).withTiling(ImageTiling.LINEAR)).handle();
            b.bindAliasingImage(linear, page, 1024, image);
            long buffer = b.createBuffer(4096, 0x23).handle();
            b.bindAliasingBuffer(buffer, page, 0, image);
            assertEquals(2, b.inspect().aliasCount(image));
            b.destroyImage(linear);
            b.destroyBuffer(buffer);
            b.destroyImage(image);
            b.freePage(page);
        } finally {
            b.close();
        }
    }

    private static void refusedBy(SimRule rule, Executable call) {
        SimViolationException e = assertThrows(SimViolationException.class, call);
        assertEquals(rule, e.rule(), e.getMessage());
    }

    private static <T extends Throwable> void refused(Class<T> type, Executable call, String... mentions) {
        T e = assertThrows(type, call);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' missing from: " + e.getMessage());
        }
    }
}
