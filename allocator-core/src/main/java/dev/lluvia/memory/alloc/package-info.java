/**
 * Block allocators that know nothing of GPUs: each divides one range of units (bytes, or any unit)
 * and hands out offsets, like VMA's virtual blocks. {@link dev.lluvia.memory.alloc.TlsfAllocator}
 * (two-level segregated fit, the default), {@link dev.lluvia.memory.alloc.FirstFitAllocator}
 * (Lluvia's algorithm) and {@link dev.lluvia.memory.alloc.LinearAllocator} (a ring) implement
 * {@link dev.lluvia.memory.alloc.BlockAllocator}; {@link dev.lluvia.memory.alloc.Align} does the
 * alignment arithmetic. Usable on their own; not thread-safe.
 */
package dev.lluvia.memory.alloc;
