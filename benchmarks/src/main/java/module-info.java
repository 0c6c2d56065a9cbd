/**
 * JMH benchmarks of the block allocators. Built as a shaded jar run on the class path
 * ({@code java -jar benchmarks/target/benchmarks.jar}); this descriptor keeps the module honest about
 * what it uses when compiled.
 */
module dev.lluvia.memory.benchmarks {
    requires dev.lluvia.memory;
    requires dev.lluvia.memory.vulkan; // GpuBenchmark: the session's VkDevice for raw Vulkan and VMA
    requires jmh.core;
    requires org.lwjgl;
    requires org.lwjgl.vma;
    requires java.desktop; // Chart: Java2D, headless
    requires jdk.jfr; // FlightRecorderBenchmark: a recording on
    requires jdk.management; // ThreadBenchmark --cpu: thread CPU time and allocated bytes

    // JMH's generated harness (package ...benchmarks.jmh_generated) reads and writes the state
    // classes' fields reflectively.
    opens dev.lluvia.memory.benchmarks to jmh.core;
}
