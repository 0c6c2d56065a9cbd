package dev.lluvia.memory.examples;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import dev.lluvia.memory.vulkan.ExistingDevice;
import dev.lluvia.memory.vulkan.VulkanSession;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.util.shaderc.Shaderc;
import org.lwjgl.vulkan.*;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

import static dev.lluvia.memory.examples.VulkanObjects.check;
import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.EXTDebugUtils.*;
import static org.lwjgl.vulkan.VK10.*;
import static org.lwjgl.vulkan.VK13.VK_API_VERSION_1_3;

/**
 * A Vulkan program that brings its own device and lets the library allocate its memory: the
 * program makes its {@code VkInstance} (with the validation layer and its own messenger when the
 * layer is installed) and a {@code VkDevice} with a compute queue, wraps the device in a
 * {@link Session} ({@link VulkanSession#wrap}), allocates two device-local buffers from a Lluvia
 * {@link Memory}, fills them with {@link Buffer#write}, runs SAXPY ({@code y = a * x + y}) with its
 * own pipeline bound to {@link Buffer#handle()}, reads the result with {@link Buffer#read} and
 * checks every element. Then it closes the session (which frees the library's memory and leaves
 * the device alone) and destroys its device and instance itself.
 *
 * <p>Run: {@code java -cp 'examples/target/lib/*:examples/target/classes' dev.lluvia.memory.examples.ComputeOnYourDevice [DEVICE_INDEX]},
 * or on the module path: {@code java -p examples/target/lib:examples/target/classes -m dev.lluvia.memory.examples/dev.lluvia.memory.examples.ComputeOnYourDevice}.
 * Exits with 0 when every element is right and the validation layer said nothing, else 1.
 */
public final class ComputeOnYourDevice {

    static final String SAXPY = """
            #version 450
            layout(local_size_x = 64) in;
            layout(std430, binding = 0) readonly buffer X { float x[]; };
            layout(std430, binding = 1) buffer Y { float y[]; };
            layout(push_constant) uniform Params { float a; uint n; };
            void main() {
                uint i = gl_GlobalInvocationID.x;
                if (i < n) {
                    y[i] = a * x[i] + y[i];
                }
            }
            """;

    private ComputeOnYourDevice() {
    }

