package dev.lluvia.memory;

import dev.lluvia.memory.alloc.BlockStatistics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The reports of one {@link Memory} that walk its pages and objects: {@link Memory#detailedStatistics()}
 * and the {@link Memory#pages()} snapshot. Apart from placement because they only read, and run
 * far less often than {@code place} and free.
 *
 * <p>Not thread-safe: every call is made under the Memory's lock.
 */
final class MemoryReports {

    private MemoryReports() {
    }

    /** {@link Memory#detailedStatistics()}: {@code totals} plus free-range and object-size extremes. */
    static DetailedStatistics detailed(List<Page> pages, Iterable<MemoryObject> live, Statistics totals) {
        int freeRanges = 0;
        long largestFree = 0;
        long smallestFree = 0;
        for (Page p : pages) {
            if (p != null) {
                BlockStatistics b = p.allocator.statistics();
                freeRanges += b.freeRangeCount();
                largestFree = Math.max(largestFree, b.largestFreeRange());
                if (b.freeRangeCount() > 0) {
                    smallestFree = smallestFree == 0 ? b.smallestFreeRange() : Math.min(smallestFree, b.smallestFreeRange());
                }
            }
        }
        long largestAlloc = 0;
        long smallestAlloc = 0;
        for (MemoryObject o : live) {
            long size = o.infoLocked().size();
            largestAlloc = Math.max(largestAlloc, size);
            smallestAlloc = smallestAlloc == 0 ? size : Math.min(smallestAlloc, size);
        }
        return new DetailedStatistics(totals,
                freeRanges, largestFree, smallestFree, largestAlloc, smallestAlloc);
    }

    /** {@link Memory#pages()}: every page (null holes skipped) with its objects by offset. */
    static List<PageInfo> pages(List<Page> pages, Iterable<MemoryObject> live, int pageCount) {
        List<List<PageInfo.Placed>> byPage = new ArrayList<>(pages.size());
        for (int i = 0; i < pages.size(); i++) {
            byPage.add(new ArrayList<>());
        }
        for (MemoryObject o : live) {
            byPage.get(o.infoLocked().page()).add(new PageInfo.Placed(o, o.infoLocked()));
        }
        List<PageInfo> out = new ArrayList<>(pageCount);
        for (Page p : pages) {
            if (p != null) {
                List<PageInfo.Placed> objs = byPage.get(p.index);
                objs.sort(Comparator.comparingLong(x -> x.info().offset()));
                out.add(new PageInfo(p.index, p.size, p.dedicated, objs));
            }
        }
        return out;
    }
}
