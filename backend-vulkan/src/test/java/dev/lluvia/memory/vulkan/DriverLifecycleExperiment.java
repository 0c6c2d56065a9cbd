package dev.lluvia.memory.vulkan;

import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.linux.DynamicLinkLoader;
import org.lwjgl.vulkan.VkApplicationInfo;
import org.lwjgl.vulkan.VkCommandBuffer;
import org.lwjgl.vulkan.VkCommandBufferAllocateInfo;
import org.lwjgl.vulkan.VkCommandBufferBeginInfo;
import org.lwjgl.vulkan.VkCommandPoolCreateInfo;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkDeviceCreateInfo;
import org.lwjgl.vulkan.VkDeviceQueueCreateInfo;
import org.lwjgl.vulkan.VkFenceCreateInfo;
import org.lwjgl.vulkan.VkInstance;
import org.lwjgl.vulkan.VkInstanceCreateInfo;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkQueue;
import org.lwjgl.vulkan.VkSubmitInfo;

import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

import static dev.lluvia.memory.vulkan.VulkanResults.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK11.VK_API_VERSION_1_1;

/**
 * Replays driver lifecycles with plain LWJGL calls (not the backend), to find which one crashes a
 * JVM on a driver: each argument is one step, run in order on the main thread, and the JVM then
 * exits normally. Run it in a fresh JVM per lifecycle with {@code -XX:ErrorFile} and count crashes.
 *
 * <p>Steps: {@code pin} (mark every mapped library {@code RTLD_NODELETE} after each instance, so
 * the driver is never unloaded), {@code inst} (vkCreateInstance), {@code dev} (a device on every physical
 * device, a queue, 64 MiB of memory, one command buffer submitted and waited for), {@code undev},
 * {@code uninst}, {@code t:STEP} (the step on a new thread that then ends), {@code w:STEP} (the step on
 * one daemon worker thread that lives until the process ends), {@code churn:N}
 * (N times inst, dev, undev, uninst), {@code hook} (a shutdown hook that destroys the devices and the
 * instance), {@code hookw} (the same, the instance destroyed on the worker), {@code rss} (print the resident set size), {@code libs} (print
 * the driver and layer libraries mapped), {@code sleep:MS}.
 * Example: {@code inst dev undev uninst t:rss} is "the driver unloaded, then a thread ends".
 */
public final class DriverLifecycleExperiment {

