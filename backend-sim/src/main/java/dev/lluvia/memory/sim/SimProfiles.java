package dev.lluvia.memory.sim;

import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.DeviceType;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.MemoryType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The sim's device profiles, kept as data: {@code profiles/index} in this package lists the
 * profile files in device-index order, and each {@code profiles/NAME.properties} describes one
 * device. Adding a device is adding a file and a line. Devices that answer alike share one file of
 * rules: a profile's {@code include=NAME} reads {@code profiles/NAME.properties} (not listed in
 * the index, not a device, no include of its own) first, and the profile's own keys override it.
 *
 * <p>Keys of a profile file (numbers are decimal, or hexadecimal with {@code 0x}):
 * <pre>
 *   include                                       a shared file of keys read first (optional)
 *   name, type (a {@link DeviceType}), vendorId, deviceId, apiVersion, driverVersion
 *   heap.N.size, heap.N.deviceLocal               heaps 0, 1, ... without gaps
 *   type.N.heap, type.N.flags                     memory types; flags comma-separated
 *                                                 {@link MemoryPropertyFlag} names, may be empty
 *   limits.bufferImageGranularity, limits.nonCoherentAtomSize, limits.maxMemoryAllocationCount,
 *   limits.maxImageDimension1D/2D/3D, limits.minStorageBufferOffsetAlignment
 *   memoryBudget (true: VK_EXT_memory_budget), memoryBudget.percent (default 100)
 *   features                                      {@link dev.lluvia.memory.DeviceFeature} names the device
 *                                                 supports, comma-separated (default none)
 *   externalMemoryFd                              true: VK_KHR_external_memory_fd (exportable memories)
 *   externalMemoryFd.memoryTypeBits               the types exportable resources may use (default all)
 *   R.alignment, R.sizeGranularity (default: alignment), R.minSize (default 0),
 *   R.memoryTypeBits, R.prefersDedicatedAbove, R.requiresDedicatedAbove (default 0 = off),
 *   R.alignment.USAGE (resources with that {@link dev.lluvia.memory.BufferUsage} or
 *       {@link dev.lluvia.memory.ImageUsage} are aligned, and sized, to at least this)
 *       for R in buffer, image.optimal, image.linear; see {@link RequirementRule}
 *   I.layout (tight, pitch, blockLinear; default tight), I.widthAlignment, I.rowPitchAlignment,
 *   I.heightAlignment, I.gobRows, I.maxBlockHeight, I.maxBlockDepth (default 1), I.npotPixelPadding,
 *   I.unsupported, I.unsupported.1D/2D/3D, I.unsupported.USAGE (refused formats: UINT8x3, *x3,
 *       FLOAT64x*, *, B8G8R8A8_UNORM; in every image, in images of those dimensions, or in images
 *       with that {@link dev.lluvia.memory.ImageUsage}),
 *   I.rowPitchAlignment.USAGE (pitch: rows of images with that usage aligned to at least this),
 *   I.maxMipLevels, I.maxArrayLayers (default: optimal 32 and 2048; linear 1 and 1, Vulkan's minimum)
 *       for I in image.optimal, image.linear; see {@link ImageLayout}
 * </pre>
 *
 * <p>A session can override any key of its profile with a backend property
 * {@code lluvia.sim.profile.KEY}, e.g. {@code lluvia.sim.profile.image.optimal.prefersDedicatedAbove=1048576}
 * or {@code lluvia.sim.profile.heap.0.size=67108864}, so tests can make a device with a small heap or a
 * dedicated-allocation rule without a new file.
 */
public final class SimProfiles {

    /** The profile opened when no device is named. */
    public static final String DEFAULT_PROFILE = "nvidia-h100";

    /** Prefix of backend properties that override profile keys. */
    public static final String OVERRIDE_PREFIX = "lluvia.sim.profile.";

    private static final String DIRECTORY = "profiles/";

    /** The largest value of a Vulkan {@code uint32_t}. */
    private static final long UINT32_MAX = 0xFFFF_FFFFL;

    private static volatile List<String> names;

    private SimProfiles() {
    }

    /** The profile names in device-index order: {@code withDevice("1")} opens the second. */
    public static List<String> names() {
        List<String> n = names;
        if (n == null) {
            n = readIndex();
            names = n;
        }
        return n;
    }

    /** Reads the profile of exactly this name (as listed in {@link #names()}). */
    public static SimProfile load(String name) {
        return load(name, Map.of());
    }

    /**
     * Reads a profile and applies overrides: every entry of {@code backendProperties} whose key
     * starts with {@link #OVERRIDE_PREFIX} replaces the profile key after the prefix; other
     * entries are ignored.
     *
     * @throws DeviceNotFoundException if no profile has this name
     */
    public static SimProfile load(String name, Map<String, String> backendProperties) {
        if (!names().contains(name)) {
            throw unknown(name);
        }
        Properties p = withInclude(name, readProperties(DIRECTORY + name + ".properties"));
        Set<String> overridden = new java.util.TreeSet<>();
        for (Map.Entry<String, String> e : backendProperties.entrySet()) {
            if (e.getKey().startsWith(OVERRIDE_PREFIX)) {
                p.setProperty(e.getKey().substring(OVERRIDE_PREFIX.length()), e.getValue());
                overridden.add(e.getKey().substring(OVERRIDE_PREFIX.length()));
            }
        }
        if (overridden.isEmpty()) {
            return parse(name, p);
        }
        ReadKeys read = new ReadKeys(p);
        SimProfile profile;
        try {
            profile = parse(name, read);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (overridden: " + OVERRIDE_PREFIX
                    + String.join(", " + OVERRIDE_PREFIX, overridden) + ")", e);
        }
        // A key the parser never looked at is misspelt or out of place (heap.5 after heap 1): refused
        // rather than silently ignored.
        for (String key : overridden) {
            if (!read.keys.contains(key)) {
                throw new IllegalArgumentException("unknown sim profile key in backend property " + OVERRIDE_PREFIX + key
                        + ": sim profile '" + name + "' reads no key " + key + " (the keys are listed on SimProfiles)");
            }
        }
        return profile;
    }

    /** A profile's keys that record which of them the parser asked for. */
    private static final class ReadKeys extends Properties {
        private static final long serialVersionUID = 1L;
        final transient Set<String> keys = new java.util.HashSet<>();

        ReadKeys(Properties p) {
            putAll(p);
        }

        @Override
        public String getProperty(String key) {
            keys.add(key);
            return super.getProperty(key);
        }

        @Override
        public boolean containsKey(Object key) {
            keys.add(String.valueOf(key));
            return super.containsKey(key);
        }
    }

    /**
     * The profile a session's device option selects: {@code null} for the default
     * ({@value #DEFAULT_PROFILE}), a profile name (case-insensitive) or an index into {@link #names()}.
     *
     * @throws DeviceNotFoundException naming the known profiles when nothing matches
     */
    public static String resolve(String nameOrIndex) {
        List<String> all = names();
        if (nameOrIndex == null) {
            return DEFAULT_PROFILE;
        }
        String wanted = nameOrIndex.trim();
        for (String n : all) {
            if (n.equalsIgnoreCase(wanted)) {
                return n;
            }
        }
        if (!wanted.isEmpty() && wanted.chars().allMatch(Character::isDigit) && wanted.length() < 10) {
            int index = Integer.parseInt(wanted);
            if (index < all.size()) {
                return all.get(index);
            }
        }
        throw unknown(nameOrIndex);
    }

    /**
     * Builds a profile from the keys described in the class comment.
     *
     * @throws IllegalArgumentException naming the profile and key that is missing or malformed
     */
    public static SimProfile parse(String id, Properties p) {
        Reader r = new Reader(id, p);
        List<MemoryHeap> heaps = new ArrayList<>();
        for (int i = 0; p.containsKey("heap." + i + ".size"); i++) {
            heaps.add(new MemoryHeap(i, r.number("heap." + i + ".size", 1, Long.MAX_VALUE),
                    r.bool("heap." + i + ".deviceLocal", false)));
        }
        if (heaps.isEmpty()) {
            throw r.bad("heap.0.size", "missing: a device needs at least one heap");
        }
        List<MemoryType> types = new ArrayList<>();
        for (int i = 0; p.containsKey("type." + i + ".heap"); i++) {
            int heap = (int) r.number("type." + i + ".heap");
            if (heap < 0 || heap >= heaps.size()) {
                throw r.bad("type." + i + ".heap", "names heap " + heap + " of " + heaps.size());
            }
            types.add(new MemoryType(i, heap, r.flags("type." + i + ".flags")));
        }
        if (types.isEmpty() || types.size() > 32) {
            throw r.bad("type.0.heap", "a device has 1 to 32 memory types, found " + types.size());
        }
        // Vulkan's ranges: the alignments are powers of two, the counts and sizes positive 32-bit
        // unsigned (maxMemoryAllocationCount) or signed (the image dimensions, Java ints here).
        DeviceLimits limits = new DeviceLimits(
                r.powerOfTwo("limits.bufferImageGranularity"),
                r.powerOfTwo("limits.nonCoherentAtomSize"),
                r.number("limits.maxMemoryAllocationCount", 1, UINT32_MAX),
                (int) r.number("limits.maxImageDimension1D", 1, Integer.MAX_VALUE),
                (int) r.number("limits.maxImageDimension2D", 1, Integer.MAX_VALUE),
                (int) r.number("limits.maxImageDimension3D", 1, Integer.MAX_VALUE),
                r.powerOfTwo("limits.minStorageBufferOffsetAlignment"));
        DeviceType type;
        try {
            type = DeviceType.valueOf(r.string("type").trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw r.bad("type", "not a device type " + List.of(DeviceType.values()));
        }
        boolean budget = r.bool("memoryBudget", false);
        DeviceProperties device = new DeviceProperties(r.string("name"), type, (int) r.number("vendorId", 0, UINT32_MAX),
                (int) r.number("deviceId", 0, UINT32_MAX), r.string("apiVersion"), r.string("driverVersion"), types, heaps,
                limits, budget);
        int percent = p.containsKey("memoryBudget.percent") ? (int) r.number("memoryBudget.percent", 1, 100) : 100;
        try {
            Map<String, Integer> bufferUsages = new java.util.LinkedHashMap<>();
            for (dev.lluvia.memory.BufferUsage u : dev.lluvia.memory.BufferUsage.values()) {
                bufferUsages.put(u.name(), u.bit());
            }
            Map<String, Integer> imageUsages = imageUsages();
            long allTypes = types.size() == 32 ? 0xFFFF_FFFFL : (1L << types.size()) - 1;
            long exportable = r.number("externalMemoryFd.memoryTypeBits", allTypes);
            if ((exportable & ~allTypes) != 0 || exportable == 0) {
                throw r.bad("externalMemoryFd.memoryTypeBits", "0x" + Long.toHexString(exportable)
                        + " names types the device (" + types.size() + " types) does not have, or none");
            }
            return new SimProfile(id, device, percent, r.rule("buffer", types.size(), bufferUsages),
                    r.rule("image.optimal", types.size(), imageUsages), r.rule("image.linear", types.size(), imageUsages),
                    r.layout("image.optimal", false), r.layout("image.linear", true), r.features("features"),
                    r.bool("externalMemoryFd", false), (int) exportable);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sim profile '" + id + "': " + e.getMessage(), e);
        }
    }

    private static Map<String, Integer> imageUsages() {
        Map<String, Integer> usages = new java.util.LinkedHashMap<>();
        for (dev.lluvia.memory.ImageUsage u : dev.lluvia.memory.ImageUsage.values()) {
            usages.put(u.name(), u.bit());
        }
        return usages;
    }

    /** The profile's keys over those of the file its {@code include} names, if any. */
    private static Properties withInclude(String name, Properties own) {
        String include = own.getProperty("include");
        if (include == null) {
            return own;
        }
        String resource = DIRECTORY + include.strip() + ".properties";
        if (SimProfiles.class.getResource(resource) == null) {
            throw new IllegalArgumentException("sim profile '" + name + "' key include: no file " + resource);
        }
        Properties merged = readProperties(resource);
        if (merged.containsKey("include")) {
            throw new IllegalArgumentException("sim profile '" + name + "' key include: " + resource
                    + " includes another file; shared files do not nest");
        }
        merged.putAll(own);
        merged.remove("include");
        return merged;
    }

    private static DeviceNotFoundException unknown(String name) {
        List<String> all = names();
        StringBuilder sb = new StringBuilder("unknown sim device profile '").append(name).append("'; known profiles:");
        for (int i = 0; i < all.size(); i++) {
            sb.append(i == 0 ? " " : ", ").append(i).append(' ').append(all.get(i));
        }
        return new DeviceNotFoundException(sb.toString());
    }

    private static List<String> readIndex() {
        List<String> list = new ArrayList<>();
        try (InputStream in = open(DIRECTORY + "index");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    list.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sim profile index", e);
        }
        return Collections.unmodifiableList(list);
    }

    private static Properties readProperties(String resource) {
        Properties p = new Properties();
        try (InputStream in = open(resource);
             InputStreamReader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sim profile " + resource, e);
        }
        return p;
    }

    private static InputStream open(String resource) {
        InputStream in = SimProfiles.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("sim profile resource " + resource + " is missing from the lluvia-memory-sim jar");
        }
        return in;
    }

    /** Typed reads of one profile's keys, with messages that name the profile and key. */
    private static final class Reader {
        private final String id;
        private final Properties p;

        Reader(String id, Properties p) {
            this.id = id;
            this.p = p;
        }

        String string(String key) {
            String v = p.getProperty(key);
            if (v == null) {
                throw bad(key, "missing");
            }
            return v.strip();
        }

        long number(String key) {
            return parseNumber(key, string(key));
        }

        /** A number in {@code [min, max]}. */
        long number(String key, long min, long max) {
            long v = number(key);
            if (v < min || v > max) {
                throw bad(key, v + " is out of range: " + min + " to " + max);
            }
            return v;
        }

        long powerOfTwo(String key) {
            long v = number(key);
            if (!dev.lluvia.memory.alloc.Align.isPowerOfTwo(v)) {
                throw bad(key, "must be a power of two, was " + v);
            }
            return v;
        }

        long number(String key, long fallback) {
            String v = p.getProperty(key);
            return v == null ? fallback : parseNumber(key, v.strip());
        }

        boolean bool(String key, boolean fallback) {
            String v = p.getProperty(key);
            if (v == null) {
                return fallback;
            }
            try {
                return dev.lluvia.memory.LluviaProperties.parseFlag(key, v);
            } catch (IllegalArgumentException e) {
                throw bad(key, "not true or false: '" + v.strip() + "'");
            }
        }

        Set<MemoryPropertyFlag> flags(String key) {
            String v = p.getProperty(key, "").strip();
            EnumSet<MemoryPropertyFlag> set = EnumSet.noneOf(MemoryPropertyFlag.class);
            if (!v.isEmpty()) {
                for (String f : v.split(",")) {
                    try {
                        set.add(MemoryPropertyFlag.valueOf(f.strip().toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw bad(key, "unknown memory property flag '" + f.strip() + "'");
                    }
                }
            }
            return set;
        }

        Set<dev.lluvia.memory.DeviceFeature> features(String key) {
            String v = p.getProperty(key, "").strip();
            EnumSet<dev.lluvia.memory.DeviceFeature> set = EnumSet.noneOf(dev.lluvia.memory.DeviceFeature.class);
            if (!v.isEmpty()) {
                for (String f : v.split(",")) {
                    try {
                        set.add(dev.lluvia.memory.DeviceFeature.valueOf(f.strip().toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw bad(key, "unknown device feature '" + f.strip() + "'; known: "
                                + List.of(dev.lluvia.memory.DeviceFeature.values()));
                    }
                }
            }
            return set;
        }

        /**
         * The keys {@code prefix + USAGE} as usage alignments, in usage-bit order; a key naming no
         * usage of {@code usages} is refused.
         */
        List<RequirementRule.UsageAlignment> usageAlignments(String prefix, Map<String, Integer> usages) {
            List<RequirementRule.UsageAlignment> out = new ArrayList<>();
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith(prefix)) {
                    Integer bit = usages.get(key.substring(prefix.length()));
                    if (bit == null) {
                        throw bad(key, "not a usage of these resources; usages: " + usages.keySet());
                    }
                    out.add(new RequirementRule.UsageAlignment(bit, powerOfTwo(key)));
                }
            }
            out.sort(java.util.Comparator.comparingInt(RequirementRule.UsageAlignment::usageBit));
            return out;
        }

        RequirementRule rule(String prefix, int typeCount, Map<String, Integer> usages) {
            long alignment = number(prefix + ".alignment");
            List<RequirementRule.UsageAlignment> usageAlignments = usageAlignments(prefix + ".alignment.", usages);
            long bits = number(prefix + ".memoryTypeBits");
            if (bits <= 0 || (typeCount < 32 && (bits >>> typeCount) != 0)) {
                throw bad(prefix + ".memoryTypeBits", "0x" + Long.toHexString(bits) + " names types the device ("
                        + typeCount + " types) does not have, or none");
            }
            return new RequirementRule(alignment, number(prefix + ".sizeGranularity", alignment),
                    number(prefix + ".minSize", 0), (int) bits, number(prefix + ".prefersDedicatedAbove", 0),
                    number(prefix + ".requiresDedicatedAbove", 0), usageAlignments);
        }

        ImageLayout layout(String prefix, boolean linear) {
            Map<String, List<String>> unsupported = new java.util.HashMap<>();
            List<String> keys = new ArrayList<>(ImageLayout.DIMENSION_KEYS);
            for (dev.lluvia.memory.ImageUsage u : dev.lluvia.memory.ImageUsage.values()) {
                keys.add(u.name());
            }
            for (String k : keys) {
                String key = prefix + ".unsupported" + (k.isEmpty() ? "" : "." + k);
                String v = p.getProperty(key, "").strip();
                if (!v.isEmpty()) {
                    unsupported.put(k, List.of(v.split("\\s*,\\s*")));
                }
            }
            try {
                // Vulkan guarantees linear images one level and one layer; drivers may allow more.
                return new ImageLayout(p.getProperty(prefix + ".layout", "tight").strip(),
                        number(prefix + ".widthAlignment", 1), number(prefix + ".rowPitchAlignment", 1),
                        number(prefix + ".heightAlignment", 1), number(prefix + ".gobRows", 1),
                        number(prefix + ".maxBlockHeight", 1), number(prefix + ".maxBlockDepth", 1),
                        bool(prefix + ".npotPixelPadding", false), unsupported,
                        (int) number(prefix + ".maxMipLevels", linear ? 1 : 32),
                        (int) number(prefix + ".maxArrayLayers", linear ? 1 : 2048),
                        usageAlignments(prefix + ".rowPitchAlignment.", imageUsages()));
            } catch (IllegalArgumentException e) {
                throw bad(prefix + ".layout", e.getMessage());
            }
        }

        private long parseNumber(String key, String v) {
            try {
                String digits = v.replace("_", "");
                return digits.startsWith("0x") || digits.startsWith("0X")
                        ? Long.parseLong(digits.substring(2), 16) : Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw bad(key, "not a number: '" + v + "'");
            }
        }

        IllegalArgumentException bad(String key, String why) {
            return new IllegalArgumentException("sim profile '" + id + "' key " + key + ": " + why);
        }
    }
}
