package dev.lluvia.memory.sim;

import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.MemoryContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The backend-independent contract suite on every sim profile, with the referee watching: every
 * bind the suite causes is checked, and after each test the backend's live pages and resources
 * must be exactly those the API reports. Closing the session afterwards fails on any leak.
 */
class SimMemoryContractTest {

    /** The profiles below; a profile added to the index without a contract run fails here. */
    private static final List<String> COVERED = List.of("nvidia-h100", "llvmpipe", "mobile-noncoherent", "nvidia-h200");

    @Test
    void everyProfileRunsTheContract() {
        assertEquals(SimProfiles.names(), COVERED);
    }

    /** The contract on one profile, with the backend's counts checked after each test. */
    abstract static class OnProfile extends MemoryContract {
        private final String profile;

        OnProfile(String profile) {
            this.profile = profile;
        }

        @Override
        protected SessionOptions options() {
            return SessionOptions.defaults().withBackend("sim").withDevice(profile);
        }

        @Override
        protected boolean supportsFloat64Images() {
            return !SimProfiles.load(profile).optimalLayout()
                    .refuses(dev.lluvia.memory.ImageDescriptor.of(16, 8, dev.lluvia.memory.ChannelType.FLOAT64));
        }

        @Override
        protected boolean supportsWideFloat64() {
            return !SimProfiles.load(profile).optimalLayout()
                    .refuses(dev.lluvia.memory.ImageDescriptor.of(16, 8, dev.lluvia.memory.ChannelType.FLOAT64, 4));
        }

        /** The contract's random workload with random faults: 2% of driver calls fail, with any of the three results. */
        @org.junit.jupiter.api.Test
        void seededRandomWorkloadUnderDriverFaults() {
            seededRandomWorkloadUnderDriverFaults(options().withLeakPolicy(dev.lluvia.memory.LeakPolicy.IGNORE)
                    .withProperty("lluvia.sim.fault.random", (7 + profile.hashCode()) + ":0.02"));
        }

        @Override
        protected void afterEachCheck(Session session) {
            if (session.isClosed()) {
                return;
            }
            SimBackend sim = session.unwrap(SimBackend.class).orElseThrow();
            int pages = 0;
            List<MemoryObject> objects = new ArrayList<>();
            for (Memory m : session.memories()) {
                pages += m.pageCount();
                objects.addAll(m.objects());
            }
            assertEquals(pages, sim.inspect().livePageCount(), "pages the API reports vs pages the device has");
            assertEquals(objects.size(), sim.inspect().liveResourceCount(), "objects vs device resources");
            assertEquals(objects.size(), sim.inspect().boundResourceCount(), "every object is bound");
            Referee.assertConsistent(session, "after a contract test");
        }
    }

    @Nested
    class NvidiaH100 extends OnProfile {
        NvidiaH100() {
            super("nvidia-h100");
        }
    }

    @Nested
    class Llvmpipe extends OnProfile {
        Llvmpipe() {
            super("llvmpipe");
        }
    }

    @Nested
    class MobileNonCoherent extends OnProfile {
        MobileNonCoherent() {
            super("mobile-noncoherent");
        }

        /** The profile lists no features: the contract checks the typed refusal instead. */
        @Override
        protected boolean supportsBufferDeviceAddress() {
            return false;
        }
    }

    @Nested
    class NvidiaH200 extends OnProfile {
        NvidiaH200() {
            super("nvidia-h200");
        }
    }
}
