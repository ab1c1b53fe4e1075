package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.Tensor;
import java.util.ArrayList;
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
        ArchFeatures features = new ArchFeaturesReader(meta, arch).read(arch, dim, ffn, theta, layers, heads);
        return new ModelConfig(arch.ggufName(), dim, layers, heads, kvHeads, headDim, ffn, vocab, context, eps, theta,
                ropeDim, arch.ropeStyle(), arch.qkvBias(), features);
    }

    ModelWeights weights(ModelConfig c) {
        TensorShapes t = new TensorShapes(file);
        ArchTensors arch = new ArchTensors(t, c);
        Tensor embd = t.matrix("token_embd.weight", c.dim(), c.vocab());
        float[] outNorm = t.vector("output_norm.weight", c.dim());
        // llama.cpp's gemma2 never loads output.weight: its logits always use the embedding
        boolean tiedAlways = c.architecture().equals(Architecture.GEMMA2.ggufName());
        Tensor output = !tiedAlways && t.has("output.weight") ? t.matrix("output.weight", c.dim(), c.vocab()) : embd;
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String b = "blk." + i + ".";
            Optional<LayerWeights.QkvBias> bias = c.qkvBias()
                    ? Optional.of(new LayerWeights.QkvBias(t.vector(b + "attn_q.bias", c.qDim()),
                            t.vector(b + "attn_k.bias", c.kvDim()), t.vector(b + "attn_v.bias", c.kvDim())))
                    : Optional.empty();
            // read in block order, so a file missing several tensors is named by its first
            float[] attnNorm = t.vector(b + "attn_norm.weight", c.dim());
            Tensor[] qkv = arch.attention(b);
            Tensor wo = t.matrix(b + "attn_output.weight", c.qDim(), c.dim());
            float[] ffnNorm = arch.ffnNorm(b);
            Tensor[] ffn = c.features().moe().isPresent() ? new Tensor[3] : arch.denseFfn(b);
            layers.add(new LayerWeights(attnNorm, qkv[0], qkv[1], qkv[2], wo, bias, ffnNorm, ffn[0], ffn[1], ffn[2],
                    arch.extras(b)));
        }
        Optional<float[]> freqFactors = t.has("rope_freqs.weight")
                ? Optional.of(t.vector("rope_freqs.weight", c.ropeDim() / 2))
                : Optional.empty();
        return new ModelWeights(embd, outNorm, output, layers, freqFactors);
    }
}
