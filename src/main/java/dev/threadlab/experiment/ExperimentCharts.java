package dev.threadlab.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Renders an experiment's rows as CSV and as a self-contained SVG line chart: speedup vs tasks with the ideal and
 * the "no speedup" lines, throughput or latency vs tasks, or a figure vs background CPU threads (the convoy).
 * Stateless.
 */
public final class ExperimentCharts {

    /** What a chart plots on its y axis. */
    public enum Metric {
        SPEEDUP("speedup", "speedup (× one task)", Row::speedup),
        THROUGHPUT("throughput", "throughput (tasks/s)", row -> row.throughputPerSecond()),
        LATENCY("wall time", "median wall (ms)", row -> row.medianWallMs()),
        CHUNK_LATENCY("blocking-op latency", "median latency of one blocking op (ms)", Row::chunkLatencyP50Ms);

        final String name;
        final String label;
        final Function<Row, Double> value;

        Metric(String name, String label, Function<Row, Double> value) {
            this.name = name;
            this.label = label;
            this.value = value;
        }
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 460;
    private static final int LEFT = 70;
    private static final int RIGHT = 190;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private ExperimentCharts() {
    }

    /** The metric that tells an experiment's story best, when the client names none. */
    public static Metric defaultMetric(ExperimentSpec spec) {
        if (byBackground(spec)) {
            return spec.workload().equals("io") ? Metric.CHUNK_LATENCY : Metric.LATENCY;
        }
        return spec.workload().equals("io") ? Metric.THROUGHPUT : Metric.SPEEDUP;
    }

    private static boolean byBackground(ExperimentSpec spec) {
        return spec.tasks().size() == 1 && spec.background().size() > 1;
    }

    public static String csv(Experiment.View view) {
        StringBuilder csv = new StringBuilder("variant,pool,tasks,background,repeats,median_wall_ms,min_wall_ms,max_wall_ms,"
                + "throughput_per_s,speedup,efficiency,cpu_utilisation,gil_wait_share,queue_ms,chunk_latency_p50_ms,"
                + "lost_updates,lock_wait_ms\n");
        for (Row row : view.rows()) {
            csv.append(String.join(",", quote(variantLabel(row.variant())), quote(row.pool()), num(row.tasks()),
                    num(row.background()), num(row.repeats()), num(row.medianWallMs()), num(row.minWallMs()),
                    num(row.maxWallMs()), num(row.throughputPerSecond()), num(row.speedup()), num(row.efficiency()),
                    num(row.cpuUtilisation()), num(row.gilWaitShare()), num(row.queueMs()), num(row.chunkLatencyP50Ms()),
                    num(row.lostUpdates()), num(row.lockWaitMs()))).append('\n');
        }
        return csv.toString();
    }

