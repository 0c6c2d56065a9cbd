package dev.lluvia.memory.report;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.PageInfo;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The session as a JSON document in the schema of VMA's memory dump ({@code GpuMemDump.schema.json},
 * what {@code vmaBuildStatsString} writes), so VMA's {@code GpuMemDumpVis.py} draws it.
 *
 * <h2>How Lluvia's model maps onto VMA's</h2>
 * <ul>
 *   <li>{@code General}: {@code API} "Vulkan", {@code GPU} the device name, and VMA's device facts
 *       ({@code apiVersion}, {@code deviceType} as the Vulkan enum value, limits, heap and type
 *       counts); added: {@code vendorID}, {@code deviceID}, {@code driverVersion}, {@code Backend}.</li>
 *   <li>A page is a VMA block (a {@code VkDeviceMemory}); an object is a suballocation.</li>
 *   <li>A {@link dev.lluvia.memory.Memory} has one memory type and one page size for its whole
 *       life, as a VMA custom pool has, so each is a pool in {@code CustomPools."Type N"} named
 *       {@code Memory#k} (k: its place in {@code Session.memories()}), with
 *       {@code PreferredBlockSize} = its page size. There is no default pool: {@code DefaultPools}
 *       is not written.</li>
 *   <li>A dedicated page (one object, freed with it) is one of the pool's
 *       {@code DedicatedAllocations}, as in VMA; regular pages are its {@code Blocks}, keyed by
 *       page index.</li>
 *   <li>Suballocation {@code Type}: {@code BUFFER}, {@code IMAGE_OPTIMAL}, {@code IMAGE_LINEAR};
 *       {@code Usage}: the Vulkan usage bits; {@code Name}: the object's name when it has one.</li>
 *   <li>Unused ranges are counted as VMA counts them: every maximal range not covered by an
 *       object's bytes, so alignment padding and the tail to the memory's quantum are part of
 *       the {@code FREE} entries next to them (VMA's own padding is free space too). The
 *       suballocations of a block cover it exactly, which is what the script needs to draw it;
 *       {@code UnusedBytes = TotalBytes - } the objects' bytes. {@code UnusedRangeCount} can
 *       therefore exceed {@code DetailedStatistics.freeRangeCount()}, which counts only what the
 *       allocator can give out.</li>
 *   <li>{@code MemoryInfo."Heap N"}: heap flags and size, the budget from
 *       {@code Session.heapBudgets()}, and the statistics of the heap and of each memory type in it.</li>
 *   <li>As VMA does, {@code AllocationSizeMin/Max} and {@code UnusedRangeSizeMin/Max} are written
 *       only when there are at least two of each.</li>
 * </ul>
 */
public final class VmaDump {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private VmaDump() {
    }

    /** The dump as a JSON tree. */
    public static ObjectNode of(SessionReport report) {
        DeviceProperties device = report.session().device();
        int typeCount = device.memoryTypes().size();
        Stats total = new Stats();
        Stats[] perType = new Stats[typeCount];
        for (int t = 0; t < typeCount; t++) {
            perType[t] = new Stats();
        }

        ObjectNode root = MAPPER.createObjectNode();
        general(root.putObject("General"), report);
        ObjectNode totalNode = root.putObject("Total");
        ObjectNode memoryInfo = root.putObject("MemoryInfo");
        ObjectNode customPools = MAPPER.createObjectNode();

        for (SessionReport.MemoryReport m : report.memories()) {
            int typeIndex = m.memory().memoryType().index();
            ObjectNode pool = customPools.withArray("Type " + typeIndex).addObject();
            pool.put("Name", m.name());
            pool.put("PreferredBlockSize", m.memory().pageSize());
            ObjectNode blocks = pool.putObject("Blocks");
            ArrayNode dedicated = pool.putArray("DedicatedAllocations");
            for (PageLayout page : m.pages()) {
                Stats pageStats = Stats.of(page);
                perType[typeIndex].add(pageStats);
                if (page.page().dedicated()) {
                    for (PageInfo.Placed p : page.page().objects()) {
                        ObjectNode a = dedicated.addObject();
                        a.put("Type", PageLayout.Kind.of(p.object()).name());
                        a.put("Size", p.info().size());
                        describe(a, p.object());
                    }
                } else {
                    block(blocks.putObject(Integer.toString(page.page().index())), page, pageStats);
                }
            }
        }

        List<HeapBudget> budgets = report.session().heapBudgets();
        for (MemoryHeap heap : device.memoryHeaps()) {
            ObjectNode h = memoryInfo.putObject("Heap " + heap.index());
            ArrayNode flags = h.putArray("Flags");
            if (heap.deviceLocal()) {
                flags.add("DEVICE_LOCAL");
            }
            h.put("Size", heap.size());
            ObjectNode budget = h.putObject("Budget");
            HeapBudget b = budgets.get(heap.index());
            budget.put("BudgetBytes", b.budget());
            budget.put("UsageBytes", b.usage());
            Stats heapStats = new Stats();
            ObjectNode pools = MAPPER.createObjectNode();
            for (MemoryType type : device.memoryTypes()) {
                if (type.heapIndex() == heap.index()) {
                    ObjectNode t = pools.putObject("Type " + type.index());
                    t.set("Flags", flagNames(type.flags()));
                    perType[type.index()].write(t.putObject("Stats"));
                    heapStats.add(perType[type.index()]);
                }
            }
            heapStats.write(h.putObject("Stats"));
            h.set("MemoryPools", pools);
            total.add(heapStats);
        }
        total.write(totalNode);
        root.set("CustomPools", customPools);
        return root;
    }

    /** The dump as indented JSON text. */
    public static String toJson(SessionReport report) {
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(of(report));
    }

    private static void general(ObjectNode g, SessionReport report) {
        DeviceProperties device = report.session().device();
        DeviceLimits limits = device.limits();
        g.put("API", "Vulkan");
        g.put("apiVersion", device.apiVersion());
        g.put("GPU", device.name());
        g.put("deviceType", vulkanDeviceType(device));
        g.put("vendorID", device.vendorId());
        g.put("deviceID", device.deviceId());
        g.put("driverVersion", device.driverVersion());
        g.put("maxMemoryAllocationCount", limits.maxMemoryAllocationCount());
        g.put("bufferImageGranularity", limits.bufferImageGranularity());
        g.put("nonCoherentAtomSize", limits.nonCoherentAtomSize());
        g.put("memoryHeapCount", device.memoryHeaps().size());
        g.put("memoryTypeCount", device.memoryTypes().size());
        g.put("Backend", report.session().backendName());
    }

    /** {@code VkPhysicalDeviceType}: OTHER 0, INTEGRATED_GPU 1, DISCRETE_GPU 2, VIRTUAL_GPU 3, CPU 4. */
    private static int vulkanDeviceType(DeviceProperties device) {
        return switch (device.type()) {
            case OTHER -> 0;
            case INTEGRATED_GPU -> 1;
            case DISCRETE_GPU -> 2;
            case VIRTUAL_GPU -> 3;
            case CPU -> 4;
        };
    }

    private static void block(ObjectNode b, PageLayout page, Stats stats) {
        b.put("TotalBytes", page.page().size());
        b.put("UnusedBytes", stats.blockBytes - stats.allocationBytes);
        b.put("Allocations", stats.allocationCount);
        b.put("UnusedRanges", stats.unusedRangeCount);
        ArrayNode subs = b.putArray("Suballocations");
        long cursor = 0;
        for (PageLayout.Segment s : page.segments()) {
            if (!s.kind().isObject()) {
                continue;
            }
            if (s.start() > cursor) {
                free(subs, cursor, s.start());
            }
            ObjectNode a = subs.addObject();
            a.put("Offset", s.start());
            a.put("Type", s.kind().name());
            a.put("Size", s.size());
            describe(a, s.placed().object());
            cursor = s.end();
        }
        if (cursor < page.page().size()) {
            free(subs, cursor, page.page().size());
        }
    }

    private static void free(ArrayNode subs, long start, long end) {
        ObjectNode f = subs.addObject();
        f.put("Offset", start);
        f.put("Type", "FREE");
        f.put("Size", end - start);
    }

    private static void describe(ObjectNode a, MemoryObject object) {
        if (object instanceof Buffer buffer) {
            a.put("Usage", BufferUsage.toBits(buffer.usage()));
        } else if (object instanceof Image image) {
            a.put("Usage", ImageUsage.toBits(image.descriptor().usage()));
        }
        if (object.name() != null) {
            a.put("Name", object.name());
        }
    }

    private static ArrayNode flagNames(Set<MemoryPropertyFlag> flags) {
        ArrayNode names = MAPPER.createArrayNode();
        if (!flags.isEmpty()) {
            for (MemoryPropertyFlag f : EnumSet.copyOf(flags)) {
                names.add(f.name());
            }
        }
        return names;
    }

    /** VMA's {@code VmaDetailedStatistics}, summed over pages. */
    static final class Stats {
        int blockCount;
        long blockBytes;
        int allocationCount;
        long allocationBytes;
        int unusedRangeCount;
        long allocationSizeMin = Long.MAX_VALUE;
        long allocationSizeMax;
        long unusedRangeSizeMin = Long.MAX_VALUE;
        long unusedRangeSizeMax;

        static Stats of(PageLayout page) {
            Stats s = new Stats();
            s.blockCount = 1;
            s.blockBytes = page.page().size();
            for (PageInfo.Placed p : page.page().objects()) {
                long size = p.info().size();
                s.allocationCount++;
                s.allocationBytes += size;
                s.allocationSizeMin = Math.min(s.allocationSizeMin, size);
                s.allocationSizeMax = Math.max(s.allocationSizeMax, size);
            }
            for (long[] r : page.unusedRanges()) {
                long size = r[1] - r[0];
                s.unusedRangeCount++;
                s.unusedRangeSizeMin = Math.min(s.unusedRangeSizeMin, size);
                s.unusedRangeSizeMax = Math.max(s.unusedRangeSizeMax, size);
            }
            return s;
        }

        void add(Stats o) {
            blockCount += o.blockCount;
            blockBytes += o.blockBytes;
            allocationCount += o.allocationCount;
            allocationBytes += o.allocationBytes;
            unusedRangeCount += o.unusedRangeCount;
            allocationSizeMin = Math.min(allocationSizeMin, o.allocationSizeMin);
            allocationSizeMax = Math.max(allocationSizeMax, o.allocationSizeMax);
            unusedRangeSizeMin = Math.min(unusedRangeSizeMin, o.unusedRangeSizeMin);
            unusedRangeSizeMax = Math.max(unusedRangeSizeMax, o.unusedRangeSizeMax);
        }

        void write(ObjectNode n) {
            n.put("BlockCount", blockCount);
            n.put("BlockBytes", blockBytes);
            n.put("AllocationCount", allocationCount);
            n.put("AllocationBytes", allocationBytes);
            n.put("UnusedRangeCount", unusedRangeCount);
            if (allocationCount > 1) {
                n.put("AllocationSizeMin", allocationSizeMin);
                n.put("AllocationSizeMax", allocationSizeMax);
            }
            if (unusedRangeCount > 1) {
                n.put("UnusedRangeSizeMin", unusedRangeSizeMin);
                n.put("UnusedRangeSizeMax", unusedRangeSizeMax);
            }
        }
    }
}
