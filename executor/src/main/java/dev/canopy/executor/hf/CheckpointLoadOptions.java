package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.model.QuantScheme;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@code --model} that is a Hugging Face checkpoint directory becomes the GGUF the engine maps:
 * converted once into {@code cacheDir} ({@link HfCheckpointCache}), its F32/F16/BF16 weights
 * quantized on the way when {@code quantize} is set (as {@code canopy quantize} does: Q8_0, Q4_0,
 * Q4_K, Q6_K, Q4_K_M), each scheme cached apart. A GGUF file is used as it is.
 *
 * @param quantize the scheme checkpoint weights are quantized to while converting; empty: kept as stored
 * @param cacheDir where converted checkpoints are kept
 */
public record CheckpointLoadOptions(Optional<QuantScheme> quantize, Path cacheDir) {

    public CheckpointLoadOptions {
        Objects.requireNonNull(quantize, "quantize");
        Objects.requireNonNull(cacheDir, "cacheDir");
    }

    /** No quantization, the default cache ({@code $CANOPY_HF_CACHE}, else {@code <tmpdir>/canopy-hf}). */
    public static CheckpointLoadOptions defaults() {
        return new CheckpointLoadOptions(Optional.empty(), HfCheckpointCache.defaultCacheDir());
    }

    public CheckpointLoadOptions withQuantize(QuantScheme scheme) {
        return new CheckpointLoadOptions(Optional.of(scheme), cacheDir);
    }

    public CheckpointLoadOptions withCacheDir(Path dir) {
        return new CheckpointLoadOptions(quantize, dir);
    }

    /**
     * The GGUF file to map for {@code model}: a checkpoint directory's converted (and quantized) GGUF, converting
     * it first when the cache has none; a GGUF file itself.
     *
     * @throws ModelFormatException when quantizing is asked of a GGUF file (naming it and what to do instead),
     *                              or the checkpoint is malformed
     */
    public Path gguf(Path model) {
        if (HfCheckpoint.isCheckpoint(model)) {
            return HfCheckpointCache.gguf(model, cacheDir, quantize);
        }
        if (quantize.isPresent()) {
            throw new ModelFormatException(model, "cannot quantize it to " + quantize.get() + " at load: quantizing at"
                    + " load applies to Hugging Face checkpoint directories; write a quantized GGUF once with"
                    + " `canopy quantize --input " + model + " --output OUT.gguf --type " + quantize.get() + "`");
        }
        return model;
    }
}
