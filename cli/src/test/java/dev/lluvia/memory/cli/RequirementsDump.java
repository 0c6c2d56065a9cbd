package dev.lluvia.memory.cli;

import tools.jackson.databind.json.JsonMapper;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryType;
import dev.lluvia.memory.spi.BufferRequest;
import dev.lluvia.memory.spi.ImageRequest;
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
 * drivers present and requires the same answers, and {@link RecordedDevicesTest} compares the
 * answers recorded from drivers in {@code src/test/resources/devices/} with the sim's.
 *
 * <p>Beyond that fixed grid (whose request strings recorded files already use, so they never
 * change), {@code descriptors} asks about every kind of descriptor the API accepts: each buffer
 * usage alone, each explicit {@link ImageFormat}, each image usage, mip levels and array layers,
 * in 1D, 2D and 3D, with linear and optimal tiling.
 *
 * <p>Usage: {@code RequirementsDump BACKEND DEVICE OUT} (DEVICE: an index or name; OUT: a JSON
 * file, or a folder to write {@code NAME-DRIVER.json} into, the name {@link #fileName} gives, as
 * the recorded files are named).
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
        if (args.length != 3) {
            System.err.println("usage: RequirementsDump BACKEND DEVICE OUT.json|OUT_FOLDER  (e.g. vulkan 0 .)");
            System.exit(2);
        }
        Map<String, Object> answers = dump(args[0], args[1]);
        File out = new File(args[2]);
        if (out.isDirectory()) {
            out = new File(out, fileName((String) answers.get("name"), (String) answers.get("driverVersion")));
        }
        JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValue(out, answers);
        System.out.println("wrote " + out + ": " + ((List<?>) answers.get("buffers")).size() + " buffers, "
                + ((List<?>) answers.get("images")).size() + " images, " + ((List<?>) answers.get("descriptors")).size()
                + " other descriptors of " + answers.get("name") + "; validation messages: " + answers.get("validationMessages"));
    }

    /**
     * The file name of a device's answers: its name and its driver's version number, lower case,
     * runs of other characters as one {@code -}; e.g. {@code nvidia-h100-80gb-hbm3-580.159.04.json}
     * for "NVIDIA H100 80GB HBM3" on "NVIDIA 580.159.04".
     */
    static String fileName(String deviceName, String driverVersion) {
        String version = java.util.Arrays.stream(driverVersion.split("[^0-9.]+"))
                .filter(t -> !t.isEmpty() && Character.isDigit(t.charAt(0))).findFirst().orElse("");
        String name = (deviceName + " " + version).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.]+", "-");
        return name.replaceAll("^-|-$", "") + ".json";
    }

    /** The answers of device {@code device} of backend {@code backend}, in a JSON-ready map. */
    static Map<String, Object> dump(String backendName, String device) {
        Map<String, Object> out = new LinkedHashMap<>();
        MemoryBackend backend = open(backendName, device);
        try {
            DeviceProperties d = backend.device();
            out.put("name", d.name());
            out.put("type", d.type().name());
            out.put("vendorId", d.vendorId());
            out.put("deviceId", d.deviceId());
            out.put("apiVersion", d.apiVersion());
            out.put("driverVersion", d.driverVersion());
            out.put("memoryBudget", d.hasMemoryBudget());
            out.put("externalMemoryFd", backend.hasExternalMemoryFd());
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
                    buffers.add(bufferAnswer(backend, size, usage, false));
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
                                backend.destroyImage(r);
                                return r;
                            });
                            images.add(q);
                        }
                    }
                }
            }
            out.put("images", images);
            List<Object> descriptors = new ArrayList<>();
            for (Set<BufferUsage> usage : everyBufferUsage()) {
                for (long size : new long[] {5, 99, 65537}) {
                    descriptors.add(bufferAnswer(backend, size, usage, false));
                }
            }
            for (ImageDescriptor desc : everyImageDescriptor()) {
                descriptors.add(imageAnswer(backend, desc, false));
            }
            if (backend.hasExternalMemoryFd()) {
                for (Set<BufferUsage> usage : BUFFER_USAGES) {
                    for (long size : new long[] {1, 1000, 65536}) {
                        descriptors.add(bufferAnswer(backend, size, usage, true));
                    }
                }
                for (ImageDescriptor desc : exportableImageDescriptors()) {
                    descriptors.add(imageAnswer(backend, desc, true));
                }
            }
            out.put("descriptors", descriptors);
        } finally {
            backend.close();
        }
        out.put("validationMessages", validationMessages(backend));
        return out;
    }

    /**
     * The answers of device {@code device} of backend {@code backend} to these image requests, as
     * in {@link #dump}'s {@code descriptors}, and the validation messages seen (last entry, as
     * {@code {"validationMessages": n}}).
     */
    static List<Map<String, Object>> ask(String backendName, String device, List<ImageDescriptor> images) {
        List<Map<String, Object>> out = new ArrayList<>();
        MemoryBackend backend = open(backendName, device);
        try {
            for (ImageDescriptor desc : images) {
                out.add(imageAnswer(backend, desc, false));
            }
        } finally {
            backend.close();
        }
        out.add(Map.of("validationMessages", validationMessages(backend)));
        return out;
    }

    private static Map<String, Object> bufferAnswer(MemoryBackend backend, long size, Set<BufferUsage> usage,
                                                    boolean exportable) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("request", (exportable ? "exportable " : "") + "buffer " + size + " "
                + usage.stream().map(Enum::name).sorted().toList());
        answer(q, () -> {
            Resource r = backend.createBuffer(BufferRequest.of(size, BufferUsage.toBits(usage)).withExportable(exportable));
            backend.destroyBuffer(r);
            return r;
        });
        return q;
    }

    private static Map<String, Object> imageAnswer(MemoryBackend backend, ImageDescriptor desc, boolean exportable) {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("request", (exportable ? "exportable " : "") + describe(desc));
        answer(q, () -> {
            Resource r = backend.createImage(ImageRequest.of(desc).withExportable(exportable));
            backend.destroyImage(r);
            return r;
        });
        return q;
    }

    private static MemoryBackend open(String backendName, String device) {
        MemoryBackendProvider provider = ServiceLoader.load(MemoryBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals(backendName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no backend " + backendName));
        return provider.open(new BackendOptions(true, device, Map.of()));
    }

    /** Each buffer usage alone. */
    static List<Set<BufferUsage>> everyBufferUsage() {
        List<Set<BufferUsage>> list = new ArrayList<>();
        for (BufferUsage u : BufferUsage.values()) {
            list.add(EnumSet.of(u));
        }
        return list;
    }

    /**
     * Image descriptors of every kind the API accepts (each in 1D, 2D and 3D, linear and optimal):
     * each explicit format with a sampled and an attachment usage; each image usage alone and all
     * color usages together over channel types and counts (three-channel 32-bit formats with
     * storage among them); mip levels and array layers, full chains and partial ones, on the sizes
     * of a mip chain's corner cases (odd sides, sides reaching 1 before others).
     */
    static List<ImageDescriptor> everyImageDescriptor() {
        int[][] sizes = {{64, 1, 1}, {33, 17, 1}, {256, 256, 1}, {33, 9, 5}};
        List<ImageDescriptor> list = new ArrayList<>();
        for (ImageFormat format : ImageFormat.values()) {
            for (ImageTiling tiling : ImageTiling.values()) {
                for (int[] s : sizes) {
                    List<Set<ImageUsage>> usages = format.isDepth()
                            ? List.of(EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT, ImageUsage.SAMPLED), EnumSet.of(ImageUsage.TRANSFER_DST))
                            : List.of(EnumSet.of(ImageUsage.SAMPLED, ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST),
                                    EnumSet.of(ImageUsage.COLOR_ATTACHMENT, ImageUsage.SAMPLED), EnumSet.of(ImageUsage.STORAGE));
                    for (Set<ImageUsage> usage : usages) {
                        list.add(new ImageDescriptor(s[0], s[1], s[2], format.channelType(), format.channelCount(), tiling,
                                usage, format, 1, 1));
                    }
                }
            }
        }
        List<Set<ImageUsage>> usages = new ArrayList<>();
        for (ImageUsage u : ImageUsage.values()) {
            usages.add(EnumSet.of(u));
        }
        usages.add(EnumSet.complementOf(EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT)));
        for (ChannelType type : List.of(ChannelType.UINT8, ChannelType.INT16, ChannelType.FLOAT16, ChannelType.UINT32,
                ChannelType.FLOAT32)) {
            for (int channels : new int[] {1, 3, 4}) {
                for (ImageTiling tiling : ImageTiling.values()) {
                    for (int[] s : new int[][] {{100, 1, 1}, {100, 30, 1}, {4, 4, 4}}) {
                        for (Set<ImageUsage> usage : usages) {
                            list.add(new ImageDescriptor(s[0], s[1], s[2], type, channels, tiling, usage));
                        }
                    }
                }
            }
        }
        // {width, height, depth, levels, layers}
        int[][] chains = {{1000, 1, 1, 10, 1}, {1000, 1, 1, 3, 4}, {100, 30, 1, 7, 1}, {100, 30, 1, 2, 1}, {100, 30, 1, 7, 6},
                {256, 256, 1, 9, 1}, {256, 256, 1, 9, 6}, {33, 17, 1, 6, 3}, {640, 480, 1, 10, 1}, {1920, 1080, 1, 11, 2},
                {7, 300, 1, 9, 1}, {33, 9, 5, 6, 1}, {33, 9, 5, 3, 1}, {64, 64, 64, 7, 1}, {4, 4, 300, 9, 1},
                {32, 32, 1, 1, 6}, {8, 8, 1, 1, 2048}};
        for (ImageFormat format : List.of(ImageFormat.R8_UNORM, ImageFormat.R8G8B8A8_UNORM, ImageFormat.D32_SFLOAT)) {
            for (ImageTiling tiling : ImageTiling.values()) {
                for (int[] c : chains) {
                    Set<ImageUsage> usage = format.isDepth() ? EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT, ImageUsage.SAMPLED)
                            : EnumSet.of(ImageUsage.SAMPLED, ImageUsage.TRANSFER_SRC, ImageUsage.TRANSFER_DST);
                    list.add(new ImageDescriptor(c[0], c[1], c[2], format.channelType(), format.channelCount(), tiling, usage,
                            format, c[3], c[4]));
                }
            }
        }
        for (ChannelType type : List.of(ChannelType.UINT16, ChannelType.FLOAT32)) {
            for (int[] c : chains) {
                list.add(new ImageDescriptor(c[0], c[1], c[2], type, 2, ImageTiling.OPTIMAL, ImageUsage.DEFAULT, null, c[3], c[4]));
            }
        }
        return list;
    }

    /** Images for exportable pages: both tilings, 1D, 2D and 3D, formats, levels and layers. */
    static List<ImageDescriptor> exportableImageDescriptors() {
        List<ImageDescriptor> list = new ArrayList<>();
        for (ImageTiling tiling : ImageTiling.values()) {
            for (int[] s : new int[][] {{64, 1, 1}, {100, 30, 1}, {256, 256, 1}, {33, 9, 5}}) {
                for (ChannelType type : List.of(ChannelType.UINT8, ChannelType.FLOAT32)) {
                    for (int channels : new int[] {1, 4}) {
                        list.add(new ImageDescriptor(s[0], s[1], s[2], type, channels, tiling, ImageUsage.DEFAULT));
                    }
                }
                list.add(new ImageDescriptor(s[0], s[1], s[2], ChannelType.UINT8, 4, tiling,
                        EnumSet.of(ImageUsage.SAMPLED, ImageUsage.COLOR_ATTACHMENT), ImageFormat.R8G8B8A8_UNORM, 1, 1));
            }
        }
        list.add(ImageDescriptor.of(256, 256, ImageFormat.R8G8B8A8_SRGB).withUsage(EnumSet.of(ImageUsage.SAMPLED))
                .withMipLevels(9).withArrayLayers(6));
        list.add(ImageDescriptor.of(640, 480, ImageFormat.D32_SFLOAT).withUsage(EnumSet.of(ImageUsage.DEPTH_STENCIL_ATTACHMENT)));
        return list;
    }

    /** A descriptor in the words of the request strings: sizes, format, tiling, levels, layers, usage. */
    static String describe(ImageDescriptor d) {
        return "image " + d.width() + "x" + d.height() + "x" + d.depth() + " " + d.formatName() + " " + d.tiling()
                + " levels " + d.mipLevels() + " layers " + d.arrayLayers() + " "
                + d.usage().stream().map(Enum::name).sorted().toList();
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
    static long validationMessages(MemoryBackend backend) {
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
