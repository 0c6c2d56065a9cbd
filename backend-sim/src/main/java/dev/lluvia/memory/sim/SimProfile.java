package dev.lluvia.memory.sim;

import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.DeviceProperties;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One simulated device: what it reports ({@link DeviceProperties}) and how it answers memory
 * requirement queries. Profiles are data files read by {@link SimProfiles}.
 *
 * @param id            the profile name users select it with, e.g. {@code nvidia-h100}
 * @param device        name, type, memory types, heaps and limits
 * @param budgetPercent the share of each heap reported as budget when the device has
 *                      {@code VK_EXT_memory_budget} (1 to 100)
 * @param buffer        requirements of buffers
 * @param optimalImage  requirements of images with optimal tiling
 * @param linearImage   requirements of images with linear tiling
 * @param optimalLayout how optimal images are laid out and which formats are refused
 * @param linearLayout  the same for linear images
 * @param features      the device features the device supports (a session enables those it asks
 *                      for); {@link DeviceFeature#DEDICATED_ALLOCATION} is always supported, and
 *                      {@link DeviceFeature#MEMORY_BUDGET} when the device has a memory budget
 * @param externalMemoryFd whether the device has {@code VK_KHR_external_memory_fd}: exportable
 *                      memories can be created (their resources get the requirements of others, as
 *                      on the measured drivers); the sim has no file descriptor to hand out, so
 *                      {@code exportFd} throws {@link UnsupportedOperationException}
 * @param exportableMemoryTypeBits the memory types an exportable resource may be bound to: its
 *                      requirement's {@code memoryTypeBits} are the rule's and these (NVIDIA cannot
 *                      export its host-visible device-local type); all bits where the same
 */
public record SimProfile(String id, DeviceProperties device, int budgetPercent, RequirementRule buffer,
                         RequirementRule optimalImage, RequirementRule linearImage,
                         ImageLayout optimalLayout, ImageLayout linearLayout, Set<DeviceFeature> features,
                         boolean externalMemoryFd, int exportableMemoryTypeBits) {

    public SimProfile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(optimalImage, "optimalImage");
        Objects.requireNonNull(linearImage, "linearImage");
        Objects.requireNonNull(optimalLayout, "optimalLayout");
        Objects.requireNonNull(linearLayout, "linearLayout");
        if (budgetPercent < 1 || budgetPercent > 100) {
            throw new IllegalArgumentException("budgetPercent must be 1 to 100, was " + budgetPercent);
        }
        EnumSet<DeviceFeature> all = EnumSet.of(DeviceFeature.DEDICATED_ALLOCATION);
        all.addAll(Objects.requireNonNull(features, "features"));
        if (device.hasMemoryBudget()) {
            all.add(DeviceFeature.MEMORY_BUDGET);
        } else if (all.contains(DeviceFeature.MEMORY_BUDGET)) {
            throw new IllegalArgumentException("profile " + id + " lists MEMORY_BUDGET but its device has no memory budget");
        }
        features = DeviceFeature.setOf(all);
    }
}