    public static void main(String[] args) {
        int device = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int status = run(device, 1 << 20, System.out);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Runs the example on physical device {@code deviceIndex} with {@code n} floats; returns the exit status. */
    static int run(int deviceIndex, int n, PrintStream out) {
        AtomicLong messages = new AtomicLong();
        VkDebugUtilsMessengerCallbackEXT callback = VkDebugUtilsMessengerCallbackEXT.create((severity, type, data, user) -> {
            messages.incrementAndGet();
            System.err.println("validation: " + VkDebugUtilsMessengerCallbackDataEXT.create(data).pMessageString());
            return VK_FALSE;
        });
        try (MemoryStack stack = stackPush()) {
            // 1. The program's instance, with validation and a messenger of its own when the layer is installed.
            boolean validation = hasValidationLayer(stack);
            VkDebugUtilsMessengerCreateInfoEXT messengerInfo = VkDebugUtilsMessengerCreateInfoEXT.calloc(stack).sType$Default()
                    .messageSeverity(VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
                    .messageType(VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)
                    .pfnUserCallback(callback);
            VkInstanceCreateInfo ici = VkInstanceCreateInfo.calloc(stack).sType$Default()
                    .pApplicationInfo(VkApplicationInfo.calloc(stack).sType$Default()
                            .pApplicationName(stack.UTF8("ComputeOnYourDevice")).apiVersion(VK_API_VERSION_1_3));
            if (validation) {
                ici.ppEnabledLayerNames(stack.pointers(stack.UTF8("VK_LAYER_KHRONOS_validation")))
                        .ppEnabledExtensionNames(stack.pointers(stack.UTF8(VK_EXT_DEBUG_UTILS_EXTENSION_NAME)))
                        .pNext(messengerInfo.address());
            }
            PointerBuffer p = stack.mallocPointer(1);
            check(vkCreateInstance(ici, null, p), "vkCreateInstance");
            VkInstance instance = new VkInstance(p.get(0), ici);
            LongBuffer pMessenger = stack.longs(VK_NULL_HANDLE);
            boolean ok;
            // What the program makes it destroys on every path, errors included (the finally blocks):
            // on NVIDIA's driver a process that exits with an instance of its own alive crashes in
            // the driver's exit code (docs/devices.md), and that is the program's to avoid.
            try {
                if (validation) {
                    check(vkCreateDebugUtilsMessengerEXT(instance, messengerInfo, null, pMessenger), "vkCreateDebugUtilsMessengerEXT");
                }
                out.println("instance: Vulkan " + VK_API_VERSION_MAJOR(VK_API_VERSION_1_3) + "." + VK_API_VERSION_MINOR(VK_API_VERSION_1_3)
                        + ", validation layer " + (validation ? "on, with this program's messenger" : "not installed"));
                ok = onDevice(stack, instance, deviceIndex, n, out);
            } finally {
                // 5. The program destroys its messenger and instance (its device went in onDevice).
                if (pMessenger.get(0) != VK_NULL_HANDLE) {
                    vkDestroyDebugUtilsMessengerEXT(instance, pMessenger.get(0), null);
                }
                vkDestroyInstance(instance, null);
            }
            out.println("validation messages: " + messages.get());
            boolean passed = ok && messages.get() == 0;
            out.println(passed ? "OK" : "FAILED");
            return passed ? 0 : 1;
        } finally {
            callback.free();
        }
    }

    /** Steps 2 to 4 on physical device {@code deviceIndex}: whether SAXPY came back exact. The device is destroyed on every path. */
    private static boolean onDevice(MemoryStack stack, VkInstance instance, int deviceIndex, int n, PrintStream out) {
        // 2. The program's device: one compute queue.
        IntBuffer count = stack.mallocInt(1);
        check(vkEnumeratePhysicalDevices(instance, count, null), "vkEnumeratePhysicalDevices");
        PointerBuffer handles = stack.mallocPointer(count.get(0));
        check(vkEnumeratePhysicalDevices(instance, count, handles), "vkEnumeratePhysicalDevices");
        if (deviceIndex >= count.get(0)) {
            throw new IllegalArgumentException("device index " + deviceIndex + ": there are " + count.get(0) + " devices");
        }
        VkPhysicalDevice physical = new VkPhysicalDevice(handles.get(deviceIndex), instance);
        VkPhysicalDeviceProperties props = VkPhysicalDeviceProperties.malloc(stack);
        vkGetPhysicalDeviceProperties(physical, props);
        int family = computeFamily(stack, physical);
        VkDeviceQueueCreateInfo.Buffer queues = VkDeviceQueueCreateInfo.calloc(1, stack);
        queues.get(0).sType$Default().queueFamilyIndex(family).pQueuePriorities(stack.floats(1.0f));
        VkDeviceCreateInfo dci = VkDeviceCreateInfo.calloc(stack).sType$Default().pQueueCreateInfos(queues);
        PointerBuffer p = stack.mallocPointer(1);
        check(vkCreateDevice(physical, dci, null, p), "vkCreateDevice");
        int api = Math.min(props.apiVersion(), VK_API_VERSION_1_3);
        VkDevice device = new VkDevice(p.get(0), physical, dci, api);
        try {
            vkGetDeviceQueue(device, family, 0, p);
            VkQueue queue = new VkQueue(p.get(0), device);
            // The queue is shared with the library's transfers: whoever submits to it holds this lock.
            Lock queueLock = new ReentrantLock();
            out.println("device " + deviceIndex + ": " + props.deviceNameString() + ", compute queue family " + family);

            boolean ok;
            // 3. The library on the program's device: it frees what it made at close, and nothing else.
            try (Session session = VulkanSession.wrap(ExistingDevice.of(device, api).withTransferQueue(queue, family, queueLock),
                    SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE))) {
                Memory memory = session.createMemory(MemoryUsage.DEVICE_ONLY);
                Buffer x = memory.createBuffer(4L * n);
                Buffer y = memory.createBuffer(4L * n);
                out.println("memory: type " + memory.memoryType().index() + " " + memory.memoryFlags() + "; x at "
                        + x.allocationInfo() + ", y at " + y.allocationInfo() + " (VkDeviceMemory 0x"
                        + Long.toHexString(x.pageHandle()) + ")");
                ByteBuffer xs = floats(n), ys = floats(n);
                for (int i = 0; i < n; i++) {
                    xs.putFloat(4 * i, i % 1000);
                    ys.putFloat(4 * i, (i * 7) % 500);
                }
                x.write(0, xs.duplicate());
                y.write(0, ys.duplicate());

                // 4. The program's own compute work, bound to the library's VkBuffers.
                final float a = 2.0f;
                dispatchSaxpy(device, queue, family, queueLock, x.handle(), y.handle(), a, n);

                ByteBuffer result = floats(n);
                y.read(0, result);
                int exact = 0;
                for (int i = 0; i < n; i++) {
                    if (Float.floatToIntBits(result.getFloat(4 * i)) == Float.floatToIntBits(a * xs.getFloat(4 * i) + ys.getFloat(4 * i))) {
                        exact++;
                    }
                }
                ok = exact == n;
                out.println("saxpy: y = " + a + " * x + y over " + n + " floats: " + exact + " of " + n + " exact");
            }
            out.println("session closed: the library's memory is freed; the device is still the program's");
            return ok;
        } finally {
            // 5. The program destroys its device, once its work is done.
            vkDeviceWaitIdle(device);
            vkDestroyDevice(device, null);
        }
    }

    /**
     * Builds a pipeline with two storage buffers and a push constant ({@link VulkanObjects}: the
     * shader compiled at run time, a command buffer submitted under the queue lock), dispatches and
     * waits; every Vulkan object it made is destroyed on every path.
     */
    private static void dispatchSaxpy(VkDevice device, VkQueue queue, int family, Lock queueLock, long x, long y, float a, int n) {
        VulkanObjects vk = new VulkanObjects(device, family, queue, queueLock);
        try (MemoryStack stack = stackPush()) {
            long module = vk.shader(stack, "saxpy.comp", SAXPY, Shaderc.shaderc_compute_shader);
            LongBuffer p = stack.mallocLong(1);
            VkDescriptorSetLayoutBinding.Buffer bindings = VkDescriptorSetLayoutBinding.calloc(2, stack);
            for (int i = 0; i < 2; i++) {
                bindings.get(i).binding(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(1)
                        .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            }
            check(vkCreateDescriptorSetLayout(device, VkDescriptorSetLayoutCreateInfo.calloc(stack).sType$Default()
                    .pBindings(bindings), null, p), "vkCreateDescriptorSetLayout");
            long setLayout = vk.keep(6, p.get(0));
            check(vkCreatePipelineLayout(device, VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(setLayout))
                    .pPushConstantRanges(VkPushConstantRange.calloc(1, stack).stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).size(8)),
                    null, p), "vkCreatePipelineLayout");
            long pipelineLayout = vk.keep(4, p.get(0));
            VkComputePipelineCreateInfo.Buffer pci = VkComputePipelineCreateInfo.calloc(1, stack);
            pci.get(0).sType$Default().layout(pipelineLayout);
            pci.get(0).stage().sType$Default().stage(VK_SHADER_STAGE_COMPUTE_BIT).module(module).pName(stack.UTF8("main"));
            check(vkCreateComputePipelines(device, VK_NULL_HANDLE, pci, null, p), "vkCreateComputePipelines");
            long pipeline = vk.keep(5, p.get(0));
            check(vkCreateDescriptorPool(device, VkDescriptorPoolCreateInfo.calloc(stack).sType$Default().maxSets(1)
                    .pPoolSizes(VkDescriptorPoolSize.calloc(1, stack).type(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(2)),
                    null, p), "vkCreateDescriptorPool");
            long pool = vk.keep(7, p.get(0));
            check(vkAllocateDescriptorSets(device, VkDescriptorSetAllocateInfo.calloc(stack).sType$Default()
                    .descriptorPool(pool).pSetLayouts(stack.longs(setLayout)), p), "vkAllocateDescriptorSets");
            long set = p.get(0);
            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(2, stack);
            long[] buffers = {x, y};
            for (int i = 0; i < 2; i++) {
                writes.get(i).sType$Default().dstSet(set).dstBinding(i).descriptorCount(1)
                        .descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)
                        .pBufferInfo(VkDescriptorBufferInfo.calloc(1, stack).buffer(buffers[i]).range(VK_WHOLE_SIZE));
            }
            vkUpdateDescriptorSets(device, writes, null);

            vk.begin(stack);
            VkCommandBuffer cmd = vk.cmd;
            // The library's uploads finished before this submission (it waits for them); make them visible to the shader.
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_MEMORY_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT), null, null);
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
            vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipelineLayout, 0, stack.longs(set), null);
            ByteBuffer push = stack.malloc(8).order(ByteOrder.nativeOrder());
            push.putFloat(0, a).putInt(4, n);
            vkCmdPushConstants(cmd, pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push);
            vkCmdDispatch(cmd, (n + 63) / 64, 1, 1);
            // The shader's writes, made available to the library's read-back copy.
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0,
                    VkMemoryBarrier.calloc(1, stack).sType$Default().srcAccessMask(VK_ACCESS_SHADER_WRITE_BIT)
                            .dstAccessMask(VK_ACCESS_MEMORY_READ_BIT), null, null);
            vk.submitAndWait(stack);
        } finally {
            vk.destroy();
        }
    }

    private static int computeFamily(MemoryStack stack, VkPhysicalDevice physical) {
        IntBuffer count = stack.mallocInt(1);
        vkGetPhysicalDeviceQueueFamilyProperties(physical, count, null);
        VkQueueFamilyProperties.Buffer families = VkQueueFamilyProperties.malloc(count.get(0), stack);
        vkGetPhysicalDeviceQueueFamilyProperties(physical, count, families);
        for (int i = 0; i < count.get(0); i++) {
            if ((families.get(i).queueFlags() & VK_QUEUE_COMPUTE_BIT) != 0) {
                return i;
            }
        }
        throw new IllegalStateException("the device has no compute queue");
    }

    private static boolean hasValidationLayer(MemoryStack stack) {
        IntBuffer count = stack.mallocInt(1);
        check(vkEnumerateInstanceLayerProperties(count, null), "vkEnumerateInstanceLayerProperties");
        VkLayerProperties.Buffer layers = VkLayerProperties.malloc(count.get(0), stack);
        check(vkEnumerateInstanceLayerProperties(count, layers), "vkEnumerateInstanceLayerProperties");
        for (int i = 0; i < count.get(0); i++) {
            if ("VK_LAYER_KHRONOS_validation".equals(layers.get(i).layerNameString())) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
    }
}
