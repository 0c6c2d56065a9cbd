package dev.lluvia.memory.vulkan;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Reports a Vulkan session still open when the test launcher's session closes: a test that forgot
 * to close one. The JVM then exits with that device open, which is safe (the driver stays loaded
 * for the JVM's life, see {@link VulkanInstance}), but is a leak in the test. Registered in
 * {@code META-INF/services}, so surefire and the JUnit console launcher both call it.
 */
public final class ReleaseVulkanAfterTests implements LauncherSessionListener {

    /** Public for {@link java.util.ServiceLoader}. */
    public ReleaseVulkanAfterTests() {
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        int open = VulkanInstance.openBackends();
        if (open > 0) {
            System.err.println("WARNING: " + open + " Vulkan session(s) still open after the tests");
        }
    }
}
