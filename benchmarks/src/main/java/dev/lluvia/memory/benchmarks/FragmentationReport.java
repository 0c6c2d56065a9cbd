package dev.lluvia.memory.benchmarks;

import java.util.Locale;

/**
 * Packing on VMA's workloads, for every peer: these figures are deterministic, so a plain program
 * prints them once instead of JMH. For the virtual-block benchmark at each alignment, and for the
 * algorithm benchmark's pre-filled random-order case:
 * <ul>
 *   <li><b>peak used</b>: the most units in live allocations at any time, as the peer reports it
 *       ({@code usedBytes()} for ours, where first fit and TLSF count kept padding;
 *       {@code vmaGetVirtualBlockStatistics().allocationBytes} for VMA);</li>
 *   <li><b>peak span</b>: the highest end offset of any allocation, the memory a block of that
 *       size would really need;</li>
 *   <li><b>after churn</b>: used units, free ranges and the largest free range when the random
 *       phase ends (VMA: {@code vmaCalculateVirtualBlockStatistics}), the fragmentation left.</li>
 * </ul>
 * Run: {@code java -cp benchmarks/target/benchmarks.jar dev.lluvia.memory.benchmarks.FragmentationReport}.
 */
public final class FragmentationReport {

    private FragmentationReport() {
    }

    public static void main(String[] args) {
        final Workloads.VirtualBlock w = Workloads.virtualBlock();
        System.out.printf(Locale.ROOT, "Virtual-block benchmark: %d sizes, block %,d units%n%n", w.sizes.length, w.capacity);
        System.out.println("| alignment | peer | peak used | peak span | used after churn | largest free range after churn | span / VMA_MIN_TIME span |");
        System.out.println("|---:|---|---:|---:|---:|---:|---:|");
        for (long alignment : Workloads.ALIGNMENTS) {
            long vmaSpan = 0;
            for (Peer.Kind kind : Peer.Kind.values()) {
                try (Peer p = kind.create(w.capacity)) {
                    final long[] live = new long[w.sizes.length + w.randomOps.length];
                    long peakUsed = 0;
                    long peakSpan = 0;
                    int n = 0;
                    for (long size : w.sizes) {
                        live[n++] = p.allocate(size, alignment);
                        peakSpan = Math.max(peakSpan, p.offset + size);
                    }
                    peakUsed = p.usedBytes();
                    for (long op : w.randomOps) {
                        if (op >= 0) {
                            live[n++] = p.allocate(op, alignment);
                            peakSpan = Math.max(peakSpan, p.offset + op);
                            peakUsed = Math.max(peakUsed, p.usedBytes());
                        } else {
                            final int victim = (int) (-1 - op);
                            p.free(live[victim]);
                            live[victim] = live[--n];
                        }
                    }
                    if (kind == Peer.Kind.VMA_MIN_TIME) {
                        vmaSpan = peakSpan;
                    }
                    System.out.printf(Locale.ROOT, "| %d | %s | %,d | %,d | %,d | %,d | %.3f |%n", alignment, kind,
                            peakUsed, peakSpan, p.usedBytes(), p.largestFreeRange(), peakSpan / (double) vmaSpan);
                }
            }
        }
        System.out.println();
        System.out.println("Algorithm benchmark, pre-filled, random free order (block 10,240,000):");
        System.out.println();
        System.out.println("| peer | peak used | peak span | largest free range at the end |");
        System.out.println("|---|---:|---:|---:|");
        final Workloads.Algorithm a = Workloads.algorithm(true, Workloads.FreeOrder.RANDOM);
        for (Peer.Kind kind : Peer.Kind.values()) {
            try (Peer p = kind.create(Workloads.ALGORITHM_CAPACITY)) {
                long peakSpan = 0;
                long peakUsed = 0;
                final long[] prefill = new long[a.prefillSizes.length];
                for (int i = 0; i < prefill.length; i++) {
                    prefill[i] = p.allocate(a.prefillSizes[i], 1);
                    peakSpan = Math.max(peakSpan, p.offset + a.prefillSizes[i]);
                }
                for (int i : a.prefillFrees) {
                    p.free(prefill[i]);
                }
                final long[] round = new long[Workloads.ALGORITHM_COUNT];
                for (int r = 0; r < Workloads.ALGORITHM_ROUNDS; r++) {
                    final int base = r * Workloads.ALGORITHM_COUNT;
                    for (int i = 0; i < round.length; i++) {
                        round[i] = p.allocate(a.sizes[base + i], 1);
                        peakSpan = Math.max(peakSpan, p.offset + a.sizes[base + i]);
                    }
                    peakUsed = Math.max(peakUsed, p.usedBytes());
                    for (int i = 0; i < round.length; i++) {
                        p.free(round[a.freeOrder[base + i]]);
                    }
                }
                System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d |%n", kind, peakUsed, peakSpan, p.largestFreeRange());
            }
        }
    }
}
