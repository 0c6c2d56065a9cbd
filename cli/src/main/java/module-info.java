/**
 * The {@code lluvia-mem} command line: {@code info} shows the backends, the device and its memory
 * types; {@code demo} runs the Lluvia memory page's scenario; {@code stats} and {@code map} show
 * the memory after a workload (a replayed trace) as a table, a VMA-compatible JSON dump or a PNG.
 * Backends are found at run time, so the module needs none of them to compile.
 */
module dev.lluvia.memory.cli {
    requires dev.lluvia.memory;
    requires info.picocli;
    // stats --json and map use the report module (VMA's dump, the PNG map, traces).
    requires dev.lluvia.memory.report;
    // Turns off the library's backend-choice warning in commands that print the choice themselves.
    requires java.logging;
    // --jfr FILE on demo, stats and map.
    requires jdk.jfr;

    // picocli sets the option fields and calls the commands by reflection.
    opens dev.lluvia.memory.cli to info.picocli;
}
