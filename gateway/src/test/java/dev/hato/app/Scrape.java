package dev.hato.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scrape of {@code /actuator/prometheus} over HTTP, parsed from the text format: each series (name and labels as
 * written) with its value. {@link #value} sums the series of a name that carry the given labels.
 */
record Scrape(Map<String, Double> series) {

    static Scrape of(int managementPort) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("scrape answered " + response.statusCode() + ": " + response.body());
        }
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return new Scrape(series);
    }

    /** The names of every series (without labels). */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String key : series.keySet()) {
            int brace = key.indexOf('{');
            names.add(brace < 0 ? key : key.substring(0, brace));
        }
        return names;
    }

    /** The sum of the series named {@code name} whose labels include every {@code label, value} pair given. */
    double value(String name, String... labels) {
        double sum = 0;
        for (Map.Entry<String, Double> entry : series.entrySet()) {
            String key = entry.getKey();
            int brace = key.indexOf('{');
            if (!(brace < 0 ? key : key.substring(0, brace)).equals(name)) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i + 1 < labels.length && matches; i += 2) {
                matches = key.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
            }
            if (matches) {
                sum += entry.getValue();
            }
        }
        return sum;
    }

    /** How much the summed series moved from {@code before} to this scrape. */
    double delta(Scrape before, String name, String... labels) {
        return value(name, labels) - before.value(name, labels);
    }
}
