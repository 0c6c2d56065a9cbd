package dev.lluvia.memory.spi;

import dev.lluvia.memory.TransferPath;

/**
 * Told by a backend which way each of its transfers went ({@link MemoryBackend#copyToBuffer} and
 * the other copies between host memory and an object), so that the session can count bytes by
 * path and JFR's transfer event can name it. Called on the thread that asked for the transfer, as
 * the last step of a copy that succeeded, once per transfer; it is quick and does not throw.
 */
@FunctionalInterface
public interface TransferListener {

    /**
     * The transfer that this thread is making took {@code path}.
     *
     * @param path the way the bytes went
     */
    void transferred(TransferPath path);
}
