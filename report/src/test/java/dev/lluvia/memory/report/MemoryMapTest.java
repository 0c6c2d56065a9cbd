package dev.lluvia.memory.report;

import dev.lluvia.memory.AllocationInfo;
import dev.lluvia.memory.Memory;
import dev.lluvia.memory.MemoryObject;
import dev.lluvia.memory.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The picture shows each object, its padding and the free space where they are. */
class MemoryMapTest {

    /**
     * On the H100 in a 64 KiB first-fit page: a buffer at 0, an optimal image aligned to 1024
     * after it (so left padding between), a linear image, a hole where a closed buffer was, then
     * free space.
     */
    private static final String[] WORKLOAD = {
            "memory m DEVICE_LOCAL pageSize=64KiB algorithm=FIRST_FIT",
            "buffer b m 100",
            "image i m 32x32 UINT8",
            "image l m 48x48 UINT8 1 LINEAR",
            "buffer gone m 8KiB",
            "buffer after m 4KiB",
            "close gone",
    };

    @Test
    void everyObjectPaddingAndFreeRangeHasItsColourWhereItIs(@TempDir Path dir) throws IOException {
        try (Session session = Sessions.withTrace("nvidia-h100", WORKLOAD)) {
            SessionReport report = SessionReport.of(session);
            MemoryMap.Picture picture = MemoryMap.draw(report);
            Path png = dir.resolve("map.png");
            picture.writePng(png);
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, "the PNG decodes");
            assertEquals(MemoryMap.WIDTH, image.getWidth());
            assertEquals(picture.image().getHeight(), image.getHeight());
            assertEquals(1, picture.bars().size(), "one page, one bar");
            MemoryMap.Bar bar = picture.bars().get(0);
            assertTrue(bar.y() + MemoryMap.BAR_HEIGHT < image.getHeight(), "the bar is inside the picture");
            int y = bar.y() + MemoryMap.BAR_HEIGHT / 2;

            Memory m = session.memories().get(0);
            assertColour(image, bar.xAt(middle(object(m, "b"))), y, PageLayout.Kind.BUFFER, "buffer b");
            assertColour(image, bar.xAt(middle(object(m, "i"))), y, PageLayout.Kind.IMAGE_OPTIMAL, "optimal image i");
            assertColour(image, bar.xAt(middle(object(m, "l"))), y, PageLayout.Kind.IMAGE_LINEAR, "linear image l");
            assertColour(image, bar.xAt(middle(object(m, "after"))), y, PageLayout.Kind.BUFFER, "buffer after");
            // The start of each object is its own colour too.
            assertColour(image, bar.xAt(object(m, "i").allocationInfo().offset()), y, PageLayout.Kind.IMAGE_OPTIMAL, "i's first pixel");

            // Padding between b and i: 912 bytes, about 16 pixels.
            AllocationInfo i = object(m, "i").allocationInfo();
            assertTrue(i.leftPadding() > 0);
            assertColour(image, bar.xAt(i.offset() - i.leftPadding() / 2), y, PageLayout.Kind.PADDING, "padding before i");

            // The closed buffer's hole, and the free space at the end.
            List<PageLayout.Segment> free = report.memories().get(0).pages().get(0).freeRanges();
            assertEquals(2, free.size(), "the hole and the tail: " + free);
            for (PageLayout.Segment f : free) {
                assertColour(image, bar.xAt((f.start() + f.end()) / 2), y, PageLayout.Kind.FREE, "free " + f);
            }
            assertColour(image, bar.x() + MemoryMap.BAR_WIDTH - 1, y, PageLayout.Kind.FREE, "the page's last pixel");
        }
    }

    @Test
    void aTinyObjectInABigPageIsStillVisible() {
        // The seed's 1024-byte buffer is 0.04 pixels of a 32 MiB bar: it is drawn 2 pixels wide.
        try (Session session = Sessions.withTrace("llvmpipe", "memory m DEVICE_LOCAL", "buffer b m 1024")) {
            MemoryMap.Picture picture = MemoryMap.draw(SessionReport.of(session));
            MemoryMap.Bar bar = picture.bars().get(0);
            int y = bar.y() + 1;
            assertColour(picture.image(), bar.x(), y, PageLayout.Kind.BUFFER, "first pixel");
            assertColour(picture.image(), bar.x() + MemoryMap.MIN_OBJECT_PIXELS - 1, y, PageLayout.Kind.BUFFER, "second pixel");
            assertColour(picture.image(), bar.x() + MemoryMap.MIN_OBJECT_PIXELS, y, PageLayout.Kind.FREE, "after it");
        }
    }

    @Test
    void tinyNeighboursAreDrawnSideBySide() {
        // The seed's buffer (1 KiB at 0) and image (2 KiB at 1024) share the first pixel of a
        // 32 MiB bar: the buffer gets pixels 0-1, the image the two after.
        try (Session session = Sessions.withTrace("nvidia-h100", "memory m DEVICE_LOCAL algorithm=FIRST_FIT", "buffer b m 1024",
                "image i m 32x32 UINT8")) {
            MemoryMap.Picture picture = MemoryMap.draw(SessionReport.of(session));
            MemoryMap.Bar bar = picture.bars().get(0);
            int y = bar.y() + 1;
            int w = MemoryMap.MIN_OBJECT_PIXELS;
            assertColour(picture.image(), bar.x(), y, PageLayout.Kind.BUFFER, "buffer");
            assertColour(picture.image(), bar.x() + w, y, PageLayout.Kind.IMAGE_OPTIMAL, "image after the buffer");
            assertColour(picture.image(), bar.x() + 2 * w - 1, y, PageLayout.Kind.IMAGE_OPTIMAL, "image's last pixel");
            assertColour(picture.image(), bar.x() + 2 * w, y, PageLayout.Kind.FREE, "free after both");
        }
    }

    @Test
    void everyPageOfEveryMemoryHasABarAndTheTitleIsDrawn() {
        try (Session session = Sessions.withTrace("nvidia-h100", VmaDumpTest.FRAME)) {
            MemoryMap.Picture picture = MemoryMap.draw(SessionReport.of(session));
            int pages = session.statistics().pageCount();
            assertEquals(pages, picture.bars().size());
            int previousBottom = 0;
            for (MemoryMap.Bar bar : picture.bars()) {
                assertTrue(bar.y() > previousBottom, "bars do not overlap: " + picture.bars());
                previousBottom = bar.y() + MemoryMap.BAR_HEIGHT;
            }
            assertTrue(previousBottom < picture.image().getHeight());
            // The dedicated page's one image fills its bar.
            MemoryMap.Bar dedicated = picture.bars().stream().filter(b -> b.memory() == 0 && b.page() == 1)
                    .findFirst().orElseThrow();
            assertColour(picture.image(), dedicated.x() + MemoryMap.BAR_WIDTH / 2, dedicated.y() + 5,
                    PageLayout.Kind.IMAGE_OPTIMAL, "dedicated image");
            // Title: dark text pixels in the first line.
            int dark = 0;
            for (int x = 0; x < 400; x++) {
                for (int yy = MemoryMap.MARGIN; yy < MemoryMap.MARGIN + 14; yy++) {
                    Color c = new Color(picture.image().getRGB(x, yy));
                    dark += c.getRed() + c.getGreen() + c.getBlue() < 200 ? 1 : 0;
                }
            }
            assertTrue(dark > 100, "the title is drawn (" + dark + " dark pixels)");
        }
    }

    @Test
    void anEmptySessionStillMakesAPicture() {
        try (Session session = Sessions.sim("llvmpipe")) {
            MemoryMap.Picture picture = MemoryMap.draw(SessionReport.of(session));
            assertEquals(0, picture.bars().size());
            assertEquals(MemoryMap.WIDTH, picture.image().getWidth());
        }
    }

    private static long middle(MemoryObject o) {
        AllocationInfo info = o.allocationInfo();
        return info.offset() + info.size() / 2;
    }

    private static MemoryObject object(Memory m, String name) {
        return VmaDumpTest.object(m, name);
    }

    private static void assertColour(BufferedImage image, int x, int y, PageLayout.Kind kind, String what) {
        Color actual = new Color(image.getRGB(x, y));
        assertTrue(MemoryMap.colours(kind).contains(actual),
                what + " at (" + x + ", " + y + ") should be " + kind + " " + MemoryMap.colours(kind) + " but is " + actual);
    }
}
