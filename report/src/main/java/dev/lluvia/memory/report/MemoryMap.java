package dev.lluvia.memory.report;

import dev.lluvia.memory.DetailedStatistics;
import dev.lluvia.memory.Session;
import dev.lluvia.memory.Statistics;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A picture of a session's memory: every page a horizontal bar, objects coloured by kind, padding
 * and free space in colours of their own, with a title (device, totals) and a legend. Drawn with
 * Java2D on a headless {@link BufferedImage}, written as PNG with ImageIO.
 *
 * <pre>
 *   lluvia-mem map: NVIDIA H100 80GB HBM3 (simulated), backend sim
 *   3 pages, 96 MiB; 12 objects, 40.5 MiB; 4 free ranges, largest 20 MiB
 *   [#] buffer [#] optimal image [#] linear image [#] padding [#] free
 *   Memory#0: type 1 [DEVICE_LOCAL], heap 0, page size 32 MiB, 2 pages
 *     page 0: 32 MiB, 5 objects, 2 free ranges, largest 12 MiB
 *     [bbbb|iiiiiiii|..free..|bb|...........free...........]
 * </pre>
 *
 * <p>Scale: every bar is {@link #BAR_WIDTH} pixels wide whatever its page size (the label gives
 * the size), so a dedicated 1 GiB page and a 32 MiB page are both readable; byte {@code b} of a
 * page of {@code s} bytes is at pixel {@code floor(b * BAR_WIDTH / s)} of its bar. An object is at
 * least {@link #MIN_OBJECT_PIXELS} wide, so that a 1 KiB buffer in a 32 MiB page still shows; an
 * object that would start under such a widened neighbour is drawn right after it, so a run of tiny
 * objects shows as a run of narrow stripes.
 * Objects of one kind alternate between two shades, so that neighbours can be told apart.
 */
public final class MemoryMap {

    /** Width of the picture in pixels. */
    public static final int WIDTH = 1200;
    /** Margin around everything, in pixels. */
    public static final int MARGIN = 12;
    /** Width of every page bar, in pixels. */
    public static final int BAR_WIDTH = WIDTH - 2 * MARGIN;
    /** Height of a page bar, in pixels. */
    public static final int BAR_HEIGHT = 24;
    /** The least width of an object's bytes, in pixels. */
    public static final int MIN_OBJECT_PIXELS = 2;
    private static final int LINE = 16;
    private static final int GAP = 6;

    private static final Color BACKGROUND = Color.WHITE;
    private static final Color TEXT = new Color(20, 20, 20);
    private static final Color TEXT_LIGHT = new Color(90, 90, 90);
    private static final Color OUTLINE = new Color(120, 120, 120);
    private static final Map<PageLayout.Kind, Color[]> COLOURS = new EnumMap<>(PageLayout.Kind.class);

    static {
        COLOURS.put(PageLayout.Kind.BUFFER, new Color[] {new Color(255, 160, 40), new Color(215, 120, 0)});
        COLOURS.put(PageLayout.Kind.IMAGE_OPTIMAL, new Color[] {new Color(70, 120, 235), new Color(30, 70, 185)});
        COLOURS.put(PageLayout.Kind.IMAGE_LINEAR, new Color[] {new Color(60, 185, 80), new Color(20, 135, 45)});
        COLOURS.put(PageLayout.Kind.PADDING, new Color[] {new Color(220, 40, 60)});
        COLOURS.put(PageLayout.Kind.FREE, new Color[] {new Color(228, 228, 228)});
    }

    /**
     * Where a page's bar was drawn.
     *
     * @param memory   the Memory's index ({@code Memory#k})
     * @param page     the page index
     * @param x        left pixel of the bar
     * @param y        top pixel of the bar
     * @param pageSize bytes of the page
     */
    public record Bar(int memory, int page, int x, int y, long pageSize) {

        /** The pixel column of byte {@code offset} of the page. */
        public int xAt(long offset) {
            return x + pixel(offset, pageSize);
        }
    }

    /**
     * A drawn picture and where its bars are.
     *
     * @param image the picture
     * @param bars  one bar per page, in drawing order
     */
    public record Picture(BufferedImage image, List<Bar> bars) {

        public Picture {
            bars = List.copyOf(bars);
        }

        /**
         * Writes the picture as PNG, replacing the file if there is one.
         *
         * @throws UncheckedIOException naming the file and why it cannot be written: it is a
         *                              folder, its folder does not exist, permission denied, ...
         */
        public void writePng(Path file) {
            // Through an OutputStream: ImageIO.write(..., File) deletes what is at the path first
            // (an empty folder too) and prints a stack trace of its own when it cannot open it.
            if (Files.isDirectory(file)) {
                throw new UncheckedIOException("cannot write the PNG to " + file + ": it is a folder",
                        new java.nio.file.FileSystemException(file.toString(), null, "is a folder"));
            }
            try (OutputStream out = Files.newOutputStream(file);
                 ImageOutputStream png = new MemoryCacheImageOutputStream(out)) {
                if (!ImageIO.write(image, "png", png)) {
                    throw new IllegalStateException("no PNG writer in this Java runtime");
                }
            } catch (NoSuchFileException e) {
                throw new UncheckedIOException("cannot write the PNG to " + file + ": folder "
                        + file.toAbsolutePath().getParent() + " does not exist", e);
            } catch (AccessDeniedException e) {
                throw new UncheckedIOException("cannot write the PNG to " + file + ": permission denied", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the PNG to " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private MemoryMap() {
    }

    /** The colours of a kind: objects have two shades that alternate, padding and free one each. */
    public static List<Color> colours(PageLayout.Kind kind) {
        return List.of(COLOURS.get(kind));
    }

    /** Draws the session as {@link SessionReport#of} sees it now. */
    public static Picture draw(SessionReport report) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int lines = 3;
        int bars = 0;
        for (SessionReport.MemoryReport m : report.memories()) {
            lines++;
            bars += m.pages().size();
        }
        if (report.memories().isEmpty()) {
            lines++;
        }
        int height = MARGIN + lines * LINE + bars * (LINE + BAR_HEIGHT + GAP) + report.memories().size() * GAP + MARGIN;

        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        List<Bar> drawn = new ArrayList<>();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, WIDTH, height);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            Font bold = plain.deriveFont(Font.BOLD, 13f);

            Session session = report.session();
            int y = MARGIN;
            g.setFont(bold);
            text(g, TEXT, "lluvia-mem map: " + session.device().name() + ", backend " + session.backendName(), MARGIN, y);
            y += LINE;
            g.setFont(plain);
            text(g, TEXT, totals(session), MARGIN, y);
            y += LINE;
            legend(g, y);
            y += LINE;
            if (report.memories().isEmpty()) {
                text(g, TEXT_LIGHT, "no memories", MARGIN, y);
            }
            for (SessionReport.MemoryReport m : report.memories()) {
                y += GAP;
                g.setFont(bold);
                text(g, TEXT, m.name() + ": type " + m.memory().memoryType().index() + " "
                        + Format.flags(m.memory().memoryType().flags()) + ", heap " + m.memory().memoryType().heapIndex()
                        + ", page size " + Format.bytes(m.memory().pageSize()) + ", " + plural(m.pages().size(), "page"),
                        MARGIN, y);
                y += LINE;
                g.setFont(plain);
                for (PageLayout page : m.pages()) {
                    text(g, TEXT_LIGHT, pageLabel(page), MARGIN + 8, y);
                    y += LINE;
                    Bar bar = new Bar(m.index(), page.page().index(), MARGIN, y, page.page().size());
                    drawBar(g, bar, page);
                    drawn.add(bar);
                    y += BAR_HEIGHT + GAP;
                }
            }
        } finally {
            g.dispose();
        }
        return new Picture(image, drawn);
    }

    private static void drawBar(Graphics2D g, Bar bar, PageLayout page) {
        g.setColor(OUTLINE);
        g.setStroke(new BasicStroke(1));
        g.drawRect(bar.x() - 1, bar.y() - 1, BAR_WIDTH + 1, BAR_HEIGHT + 1);
        // Free and padding first, objects over them: an object is never hidden by its padding.
        for (PageLayout.Segment s : page.segments()) {
            if (!s.kind().isObject()) {
                fill(g, COLOURS.get(s.kind())[0], bar, s.start(), s.end(), 1, 0);
            }
        }
        // Objects in address order; one that would start inside the pixels of a tiny neighbour
        // drawn wider than it is starts after them instead, so that both show.
        int ordinal = 0;
        int drawnTo = 0;
        for (PageLayout.Segment s : page.segments()) {
            if (s.kind().isObject()) {
                Color[] shades = COLOURS.get(s.kind());
                drawnTo = fill(g, shades[ordinal++ % shades.length], bar, s.start(), s.end(), MIN_OBJECT_PIXELS, drawnTo);
            }
        }
    }

    /** Fills a range at least {@code minPixels} wide, from pixel {@code from} at the earliest; returns its end pixel. */
    private static int fill(Graphics2D g, Color colour, Bar bar, long start, long end, int minPixels, int from) {
        int x0 = Math.min(Math.max(pixel(start, bar.pageSize()), from), BAR_WIDTH - minPixels);
        int x1 = Math.min(BAR_WIDTH, Math.max(pixel(end, bar.pageSize()), x0 + minPixels));
        g.setColor(colour);
        g.fillRect(bar.x() + x0, bar.y(), x1 - x0, BAR_HEIGHT);
        return x1;
    }

    /** Pixel of byte {@code offset} in a bar; exact for pages below 2^52 bytes (heaps are far smaller). */
    private static int pixel(long offset, long pageSize) {
        return (int) (offset * BAR_WIDTH / pageSize);
    }

    private static void legend(Graphics2D g, int y) {
        String[] labels = {"buffer", "optimal image", "linear image", "padding", "free"};
        PageLayout.Kind[] kinds = {PageLayout.Kind.BUFFER, PageLayout.Kind.IMAGE_OPTIMAL, PageLayout.Kind.IMAGE_LINEAR,
                PageLayout.Kind.PADDING, PageLayout.Kind.FREE};
        FontMetrics fm = g.getFontMetrics();
        int x = MARGIN;
        for (int i = 0; i < kinds.length; i++) {
            g.setColor(COLOURS.get(kinds[i])[0]);
            g.fillRect(x, y + 2, 12, 12);
            g.setColor(OUTLINE);
            g.drawRect(x, y + 2, 12, 12);
            text(g, TEXT, labels[i], x + 17, y);
            x += 17 + fm.stringWidth(labels[i]) + 18;
        }
    }

    private static void text(Graphics2D g, Color colour, String s, int x, int top) {
        g.setColor(colour);
        g.drawString(s, x, top + g.getFontMetrics().getAscent());
    }

    private static String totals(Session session) {
        DetailedStatistics d = session.detailedStatistics();
        Statistics t = d.totals();
        return plural(t.pageCount(), "page") + ", " + Format.bytes(t.pageBytes()) + "; "
                + plural(t.allocationCount(), "object") + ", " + Format.bytes(t.allocationBytes()) + "; "
                + plural(d.freeRangeCount(), "free range") + (d.freeRangeCount() > 0 ? ", largest " + Format.bytes(d.largestFreeRange()) : "");
    }

    private static String pageLabel(PageLayout page) {
        List<PageLayout.Segment> free = page.freeRanges();
        long largest = 0;
        for (PageLayout.Segment s : free) {
            largest = Math.max(largest, s.size());
        }
        return "page " + page.page().index() + (page.page().dedicated() ? " (dedicated)" : "") + ": "
                + Format.bytes(page.page().size()) + ", " + plural(page.page().objects().size(), "object") + ", "
                + plural(free.size(), "free range") + (free.isEmpty() ? "" : ", largest " + Format.bytes(largest));
    }

    static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
