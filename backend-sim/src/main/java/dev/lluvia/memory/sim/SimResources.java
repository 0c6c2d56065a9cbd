package dev.lluvia.memory.sim;

import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.FeatureNotEnabledException;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.OutOfDeviceMemoryException;
import dev.lluvia.memory.UnsupportedImageFormatException;
import dev.lluvia.memory.spi.MemoryRequirements;
import dev.lluvia.memory.spi.Resource;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The sim's handles and its buffers and images: handle numbering, the live resources, and the
 * memory requirements of a new resource as the profile's {@link RequirementRule}s and
 * {@link ImageLayout}s compute them.
 *
 * <p>Handles are {@code (serial << 2) | kind}, so a destroyed handle can be told from one that
 * was never issued, and a page handle from a buffer handle, without remembering them.
 *
 * <p>Not thread-safe: every call is made under the device's lock.
 */
final class SimResources {

    static final int KIND_PAGE = 1;
    static final int KIND_BUFFER = 2;
    static final int KIND_IMAGE = 3;
    private static final String[] KIND_NAMES = {"?", "page", "buffer", "image"};

    /** The largest buffer the sim creates, 2^62 bytes: far above any heap, far below overflow. */
    static final long MAX_RESOURCE_SIZE = 1L << 62;

    private final SimProfile profile;
    private final DeviceProperties device;
    private final Set<DeviceFeature> features;
    private final SimPages pages;
    private final FaultInjector faults;
    private final Map<Long, SimResource> resources = new LinkedHashMap<>();
    private long nextSerial = 1;

    SimResources(SimProfile profile, Set<DeviceFeature> features, SimPages pages, FaultInjector faults) {
        this.profile = profile;
        this.device = profile.device();
        this.features = features;
        this.pages = pages;
        this.faults = faults;
    }

    long nextHandle(int kind) {
        return (nextSerial++ << 2) | kind;
    }

    private static int kindOf(long handle) {
        return (int) (handle & 3);
    }

    /** The requirements of an exportable resource: only the types exportable memory may be of. */
    private MemoryRequirements exportable(MemoryRequirements req, boolean exportable) {
        return exportable ? new MemoryRequirements(req.size(), req.alignment(),
                req.memoryTypeBits() & profile.exportableMemoryTypeBits(), req.prefersDedicated(), req.requiresDedicated()) : req;
    }

