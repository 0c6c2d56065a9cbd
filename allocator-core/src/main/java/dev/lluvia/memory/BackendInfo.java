package dev.lluvia.memory;

/**
 * A backend found on the class or module path, as {@link Session#availableBackends()} reports it.
 *
 * @param name      what to pass to {@link SessionOptions#withBackend(String)}
 * @param priority  higher is chosen first when no backend is named
 * @param available whether it can be opened here
 * @param detail    what it found, or why it is unavailable
 */
public record BackendInfo(String name, int priority, boolean available, String detail) {
}
