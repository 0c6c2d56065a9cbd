package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Availability;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Many sessions in one JVM, the regression test for the NVIDIA driver that refuses
 * {@code vkCreateInstance} after 30 create/destroy cycles in a process (see {@link VulkanInstance}):
 * with an instance per session the 15th session failed there. Every session here must open, move
 * bytes through its device and close with validation silent, and all sessions of one configuration
 * must share one {@code VkInstance}. On lavapipe it passes with or without the fix (lavapipe has no
 * such limit) except for the shared-instance check; run it on the GPU, where the JVM must also exit
 * cleanly ({@link ReleaseVulkanAfterTests} releases the instances before it does).
 */
class VulkanManySessionsTest {

    private static final int SESSIONS = 100;

    @Test
    void hundredSessionsOpenWorkAndCloseInOneJvm() {
        assumeVulkan();
        long[] instances = new long[3];
        for (int i = 0; i < SESSIONS; i++) {
            // Every third session with debug checks, alternating synchronization validation on and off.
            boolean debug = i % 3 == 0;
            boolean sync = i % 6 == 0;
            SessionOptions options = SessionOptions.defaults().withBackend("vulkan").withDebug(debug)
                    .withLeakPolicy(LeakPolicy.IGNORE)
                    .withProperty(VulkanBackend.SYNC_VALIDATION_PROPERTY, Boolean.toString(sync));
            Session session;
            try {
                session = Session.create(options);
            } catch (RuntimeException e) {
                throw new AssertionError("session " + i + " of " + SESSIONS + " (debug " + debug + ") failed to open", e);
            }
            VulkanBackend backend = backend(session);
            try {
                assertEquals(debug && layerInstalled(), backend.isValidationEnabled(),
                        "session " + i + ": validation follows debug");
                int slot = !debug ? 0 : sync ? 1 : 2;
                long instance = backend.vkInstance().address();
                if (instances[slot] == 0) {
                    instances[slot] = instance;
                }
                assertEquals(instances[slot], instance, "session " + i + " uses the JVM's one instance for its configuration");
                roundTrip(session, i);
            } finally {
                session.close();
            }
            final int n = i;
            long errors = backend.validationErrorCount();
            long warnings = backend.validationWarningCount();
            assertEquals(0, errors + warnings, () -> "session " + n + " (" + backend + "): validation reported "
                    + errors + " errors and " + warnings + " warnings:\n" + String.join("\n", backend.validationMessages()));
        }
        assertNotEquals(instances[0], instances[1], "debug and non-debug sessions use different instances");
        for (boolean sync : new boolean[] {true, false}) {
            ValidationMessages creation = VulkanInstance.shared(true, sync).creationMessages;
            if (creation != null) {
                assertEquals(0, creation.errors() + creation.warnings(),
                        () -> "vkCreateInstance of the debug instance reported: " + creation.messages());
            }
        }
        Availability a = new VulkanBackendProvider().probe();
        assertTrue(a.available(), "the probe still finds Vulkan after " + SESSIONS + " sessions: " + a.reason());
    }

    @Test
    void repeatedProbesCreateNoInstances() {
        // Each Session.create probes; the answer is kept, so probing costs no instance after the first.
        Availability first = new VulkanBackendProvider().probe();
        for (int i = 0; i < 50; i++) {
            Availability again = new VulkanBackendProvider().probe();
            assertEquals(first.available(), again.available());
            assertEquals(first.reason(), again.reason());
        }
    }

    @Test
    void sharedInstancesAreReleasedOnlyWhenNoSessionIsOpenAndComeBackAfter() {
        assumeVulkan();
        Session open = Session.create(SessionOptions.defaults().withBackend("vulkan").withLeakPolicy(LeakPolicy.IGNORE));
        try {
            assertFalse(VulkanBackendProvider.releaseSharedInstances(), "an open session keeps the instances");
            roundTrip(open, 1);
        } finally {
            open.close();
        }
        assertTrue(VulkanBackendProvider.releaseSharedInstances(), "released once no session is open");
        assertTrue(VulkanBackendProvider.releaseSharedInstances(), "releasing again is harmless");
        Session again = VulkanTestSupport.open(null);
        try {
            roundTrip(again, 2);
        } finally {
            closeAndAssertClean(again);
        }
    }

    @Test
    void closingTheLastSessionKeepsTheInstanceForTheNextSession() {
        assumeVulkan();
        Session first = Session.create(SessionOptions.defaults().withBackend("vulkan").withLeakPolicy(LeakPolicy.IGNORE));
        long instance = backend(first).vkInstance().address();
        first.close();
        assertTrue(VulkanInstance.anyShared(), "the instance stays after the last session closes (no driver unload)");
        Session second = Session.create(SessionOptions.defaults().withBackend("vulkan").withLeakPolicy(LeakPolicy.IGNORE));
        try {
            assertEquals(instance, backend(second).vkInstance().address(), "the next session reuses the instance");
            roundTrip(second, 3);
        } finally {
            second.close();
        }
    }

    @Test
    void instancesAreMadeOnTheLibrarysOneDaemonDriverThread() {
        assumeVulkan();
        Session s = Session.create(SessionOptions.defaults().withBackend("vulkan").withLeakPolicy(LeakPolicy.IGNORE));
        s.close();
        java.util.List<Thread> driver = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("lluvia-vulkan-driver")).toList();
        assertEquals(1, driver.size(), "one driver thread: " + driver);
        assertTrue(driver.get(0).isDaemon(), "it does not keep the JVM alive");
    }

    @Test
    void withKeepInstancesFalseClosingTheLastSessionReleasesTheInstances() {
        assumeVulkan();
        String keep = System.getProperty(VulkanBackend.KEEP_INSTANCES_PROPERTY);
        System.setProperty(VulkanBackend.KEEP_INSTANCES_PROPERTY, "false");
        try {
            Session s = Session.create(SessionOptions.defaults().withBackend("vulkan").withLeakPolicy(LeakPolicy.IGNORE));
            assertTrue(VulkanInstance.anyShared());
            roundTrip(s, 4);
            s.close();
            assertFalse(VulkanInstance.anyShared(), "the last close destroyed the instances (the driver is unloaded)");
        } finally {
            if (keep == null) {
                System.clearProperty(VulkanBackend.KEEP_INSTANCES_PROPERTY);
            } else {
                System.setProperty(VulkanBackend.KEEP_INSTANCES_PROPERTY, keep);
            }
        }
        Session again = VulkanTestSupport.open(null);
        try {
            roundTrip(again, 5);
        } finally {
            closeAndAssertClean(again);
        }
    }

    /** Writes a pattern into a device-only buffer through the queue and reads it back. */
    private static void roundTrip(Session session, int i) {
        try (Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY, 1 << 16)) {
            Buffer buffer = memory.createBuffer(4096);
            ByteBuffer src = ByteBuffer.allocateDirect(4096);
            for (int k = 0; k < 4096; k++) {
                src.put(k, (byte) (k * 31 + i));
            }
            buffer.write(0, src.duplicate());
            ByteBuffer dst = ByteBuffer.allocateDirect(4096);
            buffer.read(0, dst);
            assertEquals(4096, dst.position(), "the read filled the buffer");
            assertEquals(src, dst.flip(), "session " + i + " reads back what it wrote");
        }
    }

    private static boolean layerInstalled() {
        return VulkanInstance.shared(true, true).validationEnabled;
    }
}
