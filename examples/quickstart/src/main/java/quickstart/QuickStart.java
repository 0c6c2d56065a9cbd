package quickstart;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

import static dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_COHERENT;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_VISIBLE;

public final class QuickStart {

    public static void main(String[] args) {
        // The best backend present: a Vulkan device, else the simulated one (-Dlluvia.backend=sim).
        try (Session session = Session.create()) {
            System.out.println("backend " + session.backendName() + ", device " + session.device().name());

            // The device's memory types, as Lluvia lists them: distinct flag sets, in type order.
            List<Set<MemoryPropertyFlag>> types = session.supportedMemoryPropertyFlags();
            for (int n = 0; n < types.size(); n++) {
                System.out.println("memory index " + n + ": " + types.get(n));
            }

            // A Memory hands out objects from pages of 32 MiB, allocated when the first object needs one.
            Memory deviceMemory = session.createMemory(DEVICE_LOCAL);
            Memory hostMemory = session.createMemory(HOST_VISIBLE, HOST_COHERENT);

            try (Buffer buffer = deviceMemory.createBuffer(1024);
                 Image image = deviceMemory.createImage(32, 32, ChannelType.UINT8);
                 Buffer staging = hostMemory.createBuffer(4096)) {
                // Where each object lives: page, offset (as the driver aligns it), padding, size.
                System.out.println("buffer:  " + buffer.allocationInfo());
                System.out.println("image:   " + image.allocationInfo());
                System.out.println("staging: " + staging.allocationInfo());
                System.out.println("device memory pages: " + deviceMemory.pageCount());

                // Host-visible memory is mapped: a bounds-checked view of exactly the buffer's bytes.
                staging.map().putInt(0, 42);
                System.out.println("staging int 0: " + staging.map().getInt(0));

                // Device-local memory is written and read through copies on the device's queue.
                ByteBuffer bytes = ByteBuffer.allocateDirect(1024);
                bytes.putInt(0, 7);
                buffer.write(0, bytes);
                ByteBuffer back = ByteBuffer.allocateDirect(1024);
                buffer.read(0, back);
                System.out.println("buffer int 0 after a round trip: " + back.getInt(0));
            } // each object gives its range back to its page
        } // the session frees every page and closes its Memories
    }
}
