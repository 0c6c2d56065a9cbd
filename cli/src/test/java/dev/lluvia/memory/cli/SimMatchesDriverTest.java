package dev.lluvia.memory.cli;

import dev.lluvia.memory.BackendInfo;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sim answers as the real drivers do: {@link RequirementsDump}'s questions (ids and versions,
 * limits, memory types, buffers over sizes and every usage, images over every channel type x
 * channel count x tiling x 1D/2D/3D sizes, every explicit format, every usage, mip levels and
 * array layers; refusals included) go to every Vulkan device present, with validation on, and to
 * the sim profile of the same name ("NAME (simulated)"), and every answer must be equal. In CI this
 * is lavapipe against the {@code llvmpipe} profile; on an NVIDIA machine, each GPU against its
 * profile. Heaps are left to {@link RecordedDevicesTest}: a host heap's size follows the machine's
 * RAM, so a live machine may differ from the recorded one. Without Vulkan it skips, or fails when
 * {@code LLUVIA_VULKAN_REQUIRED=1}.
 */
class SimMatchesDriverTest {

    @Test
    void everySimProfileOfAPresentDeviceAnswersAsItsDriver() {
        List<String> compared = new ArrayList<>();
        for (DeviceSummary[] pair : devicesWithProfiles()) {
            DeviceSummary device = pair[0];
            DeviceSummary profile = pair[1];
            Map<String, Object> real = RequirementsDump.dump("vulkan", Integer.toString(device.index()));
            Map<String, Object> sim = RequirementsDump.dump("sim", Integer.toString(profile.index()));
            String which = device.describe() + " vs sim profile " + profile.index();
            assertEquals(0L, real.get("validationMessages"), which + ": the validation layer was silent");
            for (String key : List.of("type", "vendorId", "deviceId", "apiVersion", "driverVersion", "limits", "memoryTypes",
                    "memoryBudget", "externalMemoryFd")) {
                assertEquals(real.get(key), sim.get(key), which + ": " + key);
            }
            for (String key : List.of("buffers", "images", "descriptors")) {
                assertSameAnswers(which + ": " + key, (List<?>) real.get(key), (List<?>) sim.get(key));
            }
            compared.add(which);
        }
        System.out.println("compared: " + compared);
    }

    /**
     * Beyond the fixed questions: random descriptors (any format or channel type x count, 1D, 2D
     * or 3D of random sides, any usage set, either tiling, any number of levels, layers) are
     * answered alike, so a profile follows the driver's rules, not only the answers it was fitted
     * to. The seed is printed in a failure; {@code -Dlluvia.test.seed=N} replays it.
     */
    @Test
    void randomDescriptorsAreAnsweredAsTheDriverAnswersThem() {
        long seed = Long.getLong("lluvia.test.seed", System.nanoTime());
        for (DeviceSummary[] pair : devicesWithProfiles()) {
            List<ImageDescriptor> images = randomDescriptors(new Random(seed), 400);
            List<Map<String, Object>> real = RequirementsDump.ask("vulkan", Integer.toString(pair[0].index()), images);
            List<Map<String, Object>> sim = RequirementsDump.ask("sim", Integer.toString(pair[1].index()), images);
            String which = pair[0].describe() + " vs sim profile " + pair[1].index() + ", seed " + seed;
            assertEquals(Map.of("validationMessages", 0L), real.get(real.size() - 1), which + ": the validation layer was silent");
            assertSameAnswers(which + ": random descriptors", real, sim);
        }
    }

    /**
     * Through the public API, objects and their aliases (buffers and linear and optimal images on
     * buffers and images, at offsets inside, past the end and off the alignment) and exportable
     * memories are placed alike: each object's {@link AllocationInfo}, or the exception that
     * refused it.
     */
    @Test
    void aliasesAndExportableMemoriesArePlacedAsOnTheDriver() {
        for (DeviceSummary[] pair : devicesWithProfiles()) {
            List<String> real = placements("vulkan", pair[0].index());
            List<String> sim = placements("sim", pair[1].index());
            String which = pair[0].describe() + " vs sim profile " + pair[1].index();
            assertEquals("validation messages: 0", real.get(real.size() - 1), which + ": the validation layer was silent");
            assertSameAnswers(which + ": aliases and exportable memories", real, sim);
            assertTrue(real.stream().filter(line -> line.contains("AllocationInfo")).count() >= 10, String.join("\n", real));
        }
    }

