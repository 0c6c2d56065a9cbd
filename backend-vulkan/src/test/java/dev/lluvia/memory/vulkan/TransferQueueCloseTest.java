package dev.lluvia.memory.vulkan;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression: a transfer that waited for the queue's monitor while the backend closed made its
 * slots again (vkCreateCommandPool, vkCreateFence) on the destroyed device. A closed queue now
 * refuses every transfer under its monitor. No device is needed: a queue that ran no transfer has
 * nothing to destroy, and a refused transfer never reaches Vulkan (without the check it would, and
 * fail on the missing device instead of with IllegalStateException).
 */
class TransferQueueCloseTest {

    @Test
    void aClosedQueueRefusesEveryTransfer() {
        TransferQueue queue = new TransferQueue(new TransferQueue.Setup("no device", null, null, 0, new ReentrantLock(), null,
                null, 0, 0, false, handle -> { }));
        queue.close();
        ByteBuffer data = ByteBuffer.allocateDirect(64);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.copyToBuffer(8, null, 0, data));
        assertTrue(e.getMessage().contains("transfer queue"), e.getMessage());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> queue.copyFromBuffer(8, null, 0, data));
        assertThrows(IllegalStateException.class, () -> queue.copyBuffer(8, 16, 64));
        queue.close(); // idempotent
    }
}
