package dev.lluvia.memory.benchmarks;

import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.EXTExternalMemoryHost;
import org.lwjgl.vulkan.VkExtensionProperties;
import org.lwjgl.vulkan.VkExternalMemoryBufferCreateInfo;
import org.lwjgl.vulkan.VkImportMemoryHostPointerInfoEXT;
import org.lwjgl.vulkan.VkMemoryHostPointerPropertiesEXT;
import org.lwjgl.vulkan.VkBufferCopy;
import org.lwjgl.vulkan.VkBufferCreateInfo;
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
import org.lwjgl.vulkan.VkApplicationInfo;
import org.lwjgl.vulkan.VkMemoryAllocateInfo;
import org.lwjgl.vulkan.VkMemoryRequirements;
import org.lwjgl.vulkan.VkPhysicalDevice;
import org.lwjgl.vulkan.VkPhysicalDeviceMemoryProperties;
import org.lwjgl.vulkan.VkQueue;
import org.lwjgl.vulkan.VkQueueFamilyProperties;
import org.lwjgl.vulkan.VkSubmitInfo;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK11.*;

/**
 * Which queue copies host memory at the link's speed: raw Vulkan (no library code), a buffer copy
 * between host memory ({@code HOST_VISIBLE | HOST_COHERENT}, cached and not) and device-local
 * memory, on a queue of the first graphics/compute family (the one the library transfers on) and
 * on a queue of a transfer-only family (NVIDIA's asynchronous copy engines, what CUDA's copies
 * use), both directions, median GB/s of 7 copies; and the program's own memory imported with
 * {@code VK_EXT_external_memory_host} (as {@code Session.registerHostMemory} does), allocated 4 KiB
 * and 2 MiB aligned, on the first queue. Written for issue 27's question: why do host to
 * device copies run at 60% of PyTorch's on some H100 hosts while device to host copies do not.
 *
 * <p>Run: {@code java -cp <all jars> dev.lluvia.memory.benchmarks.QueueCopyProbe [DEVICE_INDEX] [SIZES]}; with
 * {@code -Dplacement=COUNTxSIZE} it first copies each of COUNT host buffers of SIZE bytes, allocated one
 * after another (with {@code benchmarks/scripts/torch_placement.py}, PyTorch's pinned buffers alike).
 */
public final class QueueCopyProbe {

    private QueueCopyProbe() {
    }

