package dev.lluvia.memory.vulkan;

import dev.lluvia.memory.vulkan.testing.OwnVulkan;
import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.DeviceFeature;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryUsage;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.SessionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lwjgl.vulkan.VkDevice;
import org.lwjgl.vulkan.VkQueue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.lwjgl.vulkan.VK10.VK_FORMAT_R8G8B8A8_UINT;

/**
 * Compute shaders of the test's own (GLSL compiled with shaderc, its own pipeline, descriptor sets
 * and command buffer, {@link ComputeRunner}) on memory the library allocated, bound through the
 * handles it gives: (a) SAXPY on device-local buffers filled with {@code Buffer.write} and read back
 * with {@code Buffer.read}, compared exactly; (b) a storage image inverted in place between
 * {@code Image.write} and {@code Image.read} (RGBA8 as Lluvia's UINT8 x 4 and as the explicit
 * {@code R8G8B8A8_UNORM}); (c) a shader that reads a buffer only through its
 * device address.
 *
 * <p>Each runs on every Vulkan device present, twice: on the device the library creates (features
 * asked for with {@code SessionOptions.withFeatures}; the test submits to {@code vkQueue()}, holding
 * {@code queueLock()} when the library shares it) and on a device the test created itself
 * ({@link OwnVulkan}, wrapped with {@link VulkanSession#wrap}, its queue and lock given to the
 * library). Validation with synchronization validation is on throughout, and must report nothing:
 * the library's messenger on its own device, the test's own messenger on the test's device (which
 * also hears the leak reports of {@code vkDestroyDevice}, so every page the library made must be
 * freed by then).
 */
@ParameterizedClass(name = "device {0}, {1}")
@MethodSource("targets")
class VulkanComputeTest {

    enum Where { LIBRARY_DEVICE, OWN_DEVICE }

    @Parameter(0)
    String device;

    @Parameter(1)
    Where where;

    static Stream<Arguments> targets() {
        return VulkanTestSupport.devices().flatMap(d -> Stream.of(Arguments.of(d, Where.LIBRARY_DEVICE),
                Arguments.of(d, Where.OWN_DEVICE)));
    }

    // ------------------------------------------------------------------------------------------

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

