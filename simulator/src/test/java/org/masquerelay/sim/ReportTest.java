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

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report parses as HTML, fetches nothing, and its figures carry the CSVs' data points. */
class ReportTest {
    @TempDir
    Path dir;

    @Test
    void theReportIsSelfContainedAndItsFiguresCarryTheCsvData() throws Exception {
        SampleSet.write(dir.resolve("in"));
        Path geo = dir.resolve("geo-a");
        GeoRun.run(dir.resolve("in/scenario.yaml"), geo, false, 1500, null, null, 2);
        Path html = dir.resolve("out/report.html");
        List<Path> files = Report.write(List.of(geo), html);
        assertThat(files).contains(dir.resolve("out/report-F3.svg"), dir.resolve("out/report-F4.svg"));

        Document doc = Jsoup.parse(Files.readString(html, StandardCharsets.UTF_8));
        // self-contained: no script, stylesheet, image or frame is fetched from anywhere
        assertThat(doc.select("script[src], link[href], img[src], iframe, object, embed"))
                .isEmpty();
        assertThat(doc.select("figure svg")).hasSize(2);

        // F4: the histogram of clients per address-epoch, recomputed here from the CSV
        Map<Integer, Integer> expected = new TreeMap<>();
        for (Csv.Row r : Csv.read(geo.resolve(GeoOutputs.IP_EPOCHS))) {
            expected.merge(Integer.parseInt(r.get("clients")), 1, Integer::sum);
        }
        Map<Integer, Integer> plotted = new TreeMap<>();
        for (List<String> p : points(doc, "F4")) {
            plotted.put(Integer.parseInt(p.get(1)), Integer.parseInt(p.get(2)));
        }
        assertThat(plotted).isEqualTo(expected);
        // the SVG beside the report is the figure in it, and draws one bar per point
        Element svg = doc.selectFirst("figure#F4 svg");
        assertThat(svg).isNotNull();
        String file = Files.readString(dir.resolve("out/report-F4.svg"), StandardCharsets.UTF_8);
        assertThat(file).contains("<svg id='F4-svg'");
        // JFreeChart's first series colour; bars are rectangles, one per plotted point
        String bar = "fill:rgb(255,85,85)";
        assertThat(svg.select("rect").stream().filter(r -> r.attr("style").contains(bar)))
                .hasSize(expected.size());
        assertThat(file.split("<rect ", -1).length - 1)
                .isEqualTo(svg.select("rect").size());

        // F3: the CDF per country ends at share 1 at the largest geo error of that country
        Map<String, Double> max = new TreeMap<>();
        for (Csv.Row r : Csv.read(geo.resolve(GeoOutputs.CLIENTS))) {
            if (!r.get("geo_error_km").isEmpty()) {
                max.merge(r.get("country"), Double.parseDouble(r.get("geo_error_km")), Math::max);
            }
        }
        Map<String, double[]> last = new TreeMap<>();
        for (List<String> p : points(doc, "F3")) {
            last.put(p.get(0), new double[] {Double.parseDouble(p.get(1)), Double.parseDouble(p.get(2))});
        }
        max.forEach((country, km) -> {
            assertThat(last).containsKey(country);
            assertThat(last.get(country)[1]).isEqualTo(1.0);
            // HdrHistogram keeps 3 significant digits
            assertThat(last.get(country)[0]).isCloseTo(km, org.assertj.core.data.Percentage.withPercentage(0.2));
        });

        // T2's "all" row counts every client of the CSV
        Element all = doc.select("table#T2 tr").stream()
                .filter(tr -> !tr.select("td").isEmpty()
                        && tr.select("td").get(0).text().equals("all"))
                .findFirst()
                .orElseThrow();
        assertThat(all.select("td").get(1).text()).isEqualTo("1500");
        assertThat(doc.select("table#T4 td.fail")).isEmpty();
    }

    private static List<List<String>> points(Document doc, String figure) {
        List<List<String>> out = new ArrayList<>();
        for (Element tr : doc.select("figure#" + figure + " table.figure-data tr")) {
            if (tr.select("td").size() == 3) {
                out.add(tr.select("td").eachText());
            }
        }
        assertThat(out).as(figure + " points").isNotEmpty();
        return out;
    }
}
