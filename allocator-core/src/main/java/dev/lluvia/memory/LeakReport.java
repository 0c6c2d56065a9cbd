package dev.lluvia.memory;

import java.util.List;

/**
 * What closing a {@link Memory} or {@link Session} found: objects still alive (leaks) and, in
 * debug mode, damaged margins (corruption), reported as the session's {@link LeakPolicy} says.
 * Corruption is always thrown ({@link MemoryCorruptionException}); a leak exception thrown with
 * it is suppressed in it, so neither hides the other.
 */
final class LeakReport {

    private static final System.Logger LOG = System.getLogger("dev.lluvia.memory");

    private LeakReport() {
    }

    /**
     * Destroys {@code objects} (a closing Memory's live objects), adding a leak line per object and
     * alias to {@code leaks} and a line per damaged margin to {@code corruptions}. Every object is
     * destroyed even when one fails; returns the first failure (later ones suppressed in it), or null.
     */
    static RuntimeException destroyAll(List<MemoryObject> objects, List<String> leaks, List<String> corruptions) {
        RuntimeException failure = null;
        for (MemoryObject o : objects) {
            for (MemoryObject a : o.aliasesLocked()) {
                leaks.add(a.leakLine() + ", an alias of " + o.describe());
            }
            leaks.add(o.leakLine());
            try {
                String c = o.destroyLocked();
                if (c != null) {
                    corruptions.add(c);
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    /**
     * Reports leaks as {@code policy} says, then damaged margins as a
     * {@link MemoryCorruptionException} (with a leak exception, if any, suppressed in it).
     *
     * @param closed what was closed, for the message
     */
    static void finish(LeakPolicy policy, List<String> leaks, List<String> corruptions, String closed) {
        if (corruptions.isEmpty()) {
            leaks(policy, leaks, closed);
            return;
        }
        MemoryCorruptionException corrupt = MemoryCorruptionException.of(closed, corruptions);
        try {
            leaks(policy, leaks, closed);
        } catch (MemoryLeakException leak) {
            corrupt.addSuppressed(leak);
        }
        throw corrupt;
    }

    /** Reports objects found alive at close: nothing, a warning on the log, or a {@link MemoryLeakException}. */
    static void leaks(LeakPolicy policy, List<String> leaks, String closed) {
        if (leaks.isEmpty() || policy == LeakPolicy.IGNORE) {
            return;
        }
        String message = "closing " + closed + " freed " + leaks.size() + " live object" + (leaks.size() == 1 ? "" : "s")
                + ":\n  " + String.join("\n  ", leaks);
        if (policy == LeakPolicy.THROW) {
            throw new MemoryLeakException(message, leaks);
        }
        LOG.log(System.Logger.Level.WARNING, message);
    }
}