    @Test
    void saxpyOnDeviceLocalBuffers() {
        try (Target t = new Target(Set.of())) {
            final int n = 10_000; // not a multiple of the workgroup size: the bound check matters
            final float a = 3.0f;
            Memory memory = t.session.createMemory(MemoryUsage.DEVICE_ONLY);
            assertTrue(memory.memoryFlags().contains(dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL));
            Buffer x = memory.createBuffer(4L * n);
            Buffer y = memory.createBuffer(4L * n);
            ByteBuffer xs = floats(n), ys = floats(n);
            for (int i = 0; i < n; i++) {
                // Small integers: a*x+y is exact in float whether or not the device fuses it.
                xs.putFloat(4 * i, i % 1000);
                ys.putFloat(4 * i, (i * 7) % 500);
            }
            x.write(0, xs.duplicate());
            y.write(0, ys.duplicate());
            assertNotEquals(0, x.handle());
            assertEquals(x.pageHandle(), y.pageHandle(), "both buffers share one page");
            assertNotEquals(x.allocationInfo().offset(), y.allocationInfo().offset());

            ByteBuffer push = floats(2);
            push.putFloat(0, a).putInt(4, n);
            t.runner.dispatch("saxpy", SAXPY, List.of(ComputeRunner.Binding.buffer(x.handle()),
                    ComputeRunner.Binding.buffer(y.handle())), push, (n + 63) / 64, 1);

            ByteBuffer out = floats(n);
            y.read(0, out);
            for (int i = 0; i < n; i++) {
                float expected = a * xs.getFloat(4 * i) + ys.getFloat(4 * i);
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out.getFloat(4 * i)),
                        "y[" + i + "] = " + a + " * " + xs.getFloat(4 * i) + " + " + ys.getFloat(4 * i));
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    static final String INVERT = """
            #version 450
            layout(local_size_x = 8, local_size_y = 8) in;
            layout(binding = 0, rgba8ui) uniform uimage2D image;
            void main() {
                ivec2 p = ivec2(gl_GlobalInvocationID.xy);
                ivec2 size = imageSize(image);
                if (p.x < size.x && p.y < size.y) {
                    imageStore(image, p, uvec4(255) - imageLoad(image, p));
                }
            }
            """;

    static final String INVERT_UNORM = """
            #version 450
            layout(local_size_x = 8, local_size_y = 8) in;
            layout(binding = 0, rgba8) uniform image2D image;
            void main() {
                ivec2 p = ivec2(gl_GlobalInvocationID.xy);
                ivec2 size = imageSize(image);
                if (p.x < size.x && p.y < size.y) {
                    imageStore(image, p, vec4(1.0) - imageLoad(image, p));
                }
            }
            """;

    @Test
    void storageImageInvertedBetweenWriteAndRead() {
        invert(ImageDescriptor.of(37, 23, ChannelType.UINT8, 4), VK_FORMAT_R8G8B8A8_UINT, INVERT);
    }

    @Test
    void unormStorageImageOfAnExplicitFormatInverted() {
        invert(ImageDescriptor.of(37, 23, ImageFormat.R8G8B8A8_UNORM), ImageFormat.R8G8B8A8_UNORM.vkFormat(), INVERT_UNORM);
    }

    private void invert(ImageDescriptor descriptor, int vkFormat, String shader) {
        try (Target t = new Target(Set.of())) {
            final int w = descriptor.width(), h = descriptor.height();
            Memory memory = t.session.createMemory(MemoryUsage.DEVICE_ONLY);
            // A buffer first, so the image is not at offset 0 of its page.
            memory.createBuffer(1000);
            Image image = memory.createImage(descriptor);
            ByteBuffer pixels = ByteBuffer.allocateDirect(w * h * 4);
            for (int i = 0; i < pixels.capacity(); i++) {
                pixels.put(i, (byte) (i * 31 + 7));
            }
            image.write(pixels.duplicate());
            t.runner.dispatch("invert", shader, List.of(ComputeRunner.Binding.storageImage(image.handle(), vkFormat)),
                    null, (w + 7) / 8, (h + 7) / 8);
            ByteBuffer out = ByteBuffer.allocateDirect(w * h * 4);
            image.read(out);
            for (int i = 0; i < out.capacity(); i++) {
                assertEquals(255 - (pixels.get(i) & 0xff), out.get(i) & 0xff, "byte " + i + " of the inverted "
                        + descriptor.formatName() + " image");
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    static final String THROUGH_ADDRESS = """
            #version 450
            #extension GL_EXT_buffer_reference : require
            layout(local_size_x = 64) in;
            layout(buffer_reference, std430, buffer_reference_align = 4) readonly buffer Source { uint v[]; };
            layout(std430, binding = 0) writeonly buffer Destination { uint d[]; };
            layout(push_constant) uniform Params { Source source; uint n; };
            void main() {
                uint i = gl_GlobalInvocationID.x;
                if (i < n) {
                    d[i] = source.v[i] * 3u + 1u;
                }
            }
            """;

    @Test
    void shaderReadsABufferThroughItsDeviceAddress() {
        try (Target t = new Target(Set.of(DeviceFeature.BUFFER_DEVICE_ADDRESS))) {
            assertTrue(t.session.enabledFeatures().contains(DeviceFeature.BUFFER_DEVICE_ADDRESS));
            final int n = 4099;
            Memory memory = t.session.createMemory(MemoryUsage.DEVICE_ONLY);
            Set<BufferUsage> usage = EnumSet.of(BufferUsage.STORAGE_BUFFER, BufferUsage.TRANSFER_DST,
                    BufferUsage.TRANSFER_SRC, BufferUsage.SHADER_DEVICE_ADDRESS);
            Buffer decoy = memory.createBuffer(4L * n, usage);
            Buffer source = memory.createBuffer(4L * n, usage);
            Buffer destination = memory.createBuffer(4L * n);
            assertEquals(decoy.pageHandle(), source.pageHandle());
            assertTrue(source.allocationInfo().offset() > 0, "the source lies inside the page, not at its start");
            ByteBuffer values = ints(n), other = ints(n);
            for (int i = 0; i < n; i++) {
                values.putInt(4 * i, i * 11 + 5);
                other.putInt(4 * i, -1);
            }
            decoy.write(0, other);
            source.write(0, values.duplicate());
            long address = source.deviceAddress();
            assertNotEquals(0, address);
            assertNotEquals(address, decoy.deviceAddress());
            assertEquals(address, source.deviceAddress(), "the address is stable");

            ByteBuffer push = ints(4);
            push.putLong(0, address).putInt(8, n);
            t.runner.dispatch("through-address", THROUGH_ADDRESS,
                    List.of(ComputeRunner.Binding.buffer(destination.handle())), push, (n + 63) / 64, 1);
            ByteBuffer out = ints(n);
            destination.read(0, out);
            for (int i = 0; i < n; i++) {
                assertEquals((i * 11 + 5) * 3 + 1, out.getInt(4 * i), "d[" + i + "]");
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    private static ByteBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer ints(int n) {
        return floats(n);
    }

    /**
     * A session on the device under test and the queue the test's work goes to; closing it closes
     * the runner and the session, and checks validation stayed silent (after the test's own device
     * is destroyed, in the own-device case).
     */
    private final class Target implements AutoCloseable {
        final Session session;
        final ComputeRunner runner;
        private final OwnVulkan own;
        private final VulkanBackend backend;

        Target(Set<DeviceFeature> features) {
            VulkanTestSupport.assumeVulkan();
            SessionOptions options = SessionOptions.defaults().withDebug(true).withLeakPolicy(LeakPolicy.IGNORE);
            VkDevice vkDevice;
            VkQueue queue;
            int family;
            Lock lock;
            if (where == Where.LIBRARY_DEVICE) {
                own = null;
                session = Session.create(options.withBackend("vulkan").withDevice(device).withFeatures(features));
                backend = VulkanTestSupport.backend(session);
                vkDevice = backend.vkDevice();
                queue = backend.vkQueue();
                family = backend.queueFamilyIndex();
                // The rule: the program takes the library's lock only when the library shares the queue.
                lock = backend.isQueueShared() ? backend.queueLock() : null;
                requireValidation(backend.isValidationEnabled());
            } else {
                own = OwnVulkan.create(Integer.parseInt(device), features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS));
                requireValidation(own.validation);
                if (features.contains(DeviceFeature.BUFFER_DEVICE_ADDRESS)) {
                    assertTrue(own.bufferDeviceAddress, "the device supports bufferDeviceAddress");
                }
                ExistingDevice existing = ExistingDevice.of(own.device, own.apiVersion).withFeatures(features)
                        .withTransferQueue(own.queue, own.queueFamily, own.queueLock);
                session = VulkanSession.wrap(existing, options);
                backend = VulkanTestSupport.backend(session);
                assertFalse(backend.ownsDevice());
                vkDevice = own.device;
                queue = own.queue;
                family = own.queueFamily;
                lock = own.queueLock;
            }
            runner = new ComputeRunner(vkDevice, queue, family, lock);
        }

        private void requireValidation(boolean on) {
            if (!on && VulkanTestSupport.required()) {
                fail("the validation layer " + VulkanInstance.VALIDATION_LAYER + " is not installed");
            }
        }

        @Override
        public void close() {
            try {
                runner.close();
            } finally {
                session.close();
            }
            if (own == null) {
                VulkanTestSupport.assertClean(backend);
                return;
            }
            own.close();
            assertEquals(0, backend.validationErrorCount() + backend.validationWarningCount(),
                    "a wrapped device has no messenger of the library's");
            assertEquals(0, own.errors() + own.warnings(), () -> "the test's own messenger heard " + own.errors()
                    + " errors and " + own.warnings() + " warnings:\n" + String.join("\n", own.messages()));
        }
    }
}
