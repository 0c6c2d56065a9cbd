/**
 * Reports on a session as a library: a snapshot of its pages and objects
 * ({@link dev.lluvia.memory.report.SessionReport}), written as VMA's JSON memory dump
 * ({@link dev.lluvia.memory.report.VmaDump}) or drawn as a PNG memory map
 * ({@link dev.lluvia.memory.report.MemoryMap}); and traces of a session's creates and closes, recorded
 * ({@link dev.lluvia.memory.report.TraceRecorder}) and replayed ({@link dev.lluvia.memory.report.Trace}).
 */
package dev.lluvia.memory.report;
