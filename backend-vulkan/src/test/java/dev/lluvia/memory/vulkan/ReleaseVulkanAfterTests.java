package dev.lluvia.memory.vulkan;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Destroys the shared Vulkan instances when the test launcher's session closes, on the launcher's
 * (main) thread before the JVM exits: on NVIDIA's driver a JVM that ends with the driver loaded
 * dies with SIGSEGV in {@code libEGL_nvidia.so.0} (see {@link VulkanInstance}). Registered in
 * {@code META-INF/services}, so surefire and the JUnit console launcher both call it.
 */
public final class ReleaseVulkanAfterTests implements LauncherSessionListener {

    /** Public for {@link java.util.ServiceLoader}. */
    public ReleaseVulkanAfterTests() {
    }

    /**
     * The suite opens and closes hundreds of sessions: keep the shared instances between them, or
     * NVIDIA's driver would be reloaded each time and refuse after about 30 (see {@link VulkanInstance}).
     */
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        System.setProperty(VulkanBackend.KEEP_INSTANCES_PROPERTY, "true");
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (!VulkanBackendProvider.releaseSharedInstances()) {
            System.err.println("WARNING: a Vulkan session is still open after the tests; the shared Vulkan"
                    + " instances stay (on NVIDIA the JVM may crash at exit)");
        }
    }
}
