/**
 * Reports of a session as a library API: {@link dev.lluvia.memory.report.VmaDump} (VMA's JSON
 * dump format), {@link dev.lluvia.memory.report.MemoryMap} (a PNG picture of every page), and
 * traces ({@link dev.lluvia.memory.report.TraceRecorder} writes a session's own events in the
 * format that {@link dev.lluvia.memory.report.Trace} parses and replays). The core stays free of
 * dependencies: this module adds Jackson (the dump) and java.desktop (the picture).
 */
module dev.lluvia.memory.report {
    requires transitive dev.lluvia.memory;
    requires tools.jackson.databind;
    requires transitive java.desktop;

    exports dev.lluvia.memory.report;
}
