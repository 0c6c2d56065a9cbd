/**
 * The {@code sim} backend: a simulated device with the memory heaps and types, limits and
 * requirement rules of a real GPU ({@link dev.lluvia.memory.sim.SimProfiles}), whose pages are real
 * off-heap memory and whose bind referee refuses every placement Vulkan forbids. For tests and for
 * machines without a GPU; {@link dev.lluvia.memory.sim.SimBackend#inspect()} lets tests look inside
 * and inject faults ({@link dev.lluvia.memory.sim.FaultRule}).
 */
package dev.lluvia.memory.sim;
