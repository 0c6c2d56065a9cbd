package dev.lluvia.memory.contract;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/**
 * The base of the contracts a backend module runs on each of its devices: the sessions a test opens
 * through {@link #open()} are checked ({@link ContractDevice#check}) and closed
 * ({@link ContractDevice#close}) after it, latest first, whatever the test left open.
 */
public abstract class DeviceContract {

    private final List<Session> sessions = new ArrayList<>();

    /** The device under test. */
    protected abstract ContractDevice device();

    /**
     * A session on the device. Tests free objects by closing their Memory or Session, so the leak
     * policy is {@link LeakPolicy#IGNORE}: leaks that matter are the device's to find (referee,
     * validation layer).
     */
    protected Session open() {
        return open(device().options().withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** A session on the device with these options (derived from {@code device().options()}). */
    protected Session open(SessionOptions options) {
        Session s = Session.create(options);
        sessions.add(s);
        return s;
    }

    /** Closes a session the test opened, as {@link ContractDevice#close} does it. */
    protected void close(Session session) {
        device().close(session);
    }

    @AfterEach
    void closeSessions() {
        try {
            for (Session s : sessions) {
                if (!s.isClosed()) {
                    device().check(s);
                }
            }
        } finally {
            for (int i = sessions.size() - 1; i >= 0; i--) {
                if (!sessions.get(i).isClosed()) {
                    device().close(sessions.get(i));
                }
            }
        }
    }
}
