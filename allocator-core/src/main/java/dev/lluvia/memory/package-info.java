/**
 * The library's API, after Lluvia's memory model: a {@link dev.lluvia.memory.Session} opens one
 * device; a {@link dev.lluvia.memory.Memory}, created from Vulkan memory property flags
 * ({@link dev.lluvia.memory.MemoryPropertyFlag}) or a usage ({@link dev.lluvia.memory.MemoryUsage}),
 * takes pages of one memory type from the device and places {@link dev.lluvia.memory.Buffer}s and
 * {@link dev.lluvia.memory.Image}s in them; each object's {@link dev.lluvia.memory.AllocationInfo}
 * says where it lives.
 *
 * <p>Sessions and Memories are {@link java.lang.AutoCloseable}: closing one frees everything it made.
 *
 * <h2>Errors</h2>
 *
 * <p>Every exception is unchecked, and a refused call changes nothing (nothing allocated, nothing
 * leaked, the object as it was) unless its Javadoc says otherwise. There are two kinds:
 *
 * <ul>
 *   <li><b>A mistake of the caller</b>, refused the same way on every device, is one of the JDK's
 *       own types, never a subclass of them: {@link java.lang.NullPointerException} naming the
 *       parameter, {@link java.lang.IllegalArgumentException} naming the bad value (a negative size,
 *       an alignment that is not a power of two, an offset outside the object),
 *       {@link java.lang.IndexOutOfBoundsException} for a byte range outside a buffer or mapping, and
 *       {@link java.lang.IllegalStateException} for an object used after its close or in a state
 *       that forbids the call. {@link java.lang.UnsupportedOperationException} says, as for the
 *       JDK's optional collection operations, that a backend does not implement an optional
 *       operation of the {@link dev.lluvia.memory.spi.MemoryBackend} interface (transfers, export,
 *       create-infos of its own); it names the backend.</li>
 *   <li><b>Everything else</b>, a well-formed request that the device, the driver, a heap, a
 *       Memory's limits or one of the library's checks refused, is a
 *       {@link dev.lluvia.memory.LluviaException}. Every exception type the library defines extends it,
 *       so {@code catch (LluviaException e)} catches all of them, and only them. Its subclasses are
 *       {@link dev.lluvia.memory.BackendException} (a driver result that has no type of its own),
 *       {@link dev.lluvia.memory.BackendNotFoundException}, {@link dev.lluvia.memory.DeviceNotFoundException},
 *       {@link dev.lluvia.memory.FeatureNotEnabledException},
 *       {@link dev.lluvia.memory.IncompatibleMemoryTypeException},
 *       {@link dev.lluvia.memory.MemoryCorruptionException}, {@link dev.lluvia.memory.MemoryLeakException},
 *       {@link dev.lluvia.memory.MemoryNotMappableException},
 *       {@link dev.lluvia.memory.OutOfDeviceMemoryException} (with {@link dev.lluvia.memory.PageLimitException}),
 *       {@link dev.lluvia.memory.OutOfHostMemoryException},
 *       {@link dev.lluvia.memory.UnsupportedExternalMemoryException},
 *       {@link dev.lluvia.memory.UnsupportedFeatureException},
 *       {@link dev.lluvia.memory.UnsupportedImageFormatException} and
 *       {@link dev.lluvia.memory.UnsupportedMemoryFlagsException}. Other modules add their own below
 *       it: the simulated backend's referee throws {@code SimViolationException}, the report
 *       module's trace reader {@code TraceException}.</li>
 * </ul>
 *
 * <p>So whether a request can be honoured on another device decides the kind: an image format the
 * device lacks is an {@code UnsupportedImageFormatException}, not an
 * {@code IllegalArgumentException}, because the same descriptor succeeds elsewhere.
 *
 * <p>Names say what went wrong in the JDK's word order: an adjective before the noun for what the
 * device cannot do or does not match ({@code Unsupported...}, as {@code UnsupportedOperationException};
 * {@code Incompatible...}), a negated state after it for what is missing or not so
 * ({@code ...NotFound}, {@code ...NotEnabled}, {@code ...NotMappable}, as
 * {@code ClassNotFoundException}), {@code OutOf...} for an exhausted resource (Vulkan's
 * {@code VK_ERROR_OUT_OF_DEVICE_MEMORY} and {@code VK_ERROR_OUT_OF_HOST_MEMORY}), and the event's
 * noun for what a check found ({@code MemoryCorruption}, {@code MemoryLeak}, {@code PageLimit}).
 * {@code UnsupportedFeatureException} (the device lacks the feature) and
 * {@code FeatureNotEnabledException} (the device has it, the session did not enable it) are two
 * different failures with two remedies.
 */
package dev.lluvia.memory;
