package dev.lluvia.memory.contract;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness that runs crash-prone cases in a JVM of their own: a child's verdict, its output and
 * a hung child come back as they are, so that the tests built on it can fail.
 */
class ChildJvmTest {

    /** Prints its arguments, then exits with the status the first one names, or never exits with "hang". */
    public static final class Child {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("child says " + String.join(" ", args));
            System.err.println("child complains");
            System.out.flush();
            if (args[0].equals("hang")) {
                Thread.sleep(Long.MAX_VALUE);
            }
            System.exit(Integer.parseInt(args[0]));
        }
    }

    @Test
    void theChildsExitStatusAndOutputComeBack() throws Exception {
        ChildJvm.Result ok = ChildJvm.run(Child.class, 60, "0", "fine");
        assertEquals(0, ok.exitCode());
        assertTrue(ok.output().contains("child says 0 fine") && ok.output().contains("child complains"), ok.output());
        assertFalse(ok.crashed() || ok.timedOut());

        ChildJvm.Result failed = ChildJvm.run(Child.class, 60, "1");
        assertEquals(1, failed.exitCode());
        assertFalse(failed.crashed(), "exit 1 is the child's own verdict");

        ChildJvm.Result aborted = ChildJvm.run(Child.class, 60, "134");
        assertTrue(aborted.crashed(), "any other status is a crash");
    }

    @Test
    void execKeepsStdoutAndStderrApartUnlessTheyAreMerged() throws Exception {
        java.util.List<String> command = java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), "0");
        ChildJvm.Result apart = ChildJvm.exec(new ProcessBuilder(command), 60, "child");
        assertEquals("child says 0", apart.output().strip());
        assertEquals("child complains", apart.errors().strip());
        ChildJvm.Result merged = ChildJvm.exec(new ProcessBuilder(command).redirectErrorStream(true), 60, "child");
        assertTrue(merged.output().contains("child says 0") && merged.output().contains("child complains"), merged.output());
        assertEquals("", merged.errors());
    }

    @Test
    void aChildThatHangsIsKilledAtItsTimeoutAndSaidToHaveTimedOut() throws Exception {
        long start = System.nanoTime();
        ChildJvm.Result hung = ChildJvm.run(Child.class, 3, "hang");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(hung.timedOut());
        assertFalse(hung.crashed(), "a kill at the timeout is a failure, not a crash");
        assertTrue(hung.exitCode() != 0);
        assertTrue(hung.output().contains("child says hang"), "what it printed before is kept: " + hung.output());
        assertTrue(hung.output().contains("had not exited after 3 s; killed"), hung.output());
        assertTrue(seconds < 60, "returned after " + seconds + " s");
    }
}
