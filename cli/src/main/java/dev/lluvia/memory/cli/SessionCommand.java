package dev.lluvia.memory.cli;

import dev.lluvia.memory.BackendInfo;
import dev.lluvia.memory.LluviaProperties;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A command that opens one {@link Session} from the shared options, works on it and closes it.
 * Errors propagate to {@link Main}'s handler, which turns them into a message and an exit code.
 */
abstract class SessionCommand implements Callable<Integer> {

    @Mixin
    SessionOptionsMixin options;

    @Spec
    CommandSpec spec;

    /**
     * The library's logger of backend choices ({@code Session.create} warns there when it falls back
     * to a lower-ranked backend). Kept in a field: java.util.logging forgets the level of a logger
     * nobody references.
     */
    private static final Logger BACKEND_CHOICE_LOG = Logger.getLogger("dev.lluvia.memory.backend");

    /** The options the session was opened with, for {@link #backendChoice}. */
    private SessionOptions opened;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        // A command that prints the choice and its reason on stdout needs no copy of it on stderr.
        BACKEND_CHOICE_LOG.setLevel(printsBackendChoice() ? Level.OFF : null);
        opened = sessionOptions();
        JfrOption jfr = jfrOption();
        jdk.jfr.Recording recording = jfr == null ? null : jfr.start();
        try (Session session = Session.create(opened)) {
            return run(session, out);
        } finally {
            out.flush();
            if (jfr != null) {
                jfr.finish(recording); // after the session closed: its page frees and leaks are in it
            }
        }
    }

    /** The command's {@code --jfr} option, or null for a command without one. */
    JfrOption jfrOption() {
        return null;
    }

    /** Whether the command's output includes {@link #backendChoice}; false where stdout is data (JSON). */
    boolean printsBackendChoice() {
        return true;
    }

    /**
     * Which backend the session runs on and why, one line: "Backend: sim, because vulkan is
     * unavailable: no Vulkan loader ...", "Backend: vulkan, the highest-ranked one available", or
     * named with an option or {@code -Dlluvia.backend}.
     */
    String backendChoice(Session session) {
        String chosen = session.backendName();
        if (opened.backend() != null) {
            return "Backend: " + chosen + ", named with " + (options.profile != null ? "--profile" : "--backend");
        }
        String property = System.getProperty(LluviaProperties.BACKEND);
        if (property != null && !property.isBlank()) {
            return "Backend: " + chosen + ", named with -D" + LluviaProperties.BACKEND + "=" + property;
        }
        List<String> skipped = new ArrayList<>();
        for (BackendInfo b : Session.availableBackends()) {
            if (b.name().equalsIgnoreCase(chosen)) {
                break;
            }
            if (!b.available()) {
                skipped.add(b.name() + " is unavailable: " + b.detail());
            }
        }
        return "Backend: " + chosen + (skipped.isEmpty() ? ", the highest-ranked one available"
                : ", because " + String.join("; ", skipped));
    }

    /** The options of the session to open: the shared flags', unless a command needs more. */
    SessionOptions sessionOptions() {
        return options.toSessionOptions();
    }

    /** The command's work on an open session; output goes to {@code out}; returns the exit code. */
    abstract int run(Session session, PrintWriter out);
}
