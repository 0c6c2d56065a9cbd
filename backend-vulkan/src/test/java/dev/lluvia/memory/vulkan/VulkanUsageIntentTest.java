package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** {@link Session#createMemory(MemoryUsage)} on the real device: the choices obey their rules, and data flows. */
class VulkanUsageIntentTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void usageIntentsChooseByTheirRulesAndMoveData(String device) {
        Session session = open(device);
        try {
            List<MemoryType> types = session.device().memoryTypes();
            boolean hostTypeOutsideDevice = types.stream().anyMatch(t -> t.isHostVisible()
                    && !t.flags().contains(MemoryPropertyFlag.DEVICE_LOCAL));
            boolean anyDeviceLocal = types.stream().anyMatch(t -> t.flags().contains(MemoryPropertyFlag.DEVICE_LOCAL));
            boolean anyCached = types.stream().anyMatch(t -> t.isHostVisible() && t.flags().contains(MemoryPropertyFlag.HOST_CACHED));

            Memory readback = session.createMemory(MemoryUsage.READBACK);
            assertTrue(readback.isMappable());
            if (hostTypeOutsideDevice) {
                assertFalse(readback.memoryFlags().contains(MemoryPropertyFlag.DEVICE_LOCAL),
                        "readback never lands in a BAR type while host memory exists: " + readback);
            }
            if (anyCached) {
                assertTrue(readback.memoryFlags().contains(MemoryPropertyFlag.HOST_CACHED), readback.toString());
            }
            Memory upload = session.createMemory(MemoryUsage.UPLOAD);
            assertTrue(upload.isMappable());
            Memory deviceOnly = session.createMemory(MemoryUsage.DEVICE_ONLY, 1 << 20);
            if (anyDeviceLocal) {
                assertTrue(deviceOnly.memoryFlags().contains(MemoryPropertyFlag.DEVICE_LOCAL), deviceOnly.toString());
            }
            if (session.device().name().contains("H100")) {
                assertEquals(1, deviceOnly.memoryType().index());
                assertEquals(4, upload.memoryType().index());
                assertEquals(3, readback.memoryType().index());
            }
            assertEquals(0, deviceOnly.pageCount(), "no page before the first object");

            // upload -> device only -> readback, each hop through Buffer.write/read.
            byte[] bytes = new byte[40_000];
            new Random(42).nextBytes(bytes);
            Buffer in = upload.createBuffer(bytes.length);
            Buffer middle = deviceOnly.createBuffer(bytes.length);
            Buffer out = readback.createBuffer(bytes.length);
            in.write(0, ByteBuffer.wrap(bytes));
            ByteBuffer hop = ByteBuffer.allocateDirect(bytes.length);
            in.read(0, hop);
            middle.write(0, hop.flip());
            hop.clear();
            middle.read(0, hop);
            out.write(0, hop.flip());
            ByteBuffer result = ByteBuffer.allocate(bytes.length);
            out.read(0, result);
            assertArrayEquals(bytes, result.array());
        } finally {
            closeAndAssertClean(session);
        }
    }
}
