package dev.lluvia.memory.sim;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.MappingCases;

/**
 * The child JVM of {@link SimMappedViewTest}: {@link MappingCases} on the sim profile named by the
 * first argument, the cases by the others; after every close the sim must have no live page or
 * resource left.
 */
public final class SimMappingChild {

    private SimMappingChild() {
    }

    public static void main(String[] args) {
        MappingCases.main(device(args[0]), java.util.Arrays.copyOfRange(args, 1, args.length));
    }

    /** Sessions on {@code profile}; after every close the sim must have no live page or resource left. */
    static MappingCases.Device device(String profile) {
        return new MappingCases.Device() {
            @Override
            public Session open() {
                return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                        .withLeakPolicy(LeakPolicy.IGNORE));
            }

            @Override
            public void afterClose(Session closed) {
                SimBackend sim = closed.unwrap(SimBackend.class).orElseThrow();
                if (sim.inspect().livePageCount() != 0 || sim.inspect().liveResourceCount() != 0) {
                    throw new AssertionError("after close the sim still has " + sim.inspect().livePageCount() + " pages and "
                            + sim.inspect().liveResourceCount() + " resources");
                }
            }
        };
    }
}
