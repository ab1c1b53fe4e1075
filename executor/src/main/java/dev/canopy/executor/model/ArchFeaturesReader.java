package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.ModelFormatException;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads an architecture's {@link ArchFeatures} from its GGUF keys, with the defaults llama.cpp
 * ({@code src/llama-model.cpp}, {@code load_hparams}) applies when a key is absent.
 */
final class ArchFeaturesReader {

    /** llama.cpp's default window when a gemma2 file has no sliding_window key. */
    private static final int GEMMA2_DEFAULT_WINDOW = 4096;
    /** gemma3's local-layer RoPE base; llama.cpp sets it when the file has no rope.freq_base_swa. */
    private static final double GEMMA3_LOCAL_ROPE_BASE = 10000.0;

    private final GgufMetadata meta;
    private final String p;

    ArchFeaturesReader(GgufMetadata meta, Architecture arch) {
        this.meta = meta;
        this.p = arch.ggufName() + ".";
    }

    /**
     * @param arch       the file's architecture
     * @param dim        the model width (for Gemma's embedding scale)
     * @param ffn        {@code feed_forward_length} (Mixtral's expert width)
     * @param ropeTheta  the global RoPE base
     * @param layers     blocks (llama.cpp tells Gemma 27B apart by its 46 / 62 layers)
     * @param heads      query heads
     */
    ArchFeatures read(Architecture arch, int dim, int ffn, float ropeTheta, int layers, int heads) {
        if (arch != Architecture.LLAMA && arch != Architecture.QWEN2) {
            refuseRopeScaling();
        }
        ArchFeatures none = ArchFeatures.NONE;
        float gemmaScale = (float) Math.sqrt(dim);
        return switch (arch) {
            case LLAMA -> moe(ffn, ExpertGating.SOFTMAX_TOP_K_NORMALIZED).map(m -> with(none, m)).orElse(none);
            case QWEN2, PHI3 -> none; // llama.cpp disables Phi-3's sliding window, so it is read as full attention
            case QWEN3 -> new ArchFeatures(true, Optional.empty(), Optional.empty(), OptionalDouble.empty(),
                    OptionalDouble.empty(), 1f, false, FfnActivation.SILU, false, false, OptionalDouble.empty());
            case QWEN3MOE -> new ArchFeatures(true, Optional.of(requiredMoe(ExpertGating.SOFTMAX_TOP_K_NORMALIZED)),
                    Optional.empty(), OptionalDouble.empty(), OptionalDouble.empty(), 1f, false, FfnActivation.SILU,
                    false, false, OptionalDouble.empty());
            case GEMMA2 -> new ArchFeatures(false, Optional.empty(),
                    Optional.of(new SlidingWindow(window().orElse(GEMMA2_DEFAULT_WINDOW), 2, localBase(ropeTheta))),
                    OptionalDouble.of(cap("attn_logit_softcapping", 50.0)),
                    OptionalDouble.of(cap("final_logit_softcapping", 30.0)), gemmaScale, true, FfnActivation.GELU_TANH,
                    false, false, gemma27bScale(layers == 46, dim, heads));
            case GEMMA3 -> new ArchFeatures(true, Optional.empty(),
                    window().filter(w -> w > 0).map(w -> new SlidingWindow(w, 6, localBase(GEMMA3_LOCAL_ROPE_BASE))),
                    OptionalDouble.empty(), optionalCap("final_logit_softcapping"), gemmaScale, true,
                    FfnActivation.GELU_TANH, false, false, gemma27bScale(layers == 62, dim, heads));
            case GPT_OSS -> new ArchFeatures(false, Optional.of(requiredMoe(ExpertGating.TOP_K_SOFTMAX)),
                    Optional.of(new SlidingWindow(window().orElseThrow(() -> missing("attention.sliding_window")), 2,
                            localBase(ropeTheta))),
                    OptionalDouble.empty(), OptionalDouble.empty(), 1f, false, FfnActivation.SWIGLU_OAI, true, true,
                    OptionalDouble.empty());
        };
    }

