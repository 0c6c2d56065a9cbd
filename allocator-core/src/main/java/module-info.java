/**
 * Lluvia memory for Java: sessions, memories, buffers and images on a GPU, and the block
 * allocators under them. Backends plug in through {@link dev.lluvia.memory.spi.MemoryBackendProvider}.
 */
module dev.lluvia.memory {
    exports dev.lluvia.memory;
    exports dev.lluvia.memory.alloc;
    exports dev.lluvia.memory.spi;

    uses dev.lluvia.memory.spi.MemoryBackendProvider;
}
