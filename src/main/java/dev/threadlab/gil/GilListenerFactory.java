package dev.threadlab.gil;

/** Gives each GIL pool its listener (e.g. metrics labelled with the pool's name). Thread-safe. */
@FunctionalInterface
public interface GilListenerFactory {

    GilListener forPool(String poolName);

    GilListenerFactory NONE = pool -> GilListener.NONE;
}
