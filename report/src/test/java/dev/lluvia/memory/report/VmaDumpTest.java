package dev.lluvia.memory.report;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lluvia.memory.Allocation;
import dev.lluvia.memory.AllocationRequest;
import dev.lluvia.memory.HeapBudget;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.ResourceKind;
import dev.lluvia.memory.ResourceRequirements;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dump validates against VMA's own schema (a copy in test resources, with its MIT licence)
 * and says what the session says: totals, heaps, budgets, and every object at its offset.
 */
class VmaDumpTest {

    static final Schema SCHEMA = loadSchema();

    /** A workload with every kind of object, a close that leaves a hole, and a dedicated page. */
    static final String[] FRAME = {
            "memory dev DEVICE_LOCAL pageSize=1MiB",
            "memory host HOST_VISIBLE,HOST_COHERENT pageSize=256KiB",
            "buffer vertices dev 100KiB usage=VERTEX_BUFFER",
            "buffer odd dev 100",
            "image albedo dev 128x128 UINT8 4",
            "image readback dev 64x64 UINT8 4 LINEAR",
            "buffer tmp dev 64KiB",
            "buffer after dev 10KiB",
            "close tmp",
            "image big dev 1024x1024 UINT8 4       # 4 MiB: larger than half a page, dedicated",
            "buffer staging host 4KiB usage=TRANSFER_SRC",
    };

