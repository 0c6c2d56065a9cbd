/**
 * Lluvia memory for Java: sessions, memories, buffers and images on a GPU, and the block
 * allocators under them. Backends plug in through {@link dev.lluvia.memory.spi.MemoryBackendProvider}.
 */
module dev.lluvia.memory {
    exports dev.lluvia.memory;
    exports dev.lluvia.memory.alloc;
    exports dev.lluvia.memory.spi;

    uses dev.lluvia.memory.spi.MemoryBackendProvider;

    // Flight Recorder events (JfrEvents): optional, so that a runtime jlinked without jdk.jfr
    // works and records nothing. The JVM adds jdk.jfr when started with -XX:StartFlightRecording;
    // JFR instantiates the events' setting controls reflectively.
    requires static jdk.jfr;
    opens dev.lluvia.memory to jdk.jfr;
}
