/*
 * Copyright 2026 The masque-relay authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.masquerelay.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * {@code masque sim report DIR... --out report.html}: one self-contained HTML file (no scripts,
 * fonts or images fetched) and an SVG file per figure beside it, for papers. Charts are drawn by
 * JFreeChart into JFreeSVG; percentiles come from HdrHistogram. Several directories become arms
 * side by side; each figure also lists its plotted points in a table under it.
 */
public final class Report {
    /** One plotted series: its name and (x, y) points. */
    record Series(String name, List<double[]> points) {}

    /** One figure: id, title, axis labels, series, an optional vertical marker. */
    record Figure(String id, String title, String x, String y, List<Series> series, boolean bars, double marker) {}

    private final StringBuilder body = new StringBuilder();
    private final List<Figure> figures = new ArrayList<>();

    private Report() {}

    /** Writes {@code html} and {@code <name>-F*.svg} beside it from the given output directories. */
    public static List<Path> write(List<Path> dirs, Path html) throws IOException {
        Report r = new Report();
        List<Path> geo = new ArrayList<>();
        List<Path> net = new ArrayList<>();
        for (Path d : dirs) {
            JsonNode s = new ObjectMapper().readTree(d.resolve("summary.json").toFile());
            (s.path("mode").asText().equals("net") ? net : geo).add(d);
        }
        r.body.append("<h1>masque sim report</h1>\n<p>Inputs: ");
        for (Path d : dirs) {
            r.body.append("<code>").append(esc(d.toString())).append("</code> ");
        }
        r.body.append("</p>\n");
        if (!net.isEmpty()) {
            r.net(net);
        }
        if (!geo.isEmpty()) {
            r.geo(geo);
        }
        Path parent = html.toAbsolutePath().normalize().getParent();
        if (parent == null) {
            throw new IOException(html + ": no parent directory");
        }
        Files.createDirectories(parent);
        String base = html.getFileName().toString().replaceAll("\\.html?$", "");
        List<Path> written = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>masque sim report</title>\n<style>\n"
                + "body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}\n"
                + "table{border-collapse:collapse;margin:1em 0;font-size:14px}\n"
                + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
                + "th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}\n"
                + ".fail{color:#b00;font-weight:bold}.pass{color:#070}\n"
                + "figure{margin:1.5em 0}figcaption{font-weight:bold}\n"
                + "details{font-size:12px}\n</style></head><body>\n");
        String text = r.body.toString();
        for (Figure f : r.figures) {
            String svg = svg(f);
            Path file = parent.resolve(base + "-" + f.id() + ".svg");
            Files.writeString(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg, StandardCharsets.UTF_8);
            written.add(file);
            text = text.replace(
                    "<!--" + f.id() + "-->",
                    figureHtml(f, svg, file.getFileName().toString()));
        }
        out.append(text).append("</body></html>\n");
        Files.writeString(html, out, StandardCharsets.UTF_8);
        written.add(0, html);
        return written;
    }

    void heading(String text) {
        body.append("<h2>").append(esc(text)).append("</h2>\n");
    }

    void paragraph(String html) {
        body.append("<p>").append(html).append("</p>\n");
    }

    /** A table: header cells, then rows; a cell "pass"/"FAIL" is coloured. */
    void table(String id, List<String> header, List<List<String>> rows) {
        body.append("<table id=\"").append(id).append("\"><tr>");
        for (String h : header) {
            body.append("<th>").append(esc(h)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (String c : row) {
                String cls = c.equals("pass") ? " class=\"pass\"" : c.equals("FAIL") ? " class=\"fail\"" : "";
                body.append("<td").append(cls).append(">").append(esc(c)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
    }

    void figure(Figure f) {
        figures.add(f);
        body.append("<!--").append(f.id()).append("-->\n");
    }

    private static String figureHtml(Figure f, String svg, String file) {
        StringBuilder sb = new StringBuilder();
        sb.append("<figure id=\"")
                .append(f.id())
                .append("\"><figcaption>")
                .append(f.id())
                .append(": ")
                .append(esc(f.title()))
                .append(" <small>(<a href=\"")
                .append(esc(file))
                .append("\">SVG</a>)</small></figcaption>\n");
        sb.append(svg).append('\n');
        sb.append("<details><summary>plotted points</summary><table class=\"figure-data\">"
                + "<tr><th>series</th><th>x</th><th>y</th></tr>\n");
        for (Series s : f.series()) {
            for (double[] p : s.points()) {
                sb.append("<tr><td>")
                        .append(esc(s.name()))
                        .append("</td><td>")
                        .append(num(p[0]))
                        .append("</td><td>")
                        .append(num(p[1]))
                        .append("</td></tr>\n");
            }
        }
        sb.append("</table></details></figure>\n");
        return sb.toString();
    }

    private static String svg(Figure f) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : f.series()) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (double[] p : s.points()) {
                xy.add(p[0], p[1]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = f.bars()
                ? ChartFactory.createXYBarChart(
                        null, f.x(), false, f.y(), data, PlotOrientation.VERTICAL, true, false, false)
                : ChartFactory.createXYLineChart(
                        null, f.x(), f.y(), data, PlotOrientation.VERTICAL, true, false, false);
        chart.setElementHinting(true);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        if (f.bars()) {
            XYBarRenderer bars = (XYBarRenderer) plot.getRenderer();
            bars.setShadowVisible(false);
            bars.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
            bars.setMargin(0.1);
        } else {
            XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
            for (int i = 0; i < f.series().size(); i++) {
                lines.setSeriesStroke(i, new BasicStroke(2f));
            }
            plot.setRenderer(lines);
        }
        if (!Double.isNaN(f.marker())) {
            ValueMarker k = new ValueMarker(f.marker(), Color.RED, new BasicStroke(2f));
            k.setLabel("k = " + num(f.marker()));
            k.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            plot.addDomainMarker(k);
        }
        SVGGraphics2D g = new SVGGraphics2D(900, 420);
        g.setDefsKeyPrefix(f.id()); // not a time-based prefix: one input gives the same SVG bytes
        chart.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 900, 420));
        return g.getSVGElement(f.id() + "-svg");
    }

    /** T1, F1, F2 and F5 from emulation-mode directories. */
    private void net(List<Path> dirs) throws IOException {
        boolean arms = dirs.size() > 1;
        List<List<String>> t1 = new ArrayList<>();
        List<Series> f1 = new ArrayList<>();
        List<Series> f2 = new ArrayList<>();
        for (Path d : dirs) {
            String arm = d.getFileName().toString();
            List<Csv.Row> rows = Csv.read(d.resolve("flows.csv"));
            for (List<String> row : NetTables.t1(rows)) {
                t1.add(arms ? concat(List.of(arm), row) : row);
            }
            for (String path : List.of("direct", "two-hop")) {
                Map<Double, List<Double>> byDelay = new TreeMap<>();
                List<Double> rtts = new ArrayList<>();
                for (Csv.Row r : rows) {
                    if (r.get("arm").equals(path)
                            && r.get("flow").equals("udp-rtt")
                            && r.get("error").isEmpty()) {
                        double rtt = Double.parseDouble(r.get("rtt_p50_ms"));
                        byDelay.computeIfAbsent(Double.parseDouble(r.get("delay_ms")), x -> new ArrayList<>())
                                .add(rtt);
                        rtts.add(rtt);
                    }
                }
                List<double[]> pts = new ArrayList<>();
                byDelay.forEach((delay, v) ->
                        pts.add(new double[] {delay, NetTables.quartiles(v).median()}));
                f1.add(new Series((arms ? arm + " " : "") + path, pts));
                rtts.sort(Double::compare);
                List<double[]> cdf = new ArrayList<>();
                for (int i = 0; i < rtts.size(); i++) {
                    cdf.add(new double[] {rtts.get(i), (i + 1.0) / rtts.size()});
                }
                f2.add(new Series((arms ? arm + " " : "") + path, cdf));
            }
        }
        heading("T1: direct against two-hop");
        paragraph("Medians with the interquartile range, per profile (the shape of Trevisan et al., PAM 2023)."
                + " Setup is the two-hop arm's outer handshake, connect-udp 2xx and inner handshake together;"
                + " object time is request to last byte.");
        table(
                "T1",
                concat(
                        arms ? List.of("arm") : List.of(),
                        List.of("profile", "metric", "direct", "two-hop", "two-hop − direct")),
                t1);
        figure(new Figure(
                "F1",
                "UDP RTT against the access link's one-way delay",
                "one-way delay (ms)",
                "median RTT (ms)",
                f1,
                false,
                Double.NaN));
        figure(new Figure(
                "F2", "CDF of UDP RTT per arm", "RTT p50 of a flow (ms)", "share of flows", f2, false, Double.NaN));
    }

    /** T2, T3, T4, F3 and F4 from model-mode directories. */
    private void geo(List<Path> dirs) throws IOException {
        boolean arms = dirs.size() > 1;
        List<List<String>> t2 = new ArrayList<>();
        List<List<String>> t3 = new ArrayList<>();
        List<List<String>> t4 = new ArrayList<>();
        List<Series> f3 = new ArrayList<>();
        List<Series> f4 = new ArrayList<>();
        double k = Double.NaN;
        for (Path d : dirs) {
            String arm = d.getFileName().toString();
            JsonNode summary =
                    new ObjectMapper().readTree(d.resolve("summary.json").toFile());
            k = summary.path("results").path(0).path("k").asDouble(5);
            List<Csv.Row> clients = Csv.read(d.resolve(GeoOutputs.CLIENTS));
            Map<String, List<Csv.Row>> byCountry = new TreeMap<>();
            for (Csv.Row c : clients) {
                byCountry
                        .computeIfAbsent(c.get("country"), x -> new ArrayList<>())
                        .add(c);
            }
            byCountry.put("all", clients);
            for (Map.Entry<String, List<Csv.Row>> e : byCountry.entrySet()) {
                GeoStats s = GeoStats.of(e.getValue());
                List<String> row = new ArrayList<>();
                if (arms) {
                    row.add(arm);
                }
                row.addAll(List.of(
                        e.getKey(),
                        String.valueOf(e.getValue().size()),
                        s.cdf.isEmpty() ? "–" : num(s.median),
                        s.cdf.isEmpty() ? "–" : num(s.p90),
                        pct(s.sameCity),
                        pct(s.within25),
                        pct(s.within100),
                        pct(s.refused)));
                t2.add(row);
                if (!arms || e.getKey().equals("all")) {
                    f3.add(new Series((arms ? arm + " " : "") + e.getKey(), s.cdf));
                }
            }
            List<Csv.Row> epochs = Csv.read(d.resolve(GeoOutputs.IP_EPOCHS));
            Map<String, Histogram> perCity = new TreeMap<>();
            Map<String, long[]> below = new TreeMap<>();
            TreeMap<Integer, Long> hist = new TreeMap<>();
            for (Csv.Row row : epochs) {
                int clientsHere = Integer.parseInt(row.get("clients"));
                perCity.computeIfAbsent(row.get("city"), x -> new Histogram(3)).recordValue(clientsHere);
                long[] b = below.computeIfAbsent(row.get("city"), x -> new long[2]);
                b[0]++;
                b[1] += clientsHere < k ? 1 : 0;
                hist.merge(clientsHere, 1L, Long::sum);
            }
            for (Map.Entry<String, Histogram> e : perCity.entrySet()) {
                long[] b = below.getOrDefault(e.getKey(), new long[2]);
                List<String> row = new ArrayList<>();
                if (arms) {
                    row.add(arm);
                }
                row.addAll(List.of(
                        e.getKey(),
                        String.valueOf(b[0]),
                        String.valueOf(e.getValue().getMinValue()),
                        String.valueOf(e.getValue().getValueAtPercentile(5)),
                        String.valueOf(e.getValue().getValueAtPercentile(50)),
                        pct((double) b[1] / b[0])));
                t3.add(row);
            }
            List<double[]> pts = new ArrayList<>();
            hist.forEach((c, n) -> pts.add(new double[] {c, n}));
            f4.add(new Series(arms ? arm : "address-epochs", pts));
            Map<String, long[]> link = new LinkedHashMap<>();
            Map<String, Double> expected = new LinkedHashMap<>();
            for (Csv.Row row : Csv.read(d.resolve(GeoOutputs.LINKABILITY))) {
                long[] v = link.computeIfAbsent(row.get("test"), x -> new long[2]);
                long pairs = Long.parseLong(row.get("pairs"));
                v[0] += pairs;
                v[1] += Long.parseLong(row.get("same"));
                expected.merge(row.get("test"), pairs * Double.parseDouble(row.get("expected_p")), Double::sum);
            }
            JsonNode checks = summary.path("results").path(0).path("checks");
            for (Map.Entry<String, long[]> e : link.entrySet()) {
                long[] v = e.getValue();
                List<String> row = new ArrayList<>();
                if (arms) {
                    row.add(arm);
                }
                row.addAll(List.of(
                        e.getKey(),
                        String.valueOf(v[0]),
                        String.valueOf(v[1]),
                        String.format(Locale.ROOT, "%.5f", v[0] == 0 ? 0 : (double) v[1] / v[0]),
                        String.format(
                                Locale.ROOT, "%.5f", v[0] == 0 ? 0 : expected.getOrDefault(e.getKey(), 0.0) / v[0]),
                        checks.path("unlinkability").path("pass").asBoolean() ? "pass" : "FAIL"));
                t4.add(row);
            }
            for (String c :
                    List.of("one_assertion_per_cell_window", "no_client_unique_value", "chi_square_uniformity")) {
                JsonNode n = checks.path(c);
                List<String> row = new ArrayList<>();
                if (arms) {
                    row.add(arm);
                }
                row.addAll(List.of(c, "", "", "", "", n.path("pass").asBoolean() ? "pass" : "FAIL"));
                t4.add(row);
            }
        }
        List<String> armCol = arms ? List.of("arm") : List.of();
        heading("T2: geo error per country");
        paragraph("Distance from each client's true position to the city it leaves from. Refused clients "
                + "have no egress city and count only in % refused.");
        table(
                "T2",
                concat(
                        armCol,
                        List.of(
                                "country",
                                "clients",
                                "median km",
                                "p90 km",
                                "% same city",
                                "% ≤ 25 km",
                                "% ≤ 100 km",
                                "% refused")),
                t2);
        heading("T3: anonymity per city");
        paragraph("k is the number of distinct clients that used one egress address in one rotation epoch;"
                + " over every used address-epoch of the city. Threshold k = " + num(k) + ".");
        table("T3", concat(armCol, List.of("city", "address-epochs", "k_min", "k_p5", "k median", "% below k")), t3);
        heading("T4: unlinkability checks");
        paragraph("Same address for one client in consecutive epochs, and for two connections of one epoch, "
                + "beside the analytic value 1/|pool|; and the model's other checks.");
        table("T4", concat(armCol, List.of("check", "pairs", "same address", "observed", "expected", "result")), t4);
        figure(new Figure(
                "F3", "CDF of geo error per country", "geo error (km)", "share of clients", f3, false, Double.NaN));
        figure(new Figure(
                "F4",
                "Clients per address-epoch",
                "distinct clients per address and epoch",
                "address-epochs",
                f4,
                true,
                k));
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Geo error statistics of a set of clients.csv rows. */
    static final class GeoStats {
        double median;
        double p90;
        double sameCity;
        double within25;
        double within100;
        double refused;
        List<double[]> cdf = new ArrayList<>();

        static GeoStats of(List<Csv.Row> rows) {
            GeoStats s = new GeoStats();
            Histogram h = new Histogram(1, 40_000_000, 3);
            long routed = 0;
            for (Csv.Row r : rows) {
                if (r.get("geo_error_km").isEmpty()) {
                    s.refused++;
                    continue;
                }
                routed++;
                h.recordValue(Math.round(Double.parseDouble(r.get("geo_error_km")) * 1000));
                s.sameCity += r.get("same_city").equals("1") ? 1 : 0;
                s.within25 += r.get("within_25km").equals("1") ? 1 : 0;
                s.within100 += r.get("within_100km").equals("1") ? 1 : 0;
            }
            s.refused /= Math.max(1, rows.size());
            s.sameCity /= Math.max(1, routed);
            s.within25 /= Math.max(1, routed);
            s.within100 /= Math.max(1, routed);
            s.median = h.getValueAtPercentile(50) / 1000.0;
            s.p90 = h.getValueAtPercentile(90) / 1000.0;
            if (routed > 0) {
                for (int q = 0; q <= 100; q += 2) {
                    s.cdf.add(new double[] {h.getValueAtPercentile(q) / 1000.0, q / 100.0});
                }
            }
            return s;
        }
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f", share * 100);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
