package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Threads writing and reading large buffers at once proceed side by side: each
 * transfer takes a staging ring of its own, so the transfer queue has more than one in flight
 * (without that the most in flight is 1, the threads taking turns), every byte arrives, and images
 * transferred by other threads meanwhile, which run one at a time, keep theirs. Validation is on:
 * the rings' command buffers and the shared queue are used without a race.
 */
class VulkanParallelTransferTest {

    private static final int THREADS = 4;
    private static final int SIZE = 2 * TransferQueue.CHUNK + 4099; // three staged pieces each
    private static final int ROUNDS = 3;

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void largeTransfersOfSeveralThreadsOverlap(String device) throws Exception {
        Session session = open(device);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY)) {
            CyclicBarrier start = new CyclicBarrier(THREADS + 1);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final long seed = 31L * (t + 1);
                results.add(pool.submit(() -> {
                    // The backend's own transfer calls, as Buffer.write makes them for memory the host
                    // cannot map (every memory type of a CPU device is mappable, so the API would memcpy).
                    VulkanBackend backend = backend(session);
                    VulkanTestSupport.BoundBuffer b = deviceBuffer(backend, SIZE);
                    try {
                        ByteBuffer src = ByteBuffer.allocateDirect(SIZE); // staged: not a mapping of this session
                        ByteBuffer back = ByteBuffer.allocateDirect(SIZE);
                        fill(src, seed);
                        start.await(); // the first writes start together
                        for (int round = 0; round < ROUNDS; round++) {
                            if (round > 0) {
                                fill(src, seed + round);
                            }
                            backend.copyToBuffer(b.buffer(), 0, src);
                            backend.copyFromBuffer(b.buffer(), 0, back);
                            assertEquals(src, back, "buffer of seed " + seed + ", round " + round);
                        }
                    } finally {
                        backend.destroyBuffer(b.buffer());
                        backend.freePage(b.page());
                    }
                    return null;
                }));
            }
            // Images of the same Memory transferred meanwhile: one at a time, their layouts intact.
            results.add(pool.submit(() -> {
                start.await();
                for (int round = 0; round < ROUNDS; round++) {
                    try (Image image = memory.createImage(ImageDescriptor.of(300, 200, ChannelType.UINT8, 4))) {
                        ByteBuffer pixels = ByteBuffer.allocateDirect((int) image.descriptor().byteSize());
                        fill(pixels, 97L + round);
                        image.write(pixels.duplicate());
                        ByteBuffer back = ByteBuffer.allocateDirect(pixels.capacity());
                        image.read(back);
                        assertEquals(pixels.clear(), back.clear(), "image of round " + round);
                    }
                }
                return null;
            }));
            for (Future<?> f : results) {
                f.get(300, TimeUnit.SECONDS);
            }
            int peak = backend(session).peakTransfersInFlight();
            assertTrue(peak >= 2 && peak <= TransferQueue.MAX_RINGS,
                    "transfers in flight at once: " + peak + " (1 would mean the threads took turns)");
        } finally {
            pool.shutdownNow();
            closeAndAssertClean(session);
        }
    }
}
