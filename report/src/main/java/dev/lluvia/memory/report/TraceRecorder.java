package dev.lluvia.memory.report;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Records what a session does in the {@link Trace} format, so that a program's own workload can
 * be replayed later ({@link Trace#replay}, or {@code lluvia-mem stats|map --trace FILE}) on the
 * same or another device, and looked at with the dump and the map.
 *
 * <pre>
 *   try (Session session = Session.create(); TraceRecorder recorder = TraceRecorder.start(session)) {
 *       ... the program's work ...
 *       recorder.write(Path.of("app.trace"));
 *   }
 * </pre>
 *
 * <p>IDs: Memories are {@code m0, m1, ...} in the order they were created while recording;
 * buffers are {@code b<id>} and images {@code i<id>} with the object's {@link MemoryObject#id()}.
 * Memories created before {@link #start} are not known to the recorder, nor are their objects:
 * start recording right after the session is created. Replayed on the same device, a recording
 * gives every object the page and offset it had (the allocator is deterministic): images keep
 * their explicit format, mip levels and array layers, and each defragmentation pass is recorded
 * with the objects it moved, which the replay moves again in one pass. A Memory made from a
 * {@link dev.lluvia.memory.MemoryUsage} is recorded as its chosen type's exact flags. Aliases are
 * not recorded: they take no range of their own, so the layout is the same without them.
 *
 * <p>Thread-safe: the session's threads report into one list under this recorder's lock.
 */
public final class TraceRecorder implements SessionListener, AutoCloseable {

    private final Session session;
    private final List<String> lines = new ArrayList<>();
    private final Map<Memory, String> memoryIds = new IdentityHashMap<>();
    private final Map<MemoryObject, String> objectIds = new IdentityHashMap<>();
    private int memoriesSeen;

    private TraceRecorder(Session session) {
        this.session = session;
    }

    /** Starts recording {@code session}'s events; {@link #close()} stops. */
    public static TraceRecorder start(Session session) {
        Objects.requireNonNull(session, "session");
        TraceRecorder recorder = new TraceRecorder(session);
        session.addListener(recorder);
        return recorder;
    }

    /** The trace so far, one event per line (what {@link Trace#parse} reads). */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The trace so far, parsed. */
    public Trace trace() {
        return Trace.parse("recording", lines());
    }

    /** The recorded ID of a live object, or {@code null} if it was not recorded or is closed. */
    public synchronized String idOf(MemoryObject object) {
        return objectIds.get(object);
    }

    /** Writes the trace so far to a file, with a comment line naming the device. */
    public void write(Path file) {
        List<String> out = new ArrayList<>();
        out.add("# recorded by lluvia TraceRecorder on " + session.device().name() + ", backend " + session.backendName());
        out.addAll(lines());
        try {
            Files.write(file, out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Stops recording; what was recorded stays readable. Idempotent. */
    @Override
    public void close() {
        session.removeListener(this);
    }

    @Override
    public synchronized void memoryCreated(Memory memory) {
        String id = "m" + memoriesSeen++;
        memoryIds.put(memory, id);
        MemoryOptions o = memory.options();
        if (o.usage() != null) {
            // The trace names memory types by flags: a usage-chosen Memory is recorded as the exact
            // flags of the type its usage chose, so that the replay lands in the same type.
            o = new MemoryOptions(memory.memoryFlags(), null, o.pageSize(), true, o.algorithm(), o.strategy(),
                    o.priority(), o.exportable(), o.emptyPageBudget(), o.preferredFlags(), o.memoryTypeBits(),
                    o.minPages(), o.maxPages(), o.neverAllocate());
        }
        add(new Trace.CreateMemory(lines.size() + 1, id, o));
    }

    @Override
    public synchronized void objectCreated(MemoryObject object) {
        String memory = memoryIds.get(object.memory());
        if (memory == null) {
            return;
        }
        if (object instanceof Buffer b) {
            String id = "b" + b.id();
            objectIds.put(b, id);
            add(new Trace.CreateBuffer(lines.size() + 1, id, memory, b.size(), b.usage(), b.minAlignment()));
        } else if (object instanceof Image i) {
            String id = "i" + i.id();
            objectIds.put(i, id);
            add(new Trace.CreateImage(lines.size() + 1, id, memory, i.descriptor(), i.minAlignment()));
        }
    }

    @Override
    public synchronized void objectClosed(MemoryObject object) {
        String id = objectIds.remove(object);
        if (id != null) {
            add(new Trace.Close(lines.size() + 1, id));
        }
    }

    @Override
    public synchronized void defragmentationPass(Memory memory, List<Defragmentation.Move> moves) {
        String id = memoryIds.get(memory);
        if (id == null) {
            return;
        }
        List<String> moved = new ArrayList<>(moves.size());
        for (Defragmentation.Move m : moves) {
            moved.add(objectIds.get(m.object()));
        }
        add(new Trace.Defragment(lines.size() + 1, id, moved));
    }

    @Override
    public synchronized void memoryClosed(Memory memory) {
        String id = memoryIds.remove(memory);
        if (id != null) {
            objectIds.keySet().removeIf(o -> o.memory() == memory);
            add(new Trace.Close(lines.size() + 1, id));
        }
    }

    private void add(Trace.Event event) {
        lines.add(Trace.line(event));
    }
}
