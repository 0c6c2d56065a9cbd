package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static dev.lluvia.memory.MemoryPropertyFlag.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The usage-intent ranking over hand-built memory types of real and plausible devices: the H100 and
 * llvmpipe as measured (ARCHITECTURE.md), a mobile GPU with a non-coherent cached type, an AMD
 * APU-like device with AMD-only flags, and a device without host-visible memory.
 */
class MemoryTypeRankingTest {

    /** Types from flag sets, heap given by the first element when it is an Integer. */
    private static List<MemoryType> types(Object... spec) {
        List<MemoryType> types = new ArrayList<>();
        for (int i = 0; i < spec.length; i += 2) {
            @SuppressWarnings("unchecked")
            EnumSet<MemoryPropertyFlag> flags = (EnumSet<MemoryPropertyFlag>) spec[i + 1];
            types.add(new MemoryType(types.size(), (Integer) spec[i], flags));
        }
        return types;
    }

    private static final List<MemoryType> H100 = types(
            1, EnumSet.noneOf(MemoryPropertyFlag.class),
            0, EnumSet.of(DEVICE_LOCAL),
            1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT),
            1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT, HOST_CACHED),
            0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT));

    private static final List<MemoryType> LLVMPIPE = types(
            0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT, HOST_CACHED));

    /** A mobile GPU: unified memory, one coherent uncached type and one cached non-coherent type. */
    private static final List<MemoryType> MOBILE_NON_COHERENT = types(
            0, EnumSet.of(DEVICE_LOCAL),
            0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT),
            0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_CACHED),
            0, EnumSet.of(DEVICE_LOCAL, LAZILY_ALLOCATED));

    /** A discrete GPU without resizable BAR, with AMD's device-coherent types listed first. */
    private static final List<MemoryType> AMD_LIKE = types(
            0, EnumSet.of(DEVICE_LOCAL, DEVICE_COHERENT_AMD, DEVICE_UNCACHED_AMD),
            1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT, DEVICE_COHERENT_AMD, DEVICE_UNCACHED_AMD),
            0, EnumSet.of(DEVICE_LOCAL),
            1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT),
            1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT, HOST_CACHED),
            0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT));

    private static int chosen(List<MemoryType> types, MemoryUsage usage) {
        MemoryType t = MemoryTypeRanking.choose(types, usage);
        assertNotNull(t, usage + " found no type");
        return t.index();
    }

    @Test
    void h100DeviceOnlyTakesType1UploadTheBarAndReadbackTheHostCachedType() {
        assertEquals(1, chosen(H100, MemoryUsage.DEVICE_ONLY));
        assertEquals(4, chosen(H100, MemoryUsage.UPLOAD), "BAR: host writes 19-24 GB/s, device reads locally");
        assertEquals(3, chosen(H100, MemoryUsage.READBACK), "host-cached: 6-8 GB/s reads against 0.02 GB/s from the BAR");
    }

    @Test
    void readbackNeverTakesTheBarWhileAnotherHostVisibleTypeExists() {
        // Without the cached type, readback falls to the plain host type, not the BAR.
        List<MemoryType> noCached = new ArrayList<>(H100);
        noCached.set(3, new MemoryType(3, 1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT)));
        assertEquals(2, chosen(noCached, MemoryUsage.READBACK));
        // Even a non-coherent host type beats the BAR.
        List<MemoryType> nonCoherentHost = types(
                0, EnumSet.of(DEVICE_LOCAL),
                0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT, HOST_CACHED),
                1, EnumSet.of(HOST_VISIBLE));
        assertEquals(2, chosen(nonCoherentHost, MemoryUsage.READBACK));
        for (List<MemoryType> device : List.of(H100, AMD_LIKE)) {
            MemoryType r = MemoryTypeRanking.choose(device, MemoryUsage.READBACK);
            assertFalse(r.flags().contains(DEVICE_LOCAL), "readback chose " + r);
        }
    }

    @Test
    void aBackendsStagingTypeIsTheBestReadbackTypeAmongItsMemoryTypeBits() {
        DeviceProperties h100 = new DeviceProperties("h100-like", DeviceType.DISCRETE_GPU, 0, 0, "1.3.0", "test", H100,
                List.of(new MemoryHeap(0, 80L << 30, true), new MemoryHeap(1, 96L << 30, false)),
                new DeviceLimits(1024, 64, 4096, 16384, 16384, 2048, 16), false);
        assertEquals(3, h100.bestMemoryType(MemoryUsage.READBACK, 0x1f).index(), "every type allowed: host-cached");
        assertEquals(2, h100.bestMemoryType(MemoryUsage.READBACK, 0x17).index(), "no cached type: plain host memory");
        assertEquals(4, h100.bestMemoryType(MemoryUsage.READBACK, 0x13).index(), "only the BAR is host-visible");
        assertNull(h100.bestMemoryType(MemoryUsage.READBACK, 0x3), "no host-visible type allowed");
    }

    @Test
    void llvmpipeHasOneTypeForEveryUsage() {
        for (MemoryUsage u : MemoryUsage.values()) {
            assertEquals(0, chosen(LLVMPIPE, u), u.toString());
        }
    }

    @Test
    void onUnifiedMemoryReadbackPrefersCachedNonCoherentAndUploadPrefersCoherent() {
        assertEquals(0, chosen(MOBILE_NON_COHERENT, MemoryUsage.DEVICE_ONLY));
        assertEquals(1, chosen(MOBILE_NON_COHERENT, MemoryUsage.UPLOAD));
        assertEquals(2, chosen(MOBILE_NON_COHERENT, MemoryUsage.READBACK), "cached, flushed by the core");
    }

    @Test
    void lazilyAllocatedAndProtectedTypesAreNeverChosen() {
        List<MemoryType> onlyOdd = types(
                0, EnumSet.of(DEVICE_LOCAL, LAZILY_ALLOCATED),
                0, EnumSet.of(DEVICE_LOCAL, PROTECTED),
                1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT));
        assertEquals(2, chosen(onlyOdd, MemoryUsage.DEVICE_ONLY), "host memory rather than unusable device memory");
        assertEquals(MemoryTypeRanking.EXCLUDED, MemoryTypeRanking.cost(onlyOdd.get(0), MemoryUsage.DEVICE_ONLY));
        assertEquals(MemoryTypeRanking.EXCLUDED, MemoryTypeRanking.cost(onlyOdd.get(1), MemoryUsage.DEVICE_ONLY));
    }

    @Test
    void amdOnlyFlagsAreAvoidedWhenPlainTypesExist() {
        assertEquals(2, chosen(AMD_LIKE, MemoryUsage.DEVICE_ONLY));
        assertEquals(5, chosen(AMD_LIKE, MemoryUsage.UPLOAD));
        assertEquals(4, chosen(AMD_LIKE, MemoryUsage.READBACK));
    }

    @Test
    void deviceOnlyPrefersDeviceLocalOverHostMemoryEvenWhenTheOnlyOneIsHostVisible() {
        List<MemoryType> barOnly = types(
                1, EnumSet.noneOf(MemoryPropertyFlag.class),
                0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT));
        assertEquals(1, chosen(barOnly, MemoryUsage.DEVICE_ONLY));
        assertEquals(MemoryTypeRanking.EXCLUDED, MemoryTypeRanking.cost(barOnly.get(0), MemoryUsage.DEVICE_ONLY),
                "a type without flags is never chosen (H100 type 0)");
    }

    @Test
    void uploadAndReadbackNeedHostVisibleMemory() {
        List<MemoryType> noHost = types(0, EnumSet.of(DEVICE_LOCAL), 1, EnumSet.noneOf(MemoryPropertyFlag.class));
        assertNull(MemoryTypeRanking.choose(noHost, MemoryUsage.UPLOAD));
        assertNull(MemoryTypeRanking.choose(noHost, MemoryUsage.READBACK));
        assertEquals(0, chosen(noHost, MemoryUsage.DEVICE_ONLY));
    }

    @Test
    void tiesGoToTheLowestIndex() {
        List<MemoryType> twins = types(0, EnumSet.of(DEVICE_LOCAL), 0, EnumSet.of(DEVICE_LOCAL),
                1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT), 1, EnumSet.of(HOST_VISIBLE, HOST_COHERENT));
        assertEquals(0, chosen(twins, MemoryUsage.DEVICE_ONLY));
        assertEquals(2, chosen(twins, MemoryUsage.UPLOAD));
        assertEquals(2, chosen(twins, MemoryUsage.READBACK));
    }
}
