package dev.lluvia.memory.report;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.util.List;

/** Sessions on a simulated device with a workload from trace lines, for the report tests. */
final class Sessions {

    private Sessions() {
    }

    static Session sim(String profile) {
        return Session.create(SessionOptions.defaults().withBackend("sim").withDevice(profile)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    static Session withTrace(String profile, String... lines) {
        Session session = sim(profile);
        try {
            Trace.parse("test.trace", List.of(lines)).replay(session);
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
