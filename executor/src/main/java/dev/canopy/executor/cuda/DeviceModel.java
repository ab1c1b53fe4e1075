package dev.canopy.executor.cuda;

import dev.canopy.executor.model.LayerWeights;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.model.ModelWeights;
import dev.canopy.executor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * All weights of a model in GPU memory, uploaded once: matrices in their file's quantization
 * ({@link DeviceWeight}), norms, biases and the RoPE frequencies as float vectors. A classifier tied to
 * the embedding is uploaded once.
 */
final class DeviceModel implements AutoCloseable {

    /** Q, K and V biases: (qDim), (kvDim), (kvDim). */
    record Bias(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v) {}

    /** One block's weights; see {@link LayerWeights} for the shapes. */
    record Layer(DeviceBuffer attnNorm, DeviceWeight wq, DeviceWeight wk, DeviceWeight wv, DeviceWeight wo,
                 Optional<Bias> bias, DeviceBuffer ffnNorm, DeviceWeight gate, DeviceWeight up, DeviceWeight down) {}

    private final List<AutoCloseable> owned = new ArrayList<>(); // closed in reverse order
    private final CudaContext context;
    final DeviceWeight embedding;   // (vocab, dim)
    final DeviceWeight output;      // (vocab, dim), maybe the embedding itself
    final DeviceBuffer outputNorm;  // (dim)
    final DeviceBuffer ropeFreqs;   // (ropeDim / 2)
    final List<Layer> layers;

    private DeviceModel(CudaContext context, ModelConfig c, ModelWeights w) {
        this.context = context;
        try {
            embedding = weight(w.tokenEmbedding());
            output = w.output() == w.tokenEmbedding() ? embedding : weight(w.output());
            outputNorm = vector("output_norm", w.outputNorm());
            ropeFreqs = vector("rope frequencies", ropeFrequencies(c, w.ropeFreqFactors().orElse(null)));
            List<Layer> ls = new ArrayList<>();
            for (int l = 0; l < c.layers(); l++) {
                LayerWeights lw = w.layers().get(l);
                String b = "blk." + l + ".";
                Optional<Bias> bias = lw.bias().isEmpty() ? Optional.empty()
                        : Optional.of(new Bias(vector(b + "attn_q.bias", lw.bias().get().q()),
                                vector(b + "attn_k.bias", lw.bias().get().k()), vector(b + "attn_v.bias", lw.bias().get().v())));
                ls.add(new Layer(vector(b + "attn_norm", lw.attnNorm()), weight(lw.wq()), weight(lw.wk()),
                        weight(lw.wv()), weight(lw.wo()), bias, vector(b + "ffn_norm", lw.ffnNorm()), weight(lw.gate()),
                        weight(lw.up()), weight(lw.down())));
            }
            layers = List.copyOf(ls);
            context.synchronize("finish uploading the weights");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Uploads every weight of {@code w} to the GPU of {@code context}. */
    static DeviceModel upload(CudaContext context, ModelConfig c, ModelWeights w) {
        return new DeviceModel(context, c, w);
    }

    /** Device bytes {@link #upload} will take for these weights. */
    static long deviceBytes(ModelConfig c, ModelWeights w) {
        long bytes = WeightLayout.of(w.tokenEmbedding()).bytes() + 4L * (c.dim() + c.ropeDim());
        if (w.output() != w.tokenEmbedding()) {
            bytes += WeightLayout.of(w.output()).bytes();
        }
        for (LayerWeights lw : w.layers()) {
            for (Tensor t : List.of(lw.wq(), lw.wk(), lw.wv(), lw.wo(), lw.gate(), lw.up(), lw.down())) {
                bytes += WeightLayout.of(t).bytes();
            }
            bytes += 4L * 2 * c.dim() + (lw.bias().isPresent() ? 4L * (c.qDim() + 2 * c.kvDim()) : 0);
        }
        return bytes;
    }

    /**
     * RoPE frequencies {@code theta^(-2i/ropeDim) / factor_i}, computed exactly as the CPU's {@code Rope} does.
     *
     * @return (ropeDim / 2)
     */
    static float[] ropeFrequencies(ModelConfig c, float[] factors) {
        float[] freqs = new float[c.ropeDim() / 2];
        for (int i = 0; i < freqs.length; i++) {
            float f = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.ropeDim()));
            freqs[i] = factors == null ? f : f / factors[i];
        }
        return freqs;
    }

    private DeviceWeight weight(Tensor t) {
        DeviceWeight dw = DeviceWeight.upload(context, t);
        owned.add(dw);
        return dw;
    }

    private DeviceBuffer vector(String name, float[] values) {
        DeviceBuffer b = context.allocate(4L * values.length, name);
        owned.add(b);
        b.upload(0, values);
        return b;
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                throw new CudaException("Cannot free the model's GPU memory: " + e.getMessage(), 0);
            }
        }
        owned.clear();
    }
}
