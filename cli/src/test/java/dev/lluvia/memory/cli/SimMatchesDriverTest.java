package dev.lluvia.memory.cli;

import dev.lluvia.memory.DeviceInfo;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.BackendInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sim answers as the real drivers do: {@link RequirementsDump}'s questions (limits, memory
 * types, buffers over sizes and usages, images over every channel type x channel count x tiling x
 * 1D/2D/3D sizes, refusals included) go to every Vulkan device present, with validation on, and to
 * the sim profile of the same name ("NAME (simulated)"), and every answer must be equal. In CI this
 * is lavapipe against the {@code llvmpipe} profile; on the H200 machine, each GPU against
 * {@code nvidia-h200}. Without Vulkan it skips, or fails when {@code LLUVIA_VULKAN_REQUIRED=1}.
 */
class SimMatchesDriverTest {

    @Test
    void everySimProfileOfAPresentDeviceAnswersAsItsDriver() {
        BackendInfo vulkan = Session.availableBackends().stream().filter(b -> b.name().equals("vulkan"))
                .findFirst().orElseThrow();
        if (!vulkan.available()) {
            String env = System.getenv("LLUVIA_VULKAN_REQUIRED");
            assertFalse("1".equals(env) || "true".equalsIgnoreCase(env), "Vulkan is required: " + vulkan.detail());
            Assumptions.abort("no Vulkan here: " + vulkan.detail());
        }
        List<DeviceInfo> profiles = Session.devices("sim");
        List<String> compared = new ArrayList<>();
        for (DeviceInfo device : Session.devices("vulkan")) {
            DeviceInfo profile = profiles.stream().filter(p -> p.name().equals(device.name() + " (simulated)"))
                    .findFirst().orElse(null);
            if (!device.usable() || profile == null) {
                System.out.println("no sim profile for Vulkan device " + device.describe());
                continue;
            }
            Map<String, Object> real = RequirementsDump.dump("vulkan", Integer.toString(device.index()));
            Map<String, Object> sim = RequirementsDump.dump("sim", Integer.toString(profile.index()));
            String which = device.describe() + " vs sim profile " + profile.index();
            assertEquals(0L, real.get("validationMessages"), which + ": the validation layer was silent");
            for (String key : List.of("limits", "memoryTypes", "memoryBudget")) {
                assertEquals(real.get(key), sim.get(key), which + ": " + key);
            }
            for (String key : List.of("buffers", "images")) {
                List<?> r = (List<?>) real.get(key);
                List<?> s = (List<?>) sim.get(key);
                assertEquals(r.size(), s.size(), which + ": number of " + key);
                List<String> differences = new ArrayList<>();
                for (int i = 0; i < r.size(); i++) {
                    if (!r.get(i).equals(s.get(i))) {
                        differences.add("driver " + r.get(i) + " / sim " + s.get(i));
                    }
                }
                assertTrue(differences.isEmpty(), which + ": " + differences.size() + " of " + r.size() + " " + key
                        + " differ:\n" + String.join("\n", differences.subList(0, Math.min(20, differences.size()))));
            }
            compared.add(which);
        }
        System.out.println("compared: " + compared);
        Assumptions.assumeFalse(compared.isEmpty(), "no Vulkan device here has a sim profile");
    }
}
