package dev.lluvia.memory.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every command of a {@code ```sh} block in README.md, BENCHMARKS.md and docs/ is run by CI: it is
 * written, as the reader sees it, in {@code .ci/run}, {@code .ci/doc-commands} or
 * {@code .ci/release-check}, which CI runs (so a command that fails fails the build), or it is in
 * {@code .ci/doc-commands-not-run} under a line saying why CI does not run it (it runs for minutes,
 * or writes outside the build). The benchmark log (docs/benchmark-log.md) is a record of past runs,
 * not instructions, and is not checked.
 */
class DocCommandsTest {

    static final Path ROOT = ReadmeQuickStartTest.ROOT;

    @Test
    void everyDocumentedCommandIsRunByCiOrSaysWhyNot() throws IOException {
        String scripts = String.join("\n", normalised(ROOT.resolve(".ci/run")), normalised(ROOT.resolve(".ci/doc-commands")),
                normalised(ROOT.resolve(".ci/release-check")));
        Map<String, String> notRun = notRun();
        List<String> missing = new ArrayList<>();
        int commands = 0;
        for (Path doc : documents()) {
            for (String command : Docs.shellCommands(Files.readString(doc))) {
                commands++;
                if (!scripts.contains(command) && !notRun.containsKey(command)) {
                    missing.add(ROOT.relativize(doc) + ": " + command);
                }
            }
        }
        assertTrue(commands >= 10, "found only " + commands + " commands in the docs");
        assertEquals(List.of(), missing, "commands in the docs that CI does not run: add them to .ci/doc-commands");
    }

    @Test
    void everyCommandLeftOutSaysWhyAndIsStillDocumented() throws IOException {
        List<String> documented = new ArrayList<>();
        for (Path doc : documents()) {
            documented.addAll(Docs.shellCommands(Files.readString(doc)));
        }
        for (Map.Entry<String, String> e : notRun().entrySet()) {
            assertFalse(e.getValue().isBlank(), "no reason given for " + e.getKey());
            assertTrue(documented.contains(e.getKey()), "not in any doc any more: " + e.getKey());
        }
    }

    @Test
    void commandsAreReadAsTheReaderSeesThem() {
        String md = "text\n```sh\nmvn -B   verify      # all tests\n# a comment\n\n  java -p a \\\n     -m b/c\n```\n```\nnot sh\n```\n";
        assertEquals(List.of("mvn -B verify", "java -p a -m b/c"), Docs.shellCommands(md));
    }

    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("BENCHMARKS.md")));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equals("benchmark-log.md"))
                    .sorted().forEach(docs::add);
        }
        return docs;
    }

    /** A script's text with continued lines joined and runs of blanks made one. */
    static String normalised(Path script) throws IOException {
        return Files.readString(script).replaceAll("\\\\\n\\s*", " ").replaceAll("[ \\t]+", " ");
    }

    /** The commands of .ci/doc-commands-not-run, each with the comment lines above it (the reason). */
    static Map<String, String> notRun() throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        StringBuilder reason = new StringBuilder();
        for (String line : Files.readAllLines(ROOT.resolve(".ci/doc-commands-not-run"))) {
            String t = line.strip();
            if (t.startsWith("#")) {
                reason.append(t.substring(1).strip()).append(' ');
            } else if (!t.isEmpty()) {
                entries.put(t.replaceAll("\\s+", " "), reason.toString().strip());
            } else {
                reason.setLength(0);
            }
        }
        return entries;
    }
}
