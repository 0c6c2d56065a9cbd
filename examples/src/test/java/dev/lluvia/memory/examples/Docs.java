package dev.lluvia.memory.examples;

import java.util.ArrayList;
import java.util.List;

/** Fenced blocks of the project's Markdown files, for the tests that hold the docs to the code. */
final class Docs {

    private Docs() {
    }

    /**
     * The text of the first fenced block of language {@code language} after the line {@code marker},
     * with a newline after each line.
     *
     * @throws AssertionError if there is no such marker or block
     */
    static String blockAfter(String markdown, String marker, String language) {
        int at = markdown.indexOf(marker + "\n");
        if (at < 0) {
            throw new AssertionError("no line '" + marker + "'");
        }
        String rest = markdown.substring(at + marker.length() + 1);
        String open = "```" + language + "\n";
        if (!rest.startsWith(open)) {
            throw new AssertionError("no ```" + language + " block right after '" + marker + "'");
        }
        int end = rest.indexOf("\n```\n", open.length() - 1);
        if (end < 0) {
            throw new AssertionError("the ```" + language + " block after '" + marker + "' is not closed");
        }
        return rest.substring(open.length(), end + 1);
    }

    /**
     * The commands of every {@code ```sh} block (indented ones too): one entry per command, lines
     * continued with a backslash joined, comments and blank lines left out, a trailing
     * {@code   # comment} cut off, runs of blanks made one.
     */
    static List<String> shellCommands(String markdown) {
        List<String> commands = new ArrayList<>();
        boolean inside = false;
        StringBuilder pending = new StringBuilder();
        for (String line : markdown.split("\n", -1)) {
            String trimmed = line.strip();
            if (!inside) {
                inside = trimmed.equals("```sh");
                continue;
            }
            if (trimmed.equals("```")) {
                inside = false;
                continue;
            }
            String code = trimmed.replaceFirst("\\s+#.*$", "");
            if (code.isEmpty() || code.startsWith("#")) {
                continue;
            }
            if (code.endsWith("\\")) {
                pending.append(code, 0, code.length() - 1).append(' ');
                continue;
            }
            pending.append(code);
            commands.add(pending.toString().replaceAll("\\s+", " ").strip());
            pending.setLength(0);
        }
        return commands;
    }
}
