package dev.lluvia.memory.sim;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.AliasContract;
import dev.lluvia.memory.contract.ContractDevice;
import dev.lluvia.memory.contract.DefragmentationContract;
import dev.lluvia.memory.contract.MappedViewContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.OptionalInt;

/**
 * The shared defragmentation, alias and mapped-view contracts on every sim profile, with the
 * referee watching: every bind is checked as it happens, and after each test the backend's live
 * pages and resources must agree with what the API reports.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("dev.lluvia.memory.sim.SimProfiles#names")
class SimSharedContractsTest {

    @Parameter
    String profile;

    private final ContractDevice sim = new ContractDevice() {
        @Override
        public SessionOptions options() {
            return SessionOptions.defaults().withBackend("sim").withDevice(profile);
        }

        @Override
        public void check(Session open) {
            Referee.assertConsistent(open, "after a contract test");
        }

        @Override
        public OptionalInt liveResources(Session session) {
            return OptionalInt.of(session.unwrap(SimBackend.class).orElseThrow().inspect().liveResourceCount());
        }

        @Override
        public String toString() {
            return "sim " + profile;
        }
    };

    @Nested
    class Defragmentation extends DefragmentationContract {
        @Override
        protected ContractDevice device() {
            return sim;
        }
    }

    @Nested
    class Aliases extends AliasContract {
        @Override
        protected ContractDevice device() {
            return sim;
        }
    }

    @Nested
    class MappedViews extends MappedViewContract {
        @Override
        protected ContractDevice device() {
            return sim;
        }
    }
}