    static Schema loadSchema() {
        try (InputStream in = VmaDumpTest.class.getResourceAsStream("/vma/GpuMemDump.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertValid(JsonNode dump) {
        List<Error> errors = SCHEMA.validate(dump);
        assertTrue(errors.isEmpty(), "schema errors: " + errors + "\n" + dump.toPrettyString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nvidia-h100", "llvmpipe", "mobile-noncoherent"})
    void theDumpOfAWorkloadValidatesAndAgreesWithTheSession(String profile) {
        try (Session session = Sessions.withTrace(profile, FRAME)) {
            ObjectNode dump = VmaDump.of(SessionReport.of(session));
            assertValid(dump);
            assertAgrees(session, dump);
        }
    }

    @Test
    void allocationsForTheProgramsResourcesShowByTheirKind() {
        try (Session session = Sessions.sim("nvidia-h100")) {
            Memory memory = session.createMemory(java.util.EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
            Allocation vertices = memory.allocate(AllocationRequest.of(
                    ResourceRequirements.of(4096, 256, -1), ResourceKind.BUFFER));
            vertices.setName("own vertices");
            Allocation texture = memory.allocate(AllocationRequest.of(
                    ResourceRequirements.of(8192, 1024, -1), ResourceKind.OPTIMAL_IMAGE));
            texture.setName("own texture");
            ObjectNode dump = VmaDump.of(SessionReport.of(session));
            assertValid(dump);
            JsonNode subs = dump.get("CustomPools").get("Type 1").get(0).get("Blocks").get("0").get("Suballocations");
            assertEquals("BUFFER", find(subs, "own vertices").get("Type").asString());
            assertEquals("IMAGE_OPTIMAL", find(subs, "own texture").get("Type").asString());
            assertEquals(texture.allocationInfo().offset(), find(subs, "own texture").get("Offset").asLong());
            assertTrue(MemoryMap.draw(SessionReport.of(session)) != null);
        }
    }

    @Test
    void theDumpOfAnEmptySessionValidates() {
        try (Session session = Sessions.sim("nvidia-h100")) {
            ObjectNode dump = VmaDump.of(SessionReport.of(session));
            assertValid(dump);
            assertEquals(0, dump.get("Total").get("BlockCount").asInt());
            assertEquals(5, dump.get("General").get("memoryTypeCount").asInt());
        }
    }

    @Test
    void theSchemaCheckCatchesADumpVmaWouldNotRead() {
        try (Session session = Sessions.withTrace("nvidia-h100", FRAME)) {
            ObjectNode dump = VmaDump.of(SessionReport.of(session));
            ((ObjectNode) dump.get("Total")).remove("BlockCount");
            ((ObjectNode) dump.get("General")).put("API", "Metal");
            List<Error> errors = SCHEMA.validate(dump);
            assertEquals(2, errors.size(), errors.toString());
        }
    }

    @Test
    void theDumpTextIsJsonThatParsesBackToTheSameTree() {
        try (Session session = Sessions.withTrace("llvmpipe", FRAME)) {
            SessionReport report = SessionReport.of(session);
            JsonMapper mapper = JsonMapper.builder().build();
            JsonNode parsed = mapper.readTree(VmaDump.toJson(report));
            assertEquals(mapper.writeValueAsString(VmaDump.of(report)), mapper.writeValueAsString(parsed));
        }
    }

    @Test
    void objectsShowAtTheirOffsetsWithKindUsageAndName() {
        try (Session session = Sessions.withTrace("nvidia-h100", FRAME)) {
            JsonNode pool = VmaDump.of(SessionReport.of(session)).get("CustomPools").get("Type 1").get(0);
            assertEquals("Memory#0", pool.get("Name").asString());
            assertEquals(1 << 20, pool.get("PreferredBlockSize").asLong());
            Memory dev = session.memories().get(0);
            JsonNode subs = pool.get("Blocks").get("0").get("Suballocations");
            JsonNode vertices = find(subs, "vertices");
            MemoryObject v = object(dev, "vertices");
            assertEquals(v.allocationInfo().offset(), vertices.get("Offset").asLong());
            assertEquals(100 * 1024, vertices.get("Size").asLong());
            assertEquals("BUFFER", vertices.get("Type").asString());
            assertEquals(0x80, vertices.get("Usage").asInt(), "VK_BUFFER_USAGE_VERTEX_BUFFER_BIT");
            assertEquals("IMAGE_OPTIMAL", find(subs, "albedo").get("Type").asString());
            assertEquals("IMAGE_LINEAR", find(subs, "readback").get("Type").asString());
            assertEquals(object(dev, "albedo").allocationInfo().offset(), find(subs, "albedo").get("Offset").asLong());
            // The closed tmp buffer left a hole: a FREE entry where it was.
            boolean hole = false;
            for (JsonNode s : subs) {
                hole |= s.get("Type").asString().equals("FREE") && s.get("Offset").asLong() > 0
                        && s.get("Offset").asLong() < object(dev, "after").allocationInfo().offset();
            }
            assertTrue(hole, "the closed buffer's range is FREE in " + subs.toPrettyString());
            JsonNode dedicated = pool.get("DedicatedAllocations");
            assertEquals(1, dedicated.size());
            assertEquals("big", dedicated.get(0).get("Name").asString());
            assertEquals(object(dev, "big").allocationInfo().size(), dedicated.get(0).get("Size").asLong());
        }
    }

    /** Every check a reader of the dump relies on, against the session's own answers. */
    private static void assertAgrees(Session session, JsonNode dump) {
        assertEquals("Vulkan", dump.get("General").get("API").asString());
        assertEquals(session.device().name(), dump.get("General").get("GPU").asString());
        assertStats(session.statistics(), dump.get("Total"), "Total");
        List<Statistics> heaps = session.heapStatistics();
        List<HeapBudget> budgets = session.heapBudgets();
        for (int h = 0; h < heaps.size(); h++) {
            JsonNode heap = dump.get("MemoryInfo").get("Heap " + h);
            assertStats(heaps.get(h), heap.get("Stats"), "Heap " + h);
            assertEquals(budgets.get(h).budget(), heap.get("Budget").get("BudgetBytes").asLong());
            assertEquals(budgets.get(h).usage(), heap.get("Budget").get("UsageBytes").asLong());
            assertEquals(session.device().memoryHeaps().get(h).size(), heap.get("Size").asLong());
        }
        List<Memory> memories = session.memories();
        List<JsonNode> pools = new ArrayList<>();
        dump.get("CustomPools").forEach(pools::add);
        int poolCount = 0;
        for (JsonNode perType : pools) {
            poolCount += perType.size();
        }
        assertEquals(memories.size(), poolCount, "one custom pool per Memory");
        for (int k = 0; k < memories.size(); k++) {
            Memory m = memories.get(k);
            JsonNode pool = poolNamed(dump, m.memoryType().index(), "Memory#" + k);
            int dedicatedPages = 0;
            for (PageInfo page : m.pages()) {
                if (page.dedicated()) {
                    dedicatedPages++;
                    continue;
                }
                JsonNode block = pool.get("Blocks").get(Integer.toString(page.index()));
                assertEquals(page.size(), block.get("TotalBytes").asLong());
                assertEquals(page.objects().size(), block.get("Allocations").asInt());
                long objectBytes = 0;
                for (PageInfo.Placed p : page.objects()) {
                    objectBytes += p.info().size();
                    JsonNode s = find(block.get("Suballocations"), p.object().name());
                    assertEquals(p.info().offset(), s.get("Offset").asLong(), p.object().toString());
                    assertEquals(p.info().size(), s.get("Size").asLong(), p.object().toString());
                }
                assertEquals(page.size() - objectBytes, block.get("UnusedBytes").asLong());
                // VMA's script draws suballocations one after the other by size: they must tile the block.
                long cursor = 0;
                int free = 0;
                for (JsonNode s : block.get("Suballocations")) {
                    assertEquals(cursor, s.get("Offset").asLong(), "suballocations tile the block: " + block);
                    cursor += s.get("Size").asLong();
                    free += s.get("Type").asString().equals("FREE") ? 1 : 0;
                }
                assertEquals(page.size(), cursor, "suballocations cover the block: " + block);
                assertEquals(free, block.get("UnusedRanges").asInt());
            }
            assertEquals(dedicatedPages, pool.get("DedicatedAllocations").size());
        }
    }

    private static void assertStats(Statistics expected, JsonNode stats, String where) {
        assertEquals(expected.pageCount(), stats.get("BlockCount").asInt(), where);
        assertEquals(expected.pageBytes(), stats.get("BlockBytes").asLong(), where);
        assertEquals(expected.allocationCount(), stats.get("AllocationCount").asInt(), where);
        assertEquals(expected.allocationBytes(), stats.get("AllocationBytes").asLong(), where);
    }

    private static JsonNode poolNamed(JsonNode dump, int type, String name) {
        for (JsonNode pool : dump.get("CustomPools").get("Type " + type)) {
            if (pool.get("Name").asString().equals(name)) {
                return pool;
            }
        }
        throw new AssertionError("no pool " + name + " under Type " + type + " in " + dump.get("CustomPools"));
    }

    static JsonNode find(JsonNode suballocations, String name) {
        for (JsonNode s : suballocations) {
            if (s.has("Name") && s.get("Name").asString().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("no suballocation named " + name + " in " + suballocations.toPrettyString());
    }

    static MemoryObject object(Memory memory, String name) {
        for (MemoryObject o : memory.objects()) {
            if (name.equals(o.name())) {
                return o;
            }
        }
        throw new AssertionError("no object " + name + " in " + memory);
    }

    @Test
    void paddingIsPartOfTheFreeEntriesAsInVma() {
        // H100, first fit: a 100-byte buffer (112 with the driver's rounding) at 0, then an optimal
        // image aligned to 1024: 912 bytes of left padding before it.
        try (Session session = Sessions.withTrace("nvidia-h100", "memory m DEVICE_LOCAL pageSize=64KiB algorithm=FIRST_FIT",
                "buffer b m 100", "image i m 32x32 UINT8")) {
            Memory m = session.memories().get(0);
            long bufferSize = object(m, "b").allocationInfo().size();
            long padding = object(m, "i").allocationInfo().leftPadding();
            assertEquals(1024, bufferSize + padding);
            JsonNode subs = VmaDump.of(SessionReport.of(session)).get("CustomPools").get("Type 1").get(0)
                    .get("Blocks").get("0").get("Suballocations");
            assertEquals(bufferSize, subs.get(1).get("Offset").asLong());
            assertEquals("FREE", subs.get(1).get("Type").asString());
            assertEquals(padding, subs.get(1).get("Size").asLong());
            assertFalse(subs.get(1).has("Name"));
            assertEquals(1024, subs.get(2).get("Offset").asLong());
            assertEquals("i", subs.get(2).get("Name").asString());
        }
    }
}
