/**
 * JMH benchmarks and report programs that measure the library against its peers (VMA, raw Vulkan,
 * PyTorch's copies); BENCHMARKS.md gives the results and the commands. Not published.
 */
package dev.lluvia.memory.benchmarks;
