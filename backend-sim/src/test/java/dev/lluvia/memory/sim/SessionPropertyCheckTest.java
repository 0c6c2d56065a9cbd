package dev.lluvia.memory.sim;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Session properties are checked before anything opens: a {@code lluvia.*} key that no backend
 * found reads is refused with its name, and profile overrides name an existing key and a value in
 * Vulkan's range. A refused session leaves nothing behind (nothing was opened to leak).
 */
class SessionPropertyCheckTest {

    private static IllegalArgumentException refused(SessionOptions options) {
        return assertThrows(IllegalArgumentException.class, () -> Session.create(options).close());
    }

    private static SessionOptions sim(String key, String value) {
        return SessionOptions.defaults().withBackend("sim").withDevice("llvmpipe").withProperty(key, value);
    }

    @Test
    void anUnknownKeyOfABackendIsRefusedWithItsNameAndTheKnownKeys() {
        IllegalArgumentException e = refused(sim("lluvia.sim.nosuch", "1"));
        assertTrue(e.getMessage().startsWith("unknown session property 'lluvia.sim.nosuch'"), e.getMessage());
        assertTrue(e.getMessage().contains(SimBackend.CHECK_GRANULARITY_PROPERTY)
                && e.getMessage().contains(SimProfiles.OVERRIDE_PREFIX + "*"), e.getMessage());
    }

    /** Also when no backend is named: the check does not depend on which backend would be chosen. */
    @Test
    void anUnknownKeyUnderLluviaIsRefusedWhateverTheBackend() {
        IllegalArgumentException e = refused(SessionOptions.defaults().withProperty("lluvia.nosuch.key", "x"));
        assertTrue(e.getMessage().contains("'lluvia.nosuch.key'"), e.getMessage());
        IllegalArgumentException backend = refused(SessionOptions.defaults().withProperty("lluvia.backend", "sim"));
        assertTrue(backend.getMessage().contains("SessionOptions.withBackend"), backend.getMessage());
    }

    /** Keys outside lluvia. are not the library's: left to whoever reads them. */
    @Test
    void keysOutsideTheLibrarysNamespaceAndKnownKeysAreAccepted() {
        SessionOptions options = sim("myapp.setting", "1").withProperty(SimBackend.CHECK_GRANULARITY_PROPERTY, "false")
                .withProperty("lluvia.sim.fault.allocatePage", "off")
                .withProperty("lluvia.sim.profile.limits.nonCoherentAtomSize", "128");
        try (Session s = Session.create(options)) {
            assertEquals(128, s.device().limits().nonCoherentAtomSize());
        }
    }

    @Test
    void anOverrideOfAKeyTheProfileDoesNotHaveIsRefused() {
        IllegalArgumentException e = refused(sim("lluvia.sim.profile.limits.nosuch", "3"));
        assertTrue(e.getMessage().contains("lluvia.sim.profile.limits.nosuch"), e.getMessage());
        // heap 5 after heaps 0 and 1 (a gap): the parser never reads it.
        IllegalArgumentException gap = refused(sim("lluvia.sim.profile.heap.5.size", "1048576"));
        assertTrue(gap.getMessage().contains("heap.5.size"), gap.getMessage());
    }

    @Test
    void overridesOutOfVulkansRangeAreRefusedNamingKeyAndValue() {
        Map<String, String> bad = Map.of(
                "limits.nonCoherentAtomSize", "-3",
                "limits.bufferImageGranularity", "0",
                "limits.minStorageBufferOffsetAlignment", "48",
                "limits.maxMemoryAllocationCount", "0",
                "limits.maxImageDimension2D", "4294967296",
                "heap.0.size", "0",
                "memoryBudget.percent", "101",
                "vendorId", "0x100000000");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            IllegalArgumentException refused = refused(sim(SimProfiles.OVERRIDE_PREFIX + e.getKey(), e.getValue()));
            String value = e.getValue().startsWith("0x") ? Long.toString(Long.decode(e.getValue())) : e.getValue();
            assertTrue(refused.getMessage().contains("key " + e.getKey() + ": ") && refused.getMessage().contains(value),
                    e + ": " + refused.getMessage());
            assertTrue(refused.getMessage().contains("overridden: " + SimProfiles.OVERRIDE_PREFIX + e.getKey()),
                    e + ": " + refused.getMessage());
        }
    }
}
