package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.backend.BackendSelector;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend refuses the architectures it has no kernels for, naming what is missing, before it
 * looks for a GPU; {@code --backend auto} then runs them on the CPU and says why. No GPU is needed.
 */
class CudaArchSupportTest {

    @Test
    void cudaRefusesAMixtureOfExpertsModelNamingTheMissingKernels() {
        try (Model model = Model.load(ArchGoldens.model("qwen3moe-tiny-f32"))) {
            assertThatThrownBy(() -> BackendSelector.open(model, BackendKind.CUDA, 1, KernelChoice.JAVA, 4, 16))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Cannot run qwen3moe-tiny-f32.gguf (architecture qwen3moe) on the CUDA backend: it has "
                            + "no kernels for per-head Q/K RMSNorm, mixture of experts; use --backend cpu (or auto, "
                            + "which picks the CPU for it)");
        }
    }

    @Test
    void autoRunsEveryNewArchitectureButPhi3OnTheCpuSayingWhy() {
        for (String stem : ArchGoldens.F32_MODELS.stream().filter(s -> !s.startsWith("phi3")).toList()) {
            try (Model model = Model.load(ArchGoldens.model(stem));
                 Backend auto = BackendSelector.open(model, BackendKind.AUTO, 1, KernelChoice.JAVA, 4, 16)) {
                assertThat(auto.name()).as(stem).isEqualTo("cpu");
                assertThat(CudaArchSupport.autoFallbackReason(stem + ".gguf", model.config())).as(stem).get()
                        .asString().startsWith("backend auto: running " + stem + ".gguf on the CPU: the CUDA backend "
                                + "has no kernels for ");
            }
        }
        try (Model gemma2 = Model.load(ArchGoldens.model("gemma2-tiny-f32"))) {
            assertThat(CudaArchSupport.missingKernels(gemma2.config())).containsExactly("sliding-window attention",
                    "logit soft-capping", "embedding scaling", "post-attention/post-FFN norms", "gelu_tanh FFN activation");
        }
    }

    @Test
    void llamaAndPhi3NeedNothingMissing() {
        // phi3's fused QKV and gate/up load as row slices of plain Llama weights, so the Llama kernels run it
        try (Model llama = Model.load(TestModels.stories260kF32());
             Model phi3 = Model.load(ArchGoldens.model("phi3-tiny-f32"))) {
            assertThat(CudaArchSupport.missingKernels(llama.config())).isEmpty();
            assertThat(CudaArchSupport.autoFallbackReason("stories", llama.config())).isEmpty();
            assertThat(CudaArchSupport.missingKernels(phi3.config())).isEmpty();
        }
    }
}
