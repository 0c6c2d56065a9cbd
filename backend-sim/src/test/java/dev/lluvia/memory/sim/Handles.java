package dev.lluvia.memory.sim;

import dev.lluvia.memory.spi.Resource;

/**
 * The tests' way to name a sim resource by its handle alone, as a stale or foreign handle would
 * reach the backend: the sim keys everything by handle, so what it checks is the same.
 */
final class Handles {

    private Handles() {
    }

    /** {@return a plain resource of {@code handle}, without requirements} */
    static Resource resource(long handle) {
        return new Resource(handle, null);
    }
}
