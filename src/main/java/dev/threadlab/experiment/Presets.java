package dev.threadlab.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Named experiments that reproduce the classic threading lessons. Immutable. */
final class Presets {

    static final Map<String, ExperimentService.Request> ALL = new LinkedHashMap<>();
    static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        add("cpu-bound-gil",
                "CPU-bound work on platform threads (cpu), one simulated GIL (gil) and one GIL per core (procs): cpu and "
                        + "procs scale to the number of cores, gil stays flat at 1",
                new ExperimentService.Request(null, "cpu", Map.of("iterations", 20_000_000), null,
                        List.of("cpu", "gil", "procs"), List.of(1, 2, 4, 8), null, 3));
        add("io-bound",
                "I/O-bound work (100 ms waits): threads overlap waits even under a GIL; the cpu pool stops at its "
                        + "thread count, the virtual io pool keeps going",
                new ExperimentService.Request(null, "io", Map.of("durationMs", 100), null,
                        List.of("gil", "cpu", "io"), List.of(1, 2, 4, 8, 16, 32, 64), null, 2));
        add("convoy",
                "The convoy effect: an I/O loop of 70 µs waits on a GIL, alone and next to 1 or 2 CPU-bound threads "
                        + "(chunkLatencyP50Ms jumps from ~0.1 ms to about one and two switch intervals)",
                new ExperimentService.Request(null, "io", Map.of("durationMs", 14, "chunks", 200), null,
                        List.of("gil"), List.of(1), List.of(0, 1, 2), 3));
        add("race",
                "A shared counter without synchronisation loses updates; a lock and an atomic do not, at a price "
                        + "(lockWaitMs)",
                new ExperimentService.Request(null, "counter", Map.of("increments", 10_000_000),
                        List.of(Map.of("sync", "none"), Map.of("sync", "lock"), Map.of("sync", "atomic")),
                        List.of("cpu"), List.of(1, 2, 4), null, 3));
    }

    private static void add(String name, String description, ExperimentService.Request request) {
        ALL.put(name, request);
        DESCRIPTIONS.put(name, description);
    }

    private Presets() {
    }
}
