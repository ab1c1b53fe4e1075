package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@link ModelConfig} and {@link ModelWeights} from an open GGUF file, checking every
 * tensor's presence and shape against the metadata.
 */
final class ModelLoader {

    private final GgufFile file;
    private final GgufMetadata meta;

    ModelLoader(GgufFile file) {
        this.file = file;
        this.meta = file.metadata();
    }

    ModelConfig config() {
        String archName = meta.getString("general.architecture");
        Architecture arch = Architecture.fromGgufName(archName).orElseThrow(() -> new ModelFormatException(file.path(),
                "unsupported architecture '" + archName + "'; supported: " + Architecture.supportedNames()));
        String p = arch.ggufName() + ".";
        int dim = meta.getInt(p + "embedding_length", 1);
        int layers = meta.getInt(p + "block_count", 1);
        int heads = meta.getInt(p + "attention.head_count", 1);
        int kvHeads = meta.has(p + "attention.head_count_kv") ? meta.getInt(p + "attention.head_count_kv", 1) : heads;
        int headDim = meta.has(p + "attention.key_length") ? meta.getInt(p + "attention.key_length", 1) : dim / heads;
        if (!meta.has(p + "attention.key_length") && dim % heads != 0) {
            throw new ModelFormatException(file.path(), "key " + p + "embedding_length (" + dim
                    + ") is not a multiple of " + p + "attention.head_count (" + heads + ")");
        }
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(file.path(), "key " + p + "attention.head_count (" + heads
                    + ") is not a multiple of " + p + "attention.head_count_kv (" + kvHeads + ")");
        }
        int ffn = meta.getInt(p + "feed_forward_length", 1);
        int context = meta.getInt(p + "context_length", 1);
        float eps = (float) meta.getDoubleOpt(p + "attention.layer_norm_rms_epsilon").orElse(1e-5);
        float theta = (float) meta.getDoubleOpt(p + "rope.freq_base").orElse(10000.0);
        int ropeDim = meta.has(p + "rope.dimension_count") ? meta.getInt(p + "rope.dimension_count", 2) : headDim;
        if (ropeDim > headDim || ropeDim % 2 != 0) {
            throw new ModelFormatException(file.path(), "key " + p + "rope.dimension_count: expected an even number"
                    + " up to the head size " + headDim + ", found " + ropeDim);
        }
        if (!(eps > 0) || !(theta > 0)) {
            throw new ModelFormatException(file.path(), "rms epsilon and rope freq_base must be positive, found "
                    + eps + " and " + theta);
        }
        Tensor embd = file.tensor("token_embd.weight");
        int vocab = Math.toIntExact(embd.dim(1));
        return new ModelConfig(arch.ggufName(), dim, layers, heads, kvHeads, headDim, ffn, vocab, context, eps, theta,
                ropeDim, arch.ropeStyle(), arch.qkvBias());
    }

    ModelWeights weights(ModelConfig c) {
        Tensor embd = matrix("token_embd.weight", c.dim(), c.vocab());
        float[] outNorm = vector("output_norm.weight", c.dim());
        Tensor output = file.hasTensor("output.weight") ? matrix("output.weight", c.dim(), c.vocab()) : embd;
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            Optional<LayerWeights.QkvBias> bias = c.qkvBias()
                    ? Optional.of(new LayerWeights.QkvBias(vector(b + "attn_q.bias", c.qDim()),
                            vector(b + "attn_k.bias", c.kvDim()), vector(b + "attn_v.bias", c.kvDim())))
                    : Optional.empty();
            layers.add(new LayerWeights(
                    vector(b + "attn_norm.weight", c.dim()),
                    matrix(b + "attn_q.weight", c.dim(), c.qDim()),
                    matrix(b + "attn_k.weight", c.dim(), c.kvDim()),
                    matrix(b + "attn_v.weight", c.dim(), c.kvDim()),
                    matrix(b + "attn_output.weight", c.qDim(), c.dim()),
                    bias,
                    vector(b + "ffn_norm.weight", c.dim()),
                    matrix(b + "ffn_gate.weight", c.dim(), c.ffn()),
                    matrix(b + "ffn_up.weight", c.dim(), c.ffn()),
                    matrix(b + "ffn_down.weight", c.ffn(), c.dim())));
        }
        Optional<float[]> freqFactors = file.hasTensor("rope_freqs.weight")
                ? Optional.of(vector("rope_freqs.weight", c.ropeDim() / 2))
                : Optional.empty();
        return new ModelWeights(embd, outNorm, output, layers, freqFactors);
    }

    /** A 2-D tensor of {@code cols} (inner) × {@code rows}, as the metadata implies. */
    private Tensor matrix(String name, int cols, int rows) {
        Tensor t = file.tensor(name);
        long[] expected = {cols, rows};
        if (!Arrays.equals(t.shape(), expected)) {
            throw new ModelFormatException(file.path(), "tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", but the metadata implies " + Arrays.toString(expected));
        }
        return t;
    }

    /** A 1-D tensor of {@code n} elements, converted to floats. */
    private float[] vector(String name, int n) {
        Tensor t = file.tensor(name);
        if (t.rank() != 1 || t.dim(0) != n) {
            throw new ModelFormatException(file.path(), "tensor " + name + " has shape " + Arrays.toString(t.shape())
                    + ", but the metadata implies [" + n + "]");
        }
        return Dequant.toFloats(t);
    }
}
