package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendNotFoundException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Availability;

/**
 * Run in a child JVM by {@link VulkanNoLoaderTest} with LWJGL pointed at a Vulkan loader that does
 * not exist: prints what the probe and a session say, one line each.
 */
public final class NoLoaderProbe {

    private NoLoaderProbe() {
    }

    public static void main(String[] args) {
        Availability a = new VulkanBackendProvider().probe();
        System.out.println("probe available=" + a.available() + " reason=" + a.reason());
        try {
            Session.create(SessionOptions.defaults().withBackend("vulkan")).close();
            System.out.println("session opened");
        } catch (BackendNotFoundException e) {
            System.out.println("session BackendNotFoundException: " + e.getMessage());
        }
    }
}
