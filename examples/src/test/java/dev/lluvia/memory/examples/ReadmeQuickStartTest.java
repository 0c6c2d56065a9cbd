package dev.lluvia.memory.examples;

import dev.lluvia.memory.contract.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's quick start is a real file, {@code examples/quickstart/src/main/java/quickstart/QuickStart.java}:
 * the README shows it whole, and what it prints on the sim's default profile is the README's output
 * block, line for line, with nothing on stderr (no leak report: it closes everything it makes). The
 * class is compiled here and run in a JVM of its own, as a user runs it.
 */
class ReadmeQuickStartTest {

    static final Path ROOT = Path.of(System.getProperty("lluvia.repo.root", "..")).toAbsolutePath().normalize();
    static final Path SOURCE = ROOT.resolve("examples/quickstart/src/main/java/quickstart/QuickStart.java");

    @Test
    void theReadmeShowsTheQuickStartFileWhole() throws IOException {
        String block = Docs.blockAfter(readme(), "<!-- quickstart: examples/quickstart/src/main/java/quickstart/QuickStart.java -->", "java");
        assertEquals(Files.readString(SOURCE), block, "README.md's quick start is not " + SOURCE);
    }

    @Test
    void theQuickStartPrintsTheReadmeOutputAndNothingOnStderr(@org.junit.jupiter.api.io.TempDir Path classes) throws Exception {
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError("no javac in this JDK"));
        StringWriter diagnostics = new StringWriter();
        PrintWriter to = new PrintWriter(diagnostics);
        int rc = javac.run(to, to, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), SOURCE.toString());
        assertEquals(0, rc, () -> "the quick start does not compile:\n" + diagnostics);

        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildJvm.Result r = ChildJvm.exec(new ProcessBuilder(launcher, "-Dlluvia.backend=sim",
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"),
                "quickstart.QuickStart"), 120, "the quick start");
        assertFalse(r.timedOut(), "the quick start did not end in 120 s");
        assertEquals(0, r.exitCode(), () -> "exit status; stderr:\n" + r.errors());
        assertEquals("", r.errors(), "the quick start wrote to stderr");
        String expected = Docs.blockAfter(readme(), "<!-- quickstart output -->", "text");
        assertEquals(expected, r.output(), "the quick start's output is not the README's");
    }

    static String readme() throws IOException {
        return Files.readString(ROOT.resolve("README.md"));
    }
}
