package dev.canopy.pipeline.engine;

import dev.canopy.executor.backend.BackendKind;
import java.util.OptionalInt;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.executor.cuda.CudaBackend;
import dev.canopy.executor.cuda.CudaException;
import dev.canopy.executor.cuda.CudaOptions;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.model.Model;

/**
 * Opens the engine on an executor: on the GPU Spark assigned to the task when there is one (unless the backend
 * is CPU), else as {@link Engine#open} does (AUTO: GPU 0 when usable, else the CPU).
 */
final class EngineOpener {

    private static final Logger LOG = LoggerFactory.getLogger(EngineOpener.class);

    private EngineOpener() {}

    /**
     * The engine for {@code config}, on {@code gpu} when given and the backend allows a GPU (a quantized KV cache runs
     * on the CPU only), doing the arithmetic {@link EngineConfig#gpu()} asks for.
     */
    static Engine open(EngineConfig config, OptionalInt gpu) {
        if (gpu.isEmpty() || config.backend() == BackendKind.CPU || config.kvType() != KvCacheType.F32) {
            return Engine.open(config);
        }
        try {
            return openOnGpu(config, gpu.getAsInt());
        } catch (CudaException | IllegalArgumentException e) {
            if (config.backend() == BackendKind.CUDA) {
                throw e;
            }
            LOG.warn("Cannot run {} on the task's GPU {} ({}); running on the CPU", config.model().getFileName(),
                    gpu.getAsInt(), e.getMessage());
            return Engine.open(config.withBackend(BackendKind.CPU));
        }
    }

    private static Engine openOnGpu(EngineConfig config, int ordinal) {
        Model model = Model.load(config.model());
        try {
            int blocks = KvStorage.blocksForBudget(model.config(), KvCacheType.F32, config.kvBudgetBytes(),
                    config.blockSize());
            CudaOptions options = config.gpu().options(ordinal, blocks, config.blockSize());
            LOG.info("Loading {} on GPU {} ({})", config.model().getFileName(), ordinal, config.gpu());
            return new Engine(config, model, new CudaBackend(model, options));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }
}
