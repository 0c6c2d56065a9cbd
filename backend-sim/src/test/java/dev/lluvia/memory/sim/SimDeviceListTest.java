package dev.lluvia.memory.sim;

import dev.lluvia.memory.BackendNotFoundException;
import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.DeviceType;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@link Session#devices(String)} on the sim: every profile, in index order, without opening a session. */
class SimDeviceListTest {

    @Test
    void listsEveryProfileAsTheSessionOfThatIndexDescribesItsDevice() {
        List<DeviceSummary> devices = Session.devices("sim");
        assertEquals(SimProfiles.names().size(), devices.size());
        for (DeviceSummary d : devices) {
            try (Session s = Session.create(SessionOptions.defaults().withBackend("sim").withDevice(Integer.toString(d.index())))) {
                assertEquals(s.device().name(), d.name());
                assertEquals(s.device().type(), d.type());
                assertEquals(s.device().apiVersion(), d.apiVersion());
                assertEquals(s.device().memoryHeaps(), d.heaps());
                assertTrue(d.usable());
            }
        }
        DeviceSummary h200 = devices.get(SimProfiles.names().indexOf("nvidia-h200"));
        assertEquals(DeviceType.DISCRETE_GPU, h200.type());
        assertEquals(150754820096L, h200.heaps().get(0).size());
    }

    @Test
    void anUnknownBackendIsATypedErrorNamingIt() {
        BackendNotFoundException e = assertThrows(BackendNotFoundException.class, () -> Session.devices("metal"));
        assertTrue(e.getMessage().contains("'metal'") && e.getMessage().contains("sim"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Session.devices(null));
    }
}
