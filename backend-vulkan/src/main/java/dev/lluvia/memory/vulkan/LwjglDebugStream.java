package dev.lluvia.memory.vulkan;

import org.lwjgl.system.Configuration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * LWJGL's debug stream, routed through here so that the probe for the Vulkan loader is quiet.
 *
 * <p>Why: when a native library is missing, LWJGL prints a block of advice ("[LWJGL] Failed to load
 * a library. Possible solutions: ...") to its debug stream, {@code System.err} by default, before
 * it throws. A program that runs fine on the simulated device, or that chose a backend on purpose,
 * should not show that block; the reason belongs in {@code Session.availableBackends()}. LWJGL reads
 * {@link Configuration#DEBUG_STREAM} once, when its {@code APIUtil} class initialises, so
 * {@link #install} sets it before the first LWJGL call: to a stream that writes to whatever
 * {@code System.err} is at the time, except on a thread inside {@link #capture}, whose output is
 * kept instead. Other LWJGL output (its debug mode, other threads) still reaches {@code System.err}.
 *
 * <p>An application that sets {@code org.lwjgl.util.DebugStream} itself keeps its stream (and sees
 * the advice there); one that used LWJGL before the first session keeps LWJGL's default.
 */
final class LwjglDebugStream {

    /** The output of the current thread's {@link #capture}, or null when it is not capturing. */
    private static final ThreadLocal<ByteArrayOutputStream> CAPTURED = new ThreadLocal<>();

    private static boolean installed;

    private LwjglDebugStream() {
    }

    /** Routes LWJGL's debug stream through here, once, unless the user configured one. */
    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        if (Configuration.DEBUG_STREAM.get() == null) {
            Configuration.DEBUG_STREAM.set(new PrintStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    target().write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    target().write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    target().flush();
                }
            }, true, StandardCharsets.UTF_8));
        }
    }

    private static OutputStream target() {
        ByteArrayOutputStream captured = CAPTURED.get();
        return captured != null ? captured : System.err;
    }

    /**
     * Runs {@code action} with LWJGL's debug output on this thread kept rather than printed.
     *
     * @param output receives what LWJGL printed (empty when nothing), also when {@code action} throws
     */
    static <T> T capture(Supplier<T> action, StringBuilder output) {
        install();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        CAPTURED.set(buffer);
        try {
            return action.get();
        } finally {
            CAPTURED.remove();
            output.append(buffer.toString(StandardCharsets.UTF_8));
        }
    }
}
