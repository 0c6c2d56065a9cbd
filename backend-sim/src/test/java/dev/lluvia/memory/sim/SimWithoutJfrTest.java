package dev.lluvia.memory.sim;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.TransferPath;
import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A runtime without {@code jdk.jfr} (as {@code jlink} makes one that leaves it out): a child JVM
 * limited to {@code java.base} and {@code java.logging} creates, writes and closes, every event
 * point on the way, and its metrics still count the transfer.
 */
class SimWithoutJfrTest {

    /** The child: prints whether jdk.jfr is there, then the staged transfers counted. */
    public static void main(String[] args) {
        System.out.println("jdk.jfr " + ModuleLayer.boot().findModule("jdk.jfr").isPresent());
        try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice("nvidia-h100"))) {
            Memory m = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer b = m.createBuffer(2 << 20);
            b.write(0, ByteBuffer.allocate(4096));
            b.close();
            System.out.println("staged " + s.metrics().transfers().get(TransferPath.STAGED).bytes());
        }
    }

    @Test
    void worksWhereTheRuntimeHasNoJdkJfr() throws IOException, InterruptedException {
        ChildJvm.Result r = ChildJvm.run(SimWithoutJfrTest.class, 60, List.of("--limit-modules", "java.base,java.logging"));
        String out = r.output();
        assertEquals(0, r.exitCode(), out);
        assertEquals(List.of("jdk.jfr false", "staged 4096"), out.lines().toList(), out);
    }
}
