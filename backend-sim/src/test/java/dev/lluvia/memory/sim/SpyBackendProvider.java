package dev.lluvia.memory.sim;

import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.BackendOptions;
import dev.lluvia.memory.spi.MemoryBackend;
import dev.lluvia.memory.spi.MemoryBackendProvider;
import org.mockito.Mockito;

/**
 * Test-only backend {@code sim-spy}: the real sim wrapped in a Mockito spy, so a test can make one
 * call throw mid-operation while every other call (and the referee) behaves as the sim does.
 * Registered in the test resources only; its priority is below the sim's so it is never chosen
 * unless named.
 */
public final class SpyBackendProvider implements MemoryBackendProvider {

    /** The spy of the last backend opened, for the test to stub. */
    static volatile SimBackend last;

    @Override
    public String name() {
        return "sim-spy";
    }

    @Override
    public int priority() {
        return -1;
    }

    @Override
    public Availability probe() {
        return Availability.available("the sim behind a Mockito spy");
    }

    @Override
    public MemoryBackend open(BackendOptions options) {
        SimBackend spy = Mockito.spy((SimBackend) new SimBackendProvider().open(options));
        last = spy;
        return spy;
    }
}
