package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core alone has no backend: the errors must tell the user which module to add. */
class BackendChoiceTest {

    @Test
    void noBackendOnThePathNamesTheModulesToAdd() {
        BackendNotFoundException e = assertThrows(BackendNotFoundException.class, Session::create);
        assertTrue(e.getMessage().contains("dev.lluvia.memory:lluvia-memory-vulkan") && e.getMessage().contains("dev.lluvia.memory:lluvia-memory-sim"), e.getMessage());
        assertTrue(Session.availableBackends().isEmpty());
    }

    @Test
    void unknownBackendNameIsNamed() {
        BackendNotFoundException e = assertThrows(BackendNotFoundException.class,
                () -> Session.create(SessionOptions.defaults().withBackend("metal")));
        assertTrue(e.getMessage().contains("'metal'"), e.getMessage());
        assertTrue(e.getMessage().contains("found: none"), e.getMessage());
    }

    @Test
    void systemPropertyNamesTheBackendWhenOptionsDoNot() {
        String before = System.getProperty(LluviaProperties.BACKEND);
        System.setProperty(LluviaProperties.BACKEND, "directx");
        try {
            BackendNotFoundException e = assertThrows(BackendNotFoundException.class, Session::create);
            assertTrue(e.getMessage().contains("'directx'"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(LluviaProperties.BACKEND);
            } else {
                System.setProperty(LluviaProperties.BACKEND, before);
            }
        }
    }
}
