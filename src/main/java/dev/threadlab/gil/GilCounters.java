package dev.threadlab.gil;

/**
 * Cumulative figures of one token at one moment ({@code atNanos}, from {@code System.nanoTime}). Differences of two
 * samples give rates: held time per second is the held ratio, contended time per second the wait ratio (the share
 * of time at least one task waited, as CPython's gil_load reports it).
 *
 * @param heldNanos         time task threads held the token
 * @param contendedNanos    time at least one task thread waited for it
 * @param switches          times the token changed hands between two threads (tasks or the probe)
 * @param forcedSwitches    switches right after a forced release (a subset of {@code switches})
 * @param forcedReleases    releases by task threads that honoured a drop request
 * @param voluntaryReleases releases by task threads around blocking waits and at their end
 * @param waitingTasks      task threads waiting now
 */
public record GilCounters(long atNanos, long heldNanos, long contendedNanos, long switches, long forcedSwitches,
                          long forcedReleases, long voluntaryReleases, int waitingTasks) {

    public static final GilCounters ZERO = new GilCounters(0, 0, 0, 0, 0, 0, 0, 0);

    public GilCounters plus(GilCounters other) {
        return new GilCounters(Math.max(atNanos, other.atNanos), heldNanos + other.heldNanos,
                contendedNanos + other.contendedNanos, switches + other.switches,
                forcedSwitches + other.forcedSwitches, forcedReleases + other.forcedReleases,
                voluntaryReleases + other.voluntaryReleases, waitingTasks + other.waitingTasks);
    }
}
