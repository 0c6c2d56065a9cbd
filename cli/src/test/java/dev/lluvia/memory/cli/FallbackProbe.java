package dev.lluvia.memory.cli;

import dev.lluvia.memory.Session;

/**
 * A library user's program, run by {@link LluviaMemJarIT} in a child JVM on a machine (made) without
 * a Vulkan loader: opens two sessions on the best backend present and prints which one each got.
 * The library's fallback warning, if any, goes to stderr through java.util.logging's default handler.
 */
public final class FallbackProbe {

    private FallbackProbe() {
    }

    public static void main(String[] args) {
        for (int i = 0; i < 2; i++) {
            try (Session session = Session.create()) {
                System.out.println("session " + i + ": " + session.backendName());
            }
        }
    }
}
