package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufTensorSink;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a quantized copy of a GGUF model: the metadata as it is (with {@code general.file_type}
 * set to the scheme's), the weight matrices (tensors named {@code *.weight} with two or more
 * dimensions) in the types a {@link QuantScheme} picks, and every other tensor (norms, biases) as it
 * was. Matrices are decoded and encoded one row at a time while the file is written, so any model
 * size needs only a row's worth of heap. The output is standard GGUF that llama.cpp reads.
 */
public final class ModelQuantizer {

    /**
     * What happens to one tensor.
     *
     * @param name tensor name
     * @param source its type in the input file
     * @param wanted the type the scheme asks for (the source type for tensors that are copied)
     * @param written the type written: {@code wanted}, or a wider type when its blocks do not divide a row
     * @param cols elements per row
     */
    public record TensorPlan(String name, GgmlType source, GgmlType wanted, GgmlType written, long cols) {

        /** Whether the tensor could not take the type the scheme wanted. */
        public boolean fellBack() {
            return written != wanted;
        }
    }

    /**
     * The result of {@link #quantize}.
     *
     * @param tensors every tensor of the output, in file order
     * @param inputTensorBytes bytes of tensor data in the input
     * @param outputTensorBytes bytes of tensor data in the output
     */
    public record Report(List<TensorPlan> tensors, long inputTensorBytes, long outputTensorBytes) {

        public Report {
            tensors = List.copyOf(tensors);
        }

        /** The tensors written in a wider type than the scheme wanted. */
        public List<TensorPlan> fallbacks() {
            return tensors.stream().filter(TensorPlan::fellBack).toList();
        }
    }

    private ModelQuantizer() {}

    /**
     * The type each tensor of {@code file} takes under {@code scheme}, in file order.
     */
    public static List<TensorPlan> plan(GgufFile file, QuantScheme scheme) {
        return plan(file.tensorInfos().values().stream().map(i -> new TensorSpec(i.name(), i.type(), i.shape())).toList(),
                scheme);
    }

    /** A tensor about to be written: name, type, shape (innermost first). */
    public record TensorSpec(String name, GgmlType type, long[] shape) {}

    /** The type each of {@code tensors} (a whole model's, in file order) takes under {@code scheme}. */
    public static List<TensorPlan> plan(List<TensorSpec> tensors, QuantScheme scheme) {
        boolean hasOutput = tensors.stream().anyMatch(t -> t.name().equals("output.weight"));
        Map<String, Integer> kindCounts = new HashMap<>();
        tensors.forEach(t -> kindCounts.merge(kind(t.name()), 1, Integer::sum));
        Map<String, Integer> kindSeen = new HashMap<>();
        List<TensorPlan> plans = new ArrayList<>();
        for (TensorSpec info : tensors) {
            String name = info.name();
            long cols = info.shape()[0];
            if (!name.endsWith(".weight") || info.shape().length < 2) {
                plans.add(new TensorPlan(name, info.type(), info.type(), info.type(), cols));
                continue;
            }
            boolean isOutput = name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"));
            String kind = kind(name);
            int index = kindSeen.merge(kind, 1, Integer::sum) - 1;
            GgmlType wanted = scheme.wantedType(name, isOutput, index, kindCounts.get(kind));
            plans.add(new TensorPlan(name, info.type(), wanted, QuantScheme.fitting(wanted, cols), cols));
        }
        return plans;
    }

    /**
     * The rows of {@code parts}, one after another, decoded and encoded as {@code type} while the file is written
     * (a stacked tensor's parts are its slices, e.g. one per expert).
     */
    public static GgufTensorData requantized(List<Tensor> parts, GgmlType type) {
        return sink -> {
            for (Tensor part : parts) {
                new Requantized(part, type).writeTo(sink);
            }
        };
    }

    /** Records {@code scheme} in the file's metadata as llama.cpp does ({@code general.file_type}, quantization version). */
    public static void markQuantized(GgufWriter writer, QuantScheme scheme) {
        writer.putUint32("general.file_type", scheme.fileType());
        writer.put("general.quantization_version", GgufValueType.UINT32, 2);
    }

    /**
     * Writes {@code input} quantized with {@code scheme} to {@code output} (replacing it).
     *
     * @throws dev.canopy.executor.gguf.ModelFormatException if the input cannot be read or has a tensor
     *     of a type Canopy cannot decode
     * @throws java.io.UncheckedIOException if the output cannot be written
     */
    public static Report quantize(Path input, Path output, QuantScheme scheme) {
        try (GgufFile file = GgufFile.open(input)) {
            List<TensorPlan> plans = plan(file, scheme);
            GgufWriter writer = new GgufWriter(output);
            copyMetadata(file.metadata(), writer, scheme);
            long inBytes = 0;
            long outBytes = 0;
            for (TensorPlan p : plans) {
                Tensor t = file.tensor(p.name());
                inBytes += t.data().byteSize();
                if (p.written() == p.source()) {
                    writer.addTensor(t);
                    outBytes += t.data().byteSize();
                } else {
                    writer.addTensor(p.name(), p.written(), t.shape(), new Requantized(t, p.written()));
                    outBytes += p.written().byteSize(t.elementCount());
                }
            }
            writer.write();
            return new Report(plans, inBytes, outBytes);
        }
    }

    private static void copyMetadata(GgufMetadata source, GgufWriter writer, QuantScheme scheme) {
        source.entries().forEach((key, entry) -> {
            if (key.equals("general.file_type")) {
                writer.putUint32(key, scheme.fileType());
            } else {
                writer.put(key, entry.type(), entry.value());
            }
        });
        if (!source.has("general.file_type")) {
            writer.putUint32("general.file_type", scheme.fileType());
        }
        if (!source.has("general.quantization_version")) {
            writer.put("general.quantization_version", GgufValueType.UINT32, 2);
        }
    }

    /** The tensor's name without its layer: {@code blk.3.ffn_down.weight} → {@code ffn_down.weight}. */
    private static String kind(String name) {
        return name.startsWith("blk.") ? name.substring(name.indexOf('.', 4) + 1) : name;
    }

    /** A tensor's rows decoded to floats and encoded as {@code type}, one row at a time. */
    private record Requantized(Tensor source, GgmlType type) implements GgufTensorData {

        @Override
        public void writeTo(GgufTensorSink sink) throws IOException {
            int cols = source.cols();
            float[] row = new float[cols]; // (cols)
            byte[] encoded = new byte[Math.toIntExact(type.byteSize(cols))]; // (type.byteSize(cols))
            MemorySegment encodedSegment = MemorySegment.ofArray(encoded);
            for (int r = 0; r < source.rows(); r++) {
                Dequant.row(source, r, row, 0);
                Quantizer.quantize(type, row, 0, cols, encodedSegment, 0);
                sink.write(encoded);
            }
        }
    }
}
