package dev.lluvia.memory.contract;

import dev.lluvia.memory.Buffer;
import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Image;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.LeakPolicy;
import dev.lluvia.memory.MappedView;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryLeakException;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Aliases through the public API, the same on every backend: buffers and images created on the
 * range of an existing object share its bytes and allocate nothing, closing an alias or its session
 * shuts its views, the rules of what may alias what are kept, bad aliases are refused naming the
 * value and leave nothing on the device, and a closing Memory closes aliases first.
 */
public abstract class AliasContract extends DeviceContract {

    private static Memory host(Session session) {
        return session.createMemory(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT);
    }

    private static Memory deviceLocal(Session session) {
        return session.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(1 << 20));
    }

    /** The device's count of live resources, where the backend can count them. */
    private OptionalInt resources(Session session) {
        return device().liveResources(session);
    }

    @Test
    void aBufferAliasSeesTheOriginalsBytesAndAllocatesNothing() {
        Memory host = host(open());
        Buffer before = host.createBuffer(100);
        Buffer original = host.createBuffer(4096);
        Buffer after = host.createBuffer(100);
        Statistics stats = host.statistics();
        Buffer alias = host.createAliasingBuffer(original, 1024, 2048, BufferUsage.DEFAULT);
        assertEquals(stats, host.statistics(), "an alias is not an allocation");
        assertEquals(List.of(before, original, after), host.objects());
        assertSame(original, alias.aliasOf());
        assertEquals(List.of(alias), original.aliases());
        assertEquals(original.allocationInfo().offset() + 1024, alias.allocationInfo().offset());
        assertEquals(original.allocationInfo().page(), alias.allocationInfo().page());

        original.map().putInt(1024 + 8, 0x12345678);
        assertEquals(0x12345678, alias.map().getInt(8), "the alias views the same bytes");
        alias.write(100, ByteBuffer.allocateDirect(4).putInt(0, 77));
        ByteBuffer back = ByteBuffer.allocateDirect(4);
        original.read(1124, back);
        assertEquals(77, back.getInt(0));
        alias.close();
        assertTrue(original.aliases().isEmpty());
        assertEquals(0x12345678, original.map().getInt(1032), "closing an alias leaves the bytes");
    }

    /** Regression: closing an alias left its views open on the range. */
    @Test
    void closingAnAliasShutsItsViews() {
        Memory host = host(open());
        Buffer original = host.createBuffer(4096);
        Buffer alias = host.createAliasingBuffer(original, 1024, 2048, BufferUsage.DEFAULT);
        MappedView view = alias.map();
        view.putInt(0, 5);
        alias.close();
        assertThrows(IllegalStateException.class, () -> view.getInt(0));
        assertThrows(IllegalStateException.class, () -> view.putInt(0, 6));
        assertEquals(5, original.map().getInt(1024), "the original's range and views stay");
    }

    /** Regression: a closing Memory shut only its listed objects' views, and aliases are not listed. */
    @Test
    void closingTheSessionShutsAliasViews() {
        Session session = open();
        Memory host = host(session);
        Buffer original = host.createBuffer(4096);
        Buffer alias = host.createAliasingBuffer(original, 1024, 2048, BufferUsage.DEFAULT);
        MappedView view = alias.map();
        MappedView originalView = original.map();
        view.putInt(0, 5);
        close(session);
        assertThrows(IllegalStateException.class, () -> view.getInt(0));
        assertThrows(IllegalStateException.class, () -> originalView.getInt(0));
    }

    @Test
    void imagesAliasBuffersAndImagesWhereTheRulesAllow() {
        Session session = open();
        Memory dev = deviceLocal(session);
        // An optimal image on an optimal image: same kind, any aligned offset inside.
        Image big = dev.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8, 4)); // 16 KiB
        Image small = dev.createAliasingImage(big, 4096, ImageDescriptor.of(32, 32, ChannelType.UINT8));
        // A buffer over an optimal image's bytes (linear on optimal, inside its granularity blocks).
        Buffer clear = dev.createAliasingBuffer(big, 0, 16384, EnumSet.of(BufferUsage.TRANSFER_DST));
        // An optimal image on a buffer: allowed when its granularity blocks are the buffer's own.
        Buffer neighbour = dev.createBuffer(100);
        Buffer arena = dev.createBuffer(64 * 1024);
        long granularity = Math.max(4096, session.device().limits().bufferImageGranularity());
        long arenaStart = arena.allocationInfo().offset();
        long firstFullBlock = (arenaStart + granularity - 1) / granularity * granularity + granularity - arenaStart;
        Image transient1 = dev.createAliasingImage(arena, firstFullBlock, ImageDescriptor.of(32, 32, ChannelType.UINT8));
        Image transient2 = dev.createAliasingImage(arena, firstFullBlock, ImageDescriptor.of(16, 16, ChannelType.FLOAT32));
        assertEquals(List.of(small, clear), big.aliases());
        assertEquals(List.of(transient1, transient2), arena.aliases());
        assertTrue(neighbour.aliases().isEmpty());
        resources(session).ifPresent(n -> assertEquals(3 + 4, n, "three originals and four aliases on the device"));
        // The session closes aliases before their originals: the referee and the validation layer would refuse the other order.
    }

    @Test
    void badAliasesAreRefusedNamingTheValueAndLeaveNothing() {
        Session session = open();
        Memory dev = deviceLocal(session);
        Memory other = deviceLocal(session);
        dev.createBuffer(100);
        Buffer original = dev.createBuffer(4096);
        dev.createBuffer(100);
        OptionalInt resources = resources(session);
        Statistics stats = dev.statistics();

        refused(IndexOutOfBoundsException.class, () -> dev.createAliasingBuffer(original, -16, 64, BufferUsage.DEFAULT), "-16");
        refused(IndexOutOfBoundsException.class, () -> dev.createAliasingBuffer(original, 4096, 16, BufferUsage.DEFAULT), "4096");
        refused(IndexOutOfBoundsException.class, () -> dev.createAliasingBuffer(original, 2048, 4096, BufferUsage.DEFAULT), "2048");
        refused(IllegalArgumentException.class, () -> dev.createAliasingBuffer(original, 8, 64, BufferUsage.DEFAULT),
                "alias offset 8", "alignment");
        refused(IllegalArgumentException.class, () -> dev.createAliasingBuffer(original, 0, 0, BufferUsage.DEFAULT), "was 0");
        refused(IllegalArgumentException.class, () -> other.createAliasingBuffer(original, 0, 64, BufferUsage.DEFAULT),
                original.toString().substring(0, 8));
        Buffer alias = dev.createAliasingBuffer(original, 0, 64, BufferUsage.DEFAULT);
        refused(IllegalArgumentException.class, () -> dev.createAliasingBuffer(alias, 0, 16, BufferUsage.DEFAULT),
                "itself an alias");
        resources.ifPresent(n -> assertEquals(n + 1, resources(session).getAsInt(), "only the good alias is live"));

        // The original cannot close under its alias; nothing changes.
        IllegalStateException busy = assertThrows(IllegalStateException.class, original::close);
        assertTrue(busy.getMessage().contains("Buffer#" + alias.id()), busy.getMessage());
        assertFalse(original.isClosed());
        assertEquals(stats, dev.statistics());
        alias.close();
        original.close();
        refused(IllegalStateException.class, () -> dev.createAliasingBuffer(original, 0, 16, BufferUsage.DEFAULT),
                "Buffer#" + original.id(), "closed");
        resources.ifPresent(n -> assertEquals(n - 1, resources(session).getAsInt()));
    }

    @Test
    void closingTheMemoryClosesAliasesFirstAndReportsThem() {
        Session session = open(device().options().withLeakPolicy(LeakPolicy.THROW));
        Memory m = session.createMemory(MemoryPropertyFlag.DEVICE_LOCAL);
        Buffer original = m.createBuffer(1024);
        Buffer alias = m.createAliasingBuffer(original, 0, 512, BufferUsage.DEFAULT);
        MemoryLeakException leak = assertThrows(MemoryLeakException.class, m::close);
        assertTrue(leak.getMessage().contains("an alias of Buffer#" + original.id()), leak.getMessage());
        assertTrue(alias.isClosed() && original.isClosed());
        resources(session).ifPresent(n -> assertEquals(0, n));
    }

    /**
     * A buffer alias at a page-aligned offset of a host buffer, read through the transfer queue; a
     * buffer over an optimal image; a linear image at the start of a buffer.
     */
    @Test
    void buffersAndImagesAliasAnObjectsRangeAndShareItsBytes() {
        Session session = open();
        Memory host = session.createMemory(EnumSet.of(MemoryPropertyFlag.HOST_VISIBLE, MemoryPropertyFlag.HOST_COHERENT), 1 << 20);
        // Page offset a multiple of 4096, so a linear image may alias its start on every device
        // (NVIDIA's linear images need 128; in debug mode the buffer would start after a margin).
        Buffer original = host.createBuffer(64 * 1024, BufferUsage.DEFAULT, 4096);
        Buffer alias = host.createAliasingBuffer(original, 4096, 4096, BufferUsage.DEFAULT);
        original.map().putLong(4096 + 64, 0x0123456789ABCDEFL);
        assertEquals(0x0123456789ABCDEFL, alias.map().getLong(64));
        // Through the queue: a copy out of the alias reads what the original holds.
        ByteBuffer out = ByteBuffer.allocateDirect(8);
        alias.read(64, out);
        assertEquals(0x0123456789ABCDEFL, out.order(ByteOrder.nativeOrder()).getLong(0));

        Memory dev = session.createMemory(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL), 1 << 20);
        Image image = dev.createImage(ImageDescriptor.of(64, 64, ChannelType.UINT8, 4));
        Buffer over = dev.createAliasingBuffer(image, 0, 1024, EnumSet.of(BufferUsage.TRANSFER_DST));
        Image linear = host.createAliasingImage(original, 0,
                ImageDescriptor.of(16, 16, ChannelType.UINT8).withTiling(ImageTiling.LINEAR));
        assertEquals(List.of(alias, linear), original.aliases());
        assertEquals(List.of(over), image.aliases());
        assertThrows(IllegalStateException.class, original::close);
        alias.close();
        linear.close();
        original.close();
    }

    private static <T extends Throwable> void refused(Class<T> type, Executable call, String... mentions) {
        T e = assertThrows(type, call);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' missing from: " + e.getMessage());
        }
    }
}
