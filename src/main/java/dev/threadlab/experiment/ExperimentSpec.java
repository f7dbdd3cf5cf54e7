package dev.threadlab.experiment;

import java.util.List;
import java.util.Map;

/**
 * A validated experiment: every combination of parameter variant × pool × task count × background CPU tasks is a
 * point, run {@code repeats} times. Immutable.
 *
 * @param variants        parameter overrides, one row group each (e.g. sync none / lock / atomic); [{}] for none
 * @param background      CPU-bound tasks running on the same pool during a point (the convoy experiment); [0] for none
 * @param backgroundIterations work of each background task (it is cancelled when the point ends)
 */
public record ExperimentSpec(String preset, String description, String workload, Map<String, Object> params,
                             List<Map<String, Object>> variants, List<String> pools, List<Integer> tasks,
                             List<Integer> background, int repeats) {

    /** One point of the grid. */
    public record Point(Map<String, Object> variant, String pool, int tasks, int background) {
    }

    public int pointCount() {
        return variants.size() * pools.size() * tasks.size() * background.size();
    }

    /** Points in the order they run: variant, then pool, then background, then tasks ascending. */
    public List<Point> points() {
        List<Point> points = new java.util.ArrayList<>();
        for (Map<String, Object> variant : variants) {
            for (String pool : pools) {
                for (int load : background) {
                    for (int count : tasks) {
                        points.add(new Point(variant, pool, count, load));
                    }
                }
            }
        }
        return points;
    }
}
