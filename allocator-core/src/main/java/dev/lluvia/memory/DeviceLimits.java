package dev.lluvia.memory;

/**
 * The device limits the allocator obeys.
 *
 * @param bufferImageGranularity      linear and optimal resources must not share a block of
 *                                    this many bytes
 * @param nonCoherentAtomSize         flush and invalidate ranges are multiples of this
 * @param maxMemoryAllocationCount    how many pages the driver allows at once
 * @param maxImageDimension1D         largest width of a 1D image
 * @param maxImageDimension2D         largest width or height of a 2D image
 * @param maxImageDimension3D         largest side of a 3D image
 * @param minStorageBufferOffsetAlignment alignment of storage buffer offsets in descriptors
 */
public record DeviceLimits(long bufferImageGranularity, long nonCoherentAtomSize, long maxMemoryAllocationCount,
                           int maxImageDimension1D, int maxImageDimension2D, int maxImageDimension3D,
                           long minStorageBufferOffsetAlignment) {
}
