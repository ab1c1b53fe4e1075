package dev.canopy.pipeline.engine;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The GPU Spark assigned to the running task ({@code spark.task.resource.gpu.amount}), as a CUDA ordinal. */
final class TaskGpu {

    private TaskGpu() {}

    /** The current task's GPU ordinal; empty outside a task or when the task has no GPU. */
    static OptionalInt current() {
        TaskContext task = TaskContext.get();
        return task == null ? OptionalInt.empty() : ordinal(task.resourcesJMap());
    }

    /**
     * The first GPU address in {@code resources} as an ordinal.
     *
     * @throws IllegalArgumentException when the address is not a number (the discovery script must give ordinals)
     */
    static OptionalInt ordinal(Map<String, ResourceInformation> resources) {
        Optional<String> address = Optional.ofNullable(resources.get("gpu"))
                .filter(gpu -> gpu.addresses().length > 0).map(gpu -> gpu.addresses()[0]);
        if (address.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(address.get().strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot use GPU '" + address.get() + "' that Spark assigned: expected"
                    + " a CUDA ordinal (0, 1, ...) from the GPU discovery script", e);
        }
    }
}
