package dev.lluvia.memory.cli;

import dev.lluvia.memory.LluviaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Entry point of {@code lluvia-mem.jar}: {@code java -jar lluvia-mem.jar info|demo|stats|map [options]}.
 *
 * <p>Exit codes: 0 on success; 2 for a usage error, an error the library reports (an unknown
 * backend, profile or property, flags no memory type has, out of device memory) or a file that
 * cannot be read or written, with the message on stderr; 1 for anything unexpected. A stack trace is printed only with {@code --verbose}, so
 * that a user sees the one line that says what to fix.
 */
@Command(name = "lluvia-mem",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Lluvia memory for Java: inspect a device's memory and allocate from it.",
        subcommands = {InfoCommand.class, DemoCommand.class, StatsCommand.class, MapCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    /** Exit code of errors the user can fix: bad options, unknown names, the library's refusals. */
    public static final int EXIT_USAGE = 2;
    /** Exit code of errors nobody expected: a bug here or in a backend. */
    public static final int EXIT_INTERNAL = 1;

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        // map draws with Java2D: no display is needed, or wanted.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(newCommandLine().execute(args));
    }

    /**
     * The configured command line, for {@link #main} and for tests that capture its output with
     * {@link CommandLine#setOut} and {@link CommandLine#setErr}.
     */
    public static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handleError);
        cli.setParameterExceptionHandler(Main::handleUsageError);
        return cli;
    }

    /** Without a command there is nothing to do: show what there is, as a usage error. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("lluvia-mem: a command is required");
        spec.commandLine().usage(err);
        return EXIT_USAGE;
    }

    /**
     * A mistyped command line: the message, suggestions for a misspelt option, and where to find
     * the options, rather than picocli's default of the whole help text, which buries the message.
     */
    private static int handleUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        err.println("lluvia-mem: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for the options.");
        err.flush();
        return EXIT_USAGE;
    }

    private static int handleError(Exception e, CommandLine failed, CommandLine.ParseResult parseResult) {
        PrintWriter err = failed.getErr();
        // The library's refusals, bad values and files that cannot be read or written: all for the
        // user to fix, said in one line.
        boolean userError = e instanceof LluviaException || e instanceof IllegalArgumentException
                || e instanceof java.io.UncheckedIOException;
        // The library's messages name the bad value and the choices; its class name adds nothing.
        err.println("lluvia-mem: " + (userError && e.getMessage() != null ? e.getMessage() : e.toString()));
        Object command = failed.getCommand();
        if (command instanceof SessionCommand sc && sc.options.verbose) {
            e.printStackTrace(err);
        } else if (!userError) {
            err.println("(run again with --verbose for the stack trace)");
        }
        err.flush();
        return userError ? EXIT_USAGE : EXIT_INTERNAL;
    }

    /** The version of the jar (from its manifest), or "development build" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"lluvia-mem " + (v != null ? v : "(development build)"),
                    "Java " + Runtime.version() + " on " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }
}
