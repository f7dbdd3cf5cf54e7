package dev.threadlab.cluster;

import dev.threadlab.job.Awaitable;
import dev.threadlab.job.Job;
import dev.threadlab.job.JobView;

/**
 * A job as a request sees it, wherever it runs: its view now (or as last published, for a job of another instance)
 * and the end to wait for.
 */
public sealed interface TrackedJob permits TrackedJob.Local, RemoteJob {

    String id();

    JobView view();

    Awaitable completion();

    /** The job of this instance itself. */
    record Local(Job job) implements TrackedJob {
        @Override
        public String id() {
            return job.id();
        }

        @Override
        public JobView view() {
            return job.view();
        }

        @Override
        public Awaitable completion() {
            return job.completion();
        }
    }
}
