package dev.canopy.pipeline.planning;

import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.WindowedKv;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.prefixtree.ModelShape;

/**
 * The planner's view of a loaded model: its dimensions, the bytes each weight takes, and the bytes each KV element
 * takes in the engine's cache type (a 4-bit cache holds about seven times the tokens of an F32 one in the same
 * budget, and the plan's memory pressure must say so).
 */
public final class ModelShapes {

    private ModelShapes() {}

    /**
     * {@code model} as {@code config} runs it: its KV cache type and block size, and, when the engine gives its
     * sliding-window layers a pool of their own ({@link WindowedKv#applies}), those layers holding one window per
     * sequence.
     */
    public static ModelShape of(Model model, EngineConfig config) {
        ModelShape all = of(model, config.kvType(), config.blockSize());
        ModelConfig c = model.config();
        if (!WindowedKv.applies(model, config)) {
            return all;
        }
        int localLayers = c.features().localLayerCount(c.layers());
        int window = c.features().window().orElseThrow().size();
        return new ModelShape(all.layers(), all.hidden(), all.heads(), all.kvHeads(), all.headDim(), all.ffn(),
                all.vocab(), all.bytesPerWeight(), all.kvBytesPerElement(), localLayers, localLayers == 0 ? 0 : window);
    }

    /** {@code model} with a KV cache of {@code kvType} in blocks of {@code blockSize} tokens (scales included). */
    public static ModelShape of(Model model, KvCacheType kvType, int blockSize) {
        ModelConfig c = model.config();
        long params = 0;
        long bytes = 0;
        for (GgufTensorInfo t : model.file().tensorInfos().values()) {
            params += t.elementCount();
            bytes += t.byteSize();
        }
        double bytesPerWeight = params == 0 ? 4 : (double) bytes / params;
        // a mixture of experts costs a token its active experts only: their FFN widths side by side
        int activeFfn = c.features().moe().map(m -> m.used() * m.expertFfn()).orElse(c.ffn());
        return new ModelShape(c.layers(), c.dim(), c.heads(), c.kvHeads(), c.headDim(), activeFfn, c.vocab(),
                bytesPerWeight, kvBytesPerElement(c, kvType, blockSize));
    }

    /** Stored bytes per key or value element of a {@code kvType} cache: a block's bytes over its elements. */
    static double kvBytesPerElement(ModelConfig c, KvCacheType kvType, int blockSize) {
        double elements = 2.0 * c.layers() * c.kvDim() * blockSize; // keys and values
        return kvType.blockBytes(c, blockSize) / elements;
    }
}
