package dev.lluvia.memory;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything {@link Memory#createBuffer(BufferDescriptor)} can be told about a buffer, beside
 * {@link ImageDescriptor} for images; every other {@code createBuffer} overload is a shorthand for
 * one of these. Lluvia's defaults ({@link #of(long)}): usage {@link BufferUsage#DEFAULT}, no
 * alignment beyond the driver's, no name, no user value, movable.
 *
 * <p>The usage is said in {@link BufferUsage}s, as an image's is in {@link ImageUsage}s; Vulkan's
 * {@code VkBufferUsageFlags} bits are taken too ({@link #withUsageBits(int)}), as long as
 * {@code BufferUsage} names them. Everything else Vulkan can say about a buffer (other usage bits,
 * create flags, concurrent sharing, a pNext chain) rides in a backend's own create-info
 * ({@link #of(BackendBufferInfo)}), which then gives the size and usage.
 *
 * <p>The constructor rejects what no device accepts (a size below 1, an empty usage, an alignment
 * that is not a power of two) with an {@link IllegalArgumentException} naming the value; the
 * device's features are checked when the buffer is created.
 *
 * @param size         bytes, at least 1; a backend create-info's own size when there is one
 * @param usage        what the buffer is for; not empty, except that a backend create-info may name
 *                     no usage that {@link BufferUsage} has (then it is that create-info's
 *                     {@link BackendBufferInfo#usage()})
 * @param minAlignment the buffer's offset is a multiple of this as well as of what the driver
 *                     requires (VMA's {@code vmaCreateBufferWithAlignment}); a positive power of two,
 *                     1 for nothing more
 * @param name         the buffer's name in messages, leak reports, statistics and dumps
 *                     ({@link MemoryObject#setName}), or {@code null} for none
 * @param userValue    any value of the program's kept with the buffer ({@link MemoryObject#setUserValue}),
 *                     or {@code null}
 * @param movable      whether defragmentation may move the buffer ({@link MemoryObject#setMovable})
 * @param backendInfo  a backend's own create-info the buffer is made from, or {@code null} for
 *                     Lluvia's portable size and usage
 */
public record BufferDescriptor(long size, Set<BufferUsage> usage, long minAlignment, String name, Object userValue,
                               boolean movable, BackendBufferInfo backendInfo) {

    /** The Vulkan bits of {@link BufferUsage#DEFAULT}, computed once. */
    private static final int DEFAULT_USAGE_BITS = BufferUsage.toBits(BufferUsage.DEFAULT);

    /** Every Vulkan bit that a {@link BufferUsage} names. */
    private static final int NAMED_USAGE_BITS = BufferUsage.toBits(EnumSet.allOf(BufferUsage.class));

    /**
     * Checks the components and copies the usage (unmodifiable).
     *
     * @param size         bytes, at least 1; equal to {@code backendInfo}'s size when it is given
     * @param usage        what the buffer is for; not empty unless {@code backendInfo} is given, and
     *                     then equal to its usage
     * @param minAlignment a positive power of two; 1 for nothing more than the driver's alignment
     * @param name         the buffer's name, or {@code null}
     * @param userValue    any value of the program's, or {@code null}
     * @param movable      whether defragmentation may move the buffer
     * @param backendInfo  a backend's own create-info, or {@code null}
     * @throws NullPointerException     if {@code usage} is or contains null
     * @throws IllegalArgumentException naming the value when {@code size} is below 1, {@code usage} is
     *                                  empty without a create-info, {@code minAlignment} is not a positive
     *                                  power of two, or the size or usage differ from {@code backendInfo}'s
     */
    public BufferDescriptor {
        Objects.requireNonNull(usage, "usage");
        if (backendInfo != null) {
            if (size != backendInfo.size() || !usage.equals(backendInfo.usage())) {
                throw new IllegalArgumentException("a buffer made from " + backendInfo + " has its size "
                        + backendInfo.size() + " and usage " + backendInfo.usage() + ", not " + size + " and " + usage
                        + "; change them in the create-info");
            }
        } else if (usage.isEmpty()) {
            throw new IllegalArgumentException("buffer usage must not be empty");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("buffer size must be positive, was " + size);
        }
        if (usage != BufferUsage.DEFAULT) {
            // The default usage is a constant: kept as it is, not copied per buffer.
            for (BufferUsage u : usage) {
                Objects.requireNonNull(u, "usage must not contain null");
            }
            usage = Collections.unmodifiableSet(usage.isEmpty() ? EnumSet.noneOf(BufferUsage.class) : EnumSet.copyOf(usage));
        }
        CreateChecks.requireMinAlignment(minAlignment);
    }

    /**
     * {@return a buffer of {@code size} bytes with Lluvia's defaults: usage {@link BufferUsage#DEFAULT}
     * (storage, transfer source and destination), no extra alignment, no name, no user value, movable}
     *
     * @param size bytes, at least 1
     * @throws IllegalArgumentException naming {@code size} if it is below 1
     */
    public static BufferDescriptor of(long size) {
        return new BufferDescriptor(size, BufferUsage.DEFAULT, 1, null, null, true, null);
    }

    /**
     * {@return a buffer of {@code size} bytes for {@code usage}, otherwise with Lluvia's defaults}
     *
     * @param size  bytes, at least 1
     * @param usage what the buffer is for; not empty
     * @throws NullPointerException     if {@code usage} is or contains null
     * @throws IllegalArgumentException naming the value if {@code size} is below 1 or {@code usage} is empty
     */
    public static BufferDescriptor of(long size, Set<BufferUsage> usage) {
        return new BufferDescriptor(size, usage, 1, null, null, true, null);
    }

    /**
     * {@return a buffer made from a backend's own create-info (e.g. the Vulkan module's
     * {@code VulkanBufferInfo}), which gives its size and usage; otherwise Lluvia's defaults}
     *
     * @param info the backend's own create-info
     * @throws NullPointerException if {@code info} is null
     */
    public static BufferDescriptor of(BackendBufferInfo info) {
        Objects.requireNonNull(info, "info");
        return new BufferDescriptor(info.size(), info.usage(), 1, null, null, true, info);
    }

    /**
     * {@return this descriptor with another size}
     *
     * @param newSize bytes, at least 1
     * @throws IllegalArgumentException naming the value if it is below 1, or if the descriptor has a
     *                                  backend create-info (whose size it is)
     */
    public BufferDescriptor withSize(long newSize) {
        return new BufferDescriptor(newSize, usage, minAlignment, name, userValue, movable, backendInfo);
    }

    /**
     * {@return this descriptor with another usage}
     *
     * @param newUsage what the buffer is for; not empty
     * @throws NullPointerException     if {@code newUsage} is or contains null
     * @throws IllegalArgumentException if {@code newUsage} is empty, or the descriptor has a backend
     *                                  create-info (whose usage it is)
     */
    public BufferDescriptor withUsage(Set<BufferUsage> newUsage) {
        return new BufferDescriptor(size, newUsage, minAlignment, name, userValue, movable, backendInfo);
    }

    /**
     * {@return this descriptor with the usage of Vulkan's {@code VkBufferUsageFlags} {@code bits}}
     *
     * @param bits Vulkan buffer usage bits, each one a {@link BufferUsage#bit()}; not 0
     * @throws IllegalArgumentException naming the bits that no {@link BufferUsage} names (give those in
     *                                  a backend's own create-info, {@link #of(BackendBufferInfo)}), or
     *                                  if {@code bits} is 0 or the descriptor has a backend create-info
     */
    public BufferDescriptor withUsageBits(int bits) {
        int unnamed = bits & ~NAMED_USAGE_BITS;
        if (unnamed != 0) {
            throw new IllegalArgumentException("buffer usage bits 0x" + Integer.toHexString(unnamed) + " (of 0x"
                    + Integer.toHexString(bits) + ") are not a BufferUsage; give them in the backend's own create-info"
                    + " (the Vulkan module's VulkanBufferInfo) with BufferDescriptor.of(BackendBufferInfo)");
        }
        EnumSet<BufferUsage> newUsage = EnumSet.noneOf(BufferUsage.class);
        for (BufferUsage u : BufferUsage.values()) {
            if ((bits & u.bit()) != 0) {
                newUsage.add(u);
            }
        }
        return withUsage(newUsage);
    }

    /**
     * {@return this descriptor with a least alignment of the buffer's offset; see the {@code minAlignment} component}
     *
     * @param newMinAlignment a positive power of two; 1 for nothing more than the driver's alignment
     * @throws IllegalArgumentException naming the value if it is not a positive power of two
     */
    public BufferDescriptor withMinAlignment(long newMinAlignment) {
        return new BufferDescriptor(size, usage, newMinAlignment, name, userValue, movable, backendInfo);
    }

    /**
     * {@return this descriptor with the buffer's name}
     *
     * @param newName the name in messages, leak reports, statistics and dumps, or {@code null} for none
     */
    public BufferDescriptor withName(String newName) {
        return new BufferDescriptor(size, usage, minAlignment, newName, userValue, movable, backendInfo);
    }

    /**
     * {@return this descriptor with a value of the program's kept with the buffer}
     *
     * @param newUserValue any value, or {@code null}
     */
    public BufferDescriptor withUserValue(Object newUserValue) {
        return new BufferDescriptor(size, usage, minAlignment, name, newUserValue, movable, backendInfo);
    }

    /**
     * {@return this descriptor with whether defragmentation may move the buffer}
     *
     * @param newMovable whether defragmentation may move the buffer
     */
    public BufferDescriptor withMovable(boolean newMovable) {
        return new BufferDescriptor(size, usage, minAlignment, name, userValue, newMovable, backendInfo);
    }

    /**
     * {@return Vulkan's {@code VkBufferUsageFlags} of {@link #usage()}; of a backend create-info, only the
     * bits {@link BufferUsage} names}
     */
    public int usageBits() {
        return usage == BufferUsage.DEFAULT ? DEFAULT_USAGE_BITS : BufferUsage.toBits(usage);
    }
}
