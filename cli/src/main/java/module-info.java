/**
 * The {@code lluvia-mem} command line: {@code info} shows the backends, the device and its memory
 * types; {@code demo} runs the Lluvia memory page's scenario. Backends are found at run time, so
 * the module needs none of them to compile.
 */
module dev.lluvia.memory.cli {
    requires dev.lluvia.memory;
    requires info.picocli;

    // picocli sets the option fields and calls the commands by reflection.
    opens dev.lluvia.memory.cli to info.picocli;
}
