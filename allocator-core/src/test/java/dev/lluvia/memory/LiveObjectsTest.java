package dev.lluvia.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Memory's live-object list, which keeps its newest end only ({@link LiveObjects}): a seeded
 * model test of creates and closes in every order a program uses (oldest first, newest first, at
 * random), checking {@link Memory#objects()} (creation order) and the statistics' count and bytes
 * against a plain list.
 */
class LiveObjectsTest {

    @Test
    void objectsStayInCreationOrderWhateverOrderTheyAreClosedIn() {
        final long seed = 20261206L;
        final Random rnd = new Random(seed);
        try (Session s = FakeBackend.session(FakeBackend.Config.discrete(),
                SessionOptions.defaults().withLeakPolicy(LeakPolicy.IGNORE))) {
            Memory m = s.createMemory(MemoryOptions.of(EnumSet.of(MemoryPropertyFlag.DEVICE_LOCAL)).withPageSize(1 << 20));
            List<Buffer> model = new ArrayList<>();
            long bytes = 0;
            for (int step = 0; step < 4000; step++) {
                int op = rnd.nextInt(10);
                if (model.isEmpty() || op < 5) {
                    Buffer b = m.createBuffer(1 + rnd.nextInt(4096));
                    model.add(b);
                    bytes += b.allocationInfo().size();
                } else {
                    int i = switch (op) {
                        case 5, 6 -> 0; // the oldest: every close stores only into its newer neighbour
                        case 7 -> model.size() - 1; // the newest: the list's end moves back
                        default -> rnd.nextInt(model.size());
                    };
                    Buffer b = model.remove(i);
                    bytes -= b.allocationInfo().size();
                    b.close();
                }
                if (step % 97 == 0 || model.size() <= 2) {
                    String where = "seed " + seed + " step " + step;
                    assertEquals(model, m.objects(), where);
                    assertEquals(model.size(), m.statistics().allocationCount(), where);
                    assertEquals(bytes, m.statistics().allocationBytes(), where);
                }
            }
            assertEquals(model, m.objects(), "seed " + seed);
            for (Buffer b : model) {
                b.close();
            }
            assertEquals(List.of(), m.objects());
            Buffer again = m.createBuffer(64);
            assertEquals(List.of(again), m.objects(), "an emptied list takes objects again");
        }
    }
}
