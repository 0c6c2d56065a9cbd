package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendException;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.OutOfHostMemoryException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.Statistics;
import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.PageRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doThrow;

/**
 * A backend that throws in the middle of an allocation: the exception reaches the caller
 * unchanged and nothing is left behind (no page, no driver object, no accounting), and the next
 * calls work once the backend behaves again.
 */
class MisbehavingBackendTest {

    private Session session;
    private SimBackend spy;
    private Memory memory;

    @BeforeEach
    void open() {
        session = Session.create(SessionOptions.defaults().withBackend("sim-spy").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
        spy = SpyBackendProvider.last;
        memory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL, MemoryPropertyFlag.HOST_VISIBLE));
    }

    @AfterEach
    void close() {
        session.close();
    }

    @Test
    void bindFailureOnAFreshPageLeavesNothing() {
        BackendException lost = new BackendException("vkBindBufferMemory", "VK_ERROR_DEVICE_LOST");
        doThrow(lost).when(spy).bindBuffer(any(dev.lluvia.memory.spi.Resource.class), anyLong(), anyLong());
        assertSame(lost, assertThrows(BackendException.class, () -> memory.createBuffer(1024)));
        assertNothingLeft();
        Mockito.reset(spy);
        assertEquals(0, memory.createBuffer(1024).allocationInfo().offset(), "works again");
    }

    @Test
    void bindFailureInAnExistingPageKeepsTheOthersIntact() {
        Buffer first = memory.createBuffer(256);
        first.map().putInt(0, 0xC0FFEE);
        doThrow(new OutOfHostMemoryException("vkBindImageMemory: VK_ERROR_OUT_OF_HOST_MEMORY"))
                .when(spy).bindImage(any(dev.lluvia.memory.spi.Resource.class), anyLong(), anyLong());
        Memory images = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        images.createBuffer(64); // its page exists before the failing image
        assertThrows(OutOfHostMemoryException.class, () -> images.createImage(32, 32, ChannelType.UINT8));
        assertEquals(1, images.pageCount());
        assertEquals(1, images.objects().size());
        assertEquals(3 - 1, spy.inspect().liveResourceCount(), "the image was destroyed");
        assertEquals(0xC0FFEE, first.map().getInt(0));
    }

    @Test
    void pageAllocationFailureSurfacesAndReleasesTheHeapReservation() {
        doThrow(new BackendException("vkAllocateMemory", "VK_ERROR_DEVICE_LOST"))
                .when(spy).allocatePage(any(PageRequest.class)); // regular and dedicated pages
        for (int i = 0; i < 10; i++) {
            assertThrows(BackendException.class, () -> memory.createBuffer(1L << 30));
            assertThrows(BackendException.class, () -> memory.createBuffer(100));
        }
        assertNothingLeft();
        Mockito.reset(spy);
        // Ten refused 1 GiB pages reserved nothing: the whole budget is still there.
        long budget = session.heapBudgets().get(0).budget();
        assertEquals(budget - (budget % 4096), memory.createBuffer(budget - (budget % 4096)).size());
    }

    @Test
    void failureWhileCreatingTheDriverObjectChangesNothing() {
        doThrow(new OutOfHostMemoryException("vkCreateBuffer: VK_ERROR_OUT_OF_HOST_MEMORY"))
                .when(spy).createBuffer(any(BufferRequest.class));
        assertThrows(OutOfHostMemoryException.class, () -> memory.createBuffer(10));
        assertNothingLeft();
    }

    private void assertNothingLeft() {
        assertEquals(0, memory.pageCount());
        assertEquals(Statistics.EMPTY, memory.statistics());
        assertEquals(0, spy.inspect().livePageCount());
        assertEquals(0, spy.inspect().liveResourceCount());
        assertEquals(0, spy.inspect().heapUsage(0));
    }
}
