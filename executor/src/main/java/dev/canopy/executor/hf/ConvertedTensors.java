package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The tensors of a checkpoint being converted, held as views of the mapped shards until the whole model is
 * known, then added to the GGUF in one pass: as stored, or quantized with a {@link QuantScheme} (the plan of
 * {@link ModelQuantizer}, which needs every tensor's name to pick the output matrix and the layers that keep
 * more bits), row by row while the file is written, with no unquantized file in between.
 */
final class ConvertedTensors {

    /**
     * One GGUF tensor: its parts are the tensor itself, or the slices it stacks (one per expert), made when the
     * tensor is written.
     */
    private record Pending(String name, GgmlType type, long[] shape, Supplier<List<Tensor>> parts) {}

    private final List<Pending> pending = new ArrayList<>();

    void add(String name, Tensor tensor) {
        pending.add(new Pending(name, tensor.type(), tensor.shape(), () -> List.of(tensor)));
    }

    /** A tensor of {@code shape} made of {@code parts} (of one type) one after another. */
    void addStacked(String name, long[] shape, List<Tensor> parts) {
        List<Tensor> copy = List.copyOf(parts);
        pending.add(new Pending(name, parts.getFirst().type(), shape, () -> copy));
    }

    /**
     * A tensor of {@code type} and {@code shape} whose parts are computed only when it is written (gpt-oss's
     * transposed experts), so that no more than one such tensor is held in memory.
     */
    void addLazy(String name, GgmlType type, long[] shape, Supplier<List<Tensor>> parts) {
        pending.add(new Pending(name, type, shape, parts));
    }

    /** Adds every tensor to {@code writer}, quantized with {@code scheme} when present. */
    void addTo(GgufWriter writer, Optional<QuantScheme> scheme) {
        Map<String, GgmlType> written = scheme.map(s -> ModelQuantizer.plan(pending.stream()
                        .map(p -> new ModelQuantizer.TensorSpec(p.name(), p.type(), p.shape())).toList(), s).stream()
                .collect(Collectors.toMap(ModelQuantizer.TensorPlan::name, ModelQuantizer.TensorPlan::written)))
                .orElse(pending.stream().collect(Collectors.toMap(Pending::name, Pending::type)));
        for (Pending p : pending) {
            GgmlType type = written.get(p.name());
            GgufTensorData data = type == p.type() ? sink -> {
                for (Tensor part : p.parts().get()) {
                    sink.write(part.data());
                }
            } : sink -> ModelQuantizer.requantized(p.parts().get(), type).writeTo(sink);
            writer.addTensor(p.name(), type, p.shape(), data);
        }
        scheme.ifPresent(s -> ModelQuantizer.markQuantized(writer, s));
    }
}
