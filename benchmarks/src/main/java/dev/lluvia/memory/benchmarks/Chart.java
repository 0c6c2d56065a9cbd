package dev.lluvia.memory.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws ns/op by workload and peer from JMH's JSON results ({@code -rf json}) as a PNG, headless:
 * one row per workload (benchmark and parameters other than the peer), one bar per peer, on a
 * logarithmic axis (first fit at 1M live is four orders of magnitude above TLSF).
 *
 * <p>Run: {@code java -Djava.awt.headless=true -cp benchmarks/target/benchmarks.jar
 * dev.lluvia.memory.benchmarks.Chart results.json [more.json...] docs/benchmarks.png}.
 * The JSON is read with a small pattern match over JMH's fixed layout, not a JSON library.
 */
public final class Chart {

    private Chart() {
    }

    private static final Pattern ENTRY = Pattern.compile(
            "\"benchmark\"\\s*:\\s*\"([^\"]+)\".*?\"params\"\\s*:\\s*\\{(.*?)\\}.*?\"primaryMetric\"\\s*:\\s*\\{\\s*\"score\"\\s*:\\s*([0-9.eE+-]+)",
            Pattern.DOTALL);
    private static final Pattern PARAM = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"]*)\"");
    private static final Color[] COLORS = {
        new Color(0xC0392B), new Color(0xE67E22), new Color(0xF1C40F), new Color(0x1F77B4),
        new Color(0x17BECF), new Color(0x2CA02C), new Color(0x7F7F7F), new Color(0x9467BD),
    };

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Chart results.json [more.json...] out.png");
            System.exit(2);
        }
        final Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        final Set<String> peers = new LinkedHashSet<>();
        for (int i = 0; i < args.length - 1; i++) {
            final String json = Files.readString(Path.of(args[i]));
            // One JMH result object per top-level array element: split on the "jmhVersion" key.
            for (String part : json.split("\"jmhVersion\"")) {
                final Matcher m = ENTRY.matcher(part);
                if (!m.find()) {
                    continue;
                }
                final String bench = m.group(1).replaceAll(".*\\.(\\w+\\.\\w+)$", "$1")
                        .replace("BlockAllocatorScalingBenchmark.freeThenAllocate", "scaling")
                        .replace("VirtualBlockBenchmark.", "virtual block ")
                        .replace("AlgorithmBenchmark.rounds", "algorithm");
                final Map<String, String> params = new TreeMap<>();
                final Matcher pm = PARAM.matcher(m.group(2));
                while (pm.find()) {
                    params.put(pm.group(1), pm.group(2));
                }
                final String peer = params.remove("peer");
                final StringBuilder label = new StringBuilder(bench);
                params.forEach((k, v) -> label.append(' ').append(k.replace("liveAllocations", "live"))
                        .append('=').append(v));
                rows.computeIfAbsent(label.toString(), k -> new LinkedHashMap<>()).put(peer, Double.parseDouble(m.group(3)));
                peers.add(peer);
            }
        }
        final List<String> peerList = new ArrayList<>(peers);
        peerList.sort(String::compareTo);
        draw(rows, peerList, new File(args[args.length - 1]));
    }

    private static void draw(Map<String, Map<String, Double>> rows, List<String> peers, File out) throws IOException {
        final int bar = 7;
        final int rowGap = 8;
        final int labelWidth = 380;
        final int plotWidth = 700;
        final int top = 60;
        final int rowHeight = peers.size() * bar + rowGap;
        final int height = top + rows.size() * rowHeight + 40;
        final int width = labelWidth + plotWidth + 190;
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Map<String, Double> r : rows.values()) {
            for (double v : r.values()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        final double lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
        final double hi = Math.ceil(Math.log10(max));
        final BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("ns per operation (log scale, lower is better): VMA virtual block vs ours, same sequences", 10, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double d = lo; d <= hi; d++) {
            final int x = labelWidth + (int) ((d - lo) / (hi - lo) * plotWidth);
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(x, top - 10, x, height - 35);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%,.0f", Math.pow(10, d)), x - 10, top - 14);
        }
        int y = top;
        for (Map.Entry<String, Map<String, Double>> row : rows.entrySet()) {
            g.setColor(Color.BLACK);
            g.drawString(row.getKey(), 6, y + rowHeight / 2);
            for (int p = 0; p < peers.size(); p++) {
                final Double v = row.getValue().get(peers.get(p));
                if (v == null) {
                    continue;
                }
                final int w = (int) ((Math.log10(v) - lo) / (hi - lo) * plotWidth);
                g.setColor(COLORS[p % COLORS.length]);
                g.fillRect(labelWidth, y + p * bar, Math.max(w, 1), bar - 1);
            }
            y += rowHeight;
            g.setColor(new Color(0xEEEEEE));
            g.setStroke(new BasicStroke(1));
            g.drawLine(0, y - rowGap / 2, labelWidth + plotWidth, y - rowGap / 2);
        }
        for (int p = 0; p < peers.size(); p++) {
            g.setColor(COLORS[p % COLORS.length]);
            g.fillRect(labelWidth + plotWidth + 20, top + p * 18, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(peers.get(p), labelWidth + plotWidth + 38, top + p * 18 + 11);
        }
        g.dispose();
        if (out.getParentFile() != null) {
            out.getParentFile().mkdirs();
        }
        ImageIO.write(img, "png", out);
        System.out.println("wrote " + out + " (" + rows.size() + " workloads, " + peers.size() + " peers)");
    }
}
