package dev.threadlab.experiment;

import dev.threadlab.job.IdGenerator;
import dev.threadlab.input.InvalidInputException;
import dev.threadlab.testing.EngineFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExperimentServiceTest {

    @TempDir
    Path tempDir;
    EngineFixture fixture;
    ExperimentService experiments;

    @BeforeEach
    void start() {
        fixture = new EngineFixture(tempDir, 10_000, 1000);
        experiments = new ExperimentService(fixture.engine, new IdGenerator(Optional.of("test")),
                new ExperimentService.Limits(20, 40, 500, Duration.ofMinutes(1), 2, 10, Duration.ofMinutes(5)));
    }

    @AfterEach
    void stop() throws Exception {
        experiments.close();
        fixture.close();
    }

    private static Experiment.View join(Experiment experiment) throws Exception {
        assertTrue(experiment.completion().await(Duration.ofSeconds(60)), "the experiment ended");
        return experiment.view();
    }

    private ExperimentService.Request request(String workload, Map<String, Object> params, List<String> pools,
                                              List<Object> tasks, Object repeats) {
        return new ExperimentService.Request(null, workload, params, null, pools, tasks, null, repeats);
    }

    @Test
    void runsEveryPointInOrderRepeatedWithMedians() throws Exception {
        Experiment experiment = experiments.submit(request("cpu", Map.of("iterations", 200_000),
                List.of("cpu", "gil"), List.of(2, 1), 3));
        Experiment.View view = join(experiment);
        assertEquals(ExperimentState.SUCCEEDED, view.state());
        assertEquals(new Experiment.Progress(4, 4, 12, 12), view.progress());
        List<Row> rows = view.rows();
        assertEquals(List.of("cpu:1", "cpu:2", "gil:1", "gil:2"),
                rows.stream().map(r -> r.pool() + ":" + r.tasks()).toList(), "tasks ascending within each pool");
        for (Row row : rows) {
            assertEquals(3, row.repeats());
            assertTrue(row.minWallMs() <= row.medianWallMs() && row.medianWallMs() <= row.maxWallMs(), row.toString());
            assertTrue(row.throughputPerSecond() > 0);
        }
        assertEquals(1.0, rows.get(0).speedup(), "tasks = 1 is its own baseline");
        assertEquals(rows.get(1).speedup() / 2, rows.get(1).efficiency(), 0.01);
        assertTrue(rows.get(0).cpuUtilisation() != null, "platform threads measure CPU time");
        assertNull(rows.get(0).gilWaitShare(), "no GIL on the cpu pool");
        assertTrue(rows.get(3).gilWaitShare() != null, "gil pools report their wait share");
    }

    @Test
    void mediansOfOddAndEvenCounts() {
        assertEquals(2.0, Experiment.median(new double[]{1, 2, 9}));
        assertEquals(2.5, Experiment.median(new double[]{1, 2, 3, 100}));
    }

    @Test
    void backgroundTasksAndVariantsMakeTheirOwnPoints() throws Exception {
        Experiment experiment = experiments.submit(new ExperimentService.Request(null, "io",
                Map.of("durationMs", 4, "chunks", 4), List.of(Map.of("chunks", 2), Map.of("chunks", 4)), List.of("gil"),
                List.of(1), List.of(0, 1), 1));
        Experiment.View view = join(experiment);
        assertEquals(4, view.rows().size());
        assertTrue(view.rows().stream().allMatch(r -> r.chunkLatencyP50Ms() != null));
        assertEquals(0, fixture.engine.unfinished().size(), "background CPU jobs are cancelled after each point");
    }

    @Test
    void cancelStopsTheRunningJobAndTheExperiment() throws Exception {
        Experiment experiment = experiments.submit(request("io", Map.of("durationMs", 60_000), List.of("io"),
                List.of(1, 2), 2));
        EngineFixture.awaitTrue(() -> experiment.state() == ExperimentState.RUNNING && !fixture.engine.unfinished().isEmpty());
        Experiment cancelled = experiments.cancel(experiment.id());
        assertEquals(ExperimentState.CANCELLED, cancelled.view().state(), "a cancel ends it at once, like a job's");
        EngineFixture.awaitTrue(() -> fixture.engine.unfinished().isEmpty());
        assertEquals(ExperimentState.CANCELLED, join(experiment).state());
        assertThrows(ExperimentEndedException.class, () -> experiments.cancel(experiment.id()));
    }

    @Test
    void limitsAreCheckedWithClearFields() {
        assertEquals("points", field(() -> experiments.submit(request("cpu", Map.of(), List.of("cpu", "gil", "io"),
                List.of(1, 2, 3, 4, 5, 6, 7, 8), 1))));
        assertEquals("repeats", field(() -> experiments.submit(request("cpu", Map.of(), List.of("cpu"), List.of(1), 11))));
        assertEquals("repeats", field(() -> experiments.submit(request("cpu", Map.of(), List.of("cpu", "gil"),
                List.of(1, 2, 3, 4, 5), 5))));
        assertEquals("tasks", field(() -> experiments.submit(request("cpu", Map.of(), List.of("cpu"),
                List.of(64, 128, 256), 2))));
        assertEquals("tasks[0]", field(() -> experiments.submit(request("cpu", Map.of(), List.of("cpu"), List.of(0), 1))));
        assertEquals("pools", field(() -> experiments.submit(request("cpu", Map.of(), List.of("nope"), List.of(1), 1))));
        assertEquals("params.iterations", field(() -> experiments.submit(request("cpu", Map.of("iterations", -1),
                List.of("cpu"), List.of(1), 1))));
        assertEquals("preset", field(() -> experiments.submit(new ExperimentService.Request("nope", null, null, null,
                null, null, null, null))));
        assertEquals("preset", field(() -> experiments.submit(new ExperimentService.Request("race", "cpu", null, null,
                null, null, null, null))));
    }

    private static String field(Runnable submit) {
        return assertThrows(InvalidInputException.class, submit::run).field();
    }

    @Test
    void presetsAreValidExperimentsWithinTheDefaultLimits() {
        try (ExperimentService defaults = new ExperimentService(fixture.engine, new IdGenerator(Optional.of("test")),
                ExperimentService.Limits.DEFAULT)) {
            for (Map<String, Object> preset : defaults.presets()) {
                ExperimentSpec spec = defaults.validate(new ExperimentService.Request((String) preset.get("name"),
                        null, null, null, null, null, null, null));
                assertTrue(spec.pointCount() > 0, spec.toString());
            }
        }
    }

    @Test
    void csvAndSvgAreWellFormedWithOneSeriesPerPool() throws Exception {
        Experiment experiment = experiments.submit(request("cpu", Map.of("iterations", 100_000),
                List.of("cpu", "gil", "io"), List.of(1, 2, 8), 1));
        Experiment.View view = join(experiment);

        String[] csv = ExperimentCharts.csv(view).split("\n");
        assertEquals(1 + 9, csv.length);
        int columns = csv[0].split(",", -1).length;
        for (String line : csv) {
            assertEquals(columns, line.split(",", -1).length, line);
        }

        String svg = ExperimentCharts.svg(view, ExperimentCharts.defaultMetric(view.spec()));
        Document document = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", document.getDocumentElement().getTagName());
        NodeList groups = document.getElementsByTagName("g");
        TreeSet<String> series = new TreeSet<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element group = (Element) groups.item(i);
            if ("series".equals(group.getAttribute("class"))) {
                series.add(group.getAttribute("data-series"));
            }
        }
        assertEquals(new TreeSet<>(List.of("cpu", "gil", "io")), series);
        assertTrue(svg.contains("data-reference=\"ideal\"") && svg.contains("data-reference=\"none\""));
        assertTrue(svg.contains("speedup") && svg.contains("tasks (threads"), "title and axes are labelled");
    }
}
