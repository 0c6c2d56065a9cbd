package dev.lluvia.memory.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line with its output captured, as a user would see it in a terminal. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        CommandLine cli = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, normalise(out.toString()), normalise(err.toString()));
    }

    private static String normalise(String s) {
        return s.replace(System.lineSeparator(), "\n");
    }

    /** Everything the user saw, for assertion messages. */
    String transcript() {
        return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
}
