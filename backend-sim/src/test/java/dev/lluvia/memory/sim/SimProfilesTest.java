package dev.lluvia.memory.sim;

import dev.lluvia.memory.DeviceLimits;
import dev.lluvia.memory.DeviceNotFoundException;
import dev.lluvia.memory.DeviceProperties;
import dev.lluvia.memory.DeviceType;
import dev.lluvia.memory.MemoryHeap;
import dev.lluvia.memory.MemoryType;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static dev.lluvia.memory.MemoryPropertyFlag.DEVICE_LOCAL;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_CACHED;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_COHERENT;
import static dev.lluvia.memory.MemoryPropertyFlag.HOST_VISIBLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimProfilesTest {

    @Test
    void listsTheProfilesInIndexOrderWithTheH100First() {
        assertEquals(List.of("nvidia-h100", "llvmpipe", "mobile-noncoherent", "nvidia-h200"), SimProfiles.names());
        assertEquals(SimProfiles.DEFAULT_PROFILE, SimProfiles.names().get(0));
    }

    @Test
    void h100ProfileHasTheMeasuredDevice() {
        DeviceProperties d = SimProfiles.load("nvidia-h100").device();
        assertEquals("NVIDIA H100 80GB HBM3 (simulated)", d.name());
        assertEquals(DeviceType.DISCRETE_GPU, d.type());
        assertEquals(0x10de, d.vendorId());
        assertTrue(d.apiVersion().startsWith("1.4"), d.apiVersion());
        assertEquals(List.of(new MemoryHeap(0, 85_520_809_984L, true), new MemoryHeap(1, 101_346_794_496L, false)),
                d.memoryHeaps());
        assertEquals(List.of(
                new MemoryType(0, 1, Set.of()),
                new MemoryType(1, 0, Set.of(DEVICE_LOCAL)),
                new MemoryType(2, 1, Set.of(HOST_VISIBLE, HOST_COHERENT)),
                new MemoryType(3, 1, Set.of(HOST_VISIBLE, HOST_COHERENT, HOST_CACHED)),
                new MemoryType(4, 0, Set.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT))), d.memoryTypes());
        assertEquals(new DeviceLimits(1024, 64, 4294967295L, 32768, 32768, 16384, 16), d.limits());
        assertTrue(d.hasMemoryBudget());
    }

    @Test
    void llvmpipeProfileHasOneHeapAndOneType() {
        DeviceProperties d = SimProfiles.load("llvmpipe").device();
        assertEquals("llvmpipe (LLVM 15.0.6, 256 bits) (simulated)", d.name());
        assertEquals(DeviceType.CPU, d.type());
        assertEquals(0x10005, d.vendorId());
        assertEquals(List.of(new MemoryHeap(0, 2_147_483_648L, true)), d.memoryHeaps());
        assertEquals(List.of(new MemoryType(0, 0, EnumSet.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_COHERENT, HOST_CACHED))),
                d.memoryTypes());
        assertEquals(64, d.limits().bufferImageGranularity());
        assertEquals(64, d.limits().nonCoherentAtomSize());
        assertFalse(d.hasMemoryBudget());
    }

    @Test
    void mobileProfileHasANonCoherentHostVisibleType() {
        DeviceProperties d = SimProfiles.load("mobile-noncoherent").device();
        assertEquals(DeviceType.INTEGRATED_GPU, d.type());
        long nonCoherent = d.memoryTypes().stream().filter(MemoryType::needsFlush).count();
        assertEquals(1, nonCoherent);
        assertEquals(Set.of(DEVICE_LOCAL, HOST_VISIBLE, HOST_CACHED), d.memoryTypes().get(2).flags());
        assertEquals(256, d.limits().nonCoherentAtomSize());
        assertEquals(4096, d.limits().bufferImageGranularity());
    }

    @Test
    void resolvesNamesCaseInsensitivelyAndIndicesAndNullAsTheDefault() {
        assertEquals("nvidia-h100", SimProfiles.resolve(null));
        assertEquals("llvmpipe", SimProfiles.resolve("LLVMpipe"));
        assertEquals("llvmpipe", SimProfiles.resolve("1"));
        assertEquals("mobile-noncoherent", SimProfiles.resolve(" 2 "));
    }

    @Test
    void unknownProfileNamesEveryKnownProfile() {
        for (String bad : new String[] {"rtx9090", "4", "-1", "", "llvm"}) {
            DeviceNotFoundException e = assertThrows(DeviceNotFoundException.class, () -> SimProfiles.resolve(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            for (String name : SimProfiles.names()) {
                assertTrue(e.getMessage().contains(name), e.getMessage());
            }
        }
    }

    @Test
    void backendPropertiesOverrideProfileKeys() {
        SimProfile p = SimProfiles.load("llvmpipe", Map.of(
                "lluvia.sim.profile.heap.0.size", "65536",
                "lluvia.sim.profile.image.optimal.prefersDedicatedAbove", "4096",
                "other.key", "ignored"));
        assertEquals(65536, p.device().memoryHeaps().get(0).size());
        assertEquals(4096, p.optimalImage().prefersDedicatedAbove());
        // The resource itself is not changed by an override.
        assertEquals(2_147_483_648L, SimProfiles.load("llvmpipe").device().memoryHeaps().get(0).size());
    }

    @Test
    void malformedProfileNamesTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimProfiles.load("llvmpipe", Map.of("lluvia.sim.profile.limits.nonCoherentAtomSize", "sixty-four")));
        assertTrue(e.getMessage().contains("limits.nonCoherentAtomSize") && e.getMessage().contains("sixty-four"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> SimProfiles.load("llvmpipe", Map.of("lluvia.sim.profile.type.0.flags", "DEVICE_LOCAL,SHINY")));
        assertTrue(e.getMessage().contains("SHINY"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> SimProfiles.load("llvmpipe", Map.of("lluvia.sim.profile.buffer.memoryTypeBits", "0x3")));
        assertTrue(e.getMessage().contains("buffer.memoryTypeBits"), e.getMessage());

        Properties empty = new Properties();
        e = assertThrows(IllegalArgumentException.class, () -> SimProfiles.parse("empty", empty));
        assertTrue(e.getMessage().contains("'empty'") && e.getMessage().contains("heap.0.size"), e.getMessage());
    }
}
