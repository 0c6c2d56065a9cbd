/**
 * Programs to read and copy: {@link dev.lluvia.memory.examples.ComputeOnYourDevice} runs a compute
 * shader on library buffers, on a Vulkan device the program made itself.
 */
package dev.lluvia.memory.examples;
