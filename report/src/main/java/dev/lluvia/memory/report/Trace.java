package dev.lluvia.memory.report;

import dev.lluvia.memory.BufferUsage;
import dev.lluvia.memory.ChannelType;
import dev.lluvia.memory.Defragmentation;
import dev.lluvia.memory.ImageFormat;
import dev.lluvia.memory.ImageDescriptor;
import dev.lluvia.memory.ImageTiling;
import dev.lluvia.memory.ImageUsage;
import dev.lluvia.memory.LluviaException;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.MemoryOptions;
import dev.lluvia.memory.MemoryPropertyFlag;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.alloc.AllocationAlgorithm;
import dev.lluvia.memory.alloc.AllocationStrategy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A recorded sequence of create, close and defragmentation events, replayed against any session:
 * a workload of one's own to look at with {@code stats} and {@code map}.
 *
 * <h2>Format</h2>
 * One event per line; {@code #} starts a comment; blank lines are skipped; keywords and names of
 * flags, channel types and usages are case-insensitive; sizes are bytes, or a number with
 * {@code KiB}, {@code MiB} or {@code GiB}. IDs are any word without spaces; an object's ID
 * becomes its name ({@link MemoryObject#setName}), which the dump and the map show.
 * <pre>
 * memory ID FLAG[,FLAG...] [pageSize=SIZE] [exact] [algorithm=TLSF|FIRST_FIT|LINEAR]
 *        [strategy=MIN_TIME|MIN_MEMORY|MIN_OFFSET] [priority=P] [exportable]
 *        [emptyPageBudget=SIZE|0]                      # Session.createMemory(MemoryOptions)
 * buffer ID MEMORY SIZE [usage=USAGE[,USAGE...]] [align=N]       # Memory.createBuffer
 * image  ID MEMORY WxH[xD] (CHANNELTYPE [CHANNELS] | format=FORMAT) [OPTIMAL|LINEAR]
 *        [levels=N] [layers=N] [usage=USAGE[,USAGE...]] [align=N]   # Memory.createImage
 * close  ID                                            # closes an object or a memory
 * defragment MEMORY ID[,ID...]                         # one pass that moved these objects, in order
 * </pre>
 * Images without {@code usage=} get Lluvia's default usage ({@link ImageUsage#DEFAULT}); an image
 * is of Lluvia's channel type and count, or of an explicit {@link ImageFormat} (its Vulkan name
 * without {@code VK_FORMAT_}), with one mip level and one array layer unless {@code levels=} and
 * {@code layers=} say otherwise.
 *
 * <p>A {@code defragment} line replays one pass of {@link Memory#beginDefragmentation}: the
 * objects listed are moved, in one pass, to the places the allocator finds for them, which are
 * the places they had when recorded (the allocator is deterministic and a pass that moves the same
 * objects from the same layout finds the same places); the other objects of the memory stay. A
 * replay whose pass moves other objects than those listed fails with the line.
 * Example:
 * <pre>
 * memory dev DEVICE_LOCAL pageSize=32MiB
 * buffer vertices dev 4MiB usage=VERTEX_BUFFER,TRANSFER_DST
 * image  albedo dev 1024x1024 UINT8 4
 * close  vertices
 * </pre>
 *
 * <p>The whole trace is parsed before anything runs, so a typo on line 90 creates nothing; an ID
 * used before it is defined, defined twice, or used after its close is a parse error too. A
 * library error during replay (out of device memory, no memory type with the flags) stops the
 * replay with the line that failed; what was created before stays, for the report.
 */
public final class Trace {

    /** One line of a trace. */
    public sealed interface Event permits CreateMemory, CreateBuffer, CreateImage, Close, Defragment {
        /** The 1-based line in the trace. */
        int line();
    }

    /** {@code memory ID FLAGS [pageSize=SIZE] [exact] [algorithm=A] [strategy=S]}. */
    public record CreateMemory(int line, String id, MemoryOptions options) implements Event {
    }

    /** {@code buffer ID MEMORY SIZE [usage=...] [align=N]}. */
    public record CreateBuffer(int line, String id, String memory, long size, Set<BufferUsage> usage, long minAlignment)
            implements Event {

        /** A buffer with the driver's alignment only. */
        public CreateBuffer(int line, String id, String memory, long size, Set<BufferUsage> usage) {
            this(line, id, memory, size, usage, 1);
        }
    }

    /** {@code image ID MEMORY WxHxD CHANNELTYPE [CHANNELS] [TILING] [usage=...] [align=N]}. */
    public record CreateImage(int line, String id, String memory, ImageDescriptor descriptor, long minAlignment)
            implements Event {

        /** An image with the driver's alignment only. */
        public CreateImage(int line, String id, String memory, ImageDescriptor descriptor) {
            this(line, id, memory, descriptor, 1);
        }
    }

    /** {@code close ID}. */
    public record Close(int line, String id) implements Event {
    }

    /**
     * {@code defragment MEMORY ID[,ID...]}: one defragmentation pass of the memory that moved these
     * objects, in this order.
     */
    public record Defragment(int line, String memory, List<String> objects) implements Event {
        public Defragment {
            objects = List.copyOf(objects);
        }
    }

    /**
     * What a replay created and what is still open.
     *
     * @param memories open memories by trace ID, in creation order
     * @param objects  open objects by trace ID, in creation order
     * @param events   events replayed
     */
    public record Replay(Map<String, Memory> memories, Map<String, MemoryObject> objects, int events) {
    }

    private static final String MEMORY_USAGE =
            "memory ID FLAG[,FLAG...] [pageSize=SIZE] [exact] [algorithm=NAME] [strategy=NAME] [priority=P] [exportable]"
            + " [emptyPageBudget=SIZE]";

    private final String source;
    private final List<Event> events;

    private Trace(String source, List<Event> events) {
        this.source = source;
        this.events = List.copyOf(events);
    }

    /**
     * Reads and parses a trace file.
     *
     * @throws IllegalArgumentException if the file cannot be read
     * @throws TraceException           at the first bad line
     */
    public static Trace read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("trace file " + file + " does not exist", e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("trace file " + file + " is not a text file in UTF-8: a trace is lines"
                    + " of text, one event a line", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read trace file " + file + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
        return parse(file.getFileName().toString(), lines);
    }

    /**
     * Parses trace lines.
     *
     * @param source the name errors give the trace (its file name)
     * @throws TraceException naming the line and the token at the first bad line
     */
    public static Trace parse(String source, List<String> lines) {
        Parser p = new Parser(source);
        for (int i = 0; i < lines.size(); i++) {
            p.line(i + 1, lines.get(i));
        }
        return new Trace(source, p.events);
    }

    /** The events, in trace order. */
    public List<Event> events() {
        return events;
    }

    /**
     * The trace written back in the format above, one line per event, without comments: what
     * {@link #parse} reads into the same events (with the lines renumbered). Sizes are in bytes,
     * flags and usages in enum order, every optional field written out.
     */
    public List<String> lines() {
        List<String> out = new ArrayList<>(events.size());
        for (Event e : events) {
            out.add(line(e));
        }
        return out;
    }

    /** One event in the format above (what {@link #lines()} and {@link TraceRecorder} write). */
    static String line(Event e) {
        if (e instanceof CreateMemory m) {
            return "memory " + m.id() + " " + names(m.options().flags()) + " pageSize=" + m.options().pageSize()
                    + (m.options().exactFlagsMatch() ? " exact" : "") + " algorithm=" + m.options().algorithm()
                    + " strategy=" + m.options().strategy()
                    + (m.options().priority() == MemoryOptions.DEFAULT_PRIORITY ? "" : " priority=" + m.options().priority())
                    + (m.options().exportable() ? " exportable" : "")
                    + (m.options().emptyPageBudget() == MemoryOptions.DEFAULT_EMPTY_PAGE_BUDGET ? ""
                    : " emptyPageBudget=" + m.options().emptyPageBudget());
        } else if (e instanceof CreateBuffer b) {
            return "buffer " + b.id() + " " + b.memory() + " " + b.size() + " usage=" + names(b.usage())
                    + (b.minAlignment() > 1 ? " align=" + b.minAlignment() : "");
        } else if (e instanceof CreateImage i) {
            ImageDescriptor d = i.descriptor();
            return "image " + i.id() + " " + i.memory() + " " + d.width() + "x" + d.height() + "x" + d.depth()
                    + (d.format() != null ? " format=" + d.format() : " " + d.channelType() + " " + d.channelCount())
                    + " " + d.tiling()
                    + (d.mipLevels() > 1 ? " levels=" + d.mipLevels() : "")
                    + (d.arrayLayers() > 1 ? " layers=" + d.arrayLayers() : "")
                    + (d.usage().equals(ImageUsage.DEFAULT) ? "" : " usage=" + names(d.usage()))
                    + (i.minAlignment() > 1 ? " align=" + i.minAlignment() : "");
        } else if (e instanceof Defragment d) {
            return "defragment " + d.memory() + " " + String.join(",", d.objects());
        }
        return "close " + ((Close) e).id();
    }

    private static <E extends Enum<E>> String names(Set<E> values) {
        List<E> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return String.join(",", sorted.stream().map(Enum::name).toList());
    }

    /**
     * Runs every event against {@code session}. Objects are named after their IDs.
     *
     * @throws TraceException naming the line whose call the library refused, with the library's
     *                        exception as cause
     */
    public Replay replay(Session session) {
        Map<String, Memory> memories = new LinkedHashMap<>();
        Map<String, MemoryObject> objects = new LinkedHashMap<>();
        int done = 0;
        for (Event e : events) {
            try {
                if (e instanceof CreateMemory m) {
                    memories.put(m.id(), session.createMemory(m.options()));
                } else if (e instanceof CreateBuffer b) {
                    MemoryObject o = memories.get(b.memory()).createBuffer(b.size(), b.usage(), b.minAlignment());
                    o.setName(b.id());
                    objects.put(b.id(), o);
                } else if (e instanceof CreateImage im) {
                    MemoryObject o = memories.get(im.memory()).createImage(im.descriptor(), im.minAlignment());
                    o.setName(im.id());
                    objects.put(im.id(), o);
                } else if (e instanceof Defragment d) {
                    defragment(d, memories.get(d.memory()), objects);
                } else if (e instanceof Close c) {
                    MemoryObject o = objects.remove(c.id());
                    if (o != null) {
                        o.close();
                    } else {
                        Memory m = memories.remove(c.id());
                        m.close();
                        objects.values().removeIf(MemoryObject::isClosed);
                    }
                }
            } catch (LluviaException | IllegalArgumentException | IllegalStateException ex) {
                throw new TraceException(source, e.line(), describe(e) + " failed: " + ex.getMessage(), ex);
            }
            done++;
        }
        return new Replay(memories, objects, done);
    }

    /**
     * One pass that moves exactly the listed objects: the memory's other objects are marked not
     * movable for the pass (a pass leaves such objects where they are), then marked movable again.
     */
    private void defragment(Defragment event, Memory memory, Map<String, MemoryObject> objects) {
        Map<MemoryObject, String> wanted = new IdentityHashMap<>();
        for (String id : event.objects()) {
            wanted.put(objects.get(id), id);
        }
        List<Defragmentation.Move> moves;
        try (Defragmentation d = memory.beginDefragmentation(Long.MAX_VALUE, wanted.size())) {
            List<MemoryObject> held = new ArrayList<>();
            try {
                for (MemoryObject o : memory.objects()) {
                    if (!wanted.containsKey(o) && o.isMovable()) {
                        o.setMovable(false);
                        held.add(o);
                    }
                }
                moves = d.pass();
            } finally {
                for (MemoryObject o : held) {
                    o.setMovable(true);
                }
            }
        }
        List<String> moved = new ArrayList<>(moves.size());
        for (Defragmentation.Move m : moves) {
            moved.add(wanted.getOrDefault(m.object(), m.object().name()));
        }
        if (!moved.equals(event.objects())) {
            throw new IllegalStateException("the pass moved " + moved + ", not " + event.objects());
        }
    }

    private static String describe(Event e) {
        if (e instanceof CreateMemory m) {
            return "memory " + m.id();
        } else if (e instanceof CreateBuffer b) {
            return "buffer " + b.id();
        } else if (e instanceof CreateImage i) {
            return "image " + i.id();
        } else if (e instanceof Defragment d) {
            return "defragment " + d.memory();
        }
        return "close " + ((Close) e).id();
    }

    /** Line-by-line parser that tracks which IDs are open, so misuse fails before any replay. */
    private static final class Parser {
        private final String source;
        private final List<Event> events = new ArrayList<>();
        /** Open memory IDs (the values are unused), in creation order for messages. */
        private final Map<String, String> openMemories = new LinkedHashMap<>();
        /** Open object IDs, each with its memory's ID. */
        private final Map<String, String> openObjects = new HashMap<>();
        private final Map<String, Integer> closedAt = new HashMap<>();
        private int line;

        Parser(String source) {
            this.source = source;
        }

        void line(int number, String text) {
            line = number;
            int hash = text.indexOf('#');
            String body = (hash >= 0 ? text.substring(0, hash) : text).trim();
            if (body.isEmpty()) {
                return;
            }
            String[] t = body.split("\\s+");
            switch (t[0].toLowerCase(Locale.ROOT)) {
                case "memory" -> memory(t);
                case "buffer" -> buffer(t);
                case "image" -> image(t);
                case "close" -> close(t);
                case "defragment" -> defragment(t);
                default -> throw error("unknown event '" + t[0] + "' (one of memory, buffer, image, close, defragment)");
            }
        }

        private void memory(String[] t) {
            arity(t, 3, 10, MEMORY_USAGE);
            String id = newId(t[1]);
            Set<MemoryPropertyFlag> flags = EnumSet.noneOf(MemoryPropertyFlag.class);
            for (String f : t[2].split("[,|]")) {
                flags.add(enumValue(MemoryPropertyFlag.class, f, "memory property flag"));
            }
            MemoryOptions options = MemoryOptions.of(flags);
            for (int i = 3; i < t.length; i++) {
                String lower = t[i].toLowerCase(Locale.ROOT);
                String value = t[i].substring(t[i].indexOf('=') + 1);
                if (lower.startsWith("pagesize=")) {
                    options = options.withPageSize(size(value));
                } else if (lower.equals("exact")) {
                    options = options.withExactFlagsMatch(true);
                } else if (lower.startsWith("algorithm=")) {
                    options = options.withAlgorithm(enumValue(AllocationAlgorithm.class, value, "allocation algorithm"));
                } else if (lower.startsWith("strategy=")) {
                    options = options.withStrategy(enumValue(AllocationStrategy.class, value, "allocation strategy"));
                } else if (lower.equals("exportable")) {
                    options = options.withExportable(true);
                } else if (lower.startsWith("priority=")) {
                    options = options.withPriority(priority(value));
                } else if (lower.startsWith("emptypagebudget=")) {
                    options = options.withEmptyPageBudget(value.equals("0") ? 0 : size(value));
                } else {
                    throw error("unexpected '" + t[i] + "' (pageSize=SIZE, exact, algorithm=NAME, strategy=NAME, priority=P,"
                            + " exportable or emptyPageBudget=SIZE)");
                }
            }
            events.add(new CreateMemory(line, id, options));
            openMemories.put(id, null);
        }

        private void buffer(String[] t) {
            arity(t, 4, 6, "buffer ID MEMORY SIZE [usage=USAGE[,USAGE...]] [align=N]");
            String id = newId(t[1]);
            String memory = memoryId(t[2]);
            long size = size(t[3]);
            Set<BufferUsage> usage = BufferUsage.DEFAULT;
            long align = 1;
            for (int i = 4; i < t.length; i++) {
                String lower = t[i].toLowerCase(Locale.ROOT);
                if (lower.startsWith("align=")) {
                    align = alignment(t[i]);
                } else if (lower.startsWith("usage=")) {
                    EnumSet<BufferUsage> u = EnumSet.noneOf(BufferUsage.class);
                    for (String name : t[i].substring("usage=".length()).split(",")) {
                        u.add(enumValue(BufferUsage.class, name, "buffer usage"));
                    }
                    usage = u;
                } else {
                    throw error("unexpected '" + t[i] + "' (usage=USAGE[,USAGE...] or align=N)");
                }
            }
            events.add(new CreateBuffer(line, id, memory, size, usage, align));
            openObjects.put(id, memory);
        }

        private void image(String[] t) {
            arity(t, 5, 11, "image ID MEMORY WxH[xD] (CHANNELTYPE [CHANNELS] | format=FORMAT) [OPTIMAL|LINEAR] [levels=N]"
                    + " [layers=N] [usage=USAGE[,USAGE...]] [align=N]");
            String id = newId(t[1]);
            String memory = memoryId(t[2]);
            String[] dims = t[3].toLowerCase(Locale.ROOT).split("x");
            if (dims.length < 2 || dims.length > 3) {
                throw error("bad image extent '" + t[3] + "' (WxH or WxHxD)");
            }
            int width = positiveInt(dims[0], t[3]);
            int height = positiveInt(dims[1], t[3]);
            int depth = dims.length == 3 ? positiveInt(dims[2], t[3]) : 1;
            ChannelType channelType = null;
            int first = 4;
            if (!t[4].toLowerCase(Locale.ROOT).startsWith("format=")) {
                channelType = enumValue(ChannelType.class, t[4], "channel type");
                first = 5;
            }
            int channels = 0;
            ImageFormat format = null;
            int levels = 1;
            int layers = 1;
            ImageTiling tiling = ImageTiling.OPTIMAL;
            Set<ImageUsage> usage = ImageUsage.DEFAULT;
            long align = 1;
            for (int i = first; i < t.length; i++) {
                String lower = t[i].toLowerCase(Locale.ROOT);
                String value = t[i].substring(t[i].indexOf('=') + 1);
                if (lower.startsWith("align=")) {
                    align = alignment(t[i]);
                } else if (lower.startsWith("usage=")) {
                    EnumSet<ImageUsage> u = EnumSet.noneOf(ImageUsage.class);
                    for (String name : value.split(",")) {
                        u.add(enumValue(ImageUsage.class, name, "image usage"));
                    }
                    usage = u;
                } else if (lower.startsWith("format=")) {
                    format = enumValue(ImageFormat.class, value, "image format");
                } else if (lower.startsWith("levels=")) {
                    levels = positiveInt(value, t[i], "levels=N, N a positive number");
                } else if (lower.startsWith("layers=")) {
                    layers = positiveInt(value, t[i], "layers=N, N a positive number");
                } else if (t[i].chars().allMatch(Character::isDigit)) {
                    channels = Integer.parseInt(t[i]);
                    if (channels < 1 || channels > 4) {
                        throw error("bad channel count '" + t[i] + "' (1 to 4)");
                    }
                } else {
                    tiling = enumValue(ImageTiling.class, t[i], "tiling");
                }
            }
            if (channelType == null) {
                channelType = format.channelType();
            }
            if (channels == 0) {
                channels = format != null ? format.channelCount() : 1;
            }
            ImageDescriptor d;
            try {
                d = new ImageDescriptor(width, height, depth, channelType, channels, tiling, usage, format, levels, layers);
            } catch (IllegalArgumentException e) {
                throw error(e.getMessage());
            }
            events.add(new CreateImage(line, id, memory, d, align));
            openObjects.put(id, memory);
        }

        private void defragment(String[] t) {
            arity(t, 3, 3, "defragment MEMORY ID[,ID...]");
            String memory = memoryId(t[1]);
            List<String> ids = List.of(t[2].split(","));
            for (String id : ids) {
                String of = openObjects.get(id);
                if (of == null) {
                    throw error(unknown("ID", id));
                }
                if (!of.equals(memory)) {
                    throw error("object '" + id + "' is of memory '" + of + "', not '" + memory + "'");
                }
            }
            if (new java.util.HashSet<>(ids).size() != ids.size()) {
                throw error("an object is listed twice in '" + t[2] + "' (a pass moves an object once)");
            }
            events.add(new Defragment(line, memory, ids));
        }

        private void close(String[] t) {
            arity(t, 2, 2, "close ID");
            String id = t[1];
            if (openObjects.remove(id) != null) {
                closedAt.put(id, line);
            } else if (openMemories.containsKey(id)) {
                openMemories.remove(id);
                closedAt.put(id, line);
                var objects = openObjects.entrySet().iterator();
                while (objects.hasNext()) {
                    var object = objects.next();
                    if (object.getValue().equals(id)) {
                        closedAt.put(object.getKey(), line);
                        objects.remove();
                    }
                }
            } else {
                throw error(unknown("ID", id));
            }
            events.add(new Close(line, id));
        }

        private String newId(String id) {
            if (openMemories.containsKey(id) || openObjects.containsKey(id)) {
                throw error("ID '" + id + "' is already in use");
            }
            return id;
        }

        private String memoryId(String id) {
            if (!openMemories.containsKey(id)) {
                throw error(unknown("memory", id));
            }
            return id;
        }

        private String unknown(String what, String id) {
            Integer closed = closedAt.get(id);
            if (closed != null) {
                return what + " '" + id + "' was closed on line " + closed;
            }
            return "unknown " + what + " '" + id + "'" + (what.equals("memory")
                    ? " (defined: " + (openMemories.isEmpty() ? "none" : String.join(", ", openMemories.keySet())) + ")"
                    : "");
        }

        private long size(String token) {
            String lower = token.toLowerCase(Locale.ROOT);
            long unit = 1;
            String digits = lower;
            for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}}) {
                if (lower.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    digits = lower.substring(0, lower.length() - 3);
                }
            }
            try {
                long value = Long.parseLong(digits);
                if (value <= 0) {
                    throw error("size '" + token + "' must be positive");
                }
                return Math.multiplyExact(value, unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw error("bad size '" + token + "' (bytes, or a number with KiB, MiB or GiB)");
            }
        }

        private long alignment(String token) {
            String digits = token.substring("align=".length());
            try {
                long v = Long.parseLong(digits);
                if (v > 0 && (v & (v - 1)) == 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error("bad alignment '" + token + "' (align=N, N a power of two)");
        }

        private float priority(String value) {
            try {
                float p = Float.parseFloat(value);
                if (p >= 0f && p <= 1f) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error("bad priority '" + value + "' (a number in [0, 1])");
        }

        private int positiveInt(String digits, String token) {
            return positiveInt(digits, token, "WxH or WxHxD, positive numbers");
        }

        private int positiveInt(String digits, String token, String expected) {
            try {
                int v = Integer.parseInt(digits);
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw error("bad " + (expected.startsWith("WxH") ? "image extent" : "value") + " '" + token + "' (" + expected + ")");
        }

        private <E extends Enum<E>> E enumValue(Class<E> type, String token, String what) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(token)) {
                    return e;
                }
            }
            throw error("unknown " + what + " '" + token + "' (one of "
                    + String.join(", ", Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()) + ")");
        }

        private void arity(String[] t, int min, int max, String usage) {
            if (t.length < min) {
                throw error("'" + t[0] + "' needs more: " + usage);
            }
            if (t.length > max) {
                throw error("unexpected '" + t[max] + "' after " + usage);
            }
        }

        private TraceException error(String message) {
            return new TraceException(source, line, message, null);
        }
    }
}
