package dev.lluvia.memory.benchmarks;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.MappedSegments;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Setup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * The cost of the safe {@link MappedSegments} view (JDK 22 and newer) against the raw
 * {@link ByteBuffer} of the same mapping ({@link Buffer#mapByteBuffer()}) and the checked view,
 * peers in one run on the same bytes: {@link MappedViewBenchmark}'s bulk copies and per-int loop
 * (inherited, so that one run has all three), and the same through a segment, whose accesses the
 * JDK checks (bounds, and its shared arena still open). Target: within 1.2x of the raw view for
 * bulk copies.
 *
 * <p>Compiled by the JDK 22+ part of the build into {@code target/classes-java22}, whose JMH
 * benchmark list names only this class; run it on JDK 22 or newer with that folder first:
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp benchmarks/target/classes-java22:benchmarks/target/benchmarks.jar \
 *       org.openjdk.jmh.Main SegmentViewBenchmark
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SegmentViewBenchmark extends MappedViewBenchmark {

    private MemorySegment segment;

    /** After the inherited setup made the buffer. */
    @Setup
    public void mapSegment() {
        segment = MappedSegments.map(buffer);
    }

    @Benchmark
    public void bulkWriteSegment() {
        MemorySegment.copy(array, 0, segment, ValueLayout.JAVA_BYTE, 0, array.length);
    }

    @Benchmark
    public byte[] bulkReadSegment() {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, 0, array, 0, array.length);
        return array;
    }

    /** 1,024 set then get of an int over the first 4 KiB, as {@link MappedViewBenchmark#perIntRaw}. */
    @Benchmark
    public int perIntSegment() {
        final MemorySegment s = segment;
        int sum = 0;
        for (int i = 0; i < INTS; i++) {
            s.set(ValueLayout.JAVA_INT_UNALIGNED, 4L * i, i);
            sum += s.get(ValueLayout.JAVA_INT_UNALIGNED, 4L * i);
        }
        return sum;
    }
}
