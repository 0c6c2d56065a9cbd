package dev.lluvia.memory.cli;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A command that opens one {@link Session} from the shared options, works on it and closes it.
 * Errors propagate to {@link Main}'s handler, which turns them into a message and an exit code.
 */
abstract class SessionCommand implements Callable<Integer> {

    @Mixin
    SessionOptionsMixin options;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session session = Session.create(sessionOptions())) {
            return run(session, out);
        } finally {
            out.flush();
        }
    }

    /** The options of the session to open: the shared flags', unless a command needs more. */
    SessionOptions sessionOptions() {
        return options.toSessionOptions();
    }

    /** The command's work on an open session; output goes to {@code out}; returns the exit code. */
    abstract int run(Session session, PrintWriter out);
}
