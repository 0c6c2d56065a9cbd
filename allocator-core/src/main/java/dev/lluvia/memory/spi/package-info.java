/**
 * The backend service provider interface: what a device must do for the core (allocate and map
 * pages, create and bind buffers and images, copy), found at run time through
 * {@link java.util.ServiceLoader} as {@link dev.lluvia.memory.spi.MemoryBackendProvider}s. Programs
 * that only allocate memory do not use this package; the {@code vulkan} and {@code sim} backends
 * implement it.
 */
package dev.lluvia.memory.spi;
