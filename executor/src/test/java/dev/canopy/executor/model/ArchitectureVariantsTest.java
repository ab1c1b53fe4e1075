package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward pass agrees with a plain reference implementation for the architecture variants the
 * real test model does not exercise: qwen2 (Q/K/V biases, NeoX rope, a rope base from the file, tied
 * output) and Llama 3 rope scaling through {@code rope_freqs}. The variants are made from
 * stories260K's real weights, rewritten with the extra tensors and keys.
 */
class ArchitectureVariantsTest {

    @TempDir
    Path dir;

    @Test
    void qwen2WithBiasesNeoxRopeAndTiedOutputMatchesTheReference() {
        Path file = variant("qwen2", true, false);
        try (Model model = Model.load(file)) {
            assertThat(model.config().ropeStyle()).isEqualTo(RopeStyle.NEOX);
            assertThat(model.config().ropeTheta()).isEqualTo(500000f);
            assertThat(model.weights().output()).isSameAs(model.weights().tokenEmbedding());
            assertMatchesReference(model);
        }
    }

    @Test
    void llamaWithRopeFrequencyFactorsMatchesTheReference() {
        Path file = variant("llama", false, true);
        try (Model model = Model.load(file)) {
            assertThat(model.weights().ropeFreqFactors()).isPresent();
            assertMatchesReference(model);
        }
    }

    private static void assertMatchesReference(Model model) {
        ReferenceCheck.assertMatchesReference(model, new int[] {1, 403, 407, 261, 378, 432, 383, 286}, 1e-4f);
    }

    /** stories260K rewritten as {@code arch}, optionally with Q/K/V biases and rope frequency factors. */
    private Path variant(String arch, boolean biases, boolean ropeFreqs) {
        Path out = dir.resolve(arch + ".gguf");
        Random rnd = new Random(3);
        try (GgufFile src = GgufFile.open(TestModels.stories260kF32())) {
            GgufWriter w = new GgufWriter(out);
            for (Map.Entry<String, GgufMetadata.Entry> e : src.metadata().entries().entrySet()) {
                String key = e.getKey().startsWith("llama.") ? arch + e.getKey().substring(5) : e.getKey();
                Object value = key.equals("general.architecture") ? arch : e.getValue().value();
                w.put(key, e.getValue().type(), value);
            }
            if (arch.equals("qwen2")) {
                w.put("qwen2.rope.freq_base", GgufValueType.FLOAT32, 500000f);
            }
            for (String name : src.tensorInfos().keySet()) {
                if (arch.equals("qwen2") && name.equals("output.weight")) {
                    continue; // tied
                }
                w.addTensor(src.tensor(name));
            }
            if (biases) {
                for (int l = 0; l < 5; l++) {
                    addRandom(w, "blk." + l + ".attn_q.bias", 64, rnd);
                    addRandom(w, "blk." + l + ".attn_k.bias", 32, rnd);
                    addRandom(w, "blk." + l + ".attn_v.bias", 32, rnd);
                }
            }
            if (ropeFreqs) {
                float[] f = {1f, 1.5f, 4f, 8f};
                w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {4}, Quantizer.quantize(GgmlType.F32, f));
            }
            w.write();
        }
        return out;
    }

    private static void addRandom(GgufWriter w, String name, int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.2);
        }
        w.addTensor(name, GgmlType.F32, new long[] {n}, Quantizer.quantize(GgmlType.F32, v));
    }
}
