package dev.lluvia.memory;

/**
 * What closing a {@link Memory} or {@link Session} does about objects still alive. Either way
 * every object is destroyed and every page freed first; the policy only decides how loudly.
 */
public enum LeakPolicy {
    /** Say nothing: closing with live objects is how this program frees them. */
    IGNORE,
    /** Log a warning that lists each live object (the default). */
    LOG,
    /** Throw a {@link MemoryLeakException} that lists them, after freeing everything. */
    THROW
}