    public static void main(String[] args) {
        int deviceIndex = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        long[] sizes = args.length > 1 ? Arrays.stream(args[1].split(",")).mapToLong(Long::parseLong).toArray()
                : new long[] {64L << 20, 1L << 30};
        try (MemoryStack stack = stackPush()) {
            VkApplicationInfo app = VkApplicationInfo.calloc(stack).sType$Default().apiVersion(VK_API_VERSION_1_1);
            PointerBuffer p = stack.mallocPointer(1);
            check(vkCreateInstance(VkInstanceCreateInfo.calloc(stack).sType$Default().pApplicationInfo(app), null, p));
            VkInstance instance = new VkInstance(p.get(0), VkInstanceCreateInfo.calloc(stack).sType$Default().pApplicationInfo(app));
            IntBuffer n = stack.mallocInt(1);
            vkEnumeratePhysicalDevices(instance, n, null);
            PointerBuffer devices = stack.mallocPointer(n.get(0));
            vkEnumeratePhysicalDevices(instance, n, devices);
            VkPhysicalDevice pd = new VkPhysicalDevice(devices.get(deviceIndex), instance);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, n, null);
            VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.calloc(n.get(0), stack);
            vkGetPhysicalDeviceQueueFamilyProperties(pd, n, families);
            int main = -1;
            int transfer = -1;
            for (int i = 0; i < families.capacity(); i++) {
                int f = families.get(i).queueFlags();
                if (main < 0 && (f & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)) != 0) {
                    main = i;
                } else if (transfer < 0 && (f & VK_QUEUE_TRANSFER_BIT) != 0 && (f & (VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT)) == 0) {
                    transfer = i;
                }
            }
            int[] used = transfer < 0 ? new int[] {main} : new int[] {main, transfer};
            VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(used.length, stack);
            for (int i = 0; i < used.length; i++) {
                queues.get(i).sType$Default().queueFamilyIndex(used[i]).pQueuePriorities(stack.floats(1f));
            }
            boolean importable = hasExtension(pd, EXTExternalMemoryHost.VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
            VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(queues)
                    .ppEnabledExtensionNames(importable ? stack.pointers(stack.UTF8(EXTExternalMemoryHost.VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME)) : null);
            check(vkCreateDevice(pd, dci, null, p));
            VkDevice device = new VkDevice(p.get(0), pd, dci);
            System.out.println("| queue family | host memory type | bytes | direction | GB/s |");
            System.out.println("|---|---|---:|---|---:|");
            VkPhysicalDeviceMemoryProperties mp = VkPhysicalDeviceMemoryProperties.calloc(stack);
            vkGetPhysicalDeviceMemoryProperties(pd, mp);
            List<Integer> hostTypes = new ArrayList<>();
            int deviceType = -1;
            for (int i = 0; i < mp.memoryTypeCount(); i++) {
                int f = mp.memoryTypes(i).propertyFlags();
                int host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
                if ((f & host) == host && (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) == 0) {
                    hostTypes.add(i);
                }
                if (deviceType < 0 && f == VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) {
                    deviceType = i;
                }
            }
            for (int i = 0; i < mp.memoryTypeCount() && (hostTypes.isEmpty() || deviceType < 0); i++) {
                // A device with one kind of memory (lavapipe): its host-visible device-local type both ways.
                int f = mp.memoryTypes(i).propertyFlags();
                if (deviceType < 0 && (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != 0) {
                    deviceType = i;
                }
                if (hostTypes.isEmpty() && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0) {
                    hostTypes.add(i);
                }
            }
            long largest = Arrays.stream(sizes).max().orElseThrow();
            long[] dev = buffer(device, used, largest, deviceType);
            String placement = System.getProperty("placement");
            if (placement != null) {
                // COUNTxSIZE: that many host buffers of the last host type, allocated one after another and
                // each copied on the first queue: does the speed depend on which host memory a copy reads?
                int count = Integer.parseInt(placement.substring(0, placement.indexOf('x')));
                long size = Math.min(largest, Long.parseLong(placement.substring(placement.indexOf('x') + 1)));
                int hostType = hostTypes.get(hostTypes.size() - 1);
                List<long[]> kept = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    kept.add(buffer(device, used, size, hostType));
                }
                // Two passes over the same buffers: one slow in both is slow for where its memory is.
                double[][] rates = new double[4][count];
                for (int pass = 0; pass < 2; pass++) {
                    for (int i = 0; i < count; i++) {
                        rates[pass][i] = copy(device, main, kept.get(i)[0], dev[0], size);
                        rates[2 + pass][i] = copy(device, main, dev[0], kept.get(i)[0], size);
                    }
                }
                System.out.println("| host buffer | type | bytes | write GB/s, pass 1 | pass 2 | read GB/s, pass 1 | pass 2 |");
                System.out.println("|---:|---|---:|---:|---:|---:|---:|");
                for (int i = 0; i < count; i++) {
                    System.out.printf("| %d | %d | %d | %.2f | %.2f | %.2f | %.2f |%n", i, hostType, size,
                            rates[0][i], rates[1][i], rates[2][i], rates[3][i]);
                }
                for (int pass = 0; pass < 2; pass++) {
                    System.out.printf("pass %d median write %.2f read %.2f%n", pass + 1, median(rates[pass]), median(rates[2 + pass]));
                }
                for (long[] host : kept) {
                    vkDestroyBuffer(device, host[0], null);
                    vkFreeMemory(device, host[1], null);
                }
            }
            for (int hostType : hostTypes) {
                long[] host = buffer(device, used, largest, hostType);
                for (int family : used) {
                    for (long size : sizes) {
                        double up = copy(device, family, host[0], dev[0], size);
                        double down = copy(device, family, dev[0], host[0], size);
                        String name = family + (family == main ? " (graphics/compute)" : " (transfer only)");
                        String type = hostType + " 0x" + Integer.toHexString(mp.memoryTypes(hostType).propertyFlags());
                        System.out.printf("| %s | %s | %d | write | %.2f |%n", name, type, size, up);
                        System.out.printf("| %s | %s | %d | read | %.2f |%n", name, type, size, down);
                    }
                }
                if (used.length > 1) {
                    // Half of each copy on each queue at once: do two engines together reach the link?
                    String type = hostType + " 0x" + Integer.toHexString(mp.memoryTypes(hostType).propertyFlags());
                    for (long size : sizes) {
                        System.out.printf("| both, half each | %s | %d | write | %.2f |%n", type, size, copyOnBoth(device, used, host[0], dev[0], size));
                        System.out.printf("| both, half each | %s | %d | read | %.2f |%n", type, size, copyOnBoth(device, used, dev[0], host[0], size));
                    }
                }
                vkDestroyBuffer(device, host[0], null);
                vkFreeMemory(device, host[1], null);
            }
            // The program's own memory imported (what Session.registerHostMemory does), 4 KiB and 2 MiB aligned.
            for (long alignment : importable ? new long[] {4096, 2L << 20} : new long[0]) {
                long address = MemoryUtil.nmemAlignedAlloc(alignment, largest);
                MemoryUtil.memSet(address, 7, largest);
                long[] host = imported(device, used, largest, address);
                for (long hostOffset : alignment == 4096 ? new long[] {0, 16, 64, 256} : new long[] {0}) {
                    for (long size : sizes) {
                        double up = copy(device, main, host[0], hostOffset, dev[0], 0, size - 4096);
                        double down = copy(device, main, dev[0], 0, host[0], hostOffset, size - 4096);
                        String type = "imported, " + (alignment >> 10) + " KiB aligned + " + hostOffset + " B, type " + host[2];
                        System.out.printf("| %d (graphics/compute) | %s | %d | write | %.2f |%n", main, type, size, up);
                        System.out.printf("| %d (graphics/compute) | %s | %d | read | %.2f |%n", main, type, size, down);
                        if (hostOffset % 256 != 0) {
                            // The same copy as two regions: the head up to the host's next 256-byte boundary, then the rest.
                            double splitUp = copy(device, main, host[0], hostOffset, dev[0], 0, size - 4096, 256 - hostOffset % 256);
                            double splitDown = copy(device, main, dev[0], 0, host[0], hostOffset, size - 4096, 256 - hostOffset % 256);
                            System.out.printf("| %d (graphics/compute) | %s, split at the host's 256 B | %d | write | %.2f |%n", main, type, size, splitUp);
                            System.out.printf("| %d (graphics/compute) | %s, split at the host's 256 B | %d | read | %.2f |%n", main, type, size, splitDown);
                        }
                    }
                }
                vkDestroyBuffer(device, host[0], null);
                vkFreeMemory(device, host[1], null);
                MemoryUtil.nmemAlignedFree(address);
            }
            vkDestroyBuffer(device, dev[0], null);
            vkFreeMemory(device, dev[1], null);
            vkDestroyDevice(device, null);
            vkDestroyInstance(instance, null);
        }
    }

    /** A transfer source and destination of {@code size} bytes shared by the families, {@code next} chained. */
    private static long transferBuffer(MemoryStack stack, VkDevice device, int[] families, long size, long next) {
        VkBufferCreateInfo ci = VkBufferCreateInfo.calloc(stack).sType$Default().pNext(next).size(size)
                .usage(VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT)
                .sharingMode(families.length > 1 ? VK_SHARING_MODE_CONCURRENT : VK_SHARING_MODE_EXCLUSIVE)
                .pQueueFamilyIndices(families.length > 1 ? stack.ints(families) : null);
        LongBuffer l = stack.mallocLong(1);
        check(vkCreateBuffer(device, ci, null, l));
        return l.get(0);
    }

    /** A buffer of {@code size} bytes shared by the families, bound to memory of {@code type}: {buffer, memory}. */
    private static long[] buffer(VkDevice device, int[] families, long size, int type) {
        try (MemoryStack stack = stackPush()) {
            long buffer = transferBuffer(stack, device, families, size, 0L);
            LongBuffer l = stack.mallocLong(1);
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            check(vkAllocateMemory(device, VkMemoryAllocateInfo.calloc(stack).sType$Default().allocationSize(req.size())
                    .memoryTypeIndex(type), null, l));
            long memory = l.get(0);
            check(vkBindBufferMemory(device, buffer, memory, 0));
            return new long[] {buffer, memory};
        }
    }

    /** A buffer over {@code size} bytes of host memory at {@code address}, imported: {buffer, memory, type}. */
    private static long[] imported(VkDevice device, int[] families, long size, long address) {
        try (MemoryStack stack = stackPush()) {
            VkExternalMemoryBufferCreateInfo external = VkExternalMemoryBufferCreateInfo.calloc(stack).sType$Default()
                    .handleTypes(EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT);
            long buffer = transferBuffer(stack, device, families, size, external.address());
            LongBuffer l = stack.mallocLong(1);
            VkMemoryRequirements req = VkMemoryRequirements.calloc(stack);
            vkGetBufferMemoryRequirements(device, buffer, req);
            VkMemoryHostPointerPropertiesEXT props = VkMemoryHostPointerPropertiesEXT.calloc(stack).sType$Default();
            check(EXTExternalMemoryHost.vkGetMemoryHostPointerPropertiesEXT(device,
                    EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, address, props));
            int bits = req.memoryTypeBits() & props.memoryTypeBits();
            int type = 31 - Integer.numberOfLeadingZeros(bits); // the highest: NVIDIA's cached host type
            VkImportMemoryHostPointerInfoEXT host = VkImportMemoryHostPointerInfoEXT.calloc(stack).sType$Default()
                    .handleType(EXTExternalMemoryHost.VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT)
                    .pHostPointer(address);
            check(vkAllocateMemory(device, VkMemoryAllocateInfo.calloc(stack).sType$Default().pNext(host.address())
                    .allocationSize(size).memoryTypeIndex(type), null, l));
            long memory = l.get(0);
            check(vkBindBufferMemory(device, buffer, memory, 0));
            return new long[] {buffer, memory, type};
        }
    }

    private static boolean hasExtension(VkPhysicalDevice pd, String name) {
        try (MemoryStack stack = stackPush()) {
            IntBuffer n = stack.mallocInt(1);
            vkEnumerateDeviceExtensionProperties(pd, (String) null, n, null);
            VkExtensionProperties.Buffer all = VkExtensionProperties.malloc(n.get(0), stack);
            vkEnumerateDeviceExtensionProperties(pd, (String) null, n, all);
            for (VkExtensionProperties e : all) {
                if (e.extensionNameString().equals(name)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Median GB/s of 7 copies of {@code size} bytes on a queue of {@code family}, after one warm-up. */
    private static double copy(VkDevice device, int family, long src, long dst, long size) {
        return copy(device, family, src, 0, dst, 0, size);
    }

    /** {@link #copy(VkDevice, int, long, long, long)} at those offsets of the buffers. */
    private static double copy(VkDevice device, int family, long src, long srcOffset, long dst, long dstOffset, long size) {
        return copy(device, family, src, srcOffset, dst, dstOffset, size, 0);
    }

    /** The same, as two regions when {@code head} is not 0: the first {@code head} bytes, then the rest. */
    private static double copy(VkDevice device, int family, long src, long srcOffset, long dst, long dstOffset, long size,
                               long head) {
        try (MemoryStack stack = stackPush()) {
            LongBuffer l = stack.mallocLong(1);
            check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default().queueFamilyIndex(family), null, l));
            long pool = l.get(0);
            PointerBuffer p = stack.mallocPointer(1);
            check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default().commandPool(pool)
                    .level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), p));
            VkCommandBuffer cmd = new VkCommandBuffer(p.get(0), device);
            check(vkBeginCommandBuffer(cmd, VkCommandBufferBeginInfo.calloc(stack).sType$Default()));
            VkBufferCopy.Buffer regions = VkBufferCopy.calloc(head == 0 ? 1 : 2, stack);
            regions.get(0).srcOffset(srcOffset).dstOffset(dstOffset).size(head == 0 ? size : head);
            if (head != 0) {
                regions.get(1).srcOffset(srcOffset + head).dstOffset(dstOffset + head).size(size - head);
            }
            vkCmdCopyBuffer(cmd, src, dst, regions);
            check(vkEndCommandBuffer(cmd));
            check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, l));
            long fence = l.get(0);
            vkGetDeviceQueue(device, family, 0, p);
            VkQueue queue = new VkQueue(p.get(0), device);
            VkSubmitInfo submit = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(cmd));
            double[] speeds = new double[7];
            for (int i = -1; i < speeds.length; i++) {
                long t0 = System.nanoTime();
                check(vkQueueSubmit(queue, submit, fence));
                check(vkWaitForFences(device, stack.longs(fence), true, -1L));
                long t = System.nanoTime() - t0;
                check(vkResetFences(device, stack.longs(fence)));
                if (i >= 0) {
                    speeds[i] = size / (double) t;
                }
            }
            vkDestroyFence(device, fence, null);
            vkDestroyCommandPool(device, pool, null);
            Arrays.sort(speeds);
            return speeds[speeds.length / 2];
        }
    }

    /** Median GB/s of 7 copies of {@code size} bytes, the first half on a queue of {@code families[0]}, the rest on {@code families[1]}, at once. */
    private static double copyOnBoth(VkDevice device, int[] families, long src, long dst, long size) {
        try (MemoryStack stack = stackPush()) {
            long half = size / 2;
            long[] pools = new long[2];
            long[] fences = new long[2];
            VkQueue[] queues = new VkQueue[2];
            VkSubmitInfo[] submits = new VkSubmitInfo[2];
            LongBuffer l = stack.mallocLong(1);
            PointerBuffer p = stack.mallocPointer(1);
            for (int q = 0; q < 2; q++) {
                check(vkCreateCommandPool(device, VkCommandPoolCreateInfo.calloc(stack).sType$Default().queueFamilyIndex(families[q]), null, l));
                pools[q] = l.get(0);
                check(vkAllocateCommandBuffers(device, VkCommandBufferAllocateInfo.calloc(stack).sType$Default().commandPool(pools[q])
                        .level(VK_COMMAND_BUFFER_LEVEL_PRIMARY).commandBufferCount(1), p));
                VkCommandBuffer cmd = new VkCommandBuffer(p.get(0), device);
                check(vkBeginCommandBuffer(cmd, VkCommandBufferBeginInfo.calloc(stack).sType$Default()));
                VkBufferCopy.Buffer region = VkBufferCopy.calloc(1, stack);
                region.get(0).srcOffset(q * half).dstOffset(q * half).size(q == 0 ? half : size - half);
                vkCmdCopyBuffer(cmd, src, dst, region);
                check(vkEndCommandBuffer(cmd));
                check(vkCreateFence(device, VkFenceCreateInfo.calloc(stack).sType$Default(), null, l));
                fences[q] = l.get(0);
                vkGetDeviceQueue(device, families[q], 0, p);
                queues[q] = new VkQueue(p.get(0), device);
                submits[q] = VkSubmitInfo.calloc(stack).sType$Default().pCommandBuffers(stack.pointers(cmd));
            }
            double[] speeds = new double[7];
            for (int i = -1; i < speeds.length; i++) {
                long t0 = System.nanoTime();
                check(vkQueueSubmit(queues[0], submits[0], fences[0]));
                check(vkQueueSubmit(queues[1], submits[1], fences[1]));
                check(vkWaitForFences(device, stack.longs(fences), true, -1L));
                long t = System.nanoTime() - t0;
                check(vkResetFences(device, stack.longs(fences)));
                if (i >= 0) {
                    speeds[i] = size / (double) t;
                }
            }
            for (int q = 0; q < 2; q++) {
                vkDestroyFence(device, fences[q], null);
                vkDestroyCommandPool(device, pools[q], null);
            }
            Arrays.sort(speeds);
            return speeds[speeds.length / 2];
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void check(int result) {
        if (result != VK_SUCCESS) {
            throw new IllegalStateException("Vulkan error " + result);
        }
    }
}
