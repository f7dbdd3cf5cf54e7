package dev.threadlab.cluster;

/**
 * The names of everything threadlab keeps in Redis, all under {@code threadlab:}. Stateless.
 *
 * <ul>
 *   <li>{@code job:{id}}: the job as {@code GET /jobs/{id}} shows it (JSON), expiring after the retention time;</li>
 *   <li>{@code jobs} and {@code jobs:{instance}}: ids by submission time (sorted sets), for the cluster-wide list;</li>
 *   <li>{@code unfinished:{instance}}: ids of an instance's unfinished jobs (a set), what is lost if it dies, and
 *       {@code finished:{instance}}: its finished jobs by the time they were written finished (a sorted set), for the
 *       count bound;</li>
 *   <li>{@code watch:{id}}: instances waiting for a job's end (a set), told by the write that ends it;</li>
 *   <li>{@code instance:{instance}}: an instance's heartbeat (its process token, expiring), and {@code instances}:
 *       every instance by its last heartbeat (a sorted set);</li>
 *   <li>{@code counts:{instance}}: an instance's job accounts at its last heartbeat, {@code lost:{instance}}: how
 *       many of its jobs others recorded lost, {@code reap:{instance}}: who records them now;</li>
 *   <li>{@code experiment:{id}}: an experiment as {@code GET /experiments/{id}} shows it;</li>
 *   <li>{@code pool-settings}: the pool changes made through {@code PATCH /pools/{name}} (a hash by pool);</li>
 *   <li>channels {@code to:{instance}} (messages for one instance) and {@code all} (for every instance).</li>
 * </ul>
 */
final class Keys {

    static final String PREFIX = "threadlab:";
    static final String JOB_PREFIX = PREFIX + "job:";
    static final String ALL_JOBS = PREFIX + "jobs";
    static final String INSTANCES = PREFIX + "instances";
    static final String POOL_SETTINGS = PREFIX + "pool-settings";
    static final String TO_PREFIX = PREFIX + "to:";
    static final String TO_ALL = PREFIX + "all";

    private Keys() {
    }

    static String job(String id) {
        return JOB_PREFIX + id;
    }

    static String jobs(String instance) {
        return PREFIX + "jobs:" + instance;
    }

    static String unfinished(String instance) {
        return PREFIX + "unfinished:" + instance;
    }

    static String finished(String instance) {
        return PREFIX + "finished:" + instance;
    }

    static String watch(String id) {
        return PREFIX + "watch:" + id;
    }

    static String instance(String instance) {
        return PREFIX + "instance:" + instance;
    }

    static String counts(String instance) {
        return PREFIX + "counts:" + instance;
    }

    static String lost(String instance) {
        return PREFIX + "lost:" + instance;
    }

    static String reap(String instance) {
        return PREFIX + "reap:" + instance;
    }

    static String experiment(String id) {
        return PREFIX + "experiment:" + id;
    }

    static String to(String instance) {
        return TO_PREFIX + instance;
    }
}
