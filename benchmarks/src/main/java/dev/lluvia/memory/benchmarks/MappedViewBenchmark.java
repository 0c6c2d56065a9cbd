package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The cost of the checked {@link MappedView} ({@link Buffer#map()}) against the raw
 * {@link ByteBuffer} of the same mapping ({@link Buffer#mapByteBuffer()}), peers in one run on the
 * same bytes: bulk copies of {@link #bytes} from and to a {@code byte[]} (one access check per
 * copy), and a loop of 1,024 {@code putInt}/{@code getInt} pairs over 4 KiB (one check per value).
 * The raw side uses the same absolute methods, so the difference is the view's bounds and access
 * checks. {@link #backend} {@code sim} (default, runs anywhere) maps off-heap memory;
 * {@code vulkan} maps a host-visible page of the default device; the checks cost the same on both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MappedViewBenchmark {

    protected static final int INTS = 1024;

    @Param({"sim"})
    public String backend;

    /** Bytes of a bulk copy: 4 KiB and 1 MiB. */
    @Param({"4096", "1048576"})
    public int bytes;

    private Session session;
    private MappedView view;
    /** For {@code SegmentViewBenchmark} (JDK 22+), which maps the same buffer once more. */
    protected Buffer buffer;
    protected ByteBuffer raw;
    protected byte[] array;

    @Setup
    public void open() {
        session = Session.create(SessionOptions.defaults().withBackend(backend).withLeakPolicy(LeakPolicy.IGNORE));
        buffer = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT),
                4L << 20, false).createBuffer(bytes);
        view = buffer.map();
        raw = buffer.mapByteBuffer();
        array = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            array[i] = (byte) (i * 31);
        }
    }

    @TearDown
    public void close() {
        session.close();
    }

    @Benchmark
    public void bulkWriteView() {
        view.put(0, array);
    }

    @Benchmark
    public void bulkWriteRaw() {
        raw.put(0, array);
    }

    @Benchmark
    public byte[] bulkReadView() {
        view.get(0, array);
        return array;
    }

    @Benchmark
    public byte[] bulkReadRaw() {
        raw.get(0, array);
        return array;
    }

    /** 1,024 putInt then getInt over the first 4 KiB; the result keeps the reads alive. */
    @Benchmark
    public int perIntView() {
        final MappedView v = view;
        int sum = 0;
        for (int i = 0; i < INTS; i++) {
            v.putInt(4L * i, i);
            sum += v.getInt(4L * i);
        }
        return sum;
    }

    @Benchmark
    public int perIntRaw() {
        final ByteBuffer r = raw;
        int sum = 0;
        for (int i = 0; i < INTS; i++) {
            r.putInt(4 * i, i);
            sum += r.getInt(4 * i);
        }
        return sum;
    }
}
