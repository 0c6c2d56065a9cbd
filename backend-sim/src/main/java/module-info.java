/**
 * The simulated device: device profiles kept as data (an NVIDIA H100, Mesa's llvmpipe, an invented
 * mobile GPU with non-coherent memory), page memory backed by real off-heap bytes, and a referee
 * that checks every bind, map, flush and free the allocator makes. Select it with
 * {@code SessionOptions.withBackend("sim")}.
 */
module dev.lluvia.memory.sim {
    // Transitive: the sim's public types (SimBackend, SimProfile) expose the core's types.
    requires transitive dev.lluvia.memory;

    exports dev.lluvia.memory.sim;

    provides dev.lluvia.memory.spi.MemoryBackendProvider with dev.lluvia.memory.sim.SimBackendProvider;
}
