package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.contract.CreateCloseAllocation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Memory.createBuffer} + {@code Buffer.close} on every Vulkan device present stays within a
 * budget of Java heap bytes per buffer once warmed up ({@link CreateCloseAllocation}, in a JVM of
 * its own, validation off as a program runs): the garbage a program's create and close loop hands
 * its collector, which on a many-core host grows with the threads creating at once.
 */
class VulkanCreateCloseAllocationTest {

    /**
     * The {@code Buffer} (136 bytes with compressed references) and the backend's
     * {@code BufferState}, requirements included (72): 208 on lavapipe on 2026-12-06, against 264
     * before the requirements became fields of the resource and the object's rarely set fields
     * moved to a side object; the same on the H100, whose path is the same Java. With some room.
     */
    static final long BUDGET = 232;

    @ParameterizedTest(name = "device {0}")
    @MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
    void createAndCloseStayWithinTheBudgetOfBytesPerBuffer(String device) throws Exception {
        VulkanTestSupport.assumeVulkan();
        OptionalLong perBuffer = CreateCloseAllocation.bytesPerBuffer("vulkan", device, 32L << 20);
        Assumptions.assumeTrue(perBuffer.isPresent(), "needs the JDK's per-thread allocation counter");
        System.out.println("Vulkan device " + device + ": createBuffer + close: " + perBuffer.getAsLong() + " bytes per buffer");
        assertTrue(perBuffer.getAsLong() <= BUDGET, "createBuffer + close allocated " + perBuffer.getAsLong()
                + " bytes per buffer, over the budget of " + BUDGET);
    }
}
