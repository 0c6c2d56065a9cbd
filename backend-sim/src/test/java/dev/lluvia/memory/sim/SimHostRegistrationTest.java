package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.HostRegistration;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Registered host memory on the sim: the same API contract as on Vulkan (direct buffers only, the
 * registered bytes viewed, idempotent close, the session's close closing what is left), and
 * transfers from and into registered bytes land like any others.
 */
class SimHostRegistrationTest {

    @Test
    void registrationsFollowTheContractAndTransfersLand() {
        Session session = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100")
                .withLeakPolicy(LeakPolicy.IGNORE));
        SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
        ByteBuffer host = ByteBuffer.allocateDirect(1 << 16);
        for (int i = 0; i < host.capacity(); i++) {
            host.put(i, (byte) (i * 7));
        }
        assertThrows(IllegalArgumentException.class, () -> session.registerHostMemory(ByteBuffer.allocate(16)));
        assertThrows(IllegalArgumentException.class, () -> session.registerHostMemory(host.slice(0, 0)));
        assertEquals(0, sim.registeredHostRanges(), "a refused registration leaves nothing behind");

        HostRegistration whole = session.registerHostMemory(host.position(16));
        host.position(0);
        assertEquals(host.capacity() - 16, whole.size());
        assertEquals(host.get(16), whole.buffer().get(0), "the view starts at the buffer's position");
        Memory device = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        Buffer buffer = device.createBuffer(1 << 15);
        buffer.write(0, host.slice(0, 1 << 15));
        ByteBuffer back = ByteBuffer.allocateDirect(1 << 15);
        buffer.read(0, back);
        assertEquals(host.slice(0, 1 << 15), back.clear());
        assertEquals(1, sim.registeredHostRanges());
        whole.close();
        whole.close();
        assertTrue(whole.isClosed());
        assertEquals(0, sim.registeredHostRanges());

        HostRegistration left = session.registerHostMemory(host);
        session.close();
        assertTrue(left.isClosed(), "closing the session closes its registrations");
        assertThrows(IllegalStateException.class, () -> session.registerHostMemory(host));
    }
}
