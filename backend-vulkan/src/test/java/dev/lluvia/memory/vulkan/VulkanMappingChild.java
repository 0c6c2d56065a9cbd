package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.contract.MappingCases;

/**
 * The child JVM of {@link VulkanMappedViewTest}: {@link MappingCases} on the Vulkan device whose
 * index is the first argument, with validation on; after every close the validation layer must
 * have reported nothing.
 */
public final class VulkanMappingChild {

    private VulkanMappingChild() {
    }

    public static void main(String[] args) {
        MappingCases.main(device(args[0]), java.util.Arrays.copyOfRange(args, 1, args.length));
    }

    /** Sessions on the device of that index, validation on; after every close the layer must have said nothing. */
    static MappingCases.Device device(String device) {
        return new MappingCases.Device() {
            @Override
            public Session open() {
                Session s = Session.create(SessionOptions.defaults().withBackend("vulkan").withDebug(true)
                        .withDevice(device).withLeakPolicy(LeakPolicy.IGNORE));
                if (!VulkanTestSupport.backend(s).isValidationEnabled() && VulkanTestSupport.required()) {
                    s.close();
                    throw new AssertionError("the validation layer " + VulkanInstance.VALIDATION_LAYER + " is not installed");
                }
                return s;
            }

            @Override
            public void afterClose(Session closed) {
                VulkanTestSupport.assertClean(VulkanTestSupport.backend(closed));
            }
        };
    }
}
