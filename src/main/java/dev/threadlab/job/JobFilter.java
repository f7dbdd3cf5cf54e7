package dev.threadlab.job;

/**
 * Which jobs a list shows: by state, pool and workload, each optional (null matches all). Applies alike to a job this
 * instance holds and to a job another instance published. Immutable.
 */
public record JobFilter(JobState state, String pool, String workload) {

    public static final JobFilter ALL = new JobFilter(null, null, null);

    public boolean matches(Job job) {
        return matches(job.state(), job.pool(), job.workload());
    }

    public boolean matches(JobView view) {
        return matches(view.state(), view.pool(), view.workload());
    }

    private boolean matches(JobState jobState, String jobPool, String jobWorkload) {
        return (state == null || state == jobState)
                && (pool == null || pool.equals(jobPool))
                && (workload == null || workload.equals(jobWorkload));
    }
}
