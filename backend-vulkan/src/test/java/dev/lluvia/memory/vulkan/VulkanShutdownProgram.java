package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;

import java.util.concurrent.CyclicBarrier;

/**
 * Child JVM of {@link VulkanLifecycleJvmTest} for what could crash the JVM when wrong:
 * <ul>
 *   <li>{@code hook}: the shutdown hook's work ({@link VulkanInstance#shutdown}) with a session open
 *       and a buffer mapped must close the session, so that the view throws and never reads a freed
 *       page (before, the hook closed only the backend and left the view open);</li>
 *   <li>{@code race}: two threads closing one backend at once must destroy its device once.</li>
 * </ul>
 * Prints "shutdown: ok" at the end.
 */
public final class VulkanShutdownProgram {

    private VulkanShutdownProgram() {
    }

    public static void main(String[] args) throws Exception {
        SessionOptions options = SessionOptions.defaults().withBackend("vulkan").withLeakPolicy(LeakPolicy.IGNORE);
        if (args[0].equals("hook")) {
            Session session = Session.create(options);
            Memory host = session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
            Buffer buffer = host.createBuffer(4096);
            MappedView view = buffer.map();
            view.putInt(0, 7);
            VulkanInstance.shutdown();
            // Checked before the view is touched: with the session still open its page would be freed.
            check(session.isClosed(), "the hook closed the session");
            check(host.isClosed(), "the hook closed the Memory");
            try {
                view.getInt(0);
                check(false, "the view throws after the hook");
            } catch (IllegalStateException expected) {
                // shut
            }
        } else {
            for (int i = 0; i < 10; i++) {
                Session session = Session.create(options);
                VulkanBackend backend = session.unwrap(VulkanBackend.class).orElseThrow();
                CyclicBarrier start = new CyclicBarrier(2);
                Runnable closer = () -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    backend.close();
                };
                Thread other = new Thread(closer);
                other.start();
                closer.run();
                other.join();
                check(VulkanInstance.openBackends() == 0, "one close counted: " + VulkanInstance.openBackends());
                session.close();
            }
        }
        System.out.println("shutdown: ok");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.out.println("shutdown: FAILED: " + what);
            System.exit(1);
        }
    }
}
