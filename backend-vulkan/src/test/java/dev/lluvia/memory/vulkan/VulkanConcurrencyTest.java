package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
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
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Threads working on their own Memories at once: allocations, mapped writes and queue transfers
 * (images always go through the queue) interleave without corrupting data, and the validation
 * layer's thread-safety checks report no unsynchronised use of the queue or command buffer.
 */
class VulkanConcurrencyTest {

    private static final int THREADS = 4;
    private static final int ROUNDS = 15;

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void threadsOnTheirOwnMemoriesTransferAtOnce(String device) throws Exception {
        Session session = open(device);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final long seed = 7919L * (t + 1);
                results.add(pool.submit(() -> work(session, seed)));
            }
            for (Future<Integer> f : results) {
                assertEquals(ROUNDS, f.get(120, TimeUnit.SECONDS), "every round of every thread read back its bytes");
            }
        } finally {
            pool.shutdownNow();
            closeAndAssertClean(session);
        }
    }

    private static int work(Session session, long seed) {
        Random random = new Random(seed);
        Memory upload = session.createMemory(MemoryUsage.UPLOAD, 1 << 20);
        Memory device = session.createMemory(MemoryUsage.DEVICE_ONLY, 1 << 20);
        int done = 0;
        List<dev.lluvia.memory.MemoryObject> kept = new ArrayList<>();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                int side = 8 + random.nextInt(40);
                Image image = device.createImage(ImageDescriptor.of(side, side, ChannelType.UINT8, 4));
                Buffer buffer = upload.createBuffer(1 + random.nextInt(20_000));
                byte[] pixels = new byte[(int) image.descriptor().byteSize()];
                random.nextBytes(pixels);
                image.write(ByteBuffer.wrap(pixels));
                byte[] bytes = new byte[(int) buffer.size()];
                random.nextBytes(bytes);
                buffer.write(0, ByteBuffer.wrap(bytes));
                ByteBuffer imageBack = ByteBuffer.allocate(pixels.length);
                image.read(imageBack);
                ByteBuffer bufferBack = ByteBuffer.allocate(bytes.length);
                buffer.read(0, bufferBack);
                assertArrayEquals(pixels, imageBack.array(), "image of round " + round + ", seed " + seed);
                assertArrayEquals(bytes, bufferBack.array(), "buffer of round " + round + ", seed " + seed);
                // Close some now, the rest below: ranges are freed while other threads allocate.
                if (random.nextBoolean()) {
                    image.close();
                } else {
                    kept.add(image);
                }
                kept.add(buffer);
                done++;
            }
        } finally {
            kept.forEach(dev.lluvia.memory.MemoryObject::close);
            upload.close();
            device.close();
        }
        return done;
    }
}
