package dev.lluvia.memory;

import java.util.List;
import java.util.Optional;

/**
 * The allocator's JDK Flight Recorder events, seen from the code that fires them: one static call
 * per event point, which costs a test of a constant when the runtime has no {@code jdk.jfr} and
 * an {@code isEnabled()} check when no recording wants the event. {@link JfrEvents} makes the
 * events ({@link JfrEventTypes}, with {@link JfrSettings}); those classes alone refer to
 * {@code jdk.jfr}: the module {@code requires static jdk.jfr}, so a runtime made by jlink without
 * that module works and simply records nothing (this class never loads them there).
 *
 * <p>Timed events (a page's driver call, a defragmentation pass, a transfer) start with a
 * {@code begin...} call that returns the started event, or {@code null} when it is not recorded,
 * and end with the matching call that takes it back; the value is an {@code Object} so that the
 * callers name no {@code jdk.jfr} type.
 */
final class Events {

    /** Whether {@code jdk.jfr} is in the runtime and this module reads it. */
    static final boolean AVAILABLE = jfrReadable();

    private Events() {
    }

    private static boolean jfrReadable() {
        Optional<Module> jfr = ModuleLayer.boot().findModule("jdk.jfr");
        return jfr.isPresent() && Events.class.getModule().canRead(jfr.get());
    }

    /** Called when a session opens, so that the periodic events can report it. */
    static void sessionOpened(Session session) {
        if (AVAILABLE) {
            JfrEvents.sessionOpened(session);
        }
    }

    /** Called as a session starts closing: the periodic events report it one last time. */
    static void sessionClosing(Session session) {
        if (AVAILABLE) {
            JfrEvents.sessionClosing(session);
        }
    }

    /** Before the driver is asked for a page. */
    static Object beginPageAllocated() {
        return AVAILABLE ? JfrEvents.beginPageAllocated() : null;
    }

    /** After the driver gave {@code page} to {@code memory}: the page event, then budget pressure. */
    static void pageAllocated(Object event, Memory memory, Page page) {
        if (AVAILABLE) {
            JfrEvents.pageAllocated(event, memory, page);
        }
    }

    /** Before {@code page} is given back to the driver. */
    static Object beginPageFreed() {
        return AVAILABLE ? JfrEvents.beginPageFreed() : null;
    }

    static void pageFreed(Object event, Memory memory, Page page) {
        if (AVAILABLE) {
            JfrEvents.pageFreed(event, memory, page);
        }
    }

    /** {@code object} was created and bound. */
    static void objectCreated(MemoryObject object) {
        if (AVAILABLE) {
            JfrEvents.objectCreated(object);
        }
    }

    /** {@code object} was closed by its own close. */
    static void objectClosed(MemoryObject object) {
        if (AVAILABLE) {
            JfrEvents.objectClosed(object);
        }
    }

    /** Creating {@code object} ({@code bytes} asked of the driver) in {@code memory} failed with {@code why}. */
    static void createRefused(Memory memory, MemoryObject object, long bytes, Throwable why) {
        if (AVAILABLE) {
            JfrEvents.createRefused(memory, object, bytes, why);
        }
    }

    static Object beginDefragmentationPass() {
        return AVAILABLE ? JfrEvents.beginDefragmentationPass() : null;
    }

    static void defragmentationPass(Object event, Memory memory, List<Defragmentation.Move> moves) {
        if (AVAILABLE) {
            JfrEvents.defragmentationPass(event, memory, moves);
        }
    }

    static Object beginTransfer() {
        return AVAILABLE ? JfrEvents.beginTransfer() : null;
    }

    static void transfer(Object event, MemoryObject object, boolean upload, long bytes, TransferPath path) {
        if (AVAILABLE) {
            JfrEvents.transfer(event, object, upload, bytes, path);
        }
    }

    /** {@code memory} is closing with {@code live} objects of {@code bytes} bytes still open (nothing when none). */
    static void leakReported(Memory memory, LiveObjects live, long bytes) {
        if (AVAILABLE && live.size() > 0) {
            JfrEvents.leakReported(memory, live, bytes);
        }
    }
}
