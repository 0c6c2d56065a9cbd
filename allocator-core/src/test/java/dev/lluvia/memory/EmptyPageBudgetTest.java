package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The empty-page budget of a {@link Memory} ({@link MemoryOptions#emptyPageBudget()}): which empty
 * regular pages are kept, that they are reused before the driver is asked, and
 * {@link Memory#releaseEmptyPages()}; on the core's {@link FakeBackend}, which counts the pages it
 * was asked for and checks every bind and free.
 */
class EmptyPageBudgetTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private static Session open() {
        return FakeBackend.session(FakeBackend.Config.cpu(), SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE));
    }

    private static MemoryOptions deviceLocal(long pageSize) {
        return MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(pageSize);
    }

    /** Fills {@code pages} regular pages of {@code m} with two half-page buffers each. */
    private static List<Buffer> fill(Memory m, int pages) {
        List<Buffer> made = new ArrayList<>();
        for (int n = 0; n < 2 * pages; n++) {
            made.add(m.createBuffer(m.pageSize() / 2));
        }
        assertEquals(pages, m.pageCount(), "two half-page buffers per regular page");
        return made;
    }

    private static void closeAll(List<? extends MemoryObject> objects) {
        for (MemoryObject o : objects) {
            o.close();
        }
    }

    /** The empty pages of {@code m} by {@link Memory#pages()}, checked against the statistics. */
    private static int emptyPages(Memory m) {
        int empty = 0;
        long bytes = 0;
        for (PageInfo p : m.pages()) {
            bytes += p.size();
            if (p.objects().isEmpty()) {
                empty++; // a regular page, or a large object's plain page kept for the next one
            }
        }
        assertEquals(m.statistics().pageBytes(), bytes, "pages() and statistics() agree");
        assertEquals(m.pageCount(), m.pages().size());
        return empty;
    }

    @Test
    void theBudgetBoundsTheBytesOfKeptEmptyPages() {
        try (Session s = open()) {
            FakeBackend fake = FakeBackend.of(s);
            // 200 KiB: three 64 KiB pages fit, a fourth would not.
            Memory m = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(200 * KIB));
            closeAll(fill(m, 8));
            assertEquals(3, m.pageCount());
            assertEquals(3, emptyPages(m));
            assertEquals(3 * 64 * KIB, m.statistics().pageBytes());
            assertEquals(3, fake.livePageCount());
            assertEquals(3 * 64 * KIB, fake.heapUsage(0), "kept pages count in the heap's usage");
            assertEquals(s.heaps.used(0), fake.heapUsage(0), "the session's heap accounting agrees");

            Memory none = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(0));
            closeAll(fill(none, 4));
            assertEquals(0, none.pageCount(), "a budget of 0 keeps no empty page");
            assertEquals(3, fake.livePageCount());

            Memory lessThanAPage = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(64 * KIB - 1));
            closeAll(fill(lessThanAPage, 2));
            assertEquals(0, lessThanAPage.pageCount(), "a page that does not fit the budget is freed");
        }
    }

    @Test
    void theDefaultBudgetIs256MiBOrOnePageWhicheverIsLarger() {
        assertEquals(MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET, deviceLocal(32 * MIB).emptyPageBudget());
        assertEquals(256 * MIB, deviceLocal(32 * MIB).effectiveEmptyPageBudget());
        assertEquals(512 * MIB, deviceLocal(512 * MIB).effectiveEmptyPageBudget());
        assertEquals(5, deviceLocal(32 * MIB).withEmptyPageBudget(5).effectiveEmptyPageBudget());
        try (Session s = open()) {
            Memory small = s.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)); // Lluvia's 32 MiB pages
            closeAll(fill(small, 10));
            assertEquals(8, small.pageCount(), "eight 32 MiB pages make the 256 MiB default");
            small.close();
            Memory large = s.createMemory(deviceLocal(512 * MIB));
            closeAll(fill(large, 2));
            assertEquals(1, large.pageCount(), "one page when a page is larger than 256 MiB");
            assertEquals(1, emptyPages(large));
        }
    }

    @Test
    void keptPagesAreReusedBeforeTheDriverIsAskedForNewOnes() {
        try (Session s = open()) {
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(4 * 64 * KIB));
            closeAll(fill(m, 6));
            assertEquals(4, m.pageCount());
            int asked = fake.pageAllocations();
            // Any page allocation now fails: the four kept pages must serve eight half-page buffers.
            fake.failNextPages(1000);
            List<Buffer> again = fill(m, 4);
            assertEquals(asked, fake.pageAllocations(), "no page was asked of the driver");
            assertEquals(0, emptyPages(m));
            // A fifth page is a new one: the injected failure surfaces, typed, and changes nothing.
            assertThrows(OutOfDeviceMemoryException.class, () -> m.createBuffer(m.pageSize() / 2));
            assertEquals(4, m.pageCount());
            assertEquals(8, m.objects().size());
            fake.failNextPages(0);
            again.add(m.createBuffer(m.pageSize() / 2));
            assertEquals(5, m.pageCount());
            closeAll(again);
            assertEquals(4, m.pageCount(), "the fifth empty page is over the budget");
            assertEquals(4, fake.livePageCount());
        }
    }

    @Test
    void pagesTheDriverAskedForAreFreedAtOnceWhateverTheBudget() {
        FakeBackend.Config cpu = FakeBackend.Config.cpu();
        // Buffers over 16 KiB require an allocation of their own, images over 16 KiB prefer one.
        try (Session s = FakeBackend.session(cpu.withBuffer(cpu.buffer().withRequiresDedicatedAbove(16 * KIB))
                        .withOptimalImage(cpu.optimalImage().withPrefersDedicatedAbove(16 * KIB)),
                SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE))) {
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(1 << 30));
            Buffer big = m.createBuffer(24 * KIB);
            Image image = m.createImage(256, 128, ChannelType.UINT8);
            assertTrue(m.pages().get(0).dedicated());
            assertTrue(m.pages().get(1).dedicated());
            assertEquals(2, fake.livePagesForAResource(), "both allocated for their resource");
            big.close();
            image.close();
            assertEquals(0, m.pageCount(), "memory allocated for one resource goes with it");
            assertEquals(0, fake.livePageCount());
        }
    }

    /**
     * A buffer the driver merely prefers to have alone gets a page of its own that is not allocated
     * for it: kept within the budget when it closes and taken by the next buffer it fits, so a loop
     * of such buffers calls the driver once.
     */
    @Test
    void aBufferTheDriverOnlyPrefersAloneGetsAPlainPageThatIsReused() {
        FakeBackend.Config cpu = FakeBackend.Config.cpu();
        try (Session s = FakeBackend.session(cpu.withBuffer(cpu.buffer().withPrefersDedicatedAbove(16 * KIB)),
                SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE))) {
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(200 * KIB));
            Buffer small = m.createBuffer(8 * KIB);
            assertFalse(m.pages().get(0).dedicated(), "not preferred alone: a regular page");
            // 24 KiB is below half a page: alone only because the driver prefers it.
            for (long size : new long[] {24 * KIB, 128 * KIB}) {
                Buffer first = m.createBuffer(size);
                final int page = first.allocationInfo().page();
                assertTrue(m.pages().get(page).dedicated());
                assertEquals(size, m.pages().get(page).size(), "a page of the buffer's size");
                assertEquals(0, first.allocationInfo().offset());
                assertEquals(0, fake.livePagesForAResource(), "not allocated for the buffer");
                first.close();
                assertEquals(1, emptyPages(m), "kept: it fits the budget");
                final int asked = fake.pageAllocations();
                for (int i = 0; i < 10; i++) {
                    Buffer again = m.createBuffer(size);
                    assertEquals(new AllocationInfo(page, 0, 0, size), again.allocationInfo());
                    again.close();
                }
                assertEquals(asked, fake.pageAllocations(), "ten creates and closes, no driver call");
                assertEquals(size, m.releaseEmptyPages(), "the kept page goes back");
            }
            assertEquals(1, fake.livePageCount(), "only the small buffer's regular page is left");
            small.close();
        }
    }

    /**
     * Issue 24: a large object's page (over half the page size, no dedicated allocation asked by
     * the driver) is a plain page that is kept within the budget and taken by the next large
     * object it fits: create/close of large buffers calls the driver once.
     */
    @Test
    void largeObjectsPagesAreKeptWithinTheBudgetAndReusedByTheNextOneTheyFit() {
        try (Session s = open()) {
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * KIB).withEmptyPageBudget(200 * KIB));
            Buffer big = m.createBuffer(128 * KIB);
            assertTrue(m.pages().get(0).dedicated());
            assertEquals(128 * KIB, m.pages().get(0).size(), "a page of the object's size");
            big.close();
            assertEquals(1, m.pageCount(), "kept: it fits the budget");
            assertEquals(1, emptyPages(m));
            final int asked = fake.pageAllocations();
            for (int i = 0; i < 10; i++) {
                Buffer again = m.createBuffer(128 * KIB - 8 * KIB); // within an eighth: takes the kept page
                assertEquals(new AllocationInfo(0, 0, 0, 120 * KIB), again.allocationInfo());
                again.close();
            }
            assertEquals(asked, fake.pageAllocations(), "ten creates and closes, no driver call");
            Buffer tooSmall = m.createBuffer(100 * KIB); // the kept page would waste over an eighth
            assertEquals(asked + 1, fake.pageAllocations());
            assertEquals(2, m.pageCount());
            Buffer tooLarge = m.createBuffer(129 * KIB);
            assertEquals(asked + 2, fake.pageAllocations());
            assertEquals(3, m.pageCount());
            tooLarge.close(); // 128 KiB kept + 129 KiB: over the 200 KiB budget
            tooSmall.close(); // 128 KiB kept + 100 KiB: over it too
            assertEquals(1, m.pageCount(), "only what fits the budget is kept");
            assertEquals(1, fake.livePageCount());
            assertEquals(128 * KIB, m.releaseEmptyPages());
            assertEquals(0, m.pageCount(), "releaseEmptyPages gives kept large pages back too");
            assertEquals(0, fake.livePageCount());
        }
    }

    @Test
    void releaseEmptyPagesGivesBackEveryKeptPageAndNothingInUse() {
        try (Session s = open()) {
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * KIB));
            assertEquals(0, m.releaseEmptyPages(), "nothing to give back before the first page");
            List<Buffer> made = fill(m, 5);
            Buffer dedicated = m.createBuffer(40 * KIB);
            Buffer keep = made.get(0);
            closeAll(made.subList(1, made.size()));
            assertEquals(6, m.pageCount(), "one page in use, four kept empty, one dedicated");
            assertEquals(4 * 64 * KIB, m.releaseEmptyPages());
            assertEquals(2, m.pageCount());
            assertEquals(2, fake.livePageCount());
            assertEquals(64 * KIB + 40 * KIB, fake.heapUsage(0));
            assertEquals(0, emptyPages(m));
            assertEquals(0, m.releaseEmptyPages(), "nothing left to give back");
            assertEquals(keep.allocationInfo(), m.pages().get(keep.allocationInfo().page()).objects().get(0).info());
            // Freed pages are asked for again when needed, and kept again afterwards.
            int asked = fake.pageAllocations();
            Buffer besideKeep = m.createBuffer(32 * KIB);
            assertEquals(keep.allocationInfo().page(), besideKeep.allocationInfo().page());
            Buffer onANewPage = m.createBuffer(32 * KIB);
            assertEquals(asked + 1, fake.pageAllocations());
            closeAll(List.of(keep, besideKeep, onANewPage, dedicated));
            assertEquals(3, m.pageCount(), "two regular pages and the large object's, kept");
            assertEquals(3, emptyPages(m));
            m.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, m::releaseEmptyPages);
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }

    @Test
    void aBadBudgetIsRefusedNamingTheValue() {
        MemoryOptions options = deviceLocal(64 * KIB).withEmptyPageBudget(4096);
        for (long bad : new long[] {-2, -4096, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> options.withEmptyPageBudget(bad));
            assertTrue(e.getMessage().contains("emptyPageBudget") && e.getMessage().endsWith("was " + bad), e.getMessage());
        }
        assertEquals(4096, options.emptyPageBudget(), "the options refused nothing of their own");
        assertEquals(MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET,
                options.withEmptyPageBudget(MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET).emptyPageBudget());
        assertEquals(Long.MAX_VALUE, options.withEmptyPageBudget(Long.MAX_VALUE).effectiveEmptyPageBudget());
    }

    @Test
    void closingTheMemoryOrTheSessionFreesKeptPages() {
        try (Session s = open()) {
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * KIB));
            closeAll(fill(m, 5));
            Memory other = s.createMemory(deviceLocal(64 * KIB));
            closeAll(fill(other, 3));
            assertEquals(8, fake.livePageCount());
            m.close();
            assertEquals(3, fake.livePageCount());
            assertEquals(3 * 64 * KIB, fake.heapUsage(0));
            s.close();
            assertEquals(0, fake.heapUsage(0));
        }
    }

    @Test
    void keptPagesGoBackWhenTheHeapIsFullAndANewPageIsNeeded() {
        try (Session s = open()) { // one heap of 2 GiB
            FakeBackend fake = FakeBackend.of(s);
            Memory m = s.createMemory(deviceLocal(64 * MIB).withEmptyPageBudget(1L << 30));
            closeAll(fill(m, 32)); // the whole heap, then 16 pages (1 GiB) kept
            assertEquals(16, m.pageCount());
            assertEquals(1L << 30, fake.heapUsage(0));
            // 1.5 GiB dedicated: it fits the heap only without the kept pages.
            Buffer big = m.createBuffer(1536 * MIB);
            assertEquals(1, m.pageCount());
            assertEquals(1536 * MIB, fake.heapUsage(0));
            big.close();
            assertEquals(0, m.pageCount());
            // When the pages kept are not enough, the request is still refused, typed; the kept
            // pages have gone back to the driver.
            closeAll(fill(m, 4));
            Buffer other = s.createMemory(deviceLocal(64 * MIB)).createBuffer(1536 * MIB);
            assertEquals(1536 * MIB + 4 * 64 * MIB, fake.heapUsage(0));
            assertThrows(OutOfDeviceMemoryException.class, () -> m.createBuffer(1024 * MIB));
            assertEquals(0, m.pageCount());
            assertEquals(1536 * MIB, fake.heapUsage(0));
            assertEquals(1, fake.liveResourceCount(), "other's buffer only: the refused one was destroyed");
            other.close();
        }
    }

    @Test
    void pagesKeptByAnotherMemoryOfTheHeapGoBackBeforeANewPageIsRefused() {
        try (Session s = open()) { // one heap of 2 GiB
            FakeBackend fake = FakeBackend.of(s);
            Memory keeper = s.createMemory(deviceLocal(64 * MIB)); // the default budget: 256 MiB
            closeAll(fill(keeper, 32));
            assertEquals(4, emptyPages(keeper));
            assertEquals(256 * MIB, fake.heapUsage(0), "no object is live, 256 MiB are kept");
            // 1.9 GiB fits the heap only without the other Memory's kept pages.
            Memory asking = s.createMemory(deviceLocal(64 * MIB));
            Buffer big = asking.createBuffer(1900 * MIB);
            assertEquals(0, keeper.pageCount(), "the keeper gave its empty pages back");
            assertEquals(1, asking.pageCount());
            assertEquals(1900 * MIB, fake.heapUsage(0));
            assertEquals(s.heaps.used(0), fake.heapUsage(0), "the session's heap accounting agrees");
            // Nothing kept anywhere: the refusal stays typed, and leaves nothing behind.
            assertThrows(OutOfDeviceMemoryException.class, () -> keeper.createBuffer(1024 * MIB));
            assertEquals(1, fake.liveResourceCount(), "the big buffer only: the refused one was destroyed");
            big.close();
        }
    }

    /**
     * A page the session's heap accounting refuses is asked for again once the other Memories of
     * the heap gave their kept empty pages back; a page the driver refuses is not (the kept pages
     * stay: freeing them would not help the driver).
     */
    @Test
    void aHeapRefusalIsRetriedAfterOtherMemoriesGiveKeptPagesBackButADriverRefusalIsNot() {
        try (Session s = open()) {
            FakeBackend fake = FakeBackend.of(s);
            Memory keeper = s.createMemory(deviceLocal(512 * MIB).withEmptyPageBudget(2048 * MIB));
            closeAll(fill(keeper, 1)); // 0.5 GiB of the 2 GiB heap kept empty: 1 GiB more fits the heap
            Memory asking = s.createMemory(deviceLocal(1024 * MIB));
            fake.failNextPages(1);
            assertThrows(OutOfDeviceMemoryException.class, () -> asking.createBuffer(64 * MIB));
            assertEquals(1, emptyPages(keeper), "a driver refusal takes no kept page from others");
            closeAll(fill(keeper, 3)); // now 1.5 GiB kept: the heap refuses 1 GiB more
            assertEquals(3, emptyPages(keeper));
            Buffer b = asking.createBuffer(64 * MIB);
            assertEquals(0, keeper.pageCount(), "the keeper gave its kept pages back for the retry");
            assertEquals(1, asking.pageCount());
            b.close();
        }
    }
}
