package dev.canopy.executor.cuda;

import dev.canopy.executor.model.ArchFeatures;
import dev.canopy.executor.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Which architecture pieces the CUDA backend has kernels for. Its forward pass is the plain Llama
 * block (with qwen2's Q/K/V biases); a model that needs anything of {@link ArchFeatures} runs on the CPU.
 */
public final class CudaArchSupport {

    private CudaArchSupport() {}

    /** The pieces {@code config} needs that the CUDA backend has no kernels for; empty when it can run it. */
    public static List<String> missingKernels(ModelConfig config) {
        ArchFeatures f = config.features();
        List<String> missing = new ArrayList<>();
        if (f.qkNorm()) {
            missing.add("per-head Q/K RMSNorm");
        }
        if (f.moe().isPresent()) {
            missing.add("mixture of experts");
        }
        if (f.window().isPresent()) {
            missing.add("sliding-window attention");
        }
        if (f.attnSoftcap().isPresent() || f.finalSoftcap().isPresent()) {
            missing.add("logit soft-capping");
        }
        if (f.embedScale() != 1f) {
            missing.add("embedding scaling");
        }
        if (f.postNorms()) {
            missing.add("post-attention/post-FFN norms");
        }
        if (f.activation() != ArchFeatures.NONE.activation()) {
            missing.add(f.activation().name().toLowerCase(java.util.Locale.ROOT) + " FFN activation");
        }
        if (f.attnSinks()) {
            missing.add("attention sinks");
        }
        if (f.attnOutputBias()) {
            missing.add("attention output bias");
        }
        return missing;
    }

    /**
     * Why {@code --backend auto} runs {@code config} on the CPU whatever GPU there is, when the CUDA backend lacks a
     * kernel it needs.
     */
    public static java.util.Optional<String> autoFallbackReason(String label, ModelConfig config) {
        List<String> missing = missingKernels(config);
        return missing.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of("backend auto: running " + label + " on the CPU: the CUDA backend has no kernels "
                        + "for " + String.join(", ", missing) + " (architecture " + config.architecture() + ")");
    }

    /**
     * Throws when the CUDA backend cannot run {@code config}, naming the architecture and what is missing.
     *
     * @param label the model file, for the message
     * @throws IllegalArgumentException naming the missing kernels
     */
    public static void require(String label, ModelConfig config) {
        List<String> missing = missingKernels(config);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Cannot run " + label + " (architecture " + config.architecture()
                    + ") on the CUDA backend: it has no kernels for " + String.join(", ", missing)
                    + "; use --backend cpu (or auto, which picks the CPU for it)");
        }
    }
}
