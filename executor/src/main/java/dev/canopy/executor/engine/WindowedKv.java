package dev.canopy.executor.engine;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelConfig;

/**
 * When and how an engine gives a sliding-window model's local layers a KV pool of their own (see
 * {@code docs/architectures.md}, "Sliding-window KV release"): on the CPU, with an F32 cache and no offload (a block
 * id names different tokens in the two pools, which the swap tiers do not know). The budget that would pay for
 * {@code n} blocks of every layer pays instead for {@code ceil(n / 2)} blocks of the local layers and, with the rest,
 * for as many blocks of the global layers as fit: a mostly-local model holds several times the tokens.
 */
public final class WindowedKv {

    private WindowedKv() {}

    /** Whether {@code config} runs {@code model} with a separate local pool (the planner's KV cost follows it). */
    public static boolean applies(Model model, EngineConfig config) {
        return model.config().features().window().isPresent() && config.kvType() == KvCacheType.F32
                && !config.offload().enabled() && config.backend() != BackendKind.CUDA;
    }

    /** A CPU backend whose budget of {@code unfreedBlocks} blocks of every layer is split between the two pools. */
    static CpuBackend open(Model model, EngineConfig config, int unfreedBlocks) {
        ModelConfig c = model.config();
        int localLayers = c.features().localLayerCount(c.layers());
        int globalLayers = c.layers() - localLayers;
        long layerBlocks = (long) unfreedBlocks * c.layers(); // what the budget pays for, in (layer, block) units
        int localBlocks = Math.max(1, (unfreedBlocks + 1) / 2);
        long maxByArray = KvStorage.MAX_ELEMENTS_PER_LAYER / ((long) config.blockSize() * c.kvDim());
        long global = globalLayers == 0 ? unfreedBlocks
                : (layerBlocks - (long) localBlocks * localLayers) / globalLayers;
        int globalBlocks = (int) Math.max(1, Math.min(Math.min(global, maxByArray), Integer.MAX_VALUE / 2));
        return CpuBackend.windowed(model, config.threads(), config.kernels(), globalBlocks, localBlocks,
                config.blockSize());
    }
}
