package dev.lluvia.memory;

import java.util.Set;

/**
 * The checks of a create call's arguments ({@link Memory#createBuffer}, {@link Memory#createImage}
 * and their aliasing forms) against the device and the memory type, each ending in a typed
 * exception that names the bad value. Apart from {@code Memory} so that placement reads as
 * placement; on success none of them allocates, so the hot path stays allocation-free.
 */
final class CreateChecks {

    private CreateChecks() {
    }

    /** An image within the device's largest side for its dimensions. */
    static void requireImageLimits(Session session, ImageDescriptor d) {
        DeviceLimits limits = session.device().limits();
        int max = switch (d.dimensions()) {
            case 1 -> limits.maxImageDimension1D();
            case 2 -> limits.maxImageDimension2D();
            default -> limits.maxImageDimension3D();
        };
        if (d.width() > max || d.height() > max || d.depth() > max) {
            throw new IllegalArgumentException("image " + d.width() + "x" + d.height() + "x" + d.depth()
                    + " exceeds the device's largest " + d.dimensions() + "D image side of " + max);
        }
    }

    /**
     * The memory type in {@code memoryTypeBits}, else an {@link IncompatibleMemoryTypeException}
     * naming {@code object} and the types it allows; builds nothing when the type is allowed.
     */
    static void requireMemoryType(Session session, MemoryType type, int memoryTypeBits, MemoryObject object,
                                  String verb) {
        if ((memoryTypeBits & (1 << type.index())) == 0) {
            throw new IncompatibleMemoryTypeException(object.describe() + " " + verb + " memory type "
                    + type.index() + " " + type.flags() + ": its memoryTypeBits are 0x"
                    + Integer.toHexString(memoryTypeBits) + compatibleTypes(session, memoryTypeBits));
        }
    }

    /** A buffer usage whose features the session has enabled ({@link BufferUsage#SHADER_DEVICE_ADDRESS}). */
    static void requireFeatures(Session session, long size, Set<BufferUsage> usage) {
        if (usage.contains(BufferUsage.SHADER_DEVICE_ADDRESS)
                && !session.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
            throw new FeatureNotEnabledException(DeviceFeature.BUFFER_DEVICE_ADDRESS, "a buffer of " + size
                    + " bytes with usage " + usage + " needs " + DeviceFeature.BUFFER_DEVICE_ADDRESS + " ("
                    + DeviceFeature.BUFFER_DEVICE_ADDRESS.vulkanName() + "), which " + session
                    + " does not have; open the session with SessionOptions.withFeatures("
                    + "DeviceFeature.BUFFER_DEVICE_ADDRESS), or enable it on your own device and declare it");
        }
    }

    /** The memory types in {@code bits}, for an incompatible-type message. */
    private static String compatibleTypes(Session session, int bits) {
        StringBuilder sb = new StringBuilder(" (allowed types:");
        for (MemoryType t : session.device().memoryTypes()) {
            if ((bits & (1 << t.index())) != 0) {
                sb.append(' ').append(t.index()).append(' ').append(t.flags());
            }
        }
        return sb.append(')').toString();
    }

    static void requireMinAlignment(long minAlignment) {
        if (minAlignment <= 0 || (minAlignment & (minAlignment - 1)) != 0) {
            throw new IllegalArgumentException("minAlignment must be a positive power of two, was " + minAlignment);
        }
    }
}