    private static boolean pin;
    private static VkInstance instance;
    private static final List<VkDevice> DEVICES = new ArrayList<>();
    /** One daemon thread that lives until the process ends, for {@code w:} steps. */
    private static final java.util.concurrent.ExecutorService WORKER = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "worker");
        t.setDaemon(true);
        return t;
    });

    private DriverLifecycleExperiment() {
    }

    public static void main(String[] args) throws Exception {
        VulkanInstance.loadLoader();
        for (String step : args) {
            if (step.startsWith("w:")) {
                String inner = step.substring(2);
                WORKER.submit(() -> run(inner)).get();
            } else if (step.startsWith("t:")) {
                String inner = step.substring(2);
                Thread t = new Thread(() -> run(inner), "step-" + inner);
                t.start();
                t.join();
            } else {
                run(step);
            }
        }
        System.out.println("steps done, main returns");
    }

    private static void run(String step) {
        System.out.println("step " + step + " on " + Thread.currentThread().getName());
        if (step.equals("pin")) {
            pin = true;
        } else if (step.equals("inst")) {
            createInstance();
        } else if (step.equals("dev")) {
            createDevices();
        } else if (step.equals("undev")) {
            DEVICES.forEach(d -> vkDestroyDevice(d, null));
            DEVICES.clear();
        } else if (step.equals("uninst")) {
            vkDestroyInstance(instance, null);
            instance = null;
        } else if (step.startsWith("churn:")) {
            int n = Integer.parseInt(step.substring(6));
            for (int i = 0; i < n; i++) {
                createInstance();
                createDevices();
                DEVICES.forEach(d -> vkDestroyDevice(d, null));
                DEVICES.clear();
                vkDestroyInstance(instance, null);
                instance = null;
            }
        } else if (step.equals("rss")) {
            System.out.println("rss " + rssKiB() + " KiB");
        } else if (step.equals("hook")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("hook: destroying " + DEVICES.size() + " devices and the instance");
                DEVICES.forEach(d -> vkDestroyDevice(d, null));
                DEVICES.clear();
                if (instance != null) {
                    vkDestroyInstance(instance, null);
                }
            }, "experiment-hook"));
        } else if (step.equals("hookw")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("hook: destroying " + DEVICES.size() + " devices, then the instance on the worker");
                DEVICES.forEach(d -> vkDestroyDevice(d, null));
                DEVICES.clear();
                try {
                    WORKER.submit(() -> run("uninst")).get();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "experiment-hook"));
        } else if (step.equals("libs")) {
            System.out.println("driver libraries mapped: " + driverLibraries());
        } else if (step.startsWith("sleep:")) {
            try {
                Thread.sleep(Long.parseLong(step.substring(6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            throw new IllegalArgumentException("unknown step '" + step + "'");
        }
    }

    /** Shared libraries already pinned by {@link #pinLoadedLibraries}; guarded by the class lock. */
    private static final Set<String> PINNED = new HashSet<>();

    /**
     * Marks every shared library mapped into the process (the loader, the driver it just loaded,
     * the layers) {@code RTLD_NODELETE}, so that no later {@code dlclose} unloads it: the driver
     * then stays loaded, once, for the JVM's life, whatever instances come and go. Done with
     * {@code dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)} on each path of
     * {@code /proc/self/maps}, which loads nothing new. Linux only; a library that cannot be pinned
     * is logged and skipped (the instance still works, only the protection is missing).
     */
    static synchronized void pinLoadedLibraries() {
        List<String> paths;
        try {
            paths = mappedLibraries(Files.readAllLines(Path.of("/proc/self/maps")));
        } catch (IOException | RuntimeException e) {
            System.out.println("cannot read /proc/self/maps: " + e);
            return;
        }
        for (String path : paths) {
            if (PINNED.add(path)) {
                long handle = DynamicLinkLoader.dlopen(path,
                        DynamicLinkLoader.RTLD_NOW | DynamicLinkLoader.RTLD_NOLOAD | DynamicLinkLoader.RTLD_NODELETE);
                if (handle == 0L) {
                    System.out.println("not pinned (not a loaded library): " + path);
                }
            }
        }
    }

    /** The distinct shared-library paths ({@code *.so}, {@code *.so.N}) of {@code /proc/self/maps} lines. */
    static List<String> mappedLibraries(List<String> mapsLines) {
        Set<String> seen = new java.util.LinkedHashSet<>();
        for (String line : mapsLines) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String path = line.substring(slash).trim();
            String file = path.substring(path.lastIndexOf('/') + 1);
            if (!path.endsWith(" (deleted)") && (file.endsWith(".so") || file.contains(".so."))) {
                seen.add(path);
            }
        }
        return new ArrayList<>(seen);
    }

    /** The mapped libraries of drivers and layers (names with nvidia, lvp or VkLayer). */
    static List<String> driverLibraries() {
        try {
            return mappedLibraries(Files.readAllLines(Path.of("/proc/self/maps"))).stream()
                    .map(p -> p.substring(p.lastIndexOf('/') + 1))
                    .filter(n -> n.contains("nvidia") || n.contains("lvp") || n.contains("VkLayer")).toList();
        } catch (java.io.IOException e) {
            return List.of("unreadable: " + e);
        }
    }

    /** VmRSS of this process in KiB, from /proc/self/status; -1 where unreadable. */
    static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static void createInstance() {
        try (MemoryStack stack = stackPush()) {
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default().apiVersion(VK_API_VERSION_1_1);
            VkInstanceCreateInfo ci = VkInstanceCreateInfo.calloc(stack).sType$Default().pApplicationInfo(app);
            PointerBuffer p = stack.mallocPointer(1);
            check(vkCreateInstance(ci, null, p), "vkCreateInstance");
            instance = new VkInstance(p.get(0), ci);
        }
        if (pin) {
            pinLoadedLibraries();
        }
    }

    private static void createDevices() {
        try (MemoryStack stack = stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
            PointerBuffer handles = stack.mallocPointer(count.get(0));
            check(vkEnumeratePhysicalDevices(instance, count, handles), "vkEnumeratePhysicalDevices");
            for (int i = 0; i < count.get(0); i++) {
                VkPhysicalDevice pd = new VkPhysicalDevice(handles.get(i), instance);
                VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(1, stack);
                queues.get(0).sType$Default().queueFamilyIndex(0).pQueuePriorities(stack.floats(1.0f));
                VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(queues);
                PointerBuffer pd2 = stack.mallocPointer(1);
                check(vkCreateDevice(pd, dci, null, pd2), "vkCreateDevice");
                VkDevice device = new VkDevice(pd2.get(0), pd, dci);
                DEVICES.add(device);
                work(device, stack);
            }
        }
    }

    /** 64 MiB of memory type 0, and an empty command buffer through queue 0 and a fence. */
    private static void work(VkDevice device, MemoryStack stack) {
        VkMemoryAllocateInfo mai = VkMemoryAllocateInfo.calloc(stack).sType$Default()
                .allocationSize(64L << 20).memoryTypeIndex(0);
        java.nio.LongBuffer handle = stack.mallocLong(1);
        check(vkAllocateMemory(device, mai, null, handle), "vkAllocateMemory");
        long memory = handle.get(0);
        check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default().queueFamilyIndex(0),
                null, handle), "vkCreateCommandPool");
        long pool = handle.get(0);
        PointerBuffer pcb = stack.mallocPointer(1);
        check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default()
                .commandPool(pool).level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), pcb),
                "vkAllocateCommandBuffers");
        VkCommandBuffer cb = new VkCommandBuffer(pcb.get(0), device);
        check(vkBeginCommandBuffer(cb, VkCommandBufferBeginInfo.calloc(stack).sType$Default()), "vkBeginCommandBuffer");
        check(vkEndCommandBuffer(cb), "vkEndCommandBuffer");
        check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, handle), "vkCreateFence");
        long fence = handle.get(0);
        PointerBuffer pq = stack.mallocPointer(1);
        vkGetDeviceQueue(device, 0, 0, pq);
        VkQueue queue = new VkQueue(pq.get(0), device);
        check(vkQueueSubmit(queue, VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(pcb), fence), "vkQueueSubmit");
        check(vkWaitForFences(device, handle, true, -1L), "vkWaitForFences");
        vkDestroyFence(device, fence, null);
        vkDestroyCommandPool(device, pool, null);
        vkFreeMemory(device, memory, null);
    }
}
