package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.AliasContract;
import dev.lluvia.memory.contract.ContractDevice;
import dev.lluvia.memory.contract.DefragmentationContract;
import dev.lluvia.memory.contract.MappedViewContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared defragmentation, alias and mapped-view contracts on every Vulkan device present, with
 * validation on: buffers move with {@code vkCmdCopyBuffer}, images with {@code vkCmdCopyImage}, and
 * every session a test opens must close (device destroyed, leaks reported) without one validation
 * error or warning. Without Vulkan the class is skipped with the reason, unless
 * {@code lluvia.vulkan.required=true} / {@code LLUVIA_VULKAN_REQUIRED=1}.
 */
@ParameterizedClass(name = "device {0}")
@MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
@ExtendWith(VulkanMemoryContractTest.VulkanPresent.class)
class VulkanSharedContractsTest {

    @Parameter
    String device;

    private final ContractDevice vulkan = new ContractDevice() {
        @Override
        public SessionOptions options() {
            return SessionOptions.defaults().withBackend("vulkan").withDebug(true)
                    .withDevice("none".equals(device) ? null : device).withLeakPolicy(LeakPolicy.IGNORE);
        }

        @Override
        public void check(Session open) {
            VulkanBackend backend = VulkanTestSupport.backend(open);
            if (!backend.isValidationEnabled() && VulkanTestSupport.required()) {
                throw new AssertionError("the validation layer " + VulkanInstance.VALIDATION_LAYER + " is not installed");
            }
        }

        @Override
        public void close(Session session) {
            VulkanTestSupport.closeAndAssertClean(session);
        }

        @Override
        public String toString() {
            return "Vulkan device " + device;
        }
    };

    @Nested
    class Defragmentation extends DefragmentationContract {
        @Override
        protected ContractDevice device() {
            return vulkan;
        }
    }

    @Nested
    class Aliases extends AliasContract {
        @Override
        protected ContractDevice device() {
            return vulkan;
        }
    }

    @Nested
    class MappedViews extends MappedViewContract {
        @Override
        protected ContractDevice device() {
            return vulkan;
        }
    }
}
