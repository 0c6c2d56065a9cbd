package dev.lluvia.memory.vulkan;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Destroys the shared Vulkan instances when the test launcher's session closes, on the launcher's
 * thread, so the driver is unloaded before the JVM exits, and reports a Vulkan session still open
 * then (a test that forgot to close one). The backend's shutdown hook would unload the driver too
 * (see {@link VulkanInstance}); this does it earlier and says which test leaked. Registered in
 * {@code META-INF/services}, so surefire and the JUnit console launcher both call it.
 */
public final class ReleaseVulkanAfterTests implements LauncherSessionListener {

    /** Public for {@link java.util.ServiceLoader}. */
    public ReleaseVulkanAfterTests() {
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (!VulkanBackendProvider.releaseSharedInstances()) {
            System.err.println("WARNING: " + VulkanInstance.openBackends() + " Vulkan session(s) still open after"
                    + " the tests; the shutdown hook closes them");
        }
    }
}
