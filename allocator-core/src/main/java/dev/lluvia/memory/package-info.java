/**
 * The library's API, after Lluvia's memory model: a {@link dev.lluvia.memory.Session} opens one
 * device; a {@link dev.lluvia.memory.Memory}, created from Vulkan memory property flags
 * ({@link dev.lluvia.memory.MemoryPropertyFlag}) or a usage ({@link dev.lluvia.memory.MemoryUsage}),
 * takes pages of one memory type from the device and places {@link dev.lluvia.memory.Buffer}s and
 * {@link dev.lluvia.memory.Image}s in them; each object's {@link dev.lluvia.memory.AllocationInfo}
 * says where it lives.
 *
 * <p>Sessions and Memories are {@link java.lang.AutoCloseable}: closing one frees everything it made.
 * A null argument is a {@link java.lang.NullPointerException} naming the parameter, a bad value an
 * {@link java.lang.IllegalArgumentException} naming it, and a failed driver call a
 * {@link dev.lluvia.memory.LluviaException} subclass; a refused call changes nothing.
 */
package dev.lluvia.memory;