    private static List<String> placements(String backend, int device) {
        List<String> out = new ArrayList<>();
        try (Session s = Session.create(SessionOptions.defaults().withBackend(backend).withDevice(Integer.toString(device))
                .withDebug(true).withLeakPolicy(LeakPolicy.IGNORE))) {
            // Pages large enough that the originals share them (an alias in a dedicated page is issue 22's item 4).
            Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(4 << 20));
            Buffer a = place(out, "buffer 700000", () -> m.createBuffer(700_000));
            Image b = place(out, "image 256x256 RGBA8", () -> m.createImage(ImageDescriptor.of(256, 256, ImageFormat.R8G8B8A8_UNORM)));
            Set<BufferUsage> uniform = EnumSet.of(BufferUsage.UNIFORM_BUFFER);
            place(out, "alias buffer 256 at 0 of the buffer", () -> m.createAliasingBuffer(a, 0, 256, uniform));
            place(out, "alias buffer 65536 at 4096 of the buffer", () -> m.createAliasingBuffer(a, 4096, 65536, BufferUsage.DEFAULT));
            place(out, "alias buffer at 699000 past the end", () -> m.createAliasingBuffer(a, 699_000, 4096, BufferUsage.DEFAULT));
            place(out, "alias uniform buffer at 3", () -> m.createAliasingBuffer(a, 3, 16, uniform));
            place(out, "alias linear image 64x64 R8 on the buffer", () -> m.createAliasingImage(a, 0,
                    ImageDescriptor.of(64, 64, ChannelType.UINT8).withTiling(ImageTiling.LINEAR)
                            .withUsage(EnumSet.of(ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST))));
            place(out, "alias image 256x256 R32F on the image", () -> m.createAliasingImage(b, 0,
                    ImageDescriptor.of(256, 256, ChannelType.FLOAT32)));
            place(out, "alias image 128x128 R8 at 64 of the image", () -> m.createAliasingImage(b, 64,
                    ImageDescriptor.of(128, 128, ChannelType.UINT8)));
            place(out, "alias buffer over the image", () -> m.createAliasingBuffer(b, 0, b.allocationInfo().size(), BufferUsage.DEFAULT));
            Memory exportable;
            try {
                exportable = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(1 << 20)
                        .withExportable(true));
            } catch (RuntimeException e) {
                out.add("exportable memory: refused " + e.getClass().getSimpleName());
                exportable = null;
            }
            if (exportable != null) {
                Memory e = exportable;
                Buffer eb = place(out, "exportable buffer 1000", () -> e.createBuffer(1000));
                place(out, "exportable image 100x30 R8", () -> e.createImage(ImageDescriptor.of(100, 30, ChannelType.UINT8)));
                place(out, "exportable linear image 100x30 RGBA8", () -> e.createImage(ImageDescriptor.of(100, 30, ChannelType.UINT8, 4)
                        .withTiling(ImageTiling.LINEAR)));
                place(out, "exportable image 4000x4000 R8 (own page)", () -> e.createImage(ImageDescriptor.of(4000, 4000, ChannelType.UINT8)));
                place(out, "alias on the exportable buffer", () -> e.createAliasingBuffer(eb, 16, 64, BufferUsage.DEFAULT));
                out.add("exportable pages: " + e.pageCount());
            }
            out.add("validation messages: " + s.unwrap(dev.lluvia.memory.spi.MemoryBackend.class)
                    .map(RequirementsDump::validationMessages).orElse(0L));
        }
        return out;
    }

    /** Creates the object, adds "what: its allocation info" or "what: refused EXCEPTION" to {@code out}. */
    private static <T extends MemoryObject> T place(List<String> out, String what, java.util.function.Supplier<T> create) {
        try {
            T object = create.get();
            out.add(what + ": " + object.allocationInfo());
            return object;
        } catch (RuntimeException e) {
            out.add(what + ": refused " + e.getClass().getSimpleName());
            return null;
        }
    }

    static List<ImageDescriptor> randomDescriptors(Random random, int count) {
        List<ImageDescriptor> out = new ArrayList<>();
        ImageFormat[] formats = ImageFormat.values();
        ChannelType[] types = ChannelType.values();
        ImageUsage[] usages = ImageUsage.values();
        while (out.size() < count) {
            int dims = 1 + random.nextInt(3);
            int w = 1 + random.nextInt(dims == 3 ? 96 : dims == 2 ? 1500 : 5000);
            int h = dims == 1 ? 1 : 2 + random.nextInt(dims == 3 ? 96 : 1500);
            int d = dims == 3 ? 2 + random.nextInt(40) : 1;
            ImageFormat format = random.nextInt(3) == 0 ? formats[random.nextInt(formats.length)] : null;
            ChannelType type = format != null ? format.channelType() : types[random.nextInt(types.length)];
            int channels = format != null ? format.channelCount() : 1 + random.nextInt(4);
            EnumSet<ImageUsage> usage = EnumSet.noneOf(ImageUsage.class);
            while (usage.isEmpty()) {
                for (ImageUsage u : usages) {
                    if (random.nextInt(3) == 0) {
                        usage.add(u);
                    }
                }
            }
            int maxLevels = 32 - Integer.numberOfLeadingZeros(Math.max(w, Math.max(h, d)));
            int levels = random.nextBoolean() ? 1 : 1 + random.nextInt(maxLevels);
            int layers = dims == 3 || random.nextBoolean() ? 1 : 1 + random.nextInt(12);
            ImageTiling tiling = random.nextBoolean() ? ImageTiling.OPTIMAL : ImageTiling.LINEAR;
            out.add(new ImageDescriptor(w, h, d, type, channels, tiling, usage, format, levels, layers));
        }
        return out;
    }

    private static void assertSameAnswers(String which, List<?> real, List<?> sim) {
        assertEquals(real.size(), sim.size(), which + ": number of answers");
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < real.size(); i++) {
            if (!real.get(i).equals(sim.get(i))) {
                differences.add("driver " + real.get(i) + " / sim " + sim.get(i));
            }
        }
        assertTrue(differences.isEmpty(), which + ": " + differences.size() + " of " + real.size() + " differ:\n"
                + String.join("\n", differences.subList(0, Math.min(20, differences.size()))));
    }

    /** Each usable Vulkan device with its sim profile: {device, profile}; aborts (or fails) without Vulkan. */
    private static List<DeviceSummary[]> devicesWithProfiles() {
        BackendInfo vulkan = Session.availableBackends().stream().filter(b -> b.name().equals("vulkan"))
                .findFirst().orElseThrow();
        if (!vulkan.available()) {
            String env = System.getenv("LLUVIA_VULKAN_REQUIRED");
            assertFalse("1".equals(env) || "true".equalsIgnoreCase(env), "Vulkan is required: " + vulkan.detail());
            Assumptions.abort("no Vulkan here: " + vulkan.detail());
        }
        List<DeviceSummary> profiles = Session.devices("sim");
        List<DeviceSummary[]> pairs = new ArrayList<>();
        for (DeviceSummary device : Session.devices("vulkan")) {
            DeviceSummary profile = profiles.stream().filter(p -> p.name().equals(device.name() + " (simulated)"))
                    .findFirst().orElse(null);
            if (!device.usable() || profile == null) {
                System.out.println("no sim profile for Vulkan device " + device.describe());
                continue;
            }
            pairs.add(new DeviceSummary[] {device, profile});
        }
        Assumptions.assumeFalse(pairs.isEmpty(), "no Vulkan device here has a sim profile");
        return pairs;
    }
}
