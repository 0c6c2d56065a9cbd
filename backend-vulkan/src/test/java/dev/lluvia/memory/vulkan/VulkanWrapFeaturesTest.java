package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.vulkan.testing.OwnVulkan;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.vulkan.VkPhysicalDeviceBufferDeviceAddressFeatures;
import org.lwjgl.vulkan.VkPhysicalDeviceFeatures2;
import org.lwjgl.vulkan.VkPhysicalDeviceVulkan12Features;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.system.MemoryStack.stackPush;

/**
 * {@link VulkanSession#wrap} checks a declared feature against the feature chain the program created
 * its device with, when it gives it: {@code BUFFER_DEVICE_ADDRESS} declared for a device created
 * without {@code bufferDeviceAddress} is refused naming it, and nothing reaches the driver.
 */
class VulkanWrapFeaturesTest {

    private static final SessionOptions QUIET = SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE);

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void aDeclaredFeatureTheChainDoesNotEnableIsRefused(String device) {
        VulkanTestSupport.assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(Integer.parseInt(device), false);
             MemoryStack stack = stackPush()) {
            // The chain the program created its device with: bufferDeviceAddress off (here, no chain
            // at all was used; a program with other 1.2 features has this struct with the bit off).
            VkPhysicalDeviceVulkan12Features v12 = VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default();
            VkPhysicalDeviceFeatures2 chain = VkPhysicalDeviceFeatures2.calloc(stack).sType$Default().pNext(v12.address());
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> VulkanSession.wrap(
                    ExistingDevice.of(own.device, own.apiVersion).withFeatures(DeviceFeature.BUFFER_DEVICE_ADDRESS)
                            .withFeatureChain(chain.address()), QUIET));
            assertTrue(refused.getMessage().contains("BUFFER_DEVICE_ADDRESS")
                    && refused.getMessage().contains("bufferDeviceAddress"), refused.getMessage());
            // The chain check alone (lavapipe has no VK_EXT_memory_priority, which wrap checks first).
            IllegalArgumentException priority = assertThrows(IllegalArgumentException.class,
                    () -> VulkanDeviceFactory.requireInChain(chain.address(), EnumSet.of(DeviceFeature.MEMORY_PRIORITY)));
            assertTrue(priority.getMessage().contains("MEMORY_PRIORITY") && priority.getMessage().contains("memoryPriority"),
                    priority.getMessage());
            VulkanDeviceFactory.requireInChain(org.lwjgl.vulkan.VkPhysicalDeviceMemoryPriorityFeaturesEXT.calloc(stack)
                    .sType$Default().memoryPriority(true).pNext(chain.address()).address(), EnumSet.of(DeviceFeature.MEMORY_PRIORITY));
            // The same chain with nothing declared is fine.
            Session plain = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion).withFeatureChain(chain.address()), QUIET);
            plain.createMemory(MemoryUsage.DEVICE_ONLY).createBuffer(256);
            plain.close();
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void aDeclaredFeatureTheChainEnablesIsUsed(String device) {
        VulkanTestSupport.assumeVulkan();
        try (OwnVulkan own = OwnVulkan.create(Integer.parseInt(device), true);
             MemoryStack stack = stackPush()) {
            org.junit.jupiter.api.Assumptions.assumeTrue(own.bufferDeviceAddress,
                    "the device has no bufferDeviceAddress (lavapipe has it)");
            // The chain as OwnVulkan created the device: VkPhysicalDeviceVulkan12Features.bufferDeviceAddress;
            // the extension's own struct counts as well.
            long[] chains = {
                    VkPhysicalDeviceVulkan12Features.calloc(stack).sType$Default().bufferDeviceAddress(true).address(),
                    VkPhysicalDeviceBufferDeviceAddressFeatures.calloc(stack).sType$Default().bufferDeviceAddress(true).address()};
            for (long chain : chains) {
                Session session = VulkanSession.wrap(ExistingDevice.of(own.device, own.apiVersion)
                        .withFeatures(DeviceFeature.BUFFER_DEVICE_ADDRESS).withFeatureChain(chain), QUIET);
                Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY);
                assertNotEquals(0, memory.createBuffer(256, EnumSet.of(BufferUsage.STORAGE_BUFFER,
                        BufferUsage.SHADER_DEVICE_ADDRESS)).deviceAddress());
                session.close();
            }
            own.close();
            assertEquals(0, own.errors() + own.warnings(), () -> String.join("\n", own.messages()));
        }
    }
}
