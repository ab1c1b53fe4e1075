package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import dev.canopy.executor.tokenizer.HfTokenizer;
import dev.canopy.executor.tokenizer.HfTokenizerLoader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a Hugging Face checkpoint directory as one GGUF file (what {@code canopy convert} does):
 * config.json as {@code <arch>.*} keys, tokenizer.json as {@code tokenizer.ggml.*} keys, the chat
 * template, and every tensor under its GGUF name in its own dtype (F32, F16, BF16), copied straight
 * from the mapped shards; Q and K of llama-style models get llama.cpp's row permutation, gpt-oss's stacked
 * experts are split and transposed ({@link HfGptOssExperts}) or repacked from MXFP4 ({@link HfGptOssMxfp4}). With a
 * {@link QuantScheme} the weights are quantized as {@code canopy quantize} does, while they are written.
 */
public final class HfToGguf {

    private HfToGguf() {}

    /**
     * Converts {@code dir} to {@code output} (replacing it), quantized with {@code scheme} when given: in one pass,
     * each weight matrix decoded and encoded row by row as the file is written ({@link ConvertedTensors}).
     */
    public static void convert(Path dir, Path output, Optional<QuantScheme> scheme) {
        try (HfCheckpoint checkpoint = HfCheckpoint.open(dir)) {
            GgufWriter writer = new GgufWriter(output);
            HfModelConfig config = checkpoint.config();
            config.ggufKeys().forEach((key, typed) -> writer.put(key, (GgufValueType) typed[0], typed[1]));
            writer.putString("general.name", dir.getFileName().toString());
            HfTokenizer tokenizer = HfTokenizerLoader.load(checkpoint.tokenizerJson(), checkpoint.file("tokenizer_config.json"));
            HfTokenizerGguf.write(checkpoint.tokenizerJson(), HfTokenizerLoader.readJson(checkpoint.tokenizerJson()), tokenizer,
                    checkpoint.generationEosIds(), writer);
            chatTemplate(checkpoint).ifPresent(t -> writer.putString("tokenizer.chat_template", t));
            ConvertedTensors tensors = new ConvertedTensors();
            HfExpertStack experts = new HfExpertStack(config.experts());
            HfGptOssMxfp4 mxfp4 = new HfGptOssMxfp4();
            for (Map.Entry<String, SafetensorsFile> e : checkpoint.tensorFiles().entrySet()) {
                SafetensorsFile file = e.getValue();
                if (!mxfp4.offer(e.getKey(), file) && !HfGptOssExperts.offer(e.getKey(), file, tensors)
                        && !experts.offer(e.getKey(), file.tensor(e.getKey()), file.path())) {
                    addTensor(tensors, config, e.getKey(), file);
                }
            }
            experts.addTo(tensors);
            mxfp4.addTo(tensors);
            config.ropeFactors().ifPresent(f -> tensors.add("rope_freqs.weight", floats("rope_freqs.weight", f,
                    new long[] {f.length})));
            tensors.addTo(writer, scheme);
            writer.write();
        }
    }

    private static void addTensor(ConvertedTensors tensors, HfModelConfig config, String hfName, SafetensorsFile file) {
        if (hfName.endsWith(".rotary_emb.inv_freq")) {
            return; // recomputed from rope_theta
        }
        boolean gemma = config.ggufArch().startsWith("gemma");
        boolean postAttentionNorm = gemma || config.ggufArch().equals("gpt-oss");
        String name = HfTensorNames.ggufName(hfName, postAttentionNorm).orElseThrow(() -> new ModelFormatException(
                file.path(), "tensor " + hfName + ": no GGUF name is known for it (model_type " + config.modelType() + ")"));
        Tensor t = file.tensor(hfName);
        if (config.permutesQk() && name.endsWith(".attn_q.weight")) {
            t = new Tensor(name, t.type(), t.shape(), QkPermutation.toGguf(t, config.heads()));
        } else if (config.permutesQk() && name.endsWith(".attn_k.weight")) {
            t = new Tensor(name, t.type(), t.shape(), QkPermutation.toGguf(t, config.kvHeads()));
        } else if (gemma && name.endsWith("norm.weight")) {
            t = gemmaNorm(name, t);
        }
        tensors.add(name, t);
    }

    /**
     * Gemma's RMSNorm multiplies by {@code 1 + w}; GGUF stores {@code 1 + w} (llama.cpp's converter adds
     * the 1), as F32 whatever the checkpoint's dtype.
     */
    private static Tensor gemmaNorm(String name, Tensor t) {
        float[] w = Dequant.toFloats(t);
        for (int i = 0; i < w.length; i++) {
            w[i] += 1f;
        }
        return floats(name, w, t.shape());
    }

    private static Tensor floats(String name, float[] values, long[] shape) {
        MemorySegment bytes = MemorySegment.ofArray(new byte[values.length * Float.BYTES]);
        MemorySegment.copy(values, 0, bytes, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0,
                values.length);
        return new Tensor(name, GgmlType.F32, shape, bytes);
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
