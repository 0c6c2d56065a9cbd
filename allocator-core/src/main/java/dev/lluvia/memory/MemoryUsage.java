package dev.lluvia.memory;

/**
 * What a {@link Memory} is for, as an alternative to naming memory property flags
 * ({@link Session#createMemory(MemoryUsage)}, or {@link MemoryOptions#of(MemoryUsage)} to choose the
 * algorithm and strategy too); VMA's idea of usage intents, ranked with what was
 * measured on real devices.
 *
 * <p>Each intent ranks the device's memory types and takes the best, the lowest index breaking
 * ties. Types without flags, and types that are {@link MemoryPropertyFlag#PROTECTED} or
 * {@link MemoryPropertyFlag#LAZILY_ALLOCATED} are never chosen: ordinary buffers and images cannot
 * use them.
 */
public enum MemoryUsage {
    /**
     * Data only the device reads and writes (compute inputs and outputs, intermediate images).
     * Prefers {@link MemoryPropertyFlag#DEVICE_LOCAL} above all, then a type the host cannot map
     * (host-visible device memory is scarce on many GPUs and is better left to uploads). Fill it
     * with {@link Buffer#write(long, java.nio.ByteBuffer)}, which goes through a staging buffer.
     */
    DEVICE_ONLY,
    /**
     * The host writes, the device reads (inputs, uniforms). Needs
     * {@link MemoryPropertyFlag#HOST_VISIBLE}; prefers {@link MemoryPropertyFlag#HOST_COHERENT} (no
     * flush needed) and then {@link MemoryPropertyFlag#DEVICE_LOCAL} (a BAR type: device memory the
     * host can map, which the device then reads without crossing the bus), and avoids
     * {@link MemoryPropertyFlag#HOST_CACHED}, whose caching sequential writes do not need.
     */
    UPLOAD,
    /**
     * The device writes, the host reads (results). Needs {@link MemoryPropertyFlag#HOST_VISIBLE};
     * prefers {@link MemoryPropertyFlag#HOST_CACHED}, then {@link MemoryPropertyFlag#HOST_COHERENT}.
     * Never a {@code DEVICE_LOCAL | HOST_VISIBLE} type while a host-visible type outside device
     * memory exists: host reads through the PCIe BAR are uncached, and so far slower than reads of
     * host memory ({@code docs/devices.md} has the figures of measured devices).
     */
    READBACK
}
