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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Aliasing on the sim beyond the shared {@link dev.lluvia.memory.contract.AliasContract} (run by
 * {@link SimSharedContractsTest}): the granularity and atom rules on the profile that has them, and
 * the referee through the SPI, which accepts legal aliases and still refuses every other overlap.
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

    // ------------------------------------------------------------------------------------------
    // The referee, through the SPI

    @Test
    void theRefereeAcceptsLegalAliasesAndRefusesEverythingElse() {
        SimBackend b = new SimBackend(SimProfiles.load("nvidia-h100"), true);
        try {
            long page = b.allocatePage(1, 1 << 20);
            long original = b.createBuffer(4096, 0x23).handle();
            b.bindBuffer(Handles.resource(original), page, 1024);
            long alias = b.createBuffer(1024, 0x23).handle();
            b.bindAliasingBuffer(Handles.resource(alias), page, 2048, original);
            assertEquals(1, b.inspect().aliasCount(original));

            // A plain bind on the same range is still an overlap.
            long intruder = b.createBuffer(64, 0x23).handle();
            refusedBy(SimRule.OVERLAP, () -> b.bindBuffer(Handles.resource(intruder), page, 2048));
            // An alias outside the range, of an unbound or dead resource, or of an alias.
            long outside = b.createBuffer(2048, 0x23).handle();
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(Handles.resource(outside), page, 4096, original));
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(Handles.resource(outside), page, 0, original));
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(Handles.resource(outside), page, 1024, intruder));
            refusedBy(SimRule.ALIAS, () -> b.bindAliasingBuffer(Handles.resource(intruder), page, 2048, alias));
            refusedBy(SimRule.ALIGNMENT, () -> b.bindAliasingBuffer(Handles.resource(intruder), page, 1032 + 1, original));
            // The aliased resource cannot go first.
            refusedBy(SimRule.ALIAS, () -> b.destroyBuffer(Handles.resource(original)));
            assertEquals(1, b.inspect().aliasCount(original), "refused calls change nothing");

            b.destroyBuffer(Handles.resource(alias));
            b.destroyBuffer(Handles.resource(original));
            b.destroyBuffer(Handles.resource(intruder));
            b.destroyBuffer(Handles.resource(outside));
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
            long page = b.allocateDedicatedPage(1, bigResource.requirements().size(), Handles.resource(big), false);
            b.bindBuffer(Handles.resource(big), page, 0);
            long alias = b.createBuffer(256, 0x23).handle();
            refusedBy(SimRule.DEDICATED, () -> b.bindAliasingBuffer(Handles.resource(alias), page, 0, big));
            long image = b.createImage(ImageDescriptor.of(16, 16, ChannelType.UINT8).withTiling(ImageTiling.LINEAR)).handle();
            refusedBy(SimRule.DEDICATED, () -> b.bindAliasingImage(Handles.resource(image), page, 0, big));
            assertEquals(0, b.inspect().aliasCount(big), "refused calls change nothing");
            b.destroyImage(Handles.resource(image));
            b.destroyBuffer(Handles.resource(alias));
            b.destroyBuffer(Handles.resource(big));
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
            b.bindBuffer(Handles.resource(neighbour), page, 0);
            long original = b.createBuffer(8192, 0x23).handle();
            b.bindBuffer(Handles.resource(original), page, 64);
            long image = b.createImage(ImageDescriptor.of(32, 32, ChannelType.UINT8)).handle(); // 1 KiB, align 1 KiB
            refusedBy(SimRule.GRANULARITY, () -> b.bindAliasingImage(Handles.resource(image), page, 1024, original));
            b.bindAliasingImage(Handles.resource(image), page, 4096, original);
            b.destroyImage(Handles.resource(image));
            b.destroyBuffer(Handles.resource(original));
            b.destroyBuffer(Handles.resource(neighbour));
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
            b.bindImage(Handles.resource(image), page, 0);
            long linear = b.createImage(ImageDescriptor.of(16, 16, ChannelType.UINT8).withTiling(ImageTiling.LINEAR)).handle();
            b.bindAliasingImage(Handles.resource(linear), page, 1024, image);
            long buffer = b.createBuffer(4096, 0x23).handle();
            b.bindAliasingBuffer(Handles.resource(buffer), page, 0, image);
            assertEquals(2, b.inspect().aliasCount(image));
            b.destroyImage(Handles.resource(linear));
            b.destroyBuffer(Handles.resource(buffer));
            b.destroyImage(Handles.resource(image));
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
