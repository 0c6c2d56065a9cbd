package dev.lluvia.memory;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.Period;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * The allocator's JDK Flight Recorder event types, all in the category {@value #CATEGORY} and
 * named {@code dev.lluvia.memory.*}, with their labels and descriptions (what {@code jfr summary}
 * and JDK Mission Control show). {@link JfrEvents} makes and commits them; the settings beyond
 * JFR's own are {@link JfrSettings}.
 */
final class JfrEventTypes {

    static final String CATEGORY = "Lluvia Memory";

    private JfrEventTypes() {
    }


    @Category(CATEGORY)
    abstract static class SessionEvent extends Event {
        @Label("Session")
        @Description("The session's number, unique in this JVM")
        long session;
        @Label("Device")
        String device;
    }

    abstract static class MemoryEvent extends SessionEvent {
        @Label("Memory")
        @Description("The Memory's number in its session and its memory type")
        String memory;
    }

    abstract static class PageEvent extends MemoryEvent {
        @Label("Memory Type")
        int memoryType;
        @Label("Heap")
        int heap;
        @Label("Page")
        @Description("The page's index in its Memory")
        int page;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("Dedicated")
        @Description("Whether the page is a dedicated allocation for one object")
        boolean dedicated;
    }

    @Name("dev.lluvia.memory.PageAllocated")
    @Label("Page Allocated")
    @Description("A Memory asked the driver for a page (vkAllocateMemory); the duration is the driver's time")
    static final class PageAllocated extends PageEvent {
    }

    @Name("dev.lluvia.memory.PageFreed")
    @Label("Page Freed")
    @Description("A Memory gave a page back to the driver (vkFreeMemory); the duration is the driver's time")
    static final class PageFreed extends PageEvent {
    }

    abstract static class ObjectEvent extends MemoryEvent {
        @Label("Object")
        String object;
        @Label("Size")
        @Description("The driver's requirement size of the object")
        @DataAmount
        long bytes;
        @Label("Page")
        int page;
        @Label("Offset")
        @DataAmount
        long offset;

        @Label("Minimum Size")
        @Description("Objects smaller than this many bytes are not recorded (0 records all)")
        @Name("minSize")
        @SettingDefinition
        protected boolean minSize(JfrSettings.MinSizeSetting setting) {
            return bytes >= setting.bytes;
        }
    }

    @Name("dev.lluvia.memory.ObjectCreated")
    @Label("Object Created")
    @Description("A buffer or image was created and bound; objects under the minSize setting (1 MiB by default) are left out")
    @StackTrace(false)
    static final class ObjectCreated extends ObjectEvent {
    }

    @Name("dev.lluvia.memory.ObjectClosed")
    @Label("Object Closed")
    @Description("A buffer or image was closed; objects under the minSize setting (1 MiB by default) are left out")
    @StackTrace(false)
    static final class ObjectClosed extends ObjectEvent {
    }

    @Name("dev.lluvia.memory.CreateRefused")
    @Label("Create Refused")
    @Description("Creating a buffer or image failed after its driver object was made: no room in the heap, "
            + "a memory type the driver does not allow, or the driver's error")
    static final class CreateRefused extends MemoryEvent {
        @Label("Object")
        String object;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("Reason")
        @Description("The exception's type")
        String reason;
        @Label("Message")
        String message;
    }

    @Name("dev.lluvia.memory.DefragmentationPass")
    @Label("Defragmentation Pass")
    @Description("One pass of a Memory's defragmentation; the duration is the pass's time, device copies included")
    static final class DefragmentationPass extends MemoryEvent {
        @Label("Objects Moved")
        int objectsMoved;
        @Label("Bytes Moved")
        @DataAmount
        long bytesMoved;
    }

    @Name("dev.lluvia.memory.Transfer")
    @Label("Transfer")
    @Description("A Buffer or Image write or read that took at least the threshold (1 ms by default; 0 records "
            + "every transfer); the duration is the whole copy's")
    @StackTrace(false)
    @Threshold("1 ms")
    static final class Transfer extends MemoryEvent {
        @Label("Object")
        String object;
        @Label("Direction")
        @Description("upload (host to object) or download")
        String direction;
        @Label("Path")
        @Description("MAPPED (the object's own mapping), PINNED (a device copy from or into a mapped page of the "
                + "session), REGISTERED (from or into registered host memory), IMPORTED (the caller's memory imported "
                + "for the copy) or STAGED")
        String path;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("GB/s")
        @Description("Bytes per nanosecond: 10^9 bytes per second")
        double gbPerSecond;
        transient long startNanos;
    }

    @Name("dev.lluvia.memory.BudgetPressure")
    @Label("Budget Pressure")
    @Description("A heap's usage is at or over the pressure setting's share of its budget (90% by default); "
            + "checked after each page allocation and with the periodic heap statistics")
    static final class BudgetPressure extends SessionEvent {
        @Label("Heap")
        int heap;
        @Label("Budget")
        @DataAmount
        long budget;
        @Label("Usage")
        @DataAmount
        long usage;
        @Label("Share")
        @Percentage
        double share;
        @Label("Budget Reported")
        @Description("Whether the driver reported the budget (VK_EXT_memory_budget) or it is estimated")
        boolean budgetReported;

        @Label("Pressure")
        @Description("Percent of the budget from which usage is recorded as pressure")
        @Name("pressure")
        @SettingDefinition
        protected boolean pressure(JfrSettings.PressureSetting setting) {
            return budget > 0 && usage * 100.0 >= (double) setting.percent * budget;
        }
    }

    @Name("dev.lluvia.memory.LeakReported")
    @Label("Leak Reported")
    @Description("A Memory closed with live objects (whatever the session's leak policy)")
    static final class LeakReported extends MemoryEvent {
        @Label("Objects")
        int objects;
        @Label("Size")
        @DataAmount
        long bytes;
        @Label("Leak Policy")
        String policy;
        @Label("Object Names")
        @Description("The first leaked objects")
        String objectNames;
    }

    @Name("dev.lluvia.memory.HeapStatistics")
    @Label("Heap Statistics")
    @Description("Each heap's budget and usage, and this session's pages in it; every period and once as the session closes")
    @Period("1 s")
    @StackTrace(false)
    static final class HeapStatistics extends SessionEvent {
        @Label("Heap")
        int heap;
        @Label("Heap Size")
        @DataAmount
        long heapSize;
        @Label("Budget")
        @DataAmount
        long budget;
        @Label("Usage")
        @Description("The process's usage of the heap (the driver's figure where it reports one)")
        @DataAmount
        long usage;
        @Label("Budget Reported")
        boolean budgetReported;
        @Label("Page Bytes")
        @Description("Bytes of this session's pages in the heap")
        @DataAmount
        long pageBytes;
        @Label("Object Bytes")
        @DataAmount
        long objectBytes;
    }

    @Name("dev.lluvia.memory.MemoryStatistics")
    @Label("Memory Statistics")
    @Description("Each Memory's pages, objects and free ranges; every period and once as its session closes")
    @Period("1 s")
    @StackTrace(false)
    static final class MemoryStatistics extends MemoryEvent {
        @Label("Memory Type")
        int memoryType;
        @Label("Pages")
        int pages;
        @Label("Page Bytes")
        @DataAmount
        long pageBytes;
        @Label("Objects")
        int objects;
        @Label("Object Bytes")
        @DataAmount
        long objectBytes;
        @Label("Free Ranges")
        int freeRanges;
        @Label("Largest Free Range")
        @DataAmount
        long largestFreeRange;
    }
}
