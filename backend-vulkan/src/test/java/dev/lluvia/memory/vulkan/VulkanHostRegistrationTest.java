package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.HostRegistration;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryUtil;

import java.nio.ByteBuffer;
import java.util.EnumSet;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The program's own host memory, registered once ({@link Session#registerHostMemory}), is copied
 * in place by every transfer from or into a slice of it (the registered path, counted), with every
 * byte right and validation silent; bad registrations are refused with the value named and
 * nothing pinned; closing a registration waits for the transfer using it, and closing the session
 * closes its registrations. The per-transfer import setting is off here (the default): the
 * registered path does not depend on it.
 */
class VulkanHostRegistrationTest {

    private static final int PAGE = 4096;
    /** Larger than a staging piece and not a multiple of one. */
    private static final int SIZE = 2 * TransferQueue.CHUNK + 12_345;

    private static VulkanBackend importing(Session session) {
        VulkanBackend backend = backend(session);
        assumeTrue(backend.importsHostMemory(), backend + " has no VK_EXT_external_memory_host");
        return backend;
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void registeredBytesAreCopiedInPlaceBothWays(String device) {
        Session session = open(device);
        ByteBuffer host = MemoryUtil.memAlignedAlloc(PAGE, 2 * SIZE + 16);
        try {
            VulkanBackend backend = importing(session);
            // A buffer through the queue's copies (Buffer.write maps host-visible memory itself, and
            // lavapipe's only memory type is host-visible).
            VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, SIZE);
            try {
                fill(host, 42);
                try (HostRegistration registration = session.registerHostMemory(host)) {
                    assertEquals(2L * SIZE + 16, registration.size());
                    final long before = backend.registeredTransfers();
                    final long otherBefore = backend.mappedTransfers() + backend.importedTransfers();
                    backend.copyToBuffer(b.buffer(), 0, host.slice(7, SIZE)); // an odd offset inside the range
                    backend.copyFromBuffer(b.buffer(), 0, host.slice(SIZE + 8, SIZE));
                    assertEquals(before + 2, backend.registeredTransfers(), "both copies took the registered path");
                    assertEquals(otherBefore, backend.mappedTransfers() + backend.importedTransfers());
                    assertEquals(host.slice(7, SIZE), host.slice(SIZE + 8, SIZE), "every byte went up and came back");
                }
                // Closed: the same bytes are staged now, and still right.
                final long before = backend.registeredTransfers();
                fill(host, 43);
                backend.copyToBuffer(b.buffer(), 0, host.slice(0, SIZE));
                ByteBuffer back = ByteBuffer.allocateDirect(SIZE);
                backend.copyFromBuffer(b.buffer(), 0, back);
                assertEquals(before, backend.registeredTransfers(), "an unregistered range is not copied in place");
                assertEquals(host.slice(0, SIZE), back.clear());
            } finally {
                backend.destroyBuffer(b.buffer());
                backend.freePage(b.page());
            }
            // Through the public API, whatever way the memory takes.
            try (Memory memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
                 HostRegistration registration = session.registerHostMemory(host)) {
                Buffer buffer = memory.createBuffer(SIZE, BufferUsage.DEFAULT);
                fill(host, 44);
                buffer.write(0, host.slice(3, SIZE));
                buffer.read(0, host.slice(SIZE + 8, SIZE));
                assertEquals(host.slice(3, SIZE), host.slice(SIZE + 8, SIZE));
                assertFalse(registration.isClosed());
            }
        } finally {
            closeAndAssertClean(session);
            MemoryUtil.memAlignedFree(host);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void badRegistrationsAreRefusedAndPinNothing(String device) {
        Session session = open(device);
        ByteBuffer host = MemoryUtil.memAlignedAlloc(PAGE, 4 * PAGE);
        try (Memory readback = session.createMemory(MemoryUsage.READBACK)) {
            VulkanBackend backend = importing(session);
            final int allocations = backend.liveAllocationCount();
            IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                    () -> session.registerHostMemory(ByteBuffer.allocate(PAGE)));
            assertTrue(heap.getMessage().contains("heap buffer"), heap.getMessage());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                    () -> session.registerHostMemory(host.slice(0, 0)));
            assertTrue(empty.getMessage().contains("no bytes remaining"), empty.getMessage());
            assertThrows(NullPointerException.class, () -> session.registerHostMemory(null));

            Buffer mapped = readback.createBuffer(PAGE, BufferUsage.DEFAULT);
            IllegalArgumentException ofTheSession = assertThrows(IllegalArgumentException.class,
                    () -> session.registerHostMemory(mapped.mapByteBuffer()));
            assertTrue(ofTheSession.getMessage().contains("memory this session mapped"), ofTheSession.getMessage());
            final int withPage = backend.liveAllocationCount();

            try (HostRegistration first = session.registerHostMemory(host.slice(0, 2 * PAGE))) {
                // Shares the second page of the first: refused, the first unharmed.
                IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class,
                        () -> session.registerHostMemory(host.slice(2 * PAGE - 1, 2 * PAGE)));
                assertTrue(overlap.getMessage().contains("another registration"), overlap.getMessage());
                assertTrue(overlap.getMessage().contains(Long.toHexString(MemoryUtil.memAddress(host) + 2 * PAGE - 1)),
                        "names the address: " + overlap.getMessage());
                assertEquals(withPage + 1, backend.liveAllocationCount(), "the refused one pinned nothing");
                // Next to it, page-aligned: fine.
                try (HostRegistration second = session.registerHostMemory(host.slice(2 * PAGE, 2 * PAGE))) {
                    assertFalse(second.isClosed());
                }
                assertFalse(first.isClosed());
            }
            assertEquals(withPage, backend.liveAllocationCount(), "closing unpins");
            assertEquals(allocations + 1, withPage, "the refusals pinned nothing; the READBACK page is the one new allocation");
        } finally {
            closeAndAssertClean(session);
            MemoryUtil.memAlignedFree(host);
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void closingWaitsForTheTransferAndTheSessionClosesItsRegistrations(String device) throws Exception {
        Session session = open(device);
        ByteBuffer host = MemoryUtil.memAlignedAlloc(PAGE, 4 * PAGE);
        HostRegistration kept = null;
        try {
            VulkanBackend backend = importing(session);
            HostRegistration registration = session.registerHostMemory(host.slice(0, 2 * PAGE));
            kept = session.registerHostMemory(host.slice(2 * PAGE, 2 * PAGE));
            VulkanPages pages = backend.pages();
            final long address = MemoryUtil.memAddress(host);
            VulkanPages.Page used = pages.acquireMapped(address + 100, 1000); // as a transfer does
            assertNotNull(used, "the registered range is found by an address inside it");
            assertTrue(used.registered);
            assertWaitsUntil("the close waits while a transfer uses the range", registration::close, () -> {
                assertNull(pages.acquireMapped(address + 100, 1000), "a range being unregistered is found by no new transfer");
                pages.releaseMapped(used);
            });
            assertTrue(registration.isClosed());
            registration.close(); // idempotent
        } finally {
            closeAndAssertClean(session);
            MemoryUtil.memAlignedFree(host);
        }
        assertTrue(kept.isClosed(), "the session's close closed the registration left open");
        assertThrows(IllegalStateException.class, () -> session.registerHostMemory(host.slice(0, PAGE)));
    }
}