    Resource newBuffer(long size, int usageBits, boolean exportable) {
        if (size <= 0) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "createBuffer: size must be positive, was " + size);
        }
        if (usageBits == 0) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "createBuffer: usage must not be 0");
        }
        if (size > MAX_RESOURCE_SIZE) {
            // What a driver does for a buffer no device could address; it also keeps the
            // requirement rounding from overflowing. Sizes up to this reach the heap checks.
            throw new OutOfDeviceMemoryException("createBuffer of " + size + " bytes: more than the sim's limit of "
                    + MAX_RESOURCE_SIZE + " bytes for one resource: VK_ERROR_OUT_OF_DEVICE_MEMORY", -1, size);
        }
        if ((usageBits & BufferUsage.SHADER_DEVICE_ADDRESS.bit()) != 0 && !features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "createBuffer: usage SHADER_DEVICE_ADDRESS "
                    + "needs BUFFER_DEVICE_ADDRESS, which is not enabled on " + device.name());
        }
        MemoryRequirements req = exportable(profile.buffer().requirements(size, usageBits), exportable);
        faults.onCall(FaultPoint.CREATE_BUFFER, -1, size);
        long handle = nextHandle(KIND_BUFFER);
        resources.put(handle, new SimResource(handle, true, req, "buffer of " + size + " bytes", usageBits));
        return new Resource(handle, req);
    }

    Resource newImage(ImageDescriptor d, boolean exportable) {
        DeviceLimits limits = device.limits();
        int max = switch (d.dimensions()) {
            case 1 -> limits.maxImageDimension1D();
            case 2 -> limits.maxImageDimension2D();
            default -> limits.maxImageDimension3D();
        };
        if (d.width() > max || d.height() > max || d.depth() > max) {
            throw new SimViolationException(SimRule.INVALID_ARGUMENT, "createImage: " + d.width() + "x" + d.height()
                    + "x" + d.depth() + " exceeds the largest " + d.dimensions() + "D image side " + max);
        }
        boolean linear = d.tiling() == ImageTiling.LINEAR;
        checkImageFormat(d, linear);
        RequirementRule rule = linear ? profile.linearImage() : profile.optimalImage();
        ImageLayout layout = linear ? profile.linearLayout() : profile.optimalLayout();
        String refused = layout.whyRefused(d);
        if (refused != null) {
            throw new UnsupportedImageFormatException(device.name() + " does not support " + d.dimensions() + "D "
                    + d.tiling() + " images of format " + d.formatName() + " (" + d.channelType() + " x "
                    + d.channelCount() + ") with usage " + d.usage() + ", mipLevels " + d.mipLevels()
                    + ", arrayLayers " + d.arrayLayers() + ": " + refused);
        }
        MemoryRequirements req = exportable(rule.requirements(layout.bytes(d), ImageUsage.toBits(d.usage())), exportable);
        faults.onCall(FaultPoint.CREATE_IMAGE, -1, d.byteSize());
        long handle = nextHandle(KIND_IMAGE);
        resources.put(handle, new SimResource(handle, linear, req, "image " + d.width() + "x" + d.height() + "x"
                + d.depth() + " " + d.formatName() + " " + d.tiling()
                + (d.mipLevels() > 1 ? " " + d.mipLevels() + " levels" : "") + (d.arrayLayers() > 1 ? " " + d.arrayLayers() + " layers" : ""),
                ImageUsage.toBits(d.usage())));
        return new Resource(handle, req);
    }

    /**
     * The sim's format rules, those real drivers share: depth formats without color attachment
     * usage; the depth attachment usage only with depth formats; no storage on sRGB formats. The
     * rest (formats, levels, layers) is the profile's {@link ImageLayout}: which usages a depth
     * format takes (NVIDIA stores into D16 and D32 images, lavapipe into none) and whether with
     * linear tiling (NVIDIA's D16 and D32 as a transfer source only; the other profiles none).
     */
    private void checkImageFormat(ImageDescriptor d, boolean linear) {
        ImageFormat f = d.format();
        boolean depth = f != null && f.isDepth();
        Set<ImageUsage> usage = d.usage();
        String why = null;
        if (depth && usage.contains(ImageUsage.COLOR_ATTACHMENT)) {
            why = "depth formats cannot be COLOR_ATTACHMENT images";
        } else if (!depth && usage.contains(ImageUsage.DEPTH_STENCIL_ATTACHMENT)) {
            why = "DEPTH_STENCIL_ATTACHMENT needs a depth format";
        } else if (f != null && f.isSrgb() && usage.contains(ImageUsage.STORAGE)) {
            why = "sRGB formats cannot be STORAGE images";
        }
        if (why != null) {
            throw new UnsupportedImageFormatException(device.name() + " does not support " + d.dimensions()
                    + "D images of format " + d.formatName() + " with tiling " + d.tiling() + ", usage " + usage
                    + ", mipLevels " + d.mipLevels() + ", arrayLayers " + d.arrayLayers() + ": " + why);
        }
    }

    /** The live resource {@code handle}, or {@code null}. */
    SimResource get(long handle) {
        return resources.get(handle);
    }

    /** The live resource {@code handle} of {@code kind}, or a {@link SimRule#RESOURCE_NOT_LIVE} violation. */
    SimResource resource(long handle, int kind, String call) {
        SimResource r = resources.get(handle);
        if (r == null || kindOf(handle) != kind) {
            throw new SimViolationException(SimRule.RESOURCE_NOT_LIVE, call + ": " + describeDead(handle, kind));
        }
        return r;
    }

    /** The live page {@code handle}, or a {@link SimRule#PAGE_NOT_LIVE} violation. */
    SimPage page(long handle, String call) {
        SimPage p = pages.get(handle);
        if (p == null) {
            throw new SimViolationException(SimRule.PAGE_NOT_LIVE, call + ": " + describeDead(handle, KIND_PAGE));
        }
        return p;
    }

    /** The live, host-visible page {@code handle}, or a violation. */
    SimPage hostVisiblePage(long handle, String call) {
        SimPage p = page(handle, call);
        if (!p.type.isHostVisible()) {
            throw new SimViolationException(SimRule.NOT_HOST_VISIBLE, call + ": " + p + " is of memory type "
                    + p.type.index() + " " + p.type.flags() + ", which is not HOST_VISIBLE");
        }
        return p;
    }

    void remove(long handle) {
        resources.remove(handle);
    }

    void clear() {
        resources.clear();
    }

    Collection<SimResource> live() {
        return resources.values();
    }

    int count() {
        return resources.size();
    }

    /** Why a handle names nothing live: never issued, of another kind, or released. */
    String describeDead(long handle, int expectedKind) {
        String expected = KIND_NAMES[expectedKind];
        long serial = handle >>> 2;
        int kind = kindOf(handle);
        if (handle <= 0 || kind == 0 || serial >= nextSerial) {
            return "unknown " + expected + " handle 0x" + Long.toHexString(handle) + " (never issued by this device)";
        }
        if (kind != expectedKind) {
            return "handle 0x" + Long.toHexString(handle) + " is a " + KIND_NAMES[kind] + ", not a " + expected
                    + (isLive(handle) ? "" : " (and no longer live)");
        }
        return expected + " 0x" + Long.toHexString(handle) + " was already "
                + (kind == KIND_PAGE ? "freed" : "destroyed");
    }

    /** A live resource by its description, or a dead handle by why it is dead. */
    String describeHandle(long handle) {
        SimResource r = resources.get(handle);
        return r != null ? r.toString() : KIND_NAMES[kindOf(handle)] + " 0x" + Long.toHexString(handle) + " (destroyed)";
    }

    private boolean isLive(long handle) {
        return pages.get(handle) != null || resources.containsKey(handle);
    }
}
