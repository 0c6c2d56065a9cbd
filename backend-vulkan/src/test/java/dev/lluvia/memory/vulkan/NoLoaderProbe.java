package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendInfo;
import dev.lluvia.memory.BackendNotFoundException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Availability;

/**
 * Run in a child JVM by {@link VulkanNoLoaderTest} on a machine made to lack part of Vulkan (LWJGL's
 * natives, the loader, a driver): prints what the probe, {@link Session#availableBackends()}, a
 * session asking for {@code vulkan} and a session asking for the best backend say, one line each.
 */
public final class NoLoaderProbe {

    private NoLoaderProbe() {
    }

    public static void main(String[] args) {
        Availability a = new VulkanBackendProvider().probe();
        System.out.println("probe available=" + a.available() + " reason=" + a.reason());
        for (BackendInfo b : Session.availableBackends()) {
            System.out.println("backend " + b.name() + " available=" + b.available() + " detail=" + b.detail());
        }
        for (SessionOptions options : new SessionOptions[] {SessionOptions.defaults().withBackend("vulkan"),
                SessionOptions.defaults()}) {
            try {
                Session.create(options).close();
                System.out.println("session opened");
            } catch (BackendNotFoundException e) {
                System.out.println("session BackendNotFoundException: " + e.getMessage());
            }
        }
    }
}
