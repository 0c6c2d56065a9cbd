package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

/**
 * What the allocator's Flight Recorder events cost: {@code createBuffer} + {@code close} of a
 * 4 KiB buffer, a 4 KiB {@code Buffer.write} into device-local memory (through the backend's
 * transfer where that memory is not host-visible, as on the sim's H100; through the mapping on
 * lavapipe) and into host-visible memory (through the mapping), and a 4 KiB {@code Image.write}
 * (always a copy on the device's queue: staged), with {@link #recording} {@code off} (no
 * recording in the JVM: each event point is an {@code isEnabled()} check) and {@code on} (a
 * recording with the JDK's {@code default} settings, which record the allocator's events at their
 * own defaults: objects of 1 MiB or more, transfers of 1 ms or more, every transfer timed). Each
 * value runs in its own JVM, so {@code off} never had Flight Recorder started. {@link #backend}
 * {@code sim} runs anywhere; {@code vulkan} takes the default device.
 *
 * <p>Without {@code jdk.jfr} in the runtime ({@code off} with {@code -jvmArgsAppend
 * "--limit-modules java.base,java.logging,java.management,jdk.unsupported"}) every event point is a
 * constant the JIT compiles away: the code as if it had no events, the baseline of {@code off}
 * ({@code benchmarks/scripts/jfr_cost.py} runs all three).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlightRecorderBenchmark {

    @Param({"off", "on"})
    public String recording;

    @Param({"sim"})
    public String backend;

    /** The sim's device: the H100's memory types, so device-local memory is not host-visible. */
    @Param({"nvidia-h100"})
    public String device;

    private AutoCloseable jfr;
    private Session session;
    private Memory deviceMemory;
    private Buffer deviceBuffer;
    private Buffer hostBuffer;
    private Image image;
    private final ByteBuffer bytes = ByteBuffer.allocateDirect(4096);

    @Setup(Level.Trial)
    public void open() throws Exception {
        if (recording.equals("on")) {
            jfr = DefaultRecording.start();
        }
        SessionOptions options = SessionOptions.defaults().withBackend(backend).withLeakPolicy(LeakPolicy.IGNORE);
        session = Session.create(backend.equals("sim") ? options.withDevice(device) : options);
        deviceMemory = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL));
        Memory host = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT));
        deviceBuffer = deviceMemory.createBuffer(4096);
        hostBuffer = host.createBuffer(4096);
        image = deviceMemory.createImage(64, 64, ChannelType.UINT8);
    }

    /** Its own class, so that a run without {@code jdk.jfr} never links to it. */
    private static final class DefaultRecording {
        static AutoCloseable start() throws java.io.IOException, java.text.ParseException {
            Recording r = new Recording(Configuration.getConfiguration("default"));
            r.start();
            return r;
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        session.close();
        if (jfr != null) {
            jfr.close();
        }
    }

    @Benchmark
    public long createBufferAndClose() {
        Buffer b = deviceMemory.createBuffer(4096);
        long offset = b.allocationInfo().offset();
        b.close();
        return offset;
    }

    @Benchmark
    public void writeDeviceLocal4KiB() {
        bytes.clear();
        deviceBuffer.write(0, bytes);
    }

    @Benchmark
    public void writeImage4KiB() {
        bytes.clear();
        image.write(bytes);
    }

    @Benchmark
    public void writeMapped4KiB() {
        bytes.clear();
        hostBuffer.write(0, bytes);
    }
}
