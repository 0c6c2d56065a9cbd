package dev.lluvia.memory.report;

import dev.lluvia.memory.Memory;
import dev.lluvia.memory.PageInfo;
import dev.lluvia.memory.Session;

import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot of every Memory of a session with its pages cut into {@link PageLayout}s: what the
 * table, the JSON dump and the picture show. Taken once, so all three agree.
 *
 * @param session  the session
 * @param memories its Memories in creation order
 */
public record SessionReport(Session session, List<MemoryReport> memories) {

    /**
     * One Memory and its pages.
     *
     * @param index  position in {@link Session#memories()}: the {@code k} of the name {@code Memory#k}
     * @param memory the Memory
     * @param pages  its pages by page index
     */
    public record MemoryReport(int index, Memory memory, List<PageLayout> pages) {

        public MemoryReport {
            pages = List.copyOf(pages);
        }

        /** {@code Memory#k}: how reports name a Memory, which has no name of its own. */
        public String name() {
            return "Memory#" + index;
        }
    }

    public SessionReport {
        memories = List.copyOf(memories);
    }

    /** Takes the snapshot: each Memory's pages under its own lock, one Memory after the other. */
    public static SessionReport of(Session session) {
        List<MemoryReport> memories = new ArrayList<>();
        List<Memory> live = session.memories();
        for (int k = 0; k < live.size(); k++) {
            List<PageLayout> pages = new ArrayList<>();
            for (PageInfo page : live.get(k).pages()) {
                pages.add(PageLayout.of(page));
            }
            memories.add(new MemoryReport(k, live.get(k), pages));
        }
        return new SessionReport(session, memories);
    }
}
