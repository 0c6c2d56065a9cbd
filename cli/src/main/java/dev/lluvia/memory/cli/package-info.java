/**
 * The {@code lluvia-mem} command line ({@link dev.lluvia.memory.cli.Main}): {@code info}, {@code demo},
 * {@code stats} and {@code map} on whatever backend is present. A program, not an API: built as
 * {@code cli/target/lluvia-mem.jar} and not published.
 */
package dev.lluvia.memory.cli;
