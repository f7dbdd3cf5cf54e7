package dev.threadlab.workload;

import dev.threadlab.input.ParamSpec;
import dev.threadlab.input.Params;

import java.util.List;

/** A kind of work each task of a job does. Implementations are stateless and thread-safe. */
public interface Workload {

    String name();

    String description();

    /** The pool a job of this workload runs on when the client names none. */
    String defaultPool();

    /** Parameters specific to this workload (the catalog adds the common ones). */
    List<ParamSpec> params();

    /**
     * Prepares one job: the state its tasks share (a counter, a folder) lives in the returned run.
     *
     * @param contention where the run reports contention it measures
     */
    WorkloadRun start(Params params, int tasks, ContentionSink contention);
}
