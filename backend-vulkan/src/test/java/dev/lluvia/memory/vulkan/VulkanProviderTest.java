package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.BackendInfo;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.spi.Availability;
import dev.lluvia.memory.spi.MemoryBackendProvider;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static dev.lluvia.memory.vulkan.VulkanTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/** Discovery, availability and device choice. */
class VulkanProviderTest {

    @Test
    void serviceLoaderFindsTheVulkanProviderWithPriority100() {
        MemoryBackendProvider found = null;
        for (MemoryBackendProvider p : ServiceLoader.load(MemoryBackendProvider.class)) {
            if (p.name().equals("vulkan")) {
                found = p;
            }
        }
        assertNotNull(found, "META-INF/services registers the vulkan provider");
        assertEquals(100, found.priority());
        assertInstanceOf(VulkanBackendProvider.class, found);
    }

    @Test
    void probeDescribesTheDevicesItFound() {
        Availability a = new VulkanBackendProvider().probe();
        assertNotNull(a.reason());
        assertFalse(a.reason().isBlank());
        assumeVulkan();
        assertTrue(a.available());
        assertTrue(a.reason().contains("Vulkan 1."), a.reason());
        BackendInfo info = Session.availableBackends().stream().filter(b -> b.name().equals("vulkan")).findFirst()
                .orElseThrow();
        assertTrue(info.available(), info.toString());
    }

    @Test
    void defaultSessionOpensVulkanWhenItIsTheOnlyBackend() {
        assumeVulkan();
        // With only this backend on the class path, no name is needed.
        try (Session s = Session.create(SessionOptions.defaults().withBackend(null))) {
            assertEquals("vulkan", s.backendName());
        }
    }

    @Test
    void deviceIndexOutOfRangeListsTheDevices() {
        assumeVulkan();
        int count = deviceNames().size();
        DeviceNotFoundException e = assertThrows(DeviceNotFoundException.class, () -> Session.create(
                SessionOptions.defaults().withBackend("vulkan").withDebug(true).withDevice("" + (count + 7))));
        assertTrue(e.getMessage().contains("index " + (count + 7)), e.getMessage());
        assertTrue(e.getMessage().contains("0: "), "lists the devices: " + e.getMessage());
    }

    @Test
    void unknownDeviceNameListsTheDevices() {
        assumeVulkan();
        DeviceNotFoundException e = assertThrows(DeviceNotFoundException.class, () -> Session.create(
                SessionOptions.defaults().withBackend("vulkan").withDevice("no-such-gpu-9000")));
        assertTrue(e.getMessage().contains("no-such-gpu-9000"), e.getMessage());
        assertTrue(e.getMessage().contains("0: "), e.getMessage());
    }

    @Test
    void deviceIsFoundByIndexAndByNameSubstring() {
        Session byIndex = open("0");
        String name;
        try {
            name = byIndex.device().name();
            assertEquals(0, backend(byIndex).deviceIndex());
        } finally {
            closeAndAssertClean(byIndex);
        }
        // A case-changed piece of the name finds the same device.
        String piece = name.substring(0, Math.min(6, name.length())).toUpperCase(java.util.Locale.ROOT);
        Session byName = open(piece);
        try {
            assertEquals(name, byName.device().name());
        } finally {
            closeAndAssertClean(byName);
        }
    }

    @Test
    void defaultDevicePrefersDiscreteThenIntegratedThenVirtualThenCpu() {
        assumeVulkan();
        var devices = VulkanInstance.shared(false, false).physicalDevices();
        var chosen = VulkanDeviceFactory.choose(devices, null);
        for (var d : devices) {
            if (d.usable()) {
                assertTrue(chosen.type().ordinal() <= d.type().ordinal(), chosen + " chosen over " + d);
            }
        }
    }
}
