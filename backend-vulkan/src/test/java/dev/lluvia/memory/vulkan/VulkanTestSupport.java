package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Availability;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shared by the Vulkan tests: whether Vulkan is here, which devices there are, sessions opened with
 * validation on, and the check that validation stayed silent.
 *
 * <p>Without a Vulkan loader or device the tests skip, saying why, unless the system property
 * {@code lluvia.vulkan.required=true} or the environment variable {@code LLUVIA_VULKAN_REQUIRED=1}
 * is set (CI sets it): then they fail. Under the same switch a missing validation layer fails too.
 */
final class VulkanTestSupport {

    /** System property that turns skipped Vulkan tests into failures. */
    static final String REQUIRED_PROPERTY = "lluvia.vulkan.required";
    /** Environment variable with the same meaning ({@code 1} or {@code true}). */
    static final String REQUIRED_ENV = "LLUVIA_VULKAN_REQUIRED";

    private static Availability availability;
    private static List<String> deviceNames;

    private VulkanTestSupport() {
    }

    static boolean required() {
        String env = System.getenv(REQUIRED_ENV);
        return Boolean.getBoolean(REQUIRED_PROPERTY) || "1".equals(env) || "true".equalsIgnoreCase(env);
    }

    static synchronized Availability availability() {
        if (availability == null) {
            availability = new VulkanBackendProvider().probe();
        }
        return availability;
    }

    /** Skips the test (or fails it when Vulkan is required) unless a Vulkan 1.1 device is present. */
    static void assumeVulkan() {
        Availability a = availability();
        if (!a.available()) {
            String why = "no usable Vulkan here: " + a.reason();
            if (required()) {
                Assertions.fail(why + " (" + REQUIRED_PROPERTY + "/" + REQUIRED_ENV + " is set, so this fails instead of skipping)");
            }
            Assumptions.abort(why + " (set " + REQUIRED_PROPERTY + "=true to make this a failure)");
        }
    }

    /**
     * The index of every Vulkan 1.1 device, for parameterized tests; {@code "none"} when there is
     * none, so the test still runs once and skips (or fails) through {@link #assumeVulkan()}.
     */
    static Stream<String> devices() {
        return deviceNames().stream();
    }

    static synchronized List<String> deviceNames() {
        if (deviceNames == null) {
            List<String> names = new ArrayList<>();
            if (availability().available()) {
                for (VulkanInstance.PhysicalDevice d : VulkanInstance.shared(false, false).physicalDevices()) {
                    if (d.usable()) {
                        names.add(Integer.toString(d.index()));
                    }
                }
            }
            if (names.isEmpty()) {
                names.add("none");
            }
            deviceNames = names;
        }
        return deviceNames;
    }

    /** A session on device {@code device} (an index, a name, or null for the default) with validation on. */
    static Session open(String device) {
        return open(device, java.util.Map.of());
    }

    /** {@link #open(String)} with backend properties. */
    static Session open(String device, java.util.Map<String, String> properties) {
        assumeVulkan();
        // These tests free objects by closing their Memory or Session, as Lluvia programs do, so the
        // core's leak log would only be noise; leaks that matter (Vulkan objects never destroyed)
        // are caught by the validation layer at vkDestroyDevice.
        SessionOptions options = SessionOptions.defaults().withBackend("vulkan").withDebug(true)
                .withDevice("none".equals(device) ? null : device).withLeakPolicy(LeakPolicy.IGNORE);
        for (java.util.Map.Entry<String, String> e : properties.entrySet()) {
            options = options.withProperty(e.getKey(), e.getValue());
        }
        Session session = Session.create(options);
        VulkanBackend backend = backend(session);
        if (!backend.isValidationEnabled()) {
            String why = "the validation layer " + VulkanInstance.VALIDATION_LAYER + " is not installed";
            if (required()) {
                session.close();
                Assertions.fail(why + "; Vulkan tests are required to run with it");
            }
            System.err.println("WARNING: " + why + "; validation counts stay at zero");
        }
        return session;
    }

    /**
     * A page of a device-local type (one the host cannot map, where the device has one) with a
     * buffer of {@code size} bytes (storage, transfer source and destination) bound at 0:
     * the buffer and its page. Destroy the buffer, then free the page.
     */
    static BoundBuffer deviceBuffer(VulkanBackend backend, long size) {
        dev.lluvia.memory.spi.Resource buffer = backend.createBuffer(size, 0x20 | 0x1 | 0x2);
        int bits = buffer.requirements().memoryTypeBits();
        int type = -1;
        for (var t : backend.device().memoryTypes()) {
            if ((bits & (1 << t.index())) != 0 && t.flags().contains(dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL)
                    && !t.flags().contains(dev.lluvia.memory.MemoryPropertyFlag.PROTECTED) && (type < 0 || !t.isHostVisible())) {
                type = t.index();
            }
        }
        long page = backend.allocatePage(type, buffer.requirements().size());
        backend.bindBuffer(buffer, page, 0);
        return new BoundBuffer(buffer, page);
    }

    /** A buffer of the backend's and the page it is bound to, from {@link #deviceBuffer}. */
    record BoundBuffer(dev.lluvia.memory.spi.Resource buffer, long page) {
    }

    static VulkanBackend backend(Session session) {
        return session.unwrap(VulkanBackend.class).orElseThrow(() -> new AssertionError(session + " is not on Vulkan"));
    }

    /** Closes the session (destroying the device, where leaks are reported) and asserts validation said nothing. */
    static void closeAndAssertClean(Session session) {
        if (session == null) {
            return;
        }
        VulkanBackend backend = backend(session);
        session.close();
        assertClean(backend);
    }

    static void assertClean(VulkanBackend backend) {
        Assertions.assertEquals(0, backend.validationErrorCount() + backend.validationWarningCount(),
                () -> "validation reported " + backend.validationErrorCount() + " errors and "
                        + backend.validationWarningCount() + " warnings:\n" + String.join("\n", backend.validationMessages()));
    }

    /**
     * Runs {@code blocking} on a new thread, asserts that it waits ({@code what}), runs
     * {@code whileWaiting} (which should let it go), and asserts that it then finished without failing.
     */
    static void assertWaitsUntil(String what, Runnable blocking, Runnable whileWaiting) throws InterruptedException {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                blocking.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "waiter");
        waiter.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (waiter.getState() != Thread.State.WAITING && waiter.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Assertions.assertEquals(Thread.State.WAITING, waiter.getState(), what);
        whileWaiting.run();
        waiter.join(10_000);
        Assertions.assertFalse(waiter.isAlive(), "it went on once let go: " + what);
        Assertions.assertNull(failure.get());
    }

    /** Fills {@code b}'s remaining bytes (position untouched) with bytes of a {@code seed}ed random sequence. */
    static void fill(java.nio.ByteBuffer b, long seed) {
        java.util.Random random = new java.util.Random(seed);
        for (int i = 0; i < b.remaining(); i++) {
            b.put(b.position() + i, (byte) random.nextInt());
        }
    }
}
