package dev.threadlab.gil;

/**
 * Cumulative figures of one token's task threads at one moment ({@code atNanos}, from {@code System.nanoTime}).
 * Differences of two samples give rates: held time per second is the held ratio, contended time per second the
 * wait ratio (the share of time at least one task waited, as CPython's gil_load reports it).
 */
public record GilCounters(long atNanos, long heldNanos, long contendedNanos, long switches, long forcedReleases,
                          long voluntaryReleases, int waitingTasks) {

    public static final GilCounters ZERO = new GilCounters(0, 0, 0, 0, 0, 0, 0);

    public GilCounters plus(GilCounters other) {
        return new GilCounters(Math.max(atNanos, other.atNanos), heldNanos + other.heldNanos,
                contendedNanos + other.contendedNanos, switches + other.switches,
                forcedReleases + other.forcedReleases, voluntaryReleases + other.voluntaryReleases,
                waitingTasks + other.waitingTasks);
    }
}
