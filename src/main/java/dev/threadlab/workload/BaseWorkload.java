package dev.threadlab.workload;

/** The descriptive part every workload has; subclasses add parameters and the work itself. Immutable. */
abstract class BaseWorkload implements Workload {

    private final String name;
    private final String description;
    private final String defaultPool;

    BaseWorkload(String name, String description, String defaultPool) {
        this.name = name;
        this.description = description;
        this.defaultPool = defaultPool;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final String defaultPool() {
        return defaultPool;
    }
}
