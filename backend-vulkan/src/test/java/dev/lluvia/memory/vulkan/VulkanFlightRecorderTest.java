package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.HostRegistration;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.TransferPath;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.lwjgl.system.MemoryUtil;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.backend;
import static dev.lluvia.memory.vulkan.VulkanTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Transfer event's path on a real driver, read back from a recording: a buffer write through
 * its mapping (or staged where device-local memory is not host-visible), and image writes from a
 * heap buffer (staged), from a mapped buffer of the session (pinned) and from registered host
 * memory (registered, where the device can import host memory); the session's metrics agree.
 */
class VulkanFlightRecorderTest {

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void transferPathsAreRecorded(String device, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("transfers.jfr");
        List<String> expected = new ArrayList<>();
        long session;
        ByteBuffer host = MemoryUtil.memAlignedAlloc(4096, 1 << 16);
        try (Recording recording = new Recording()) {
            recording.enable("dev.lluvia.memory.Transfer").withThreshold(Duration.ZERO);
            recording.start();
            try (Session s = open(device)) {
                session = s.id();
                Memory memory = s.createMemory(MemoryUsage.DEVICE_ONLY);
                Memory readback = s.createMemory(MemoryUsage.READBACK);
                ImageDescriptor rgba = ImageDescriptor.of(64, 64, ChannelType.UINT8, 4);
                int bytes = (int) rgba.byteSize();
                Buffer buffer = memory.createBuffer(bytes);
                Image image = memory.createImage(rgba);
                Buffer pinned = readback.createBuffer(bytes);

                buffer.write(0, ByteBuffer.allocate(bytes));
                expected.add("upload " + (memory.isMappable() ? TransferPath.MAPPED : TransferPath.STAGED) + " " + bytes);
                image.write(ByteBuffer.allocate(bytes));
                expected.add("upload STAGED " + bytes);
                image.write(pinned.mapByteBuffer());
                expected.add("upload PINNED " + bytes);
                image.read(pinned.mapByteBuffer());
                expected.add("download PINNED " + bytes);
                if (backend(s).importsHostMemory()) {
                    try (HostRegistration r = s.registerHostMemory(host)) {
                        image.write(host.slice(0, bytes));
                        expected.add("upload REGISTERED " + bytes);
                    }
                }
                var metrics = s.metrics().transfers();
                assertEquals(2, metrics.get(TransferPath.PINNED).transfers());
                assertEquals(2L * bytes, metrics.get(TransferPath.PINNED).bytes());
            }
            recording.stop();
            recording.dump(file);
        } finally {
            MemoryUtil.memAlignedFree(host);
        }
        List<String> recorded = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("dev.lluvia.memory.Transfer") && e.getLong("session") == session) {
                recorded.add(e.getString("direction") + " " + e.getString("path") + " " + e.getLong("bytes"));
            }
        }
        assertEquals(expected, recorded);
    }
}
