/** Programs to copy: Lluvia memory on a Vulkan device the program made itself. */
module dev.lluvia.memory.examples {
    requires dev.lluvia.memory.vulkan;
    requires org.lwjgl.shaderc;

    exports dev.lluvia.memory.examples;
}
