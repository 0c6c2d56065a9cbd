package dev.lluvia.memory.cli;

import tools.jackson.databind.json.JsonMapper;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;
import dev.lluvia.memory.spi.Resource;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Asks one device of a backend the same fixed set of questions and writes its answers as JSON:
 * the limits and memory types, and the memory requirements (size, alignment, memoryTypeBits) of
 * buffers over sizes and usages and of images over every {@link ChannelType} x channel count x
 * tiling x a range of 1D, 2D and 3D sizes (or the exception a request got). Run on a real driver
 * it gives the data for a sim profile; {@link SimMatchesDriverTest} runs it on the sim and on the
 * drivers present and requires the same answers.
 *
 * <p>Usage: {@code RequirementsDump BACKEND DEVICE OUT.json} (DEVICE: an index or name).
 */
public final class RequirementsDump {

    /** Buffer sizes asked for: small, odd, page-like and large. */
    static final long[] BUFFER_SIZES = {1, 3, 16, 17, 63, 64, 65, 100, 256, 1000, 1024, 4097, 65536, 1_000_001,
            16L << 20};
    /** Buffer usages asked for. */
    static final List<Set<BufferUsage>> BUFFER_USAGES = List.of(BufferUsage.DEFAULT,
            EnumSet.of(BufferUsage.UNIFORM_BUFFER), EnumSet.of(BufferUsage.VERTEX_BUFFER, BufferUsage.INDEX_BUFFER),
            EnumSet.of(BufferUsage.TRANSFER_SRC), EnumSet.of(BufferUsage.UNIFORM_TEXEL_BUFFER, BufferUsage.STORAGE_TEXEL_BUFFER),
            EnumSet.of(BufferUsage.INDIRECT_BUFFER, BufferUsage.STORAGE_BUFFER));
    /** Image sizes asked for, {width, height, depth}: 1D, 2D and 3D. */
    static final int[][] IMAGE_SIZES = {
            {1, 1, 1}, {7, 1, 1}, {64, 1, 1}, {1000, 1, 1},
            {8, 8, 1}, {100, 3, 1}, {32, 32, 1}, {33, 17, 1}, {256, 256, 1}, {640, 480, 1}, {1920, 1080, 1},
            {4, 4, 4}, {33, 9, 5}, {64, 64, 64}};

    private RequirementsDump() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Object> answers = dump(args[0], args[1]);
        JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValue(new File(args[2]), answers);
        System.out.println("wrote " + args[2] + ": " + ((List<?>) answers.get("buffers")).size() + " buffers, "
                + ((List<?>) answers.get("images")).size() + " images of " + answers.get("name"));
    }

    /** The answers of device {@code device} of backend {@code backend}, in a JSON-ready map. */
    static Map<String, Object> dump(String backendName, String device) {
        MemoryBackendProvider provider = ServiceLoader.load(MemoryBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(backendName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend " + backendName));
        Map<String, Object> out = new LinkedHashMap<>();
        MemoryBackend backend = provider.open(new BackendOptions(true, device, Map.of()));
        try {
            DeviceProperties d = backend.device();
            out.put("name", d.name());
            out.put("type", d.type().name());
            out.put("vendorId", d.vendorId());
            out.put("deviceId", d.deviceId());
            out.put("apiVersion", d.apiVersion());
            out.put("driverVersion", d.driverVersion());
            out.put("memoryBudget", d.hasMemoryBudget());
            List<Object> heaps = new ArrayList<>();
            for (MemoryHeap h : d.memoryHeaps()) {
                heaps.add(Map.of("size", h.size(), "deviceLocal", h.deviceLocal()));
            }
            out.put("heaps", heaps);
            List<Object> types = new ArrayList<>();
            for (MemoryType t : d.memoryTypes()) {
                types.add(Map.of("heap", t.heapIndex(), "flags", t.flags().stream().map(Enum::name).sorted().toList()));
            }
            out.put("memoryTypes", types);
            Map<String, Object> limits = new LinkedHashMap<>();
            limits.put("bufferImageGranularity", d.limits().bufferImageGranularity());
            limits.put("nonCoherentAtomSize", d.limits().nonCoherentAtomSize());
            limits.put("maxMemoryAllocationCount", d.limits().maxMemoryAllocationCount());
            limits.put("maxImageDimension1D", d.limits().maxImageDimension1D());
            limits.put("maxImageDimension2D", d.limits().maxImageDimension2D());
            limits.put("maxImageDimension3D", d.limits().maxImageDimension3D());
            limits.put("minStorageBufferOffsetAlignment", d.limits().minStorageBufferOffsetAlignment());
            out.put("limits", limits);
            List<Object> buffers = new ArrayList<>();
            for (Set<BufferUsage> usage : BUFFER_USAGES) {
                for (long size : BUFFER_SIZES) {
                    Map<String, Object> q = new LinkedHashMap<>();
                    q.put("request", "buffer " + size + " " + usage.stream().map(Enum::name).sorted().toList());
                    answer(q, () -> {
                        Resource r = backend.createBuffer(size, BufferUsage.toBits(usage));
                        backend.destroyBuffer(r.handle());
                        return r;
                    });
                    buffers.add(q);
                }
            }
            out.put("buffers", buffers);
            List<Object> images = new ArrayList<>();
            for (ChannelType type : ChannelType.values()) {
                for (int channels = 1; channels <= 4; channels++) {
                    for (ImageTiling tiling : ImageTiling.values()) {
                        for (int[] s : IMAGE_SIZES) {
                            ImageDescriptor desc = new ImageDescriptor(s[0], s[1], s[2], type, channels, tiling,
                                    tiling == ImageTiling.LINEAR ? EnumSet.of(ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST)
                                            : ImageUsage.DEFAULT);
                            Map<String, Object> q = new LinkedHashMap<>();
                            q.put("request", "image " + s[0] + "x" + s[1] + "x" + s[2] + " " + type + "x" + channels + " " + tiling);
                            answer(q, () -> {
                                Resource r = backend.createImage(desc);
                                backend.destroyImage(r.handle());
                                return r;
                            });
                            images.add(q);
                        }
                    }
                }
            }
            out.put("images", images);
        } finally {
            backend.close();
        }
        out.put("validationMessages", validationMessages(backend));
        return out;
    }

    private static void answer(Map<String, Object> q, java.util.function.Supplier<Resource> request) {
        try {
            Resource r = request.get();
            q.put("size", r.requirements().size());
            q.put("alignment", r.requirements().alignment());
            q.put("memoryTypeBits", r.requirements().memoryTypeBits());
        } catch (RuntimeException e) {
            q.put("refused", e.getClass().getSimpleName());
        }
    }

    /** The Vulkan backend's validation errors + warnings (read reflectively: no compile dependency); 0 elsewhere. */
    private static long validationMessages(MemoryBackend backend) {
        try {
            Method errors = backend.getClass().getMethod("validationErrorCount");
            Method warnings = backend.getClass().getMethod("validationWarningCount");
            return (long) errors.invoke(backend) + (long) warnings.invoke(backend);
        } catch (NoSuchMethodException e) {
            return 0;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
