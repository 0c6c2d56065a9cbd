package dev.lluvia.memory.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a test's main class in a separate JVM with the test's class path, for cases where a
 * failure could crash the JVM ({@link MappingCases}): the test sees the crash as an exit status
 * instead of dying with it; {@link #exec} runs any child process the same way, for tests that make
 * their own command line.
 */
public final class ChildJvm {

    /** The race runs of one mvn verify; {@code -Dlluvia.longTests=true} runs more. */
    public static final int RACE_RUNS = Boolean.getBoolean("lluvia.longTests") ? 200 : 25;

    private ChildJvm() {
    }

    /**
     * How one child ended: its exit status, what it printed (stdout, with stderr where the two were
     * merged), its stderr where they were not (else empty), and whether it was killed for running
     * past its time (then its exit status is the kill's, and the output ends with a line that says so).
     */
    public record Result(int exitCode, String output, String errors, boolean timedOut) {
        /**
         * Exit 0 or 1 are the child's own verdicts; anything else is a signal or the JVM's own abort,
         * unless it was this class's kill of a child that ran past its time: that is a failure.
         */
        public boolean crashed() {
            return !timedOut && exitCode != 0 && exitCode != 1;
        }
    }

    /** Runs {@code main} with {@code args} in a new JVM and waits at most {@code timeoutSeconds}. */
    public static Result run(Class<?> main, int timeoutSeconds, String... args) throws IOException, InterruptedException {
        return run(main, timeoutSeconds, List.of(), args);
    }

    /** {@link #run(Class, int, String...)} with options for the child JVM (e.g. {@code --enable-native-access}). */
    public static Result run(Class<?> main, int timeoutSeconds, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        return run(main.getName(), timeoutSeconds, jvmOptions, args);
    }

    /** {@link #run(Class, int, List, String...)} of a main class named, one this compilation cannot see (JDK 22+ code). */
    public static Result run(String main, int timeoutSeconds, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-XX:ErrorFile=" + Path.of(System.getProperty("java.io.tmpdir"), "lluvia-child-hs_err_%p.log")));
        command.addAll(jvmOptions);
        command.add(main);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        // In the build folder, so whatever the child writes beside it (LWJGL's extracted natives)
        // stays out of the source tree.
        java.io.File target = new java.io.File("target");
        if (target.isDirectory()) {
            pb.directory(target);
        }
        return exec(pb, timeoutSeconds, main);
    }

    /**
     * Runs the process {@code pb} describes (any command, with the environment, folder and merging
     * of stderr set there), its stdin closed, and waits at most {@code timeoutSeconds}, then kills
     * it. Its stdout and stderr go to files, read after the wait: a pipe read before the wait would
     * hang the test with a child that hangs. {@code what} names the child in the timeout's line.
     */
    public static Result exec(ProcessBuilder pb, int timeoutSeconds, String what) throws IOException, InterruptedException {
        Path out = Files.createTempFile("lluvia-child-", ".out");
        Path err = Files.createTempFile("lluvia-child-", ".err");
        try {
            pb.redirectOutput(out.toFile());
            if (!pb.redirectErrorStream()) {
                pb.redirectError(err.toFile());
            }
            Process p = pb.start();
            try {
                p.getOutputStream().close();
                boolean timedOut = !p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                int exit = -1;
                if (timedOut) {
                    // Bounded too: a child stuck in a driver call may not die at once.
                    if (p.destroyForcibly().waitFor(30, TimeUnit.SECONDS)) {
                        exit = p.exitValue();
                    }
                } else {
                    exit = p.exitValue();
                }
                String output = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
                if (timedOut) {
                    output += "\nChildJvm: " + what + " had not exited after " + timeoutSeconds + " s; killed"
                            + (exit == -1 ? ", and it had not died 30 s later" : "") + "\n";
                }
                return new Result(exit, output, new String(Files.readAllBytes(err), StandardCharsets.UTF_8), timedOut);
            } finally {
                if (p.isAlive()) { // the wait was interrupted (a pool shut down): no child left behind
                    p.destroyForcibly();
                }
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Runs the stale-view cases of {@link MappingCases} and asserts that each passed; {@code device}
     * is the child main's first argument (which device to open).
     */
    public static void assertStaleCasesPass(Class<?> main, String device) throws Exception {
        Result r = run(main, 180, device, MappingCases.STALE);
        assertEquals(0, r.exitCode(), "the child JVM " + (r.crashed() ? "crashed" : "failed") + ":\n" + r.output());
        assertEquals(3, r.output().lines().filter(l -> l.startsWith("PASS ")).count(), r.output());
    }

    /**
     * Runs the close race of {@link MappingCases} in {@link #RACE_RUNS} JVMs, {@code parallel} at a
     * time, each with its own seed, and asserts no crash and no wrong byte; prints the totals.
     */
    public static void assertRaceRunsClean(Class<?> main, String device, int parallel) throws Exception {
        final String what = main.getSimpleName() + " " + device;
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<Result>> runs = new ArrayList<>();
        try {
            for (int i = 0; i < RACE_RUNS; i++) {
                final long seed = 1000 + i;
                runs.add(pool.submit(() -> run(main, 120, device, MappingCases.RACE, Long.toString(seed))));
            }
            int crashes = 0;
            int failed = 0;
            long accesses = 0;
            long wrong = 0;
            StringBuilder failures = new StringBuilder();
            for (Future<Result> f : runs) {
                Result r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    throw new AssertionError("could not run a child JVM", e.getCause());
                }
                for (String line : r.output().lines().toList()) {
                    if (line.startsWith("RACE ")) {
                        accesses += field(line, "accesses");
                        wrong += field(line, "wrongBytes") + field(line, "overwrittenInNewMemory");
                    }
                }
                if (r.crashed()) {
                    crashes++;
                } else if (r.exitCode() != 0) {
                    failed++;
                }
                if (r.exitCode() != 0 && failures.length() < 20_000) {
                    failures.append("--- exit ").append(r.exitCode()).append('\n').append(r.output());
                }
            }
            String summary = what + ": " + RACE_RUNS + " JVM runs, " + crashes + " crashes, " + failed
                    + " failed, " + wrong + " wrong bytes, " + accesses + " view accesses";
            System.out.println(summary);
            assertTrue(crashes == 0 && failed == 0 && wrong == 0, summary + "\n" + failures);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Runs {@link LongRun} in a child JVM: {@code ciOperations} operations, or 10^7 with
     * {@code -Dlluvia.longTests=true}; asserts no crash, no wrong byte, no unexpected exception and a
     * clean device after close. Returns what the child printed.
     */
    public static String assertLongRunClean(Class<?> main, String device, long ciOperations, long seed) throws Exception {
        long ops = Boolean.getBoolean("lluvia.longTests") ? 10_000_000L : ciOperations;
        Result r = run(main, Boolean.getBoolean("lluvia.longTests") ? 7200 : 600, device, MappingCases.LONG,
                Long.toString(ops), Long.toString(seed));
        String line = r.output().lines().filter(l -> l.startsWith("LONGRUN ")).findFirst().orElse("no LONGRUN line");
        assertEquals(0, r.exitCode(), "the long run's JVM " + (r.crashed() ? "crashed" : "failed") + ":\n" + r.output());
        assertEquals(ops - ops % 8, field(line, "operations"), line);
        assertTrue(field(line, "moves") > 0 && field(line, "aliases") > 0, "the workload moved and aliased: " + line);
        return r.output();
    }

    /** The number after {@code name=} in a child's summary line, or 0. */
    public static long field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        return 0;
    }
}
