package dev.canopy.pipeline.generate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The backends opened in this JVM, one per key (model file plus settings), shared by every task the JVM runs:
 * an executor loads a model once however many tasks use it.
 */
public final class ProcessAdapterCache {

    private static final Map<Object, ModelAdapter> BACKENDS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ProcessAdapterCache() {}

    /** The backend for {@code key}, calling {@code loader} only when this JVM has none yet. */
    public static ModelAdapter get(Object key, Supplier<ModelAdapter> loader) {
        return BACKENDS.computeIfAbsent(key, k -> {
            ModelAdapter backend = loader.get();
            LOADS.incrementAndGet();
            return backend;
        });
    }

    /** How many backends this JVM has loaded so far. */
    public static int loads() {
        return LOADS.get();
    }
}
