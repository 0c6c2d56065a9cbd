package dev.lluvia.memory;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Jazzer fuzz target: any size, usage bits and alignment, as a program could pass them, through
 * {@link BufferDescriptor} to {@link Memory#createBuffer(BufferDescriptor)} on the core's
 * {@link FakeBackend}. Each one either makes a buffer exactly as asked, or is refused with a typed
 * exception (an {@link IllegalArgumentException}, {@link FeatureNotEnabledException} or
 * {@link OutOfDeviceMemoryException}) naming the value, with the Memory's objects and the backend's
 * resources as they were (a heap refusal may give the kept empty pages back first: they are a cache).
 *
 * <p>In every {@code mvn verify} this replays the committed inputs (regression mode); to fuzz, see
 * {@code BlockAllocatorFuzzTest}.
 */
class BufferDescriptorFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void descriptorsAreCreatedAsAskedOrRefusedWithNothingChanged(FuzzedDataProvider data) {
        try (Session s = FakeBackend.session(FakeBackend.Config.discrete(),
                SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE))) {
            Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(1 << 20));
            FakeBackend fake = FakeBackend.of(s);
            int step = 0;
            while (data.remainingBytes() > 0 && step++ < 64) {
                long size = data.consumeBoolean() ? data.consumeLong(-2, 1 << 21) : data.consumeLong();
                int bits = data.consumeInt();
                long alignment = data.consumeBoolean() ? 1L << data.consumeInt(0, 62) : data.consumeLong();
                Statistics before = m.statistics();
                int resources = fake.liveResourceCount();
                Buffer b;
                try {
                    b = m.createBuffer(BufferDescriptor.of(Math.max(1, size)).withSize(size).withUsageBits(bits)
                            .withMinAlignment(alignment));
                } catch (IllegalArgumentException | FeatureNotEnabledException | OutOfDeviceMemoryException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), e.toString());
                    String what = "refused " + size + ", 0x" + Integer.toHexString(bits) + ", " + alignment;
                    Statistics after = m.statistics();
                    assertEquals(before.allocationCount(), after.allocationCount(), what);
                    assertEquals(before.allocationBytes(), after.allocationBytes(), what);
                    // Kept empty pages are a cache: a heap refusal gives them back first, else nothing changes.
                    assertTrue(after.pageBytes() <= before.pageBytes(), what);
                    assertEquals(resources, fake.liveResourceCount(), what);
                    continue;
                }
                if (size <= 0 || bits == 0 || Long.bitCount(alignment) != 1 || alignment < 0) {
                    fail("accepted size " + size + ", bits 0x" + Integer.toHexString(bits) + ", alignment " + alignment);
                }
                assertEquals(size, b.size());
                assertEquals(bits, BufferUsage.toBits(b.usage()));
                assertEquals(0, b.allocationInfo().offset() % alignment);
                b.close();
            }
        }
    }
}
