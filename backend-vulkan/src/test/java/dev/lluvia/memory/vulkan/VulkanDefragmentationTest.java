package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Defragmentation on real devices under validation: buffers move with vkCmdCopyBuffer, images with
 * vkCmdCopyImage, and every byte is read back through the queue afterwards.
 */
class VulkanDefragmentationTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void buffersAndImagesMoveWithTheirContents(String device) {
        Session session = open(device);
        try {
            Memory memory = session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL))
                    .withPageSize(512 * 1024));
            Random random = new Random(15);
            Map<MemoryObject, byte[]> live = new IdentityHashMap<>();
            List<MemoryObject> all = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                byte[] bytes;
                MemoryObject o;
                if (i % 3 == 0) {
                    Image image = memory.createImage(ImageDescriptor.of(8 + random.nextInt(40), 8 + random.nextInt(40),
                            ChannelType.UINT8, 4));
                    bytes = new byte[(int) image.descriptor().byteSize()];
                    random.nextBytes(bytes);
                    image.write(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
                    o = image;
                } else {
                    Buffer buffer = memory.createBuffer(1 + random.nextInt(40_000));
                    bytes = new byte[(int) buffer.size()];
                    random.nextBytes(bytes);
                    buffer.write(0, ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());
                    o = buffer;
                }
                all.add(o);
                live.put(o, bytes);
            }
            for (MemoryObject o : all) {
                if (random.nextInt(100) < 60) {
                    o.close();
                    live.remove(o);
                }
            }
            int pagesBefore = memory.pageCount();
            Defragmentation.Totals totals;
            try (Defragmentation d = memory.beginDefragmentation(256 * 1024, 8)) {
                while (!d.isDone()) {
                    d.pass();
                }
                totals = d.end();
            }
            System.out.println(backend(session).device().name() + ": pages " + pagesBefore + " -> " + memory.pageCount()
                    + ", " + totals);
            assertTrue(totals.objectsMoved() > 0, totals.toString());
            assertTrue(memory.pageCount() < pagesBefore, pagesBefore + " -> " + memory.pageCount());
            for (Map.Entry<MemoryObject, byte[]> e : live.entrySet()) {
                ByteBuffer back = ByteBuffer.allocateDirect(e.getValue().length);
                if (e.getKey() instanceof Buffer b) {
                    b.read(0, back);
                } else {
                    ((Image) e.getKey()).read(back);
                }
                byte[] got = new byte[e.getValue().length];
                back.flip().get(got);
                assertArrayEquals(e.getValue(), got, e.getKey() + " moved " + e.getKey().moveCount() + " time(s)");
            }
        } finally {
            closeAndAssertClean(session);
        }
    }
}
