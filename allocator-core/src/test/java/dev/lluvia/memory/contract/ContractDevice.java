package dev.lluvia.memory.contract;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.util.OptionalInt;

/**
 * How a backend module runs the shared contracts ({@link DefragmentationContract},
 * {@link AliasContract}, {@link MappedViewContract}) on one of its devices: the options that open
 * a session there, and the checks only that backend can make.
 */
public interface ContractDevice {

    /** Options that open a session on the device; the contracts change only debug and leak policy. */
    SessionOptions options();

    /** Checks made after each test while its sessions are still open (the sim: the referee). */
    default void check(Session open) {
    }

    /** Closes a session the contract opened and checks what the close showed (Vulkan: validation stayed silent). */
    default void close(Session session) {
        session.close();
    }

    /** The resources (buffers and images, aliases included) live on the device, where the backend can count them. */
    default OptionalInt liveResources(Session session) {
        return OptionalInt.empty();
    }

    /** A readable name for test reports. */
    String toString();
}
