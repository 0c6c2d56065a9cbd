package dev.lluvia.memory;

/**
 * Told what a {@link Session} does, as it happens: for recorders (the report module's
 * {@code TraceRecorder} writes these events as a trace that can be replayed) and for tools that
 * follow a program's memory. Add one with {@link Session#addListener}.
 *
 * <p>Calls come on the thread that did the operation, after it succeeded, while the Memory's
 * lock is held, so that the events of one Memory arrive in the order they happened. A listener
 * must therefore be quick, must not call back into the Memory, and should not throw: what it
 * throws reaches the caller of the operation, which has already taken effect.
 */
public interface SessionListener {

    /**
     * A Memory was created ({@link Memory#options()} says how).
     *
     * @param memory the memory
     */
    default void memoryCreated(Memory memory) {
    }

    /**
     * A buffer or image was created and bound.
     *
     * @param object the object
     */
    default void objectCreated(MemoryObject object) {
    }

    /**
     * A buffer or image was closed by its own {@link MemoryObject#close()}.
     *
     * @param object the object
     */
    default void objectClosed(MemoryObject object) {
    }

    /**
     * Defragmentation moved an object: it now has a new driver handle and lives at
     * {@link MemoryObject#allocationInfo()}; it was at {@code from}.
     *
     * @param object the object
     * @param from where it lived before the move
     */
    default void objectMoved(MemoryObject object, AllocationInfo from) {
    }

    /**
     * A defragmentation pass of {@code memory} ended having moved {@code moves} (each also told to
     * {@link #objectMoved} as it happened), in the order it moved them; also told when the pass
     * failed after moving some. Passes that move nothing are not told. A trace recorder needs the
     * pass as a whole: which objects one pass moved decides where each went.
     *
     * @param memory the memory defragmented
     * @param moves the moves of the pass, in order
     */
    default void defragmentationPass(Memory memory, java.util.List<Defragmentation.Move> moves) {
    }

    /**
     * A Memory was closed, directly or by its session; its live objects went with it.
     *
     * @param memory the memory
     */
    default void memoryClosed(Memory memory) {
    }
}
