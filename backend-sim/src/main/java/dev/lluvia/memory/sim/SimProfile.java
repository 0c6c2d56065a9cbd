package dev.lluvia.memory.sim;

import dev.lluvia.memory.DeviceProperties;

import java.util.Objects;

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
 */
public record SimProfile(String id, DeviceProperties device, int budgetPercent, RequirementRule buffer,
                         RequirementRule optimalImage, RequirementRule linearImage) {

    public SimProfile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(optimalImage, "optimalImage");
        Objects.requireNonNull(linearImage, "linearImage");
        if (budgetPercent < 1 || budgetPercent > 100) {
            throw new IllegalArgumentException("budgetPercent must be 1 to 100, was " + budgetPercent);
        }
    }
}
