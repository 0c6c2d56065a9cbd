package dev.lluvia.memory;

import java.util.List;
import java.util.Objects;

/**
 * One device a backend can open, as {@link Session#devices(String)} lists it without opening a
 * session: enough to pick a device and open one session per GPU
 * ({@code SessionOptions.withDevice(Integer.toString(index))}). An open session's device is
 * described in full, memory types and limits included, by {@link DeviceProperties}
 * ({@link Session#device()}).
 *
 * @param index      what to pass to {@link SessionOptions#withDevice(String)}
 * @param name       the device's name, e.g. {@code NVIDIA H200}
 * @param type       discrete, integrated, CPU, ...
 * @param apiVersion the Vulkan API version the device supports, e.g. {@code 1.4.312}
 * @param heaps      the device's memory heaps, in heap order
 * @param usable     whether the backend can open it (the Vulkan backend needs Vulkan 1.1)
 */
public record DeviceSummary(int index, String name, DeviceType type, String apiVersion, List<MemoryHeap> heaps,
                         boolean usable) {

    /**
     * Checks that name, type and API version are given and copies the heaps.
     *
     * @param index what to pass to {@link SessionOptions#withDevice(String)}
     * @param name the device's name, e.g. {@code NVIDIA H200}
     * @param type discrete, integrated, CPU, ...
     * @param apiVersion the Vulkan API version the device supports, e.g. {@code 1.4.312}
     * @param heaps the device's memory heaps, in heap order
     * @param usable whether the backend can open it (the Vulkan backend needs Vulkan 1.1)
     */
    public DeviceSummary {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(apiVersion, "apiVersion");
        heaps = List.copyOf(heaps);
    }

    /**
     * "0: NVIDIA H200 [DISCRETE_GPU, Vulkan 1.4.312], heaps 150754820096 B device-local, 101361422336 B".
     *
     * @return one line: index, name, type, API version and heaps
     */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(index).append(": ").append(name).append(" [").append(type)
                .append(", Vulkan ").append(apiVersion).append(usable ? "" : ", not usable").append("], heaps");
        String sep = " ";
        for (MemoryHeap h : heaps) {
            sb.append(sep).append(h.size()).append(" B").append(h.deviceLocal() ? " device-local" : "");
            sep = ", ";
        }
        return sb.toString();
    }
}