    public static String svg(Experiment.View view, Metric metric) {
        ExperimentSpec spec = view.spec();
        boolean byBackground = byBackground(spec);
        Function<Row, Integer> xOf = byBackground ? Row::background : Row::tasks;
        String xLabel = byBackground ? "CPU-bound threads beside it" : "tasks (threads)";
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Row row : view.rows()) {
            Double y = metric.value.apply(row);
            if (y != null) {
                series.computeIfAbsent(seriesName(spec, row, byBackground), k -> new ArrayList<>())
                        .add(new double[]{xOf.apply(row), y});
            }
        }
        TreeSet<Integer> xs = new TreeSet<>(byBackground ? spec.background() : spec.tasks());
        double xMin = xs.first();
        double xMax = Math.max(xs.last(), xMin + 1);
        boolean logX = !byBackground && xMin >= 1 && xMax / xMin >= 8;
        double yMax = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[1]).max().orElse(1);
        if (metric == Metric.SPEEDUP) {
            yMax = Math.max(yMax, 2);
        }
        yMax = niceCeiling(yMax * 1.1);
        Scale scale = new Scale(xMin, xMax, logX, yMax);

        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        String title = (spec.preset() != null ? spec.preset() + ": " : "") + metric.name
                + (byBackground ? " vs CPU-bound threads beside it" : " vs tasks") + " (" + spec.workload() + " workload)";
        svg.append(text(WIDTH / 2.0, 25, "middle", 16, title));
        // axes and grid
        double plotRight = WIDTH - RIGHT;
        double plotBottom = HEIGHT - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<defs><clipPath id=\"plot\"><rect x=\"%d\" y=\"%d\" width=\"%.1f\" "
                + "height=\"%.1f\"/></clipPath></defs>\n", LEFT, TOP, plotRight - LEFT, plotBottom - TOP));
        int decimals = tickDecimals(yMax / 5);
        for (int i = 0; i <= 5; i++) {
            double value = yMax * i / 5;
            double y = scale.y(value);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n",
                    LEFT, y, plotRight, y));
            svg.append(text(LEFT - 8, y + 4, "end", 12, String.format(Locale.ROOT, "%." + decimals + "f", value)));
        }
        for (int x : xs) {
            double px = scale.x(x);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n",
                    px, TOP, px, plotBottom));
            svg.append(text(px, plotBottom + 18, "middle", 12, String.valueOf(x)));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                LEFT, plotBottom, plotRight, plotBottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n",
                LEFT, TOP, LEFT, plotBottom));
        svg.append(text((LEFT + plotRight) / 2, HEIGHT - 18, "middle", 13,
                logX ? xLabel.replace(")", ", log scale)") : xLabel));
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
                + "transform=\"rotate(-90 18 %.1f)\">%s</text>\n", (TOP + plotBottom) / 2, (TOP + plotBottom) / 2, escape(metric.label)));
        // reference lines for speedup: ideal (y = x) and no speedup (y = 1)
        List<String> legend = new ArrayList<>();
        if (metric == Metric.SPEEDUP) {
            // y = x, sampled: on a log x axis it is a curve
            double idealEnd = Math.min(xMax, yMax);
            StringBuilder ideal = new StringBuilder();
            for (int i = 0; i <= 64; i++) {
                double x = logX ? xMin * Math.pow(idealEnd / xMin, i / 64.0) : xMin + (idealEnd - xMin) * i / 64.0;
                ideal.append(String.format(Locale.ROOT, "%.1f,%.1f ", scale.x(x), scale.y(x)));
            }
            svg.append("<polyline class=\"reference\" data-reference=\"ideal\" clip-path=\"url(#plot)\" fill=\"none\" stroke=\"#999\" "
                    + "stroke-dasharray=\"6 4\" points=\"").append(ideal.toString().trim()).append("\"/>\n");
            svg.append(String.format(Locale.ROOT, "<line class=\"reference\" data-reference=\"none\" x1=\"%.1f\" y1=\"%.1f\" "
                    + "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"2 3\"/>\n", scale.x(xMin), scale.y(1), plotRight, scale.y(1)));
            legend.add("<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"#999\" stroke-dasharray=\"6 4\"/>|ideal (× tasks)");
            legend.add("<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"#999\" stroke-dasharray=\"2 3\"/>|no speedup (× 1)");
        }
        int colour = 0;
        for (Map.Entry<String, List<double[]>> entry : series.entrySet()) {
            String stroke = COLOURS[colour++ % COLOURS.length];
            String pointsAttr = entry.getValue().stream()
                    .map(p -> String.format(Locale.ROOT, "%.1f,%.1f", scale.x(p[0]), scale.y(p[1])))
                    .collect(Collectors.joining(" "));
            svg.append("<g class=\"series\" data-series=\"").append(escape(entry.getKey())).append("\">\n");
            svg.append("<polyline fill=\"none\" stroke-width=\"2.5\" stroke=\"").append(stroke).append("\" points=\"")
                    .append(pointsAttr).append("\"/>\n");
            for (double[] p : entry.getValue()) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: %s = %s</title></circle>\n",
                        scale.x(p[0]), scale.y(p[1]), stroke, escape(entry.getKey()), format(p[0]), format(p[1])));
            }
            svg.append("</g>\n");
            legend.add("<line x1=\"0\" y1=\"0\" x2=\"24\" y2=\"0\" stroke=\"" + stroke + "\" stroke-width=\"2.5\"/>|" + entry.getKey());
        }
        for (int i = 0; i < legend.size(); i++) {
            String[] parts = legend.get(i).split("\\|", 2);
            svg.append(String.format(Locale.ROOT, "<g transform=\"translate(%.1f %d)\">%s", plotRight + 20, TOP + 10 + i * 22, parts[0]))
                    .append(text(32, 4, "start", 12, parts[1])).append("</g>\n");
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private record Scale(double xMin, double xMax, boolean logX, double yMax) {
        double x(double value) {
            double span = WIDTH - RIGHT - LEFT;
            double t = logX ? Math.log(value / xMin) / Math.log(xMax / xMin) : (value - xMin) / (xMax - xMin);
            return LEFT + t * span;
        }

        double y(double value) {
            double span = HEIGHT - BOTTOM - TOP;
            return HEIGHT - BOTTOM - Math.min(value, yMax) / yMax * span;
        }
    }

    private static String seriesName(ExperimentSpec spec, Row row, boolean byBackground) {
        StringBuilder name = new StringBuilder(row.pool());
        if (spec.variants().size() > 1) {
            name.append(' ').append(variantLabel(row.variant()));
        }
        if (!byBackground && spec.background().size() > 1) {
            name.append(" +").append(row.background()).append(" cpu");
        }
        return name.toString();
    }

    static String variantLabel(Map<String, Object> variant) {
        return variant.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1e-9))));
        for (double step : new double[]{1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** Decimals that show every tick of this step alike (0.5 → 1, 0.25 → 2, 4 → 0). */
    private static int tickDecimals(double step) {
        for (int decimals = 0; decimals < 4; decimals++) {
            double scaled = step * Math.pow(10, decimals);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-9) {
                return decimals;
            }
        }
        return 4;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e9 ? String.valueOf((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String text(double x, double y, String anchor, int size, String content) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>\n",
                x, y, anchor, size, escape(content));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String quote(String value) {
        return value.contains(",") || value.contains("\"") ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static String num(Number value) {
        return value == null ? "" : format(value.doubleValue());
    }
}
