package dev.lluvia.memory.report;

import dev.lluvia.memory.Memory;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.contract.LongRun;
import dev.lluvia.memory.contract.MappingCases;

import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link TraceLongRunTest}: {@link LongRun} on the sim profile named by the first
 * argument, recorded by a {@link TraceRecorder} from the start; before the session closes, the
 * recording is replayed on a fresh session of the same profile and must give every object the
 * page and offset it has (defragmentation passes included; aliases take no range and are not
 * recorded).
 */
public final class TraceLongRunChild {

    private TraceLongRunChild() {
    }

    public static void main(String[] args) {
        String profile = args[0];
        MappingCases.main(new MappingCases.Device() {
            private TraceRecorder recorder;

            @Override
            public Session open() {
                return Sessions.sim(profile);
            }

            @Override
            public void opened(Session session) {
                recorder = TraceRecorder.start(session);
            }

            @Override
            public void beforeClose(Session session) {
                List<String> recorded = layout(session, recorder);
                try (Session again = Sessions.sim(profile)) {
                    recorder.trace().replay(again);
                    List<String> replayed = layout(again, null);
                    if (!recorded.equals(replayed)) {
                        throw new AssertionError("the replay of " + recorder.lines().size() + " events gave another layout:"
                                + " recorded " + recorded.size() + " objects, replayed " + replayed.size());
                    }
                    System.out.println("TRACE events=" + recorder.lines().size() + " objects=" + recorded.size()
                            + " passes=" + recorder.lines().stream().filter(l -> l.startsWith("defragment ")).count());
                }
            }
        }, java.util.Arrays.copyOfRange(args, 1, args.length));
    }

    /** Every live object as "memory index, trace ID, allocation info", in page and offset order. */
    private static List<String> layout(Session session, TraceRecorder recorder) {
        List<String> out = new ArrayList<>();
        List<Memory> memories = session.memories();
        for (int k = 0; k < memories.size(); k++) {
            for (PageInfo page : memories.get(k).pages()) {
                for (PageInfo.Placed p : page.objects()) {
                    out.add(k + " " + (recorder == null ? p.object().name() : recorder.idOf(p.object())) + " " + p.info());
                }
            }
        }
        return out;
    }
}
