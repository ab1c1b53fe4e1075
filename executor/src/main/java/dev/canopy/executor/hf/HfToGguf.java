package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import dev.canopy.executor.tokenizer.HfTokenizer;
import dev.canopy.executor.tokenizer.HfTokenizerLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a Hugging Face checkpoint directory as one GGUF file (what {@code canopy convert} does):
 * config.json as {@code <arch>.*} keys, tokenizer.json as {@code tokenizer.ggml.*} keys, the chat
 * template, and every tensor under its GGUF name in its own dtype (F32, F16, BF16), copied straight
 * from the mapped shards; Q and K of llama-style models get llama.cpp's row permutation. With a
 * {@link QuantScheme} the weights are then quantized as {@code canopy quantize} does.
 */
public final class HfToGguf {

    private HfToGguf() {}

    /** Converts {@code dir} to {@code output} (replacing it), quantized with {@code scheme} when given. */
    public static void convert(Path dir, Path output, Optional<QuantScheme> scheme) {
        if (scheme.isEmpty()) {
            write(dir, output);
            return;
        }
        Path unquantized = output.resolveSibling(output.getFileName() + ".unquantized.tmp");
        try {
            write(dir, unquantized);
            ModelQuantizer.quantize(unquantized, output, scheme.get());
        } finally {
            try {
                Files.deleteIfExists(unquantized);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove " + unquantized + ": " + e.getMessage(), e);
            }
        }
    }

    private static void write(Path dir, Path output) {
        try (HfCheckpoint checkpoint = HfCheckpoint.open(dir)) {
            GgufWriter writer = new GgufWriter(output);
            HfModelConfig config = checkpoint.config();
            config.ggufKeys().forEach((key, typed) -> writer.put(key, (GgufValueType) typed[0], typed[1]));
            writer.putString("general.name", dir.getFileName().toString());
            HfTokenizer tokenizer = HfTokenizerLoader.load(checkpoint.tokenizerJson(), checkpoint.file("tokenizer_config.json"));
            HfTokenizerGguf.write(checkpoint.tokenizerJson(), HfTokenizerLoader.readJson(checkpoint.tokenizerJson()), tokenizer,
                    checkpoint.generationEosIds(), writer);
            chatTemplate(checkpoint).ifPresent(t -> writer.putString("tokenizer.chat_template", t));
            HfExpertStack experts = new HfExpertStack(config.experts());
            for (Map.Entry<String, SafetensorsFile> e : checkpoint.tensorFiles().entrySet()) {
                SafetensorsFile file = e.getValue();
                if (!experts.offer(e.getKey(), file.tensor(e.getKey()), file.path())) {
                    addTensor(writer, config, e.getKey(), file);
                }
            }
            experts.addTo(writer);
            config.ropeFactors().ifPresent(f -> writer.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {f.length},
                    GgufTensorData.of(floatBytes(f))));
            writer.write();
        }
    }

    private static void addTensor(GgufWriter writer, HfModelConfig config, String hfName, SafetensorsFile file) {
        if (hfName.endsWith(".rotary_emb.inv_freq")) {
            return; // recomputed from rope_theta
        }
        boolean gemma = config.ggufArch().startsWith("gemma");
        String name = HfTensorNames.ggufName(hfName, gemma).orElseThrow(() -> new ModelFormatException(file.path(),
                "tensor " + hfName + ": no GGUF name is known for it (model_type " + config.modelType() + ")"));
        Tensor t = file.tensor(hfName);
        MemorySegment data = t.data();
        if (config.permutesQk() && name.endsWith(".attn_q.weight")) {
            data = QkPermutation.toGguf(t, config.heads());
        } else if (config.permutesQk() && name.endsWith(".attn_k.weight")) {
            data = QkPermutation.toGguf(t, config.kvHeads());
        }
        if (gemma && name.endsWith("norm.weight")) {
            addGemmaNorm(writer, name, t);
            return;
        }
        writer.addTensor(name, t.type(), t.shape(), GgufTensorData.of(data));
    }

    /**
     * Gemma's RMSNorm multiplies by {@code 1 + w}; GGUF stores {@code 1 + w} (llama.cpp's converter adds
     * the 1), as F32 whatever the checkpoint's dtype.
     */
    private static void addGemmaNorm(GgufWriter writer, String name, Tensor t) {
        float[] w = Dequant.toFloats(t);
        for (int i = 0; i < w.length; i++) {
            w[i] += 1f;
        }
        writer.addTensor(name, GgmlType.F32, t.shape(), GgufTensorData.of(floatBytes(w)));
    }

    private static byte[] floatBytes(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    private static Optional<String> chatTemplate(HfCheckpoint checkpoint) {
        Optional<Path> jinja = checkpoint.file("chat_template.jinja");
        if (jinja.isPresent()) {
            try {
                return Optional.of(Files.readString(jinja.get()));
            } catch (IOException e) {
                throw new ModelFormatException(jinja.get(), "cannot read the chat template: " + e.getMessage(), e);
            }
        }
        return checkpoint.file("tokenizer_config.json").map(HfTokenizerLoader::readJson)
                .map(c -> c.path("chat_template")).filter(t -> t.isTextual()).map(t -> t.textValue());
    }
}
