package dev.threadlab.workload;

import dev.threadlab.input.InvalidInputException;
import dev.threadlab.input.ParamSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The workloads a job can name, by name. Immutable after construction. */
public final class WorkloadCatalog {

    /** Accepted by every workload: the engine fails a task with this probability, on purpose. */
    public static final ParamSpec FAIL_PROBABILITY = ParamSpec.number("failProbability", 0.0, 0.0, 1.0,
            "probability that a task fails on purpose after doing its work (0..1)");

    private final Map<String, Workload> byName = new LinkedHashMap<>();

    public WorkloadCatalog(List<Workload> workloads) {
        for (Workload workload : workloads) {
            byName.put(workload.name(), workload);
        }
    }

    /** @throws InvalidInputException for field {@code workload}, listing the valid names */
    public Workload get(String name) {
        Workload workload = name == null ? null : byName.get(name);
        if (workload == null) {
            throw new InvalidInputException("workload", name, "one of " + byName.keySet());
        }
        return workload;
    }

    public Collection<Workload> all() {
        return byName.values();
    }

    /** The workload's own parameters followed by the common ones. */
    public static List<ParamSpec> allParams(Workload workload) {
        List<ParamSpec> specs = new ArrayList<>(workload.params());
        specs.add(FAIL_PROBABILITY);
        return specs;
    }
}