    /** YaRN and LongRoPE change every rotation; running without them would be silently wrong. */
    private void refuseRopeScaling() {
        Optional<String> scaling = meta.getStringOpt(p + "rope.scaling.type");
        if (scaling.isPresent() && !scaling.get().equals("none")) {
            throw new ModelFormatException(meta.file(), "key " + p + "rope.scaling.type is '" + scaling.get()
                    + "': Canopy does not implement this RoPE scaling yet, and running without it would give wrong "
                    + "outputs; use a file without rope scaling");
        }
    }

    private static ArchFeatures with(ArchFeatures f, MoeSpec moe) {
        return new ArchFeatures(f.qkNorm(), Optional.of(moe), f.window(), f.attnSoftcap(), f.finalSoftcap(),
                f.embedScale(), f.postNorms(), f.activation(), f.attnSinks(), f.attnOutputBias(), f.attnScale());
    }

    /**
     * Gemma 2 and 3 27B scale q·k by 1/sqrt(dim / heads) (their query_pre_attn_scalar), the other sizes by
     * 1/sqrt(headDim); llama.cpp recognises 27B by its layer count.
     */
    private static OptionalDouble gemma27bScale(boolean is27b, int dim, int heads) {
        return is27b ? OptionalDouble.of(1.0 / Math.sqrt((double) (dim / heads))) : OptionalDouble.empty();
    }

    /** The MoE when {@code expert_count} is above 0; the expert width defaults to {@code ffn} (Mixtral). */
    private Optional<MoeSpec> moe(int ffn, ExpertGating gating) {
        if (!meta.has(p + "expert_count") || meta.getInt(p + "expert_count", 0) == 0) {
            return Optional.empty();
        }
        int experts = meta.getInt(p + "expert_count", 1);
        if (!meta.has(p + "expert_used_count")) {
            throw missing("expert_used_count");
        }
        int used = meta.getInt(p + "expert_used_count", 1);
        if (used > experts) {
            throw new ModelFormatException(meta.file(), "key " + p + "expert_used_count (" + used
                    + ") is larger than " + p + "expert_count (" + experts + ")");
        }
        int width = meta.has(p + "expert_feed_forward_length") ? meta.getInt(p + "expert_feed_forward_length", 1) : ffn;
        return Optional.of(new MoeSpec(experts, used, width, gating));
    }

    private MoeSpec requiredMoe(ExpertGating gating) {
        if (!meta.has(p + "expert_feed_forward_length")) {
            throw missing("expert_feed_forward_length");
        }
        return moe(1, gating).orElseThrow(() -> missing("expert_count"));
    }

    private Optional<Integer> window() {
        return meta.has(p + "attention.sliding_window")
                ? Optional.of(meta.getInt(p + "attention.sliding_window", 0))
                : Optional.empty();
    }

    private float localBase(double fallback) {
        double base = meta.getDoubleOpt(p + "rope.freq_base_swa").orElse(fallback);
        if (!(base > 0)) {
            throw new ModelFormatException(meta.file(), "key " + p + "rope.freq_base_swa: expected a positive number, "
                    + "found " + base);
        }
        return (float) base;
    }

    private double cap(String key, double fallback) {
        return optionalCap(key).orElse(fallback);
    }

    private OptionalDouble optionalCap(String key) {
        OptionalDouble v = meta.getDoubleOpt(p + key);
        if (v.isPresent() && !(v.getAsDouble() > 0)) {
            throw new ModelFormatException(meta.file(), "key " + p + key + ": expected a positive number, found "
                    + v.getAsDouble());
        }
        return v;
    }

    private ModelFormatException missing(String key) {
        return new ModelFormatException(meta.file(), "key " + p + key + " is missing; the " + p.substring(0,
                p.length() - 1) + " architecture needs it");
    }
}
