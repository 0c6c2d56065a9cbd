package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.MemoryContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backend-independent contract suite on every Vulkan device present, with validation on; after
 * each test (the session closed, the device destroyed) the validation layer must have reported no
 * error and no warning, leaks included. Without Vulkan the whole class is skipped with the reason,
 * unless {@code lluvia.vulkan.required=true} / {@code LLUVIA_VULKAN_REQUIRED=1}.
 */
@ParameterizedClass(name = "device {0}")
@MethodSource("dev.lluvia.memory.vulkan.VulkanTestSupport#devices")
@ExtendWith(VulkanMemoryContractTest.VulkanPresent.class)
class VulkanMemoryContractTest extends MemoryContract {

    @Parameter
    String device;

    private VulkanBackend backend;

    /** Runs after the contract's own @AfterEach closed the session, so leaks reported at vkDestroyDevice count. */
    @RegisterExtension
    final AfterEachCallback validationStaysSilent = context -> {
        if (backend != null) {
            VulkanTestSupport.assertClean(backend);
        }
    };

    @Override
    protected SessionOptions options() {
        // The contract frees by closing sessions; Vulkan-level leaks are the validation layer's to report.
        return SessionOptions.defaults().withBackend("vulkan").withDebug(true)
                .withDevice("none".equals(device) ? null : device).withLeakPolicy(dev.lluvia.memory.LeakPolicy.IGNORE);
    }

    @BeforeEach
    void rememberBackend() {
        backend = VulkanTestSupport.backend(session);
        if (!backend.isValidationEnabled() && VulkanTestSupport.required()) {
            throw new AssertionError("the validation layer " + VulkanInstance.VALIDATION_LAYER + " is not installed");
        }
    }

    /** Vulkan requires no 64-bit float storage image format; a device that lacks one throws the typed exception. */
    @Override
    protected boolean supportsFloat64Images() {
        return false;
    }

    @Override
    protected boolean supportsWideFloat64() {
        return false;
    }

    @Override
    protected void afterEachCheck(Session s) {
        // Checked after close instead: see validationStaysSilent.
    }

    /** Skips the class, saying why, when there is no Vulkan device and Vulkan is not required. */
    static final class VulkanPresent implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            var a = VulkanTestSupport.availability();
            if (a.available() || VulkanTestSupport.required()) {
                return ConditionEvaluationResult.enabled("Vulkan: " + a.reason());
            }
            return ConditionEvaluationResult.disabled("no usable Vulkan here: " + a.reason()
                    + " (set " + VulkanTestSupport.REQUIRED_PROPERTY + "=true to make this a failure)");
        }
    }
}
