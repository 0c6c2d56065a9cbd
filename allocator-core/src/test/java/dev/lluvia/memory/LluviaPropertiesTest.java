package dev.lluvia.memory;

import dev.lluvia.memory.spi.BackendOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One parser for every true/false setting, and the order in which a setting is looked for. */
class LluviaPropertiesTest {

    private static final String KEY = "lluvia.test.switch";

    @Test
    void onlyTrueAndFalseAreSwitches() {
        assertTrue(LluviaProperties.parseFlag(KEY, "true"));
        assertTrue(LluviaProperties.parseFlag(KEY, " TRUE "));
        assertFalse(LluviaProperties.parseFlag(KEY, "False"));
        for (String bad : new String[]{"yes", "1", "", "ture", "on"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LluviaProperties.parseFlag(KEY, bad));
            assertEquals(KEY + " must be true or false, was '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void aBackendPropertyWinsOverTheSystemPropertyWhichWinsOverTheDefault() {
        assertTrue(new BackendOptions(false, null, Map.of()).flag(KEY, true), "the default");
        System.setProperty(KEY, "false");
        try {
            assertFalse(new BackendOptions(false, null, Map.of()).flag(KEY, true), "the system property");
            assertTrue(new BackendOptions(false, null, Map.of(KEY, "true")).flag(KEY, false), "the backend property");
            System.setProperty(KEY, "maybe");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new BackendOptions(false, null, Map.of()).flag(KEY, true));
            assertTrue(e.getMessage().contains(KEY) && e.getMessage().contains("'maybe'"), e.getMessage());
        } finally {
            System.clearProperty(KEY);
        }
    }

    @Test
    void everyKeyIsUnderLluvia() {
        assertEquals("lluvia.backend", LluviaProperties.BACKEND);
        assertTrue(LluviaProperties.BACKEND.startsWith(LluviaProperties.PREFIX));
    }
}
