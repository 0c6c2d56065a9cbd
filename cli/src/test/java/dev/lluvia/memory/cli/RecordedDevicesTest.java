package dev.lluvia.memory.cli;

import dev.lluvia.memory.DeviceSummary;
import dev.lluvia.memory.Session;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sim answers as the real drivers answered: every file in {@code src/test/resources/devices/}
 * (what {@link RequirementsDump} recorded from a driver, see the README there) is compared with
 * the sim profile of the same device name ("NAME (simulated)"), answer by answer: the device's
 * ids, API and driver versions, memory budget, heaps, memory types, limits, and every recorded
 * buffer and image request (size, alignment, memoryTypeBits, or the exception that refused it).
 * A recording without a profile fails, so a new device's file asks for its profile. Runs anywhere:
 * no GPU is needed to check that the NVIDIA profiles still answer as NVIDIA's driver did.
 */
class RecordedDevicesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SIMULATED = " (simulated)";
    /**
     * The device facts compared as recorded (the name is compared with the profile's, less its
     * suffix); those a recording predates (externalMemoryFd) are compared where it has them.
     */
    private static final List<String> FACTS = List.of("type", "vendorId", "deviceId", "apiVersion", "driverVersion",
            "memoryBudget", "heaps", "memoryTypes", "limits", "externalMemoryFd");

    @TestFactory
    Stream<DynamicTest> everyRecordedDeviceIsAnsweredAsItsDriverDidByItsSimProfile() {
        return recordings().stream().map(file -> DynamicTest.dynamicTest(file.getName(), () -> compare(file)));
    }

    @Test
    void theRecordingsAreThereAndNamedAsRequirementsDumpNamesThem() {
        List<File> files = recordings();
        assertTrue(files.stream().anyMatch(f -> f.getName().startsWith("nvidia-h100-")), "recordings: " + files);
        for (File f : files) {
            Map<String, Object> recorded = read(f);
            assertEquals(RequirementsDump.fileName((String) recorded.get("name"), (String) recorded.get("driverVersion")),
                    f.getName(), "the file name of " + f);
        }
    }

    @Test
    void aProfileThatAnswersDifferentlyIsCaughtNamingTheRequest() {
        // The H200's profile shares the H100's rules but not its ids and heaps: the comparison must see that.
        File h100 = recordings().stream().filter(f -> f.getName().startsWith("nvidia-h100-")).findFirst().orElseThrow();
        Map<String, Object> recorded = read(h100);
        List<String> differences = differences(recorded, simAnswers("nvidia-h200"));
        assertTrue(differences.stream().anyMatch(d -> d.startsWith("deviceId:")), differences.toString());
        assertTrue(differences.stream().anyMatch(d -> d.startsWith("heaps:")), differences.toString());
        // And a single changed answer is named by its request.
        Map<String, Object> sim = simAnswers("nvidia-h100");
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) ((List<?>) sim.get("images")).get(0);
        first.put("size", ((Number) first.get("size")).longValue() + 1);
        List<String> one = differences(recorded, sim);
        assertEquals(1, one.size(), one.toString());
        assertTrue(one.get(0).contains((String) first.get("request")), one.toString());
    }

    private static void compare(File file) {
        Map<String, Object> recorded = read(file);
        assertEquals(0, ((Number) recorded.get("validationMessages")).intValue(),
                file.getName() + ": recorded with validation messages, so its answers are not the driver's own");
        String profile = profileOf((String) recorded.get("name"));
        assertNotNull(profile, file.getName() + ": no sim profile is named '" + recorded.get("name") + SIMULATED
                + "'; profiles: " + Session.devices("sim").stream().map(DeviceSummary::name).toList());
        List<String> differences = differences(recorded, simAnswers(profile));
        int requests = 0;
        for (String key : List.of("buffers", "images", "descriptors")) {
            requests += ((List<?>) recorded.getOrDefault(key, List.of())).size();
        }
        assertTrue(differences.isEmpty(), file.getName() + " vs sim profile " + profile + ": " + differences.size()
                + " of " + requests + " requests and " + FACTS.size() + " facts differ:\n"
                + String.join("\n", differences.subList(0, Math.min(30, differences.size()))));
    }

    /**
     * What differs between a recording and the sim's answers: the facts by name, the requests by
     * their request string. Every recorded request must be one the sim was asked (the sim's
     * question set only ever grows).
     */
    static List<String> differences(Map<String, Object> recorded, Map<String, Object> sim) {
        List<String> out = new ArrayList<>();
        String simName = (String) sim.get("name");
        if (!simName.equals(recorded.get("name") + SIMULATED)) {
            out.add("name: recorded " + recorded.get("name") + ", sim " + simName);
        }
        for (String key : FACTS) {
            if (recorded.containsKey(key) && !recorded.get(key).equals(sim.get(key))) {
                out.add(key + ": recorded " + recorded.get(key) + ", sim " + sim.get(key));
            }
        }
        Map<Object, Object> asked = new LinkedHashMap<>();
        for (String key : List.of("buffers", "images", "descriptors")) {
            for (Object q : (List<?>) sim.get(key)) {
                Object previous = asked.put(((Map<?, ?>) q).get("request"), q);
                assertNull(previous, "the request " + ((Map<?, ?>) q).get("request") + " is asked twice");
            }
        }
        for (String key : List.of("buffers", "images", "descriptors")) {
            for (Object q : (List<?>) recorded.getOrDefault(key, List.of())) {
                Object request = ((Map<?, ?>) q).get("request");
                Object answer = asked.get(request);
                if (answer == null) {
                    out.add("the sim is not asked '" + request + "' (RequirementsDump lost a question)");
                } else if (!q.equals(answer)) {
                    out.add("driver " + q + " / sim " + answer);
                }
            }
        }
        return out;
    }

    /** The sim profile's answers, as JSON would give them back (so numbers compare as the recording's). */
    private static Map<String, Object> simAnswers(String profile) {
        return JSON.readValue(JSON.writeValueAsString(RequirementsDump.dump("sim", profile)),
                new TypeReference<Map<String, Object>>() { });
    }

    private static String profileOf(String deviceName) {
        List<DeviceSummary> devices = Session.devices("sim");
        return devices.stream().filter(d -> d.name().equals(deviceName + SIMULATED)).findFirst()
                .map(d -> dev.lluvia.memory.sim.SimProfiles.names().get(d.index())).orElse(null);
    }

    private static Map<String, Object> read(File file) {
        return JSON.readValue(file, new TypeReference<Map<String, Object>>() { });
    }

    private static List<File> recordings() {
        URL url = RecordedDevicesTest.class.getResource("/devices/README.md");
        assertNotNull(url, "the recorded devices (src/test/resources/devices/) are not on the test class path");
        try {
            File[] files = new File(url.toURI()).getParentFile().listFiles((dir, name) -> name.endsWith(".json"));
            assertNotNull(files);
            Arrays.sort(files);
            return List.of(files);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
