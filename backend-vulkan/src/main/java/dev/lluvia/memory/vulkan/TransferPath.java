package dev.lluvia.memory.vulkan;

/**
 * Which way a transfer that could import the caller's memory takes, in {@code auto} mode of
 * {@link VulkanBackend#IMPORT_HOST_MEMORY_PROPERTY}: importing makes the driver pin the caller's
 * pages each time, which may cost more than staging the bytes, so both ways are timed on such
 * transfers (per direction, a moving average of nanoseconds per byte) and the faster one is taken,
 * the other tried again every {@link #REPROBE}th time to keep its figure current. Otherwise
 * ({@code true}) every such transfer imports.
 *
 * <p>Thread-safe: transfers of several threads ask and report at once.
 */
final class TransferPath {

    /** In auto mode, every this many transfers that could import take the way measured slower. */
    static final int REPROBE = 8;

    private static final int IMPORT = 0;
    private static final int STAGE = 1;

    /** Whether imports are taken when measured faster (auto) rather than always. */
    private final boolean adaptive;
    /** Auto mode: nanoseconds per byte, [upload, download][import, staging]; 0 until measured. */
    private final double[][] nsPerByte = new double[2][2];
    private final int[] choices = new int[2];

    TransferPath(boolean adaptive) {
        this.adaptive = adaptive;
    }

    /** Whether this transfer (an upload or not) tries to import. Each way is tried once, then the faster taken. */
    synchronized boolean importNext(boolean upload) {
        if (!adaptive) {
            return true;
        }
        final int direction = upload ? 0 : 1;
        final double imports = nsPerByte[direction][IMPORT];
        final double stages = nsPerByte[direction][STAGE];
        if (imports == 0 || stages == 0) {
            return imports == 0;
        }
        final boolean faster = imports <= stages;
        return ++choices[direction] % REPROBE == 0 ? !faster : faster;
    }

    /** Records how long a transfer of {@code bytes} that could import took, started at {@code startNanos}. */
    synchronized void measured(boolean upload, boolean imported, long startNanos, int bytes) {
        if (!adaptive) {
            return;
        }
        final double measured = (System.nanoTime() - startNanos) / (double) bytes;
        final double[] figures = nsPerByte[upload ? 0 : 1];
        final int way = imported ? IMPORT : STAGE;
        figures[way] = figures[way] == 0 ? measured : 0.75 * figures[way] + 0.25 * measured;
    }
}
