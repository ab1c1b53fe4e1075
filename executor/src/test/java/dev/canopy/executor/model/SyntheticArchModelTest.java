package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A synthetic model of every architecture loads as that architecture and runs like the double-precision
 * reference, and a mixture of experts in every synthetic weight type (3-D quantized expert tensors) does too.
 */
class SyntheticArchModelTest {

    private static final SyntheticModel.Shape SHAPE = new SyntheticModel.Shape(64, 2, 4, 2, 64, 300, 256);
    private static final SyntheticArchModel.Experts EXPERTS = new SyntheticArchModel.Experts(4, 2, 64);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void everyArchitectureLoadsAndMatchesTheReference(Architecture arch) {
        Optional<SyntheticArchModel.Experts> experts = arch == Architecture.QWEN3MOE || arch == Architecture.GPT_OSS
                ? Optional.of(EXPERTS) : Optional.empty();
        Path file = dir.resolve(arch.ggufName() + ".gguf");
        SyntheticArchModel.write(file, arch, SHAPE, experts, GgmlType.F32, 5);
        try (Model model = Model.load(file)) {
            assertThat(model.config().architecture()).isEqualTo(arch.ggufName());
            assertThat(model.config().features().moe().isPresent()).isEqualTo(experts.isPresent());
            assertMatchesReference(model, 1e-4f);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void aMixtralStyleModelRunsItsExpertsInEveryWeightType(GgmlType type) {
        Path file = dir.resolve("moe-" + type + ".gguf");
        SyntheticModel.Shape shape = new SyntheticModel.Shape(256, 2, 4, 2, 256, 300, 256); // K-quant rows of 256
        SyntheticArchModel.write(file, Architecture.LLAMA, shape, Optional.of(new SyntheticArchModel.Experts(4, 2, 256)),
                type, 5);
        try (Model model = Model.load(file)) {
            assertThat(model.weights().layers().getFirst().extras().experts().orElseThrow().gate().getFirst().type())
                    .isEqualTo(type);
            // the engine quantizes activations for quantized weights, the reference does not
            assertMatchesReference(model, type == GgmlType.F32 ? 1e-4f : 5e-2f);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"QWEN3MOE", "GPT_OSS"})
    void aMixtureOfExpertsArchitectureWithoutExpertsIsRefusedByName(Architecture arch) {
        assertThatThrownBy(() -> SyntheticArchModel.write(dir.resolve("x.gguf"), arch, SHAPE, Optional.empty(),
                GgmlType.F32, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot write a synthetic " + arch.ggufName() + " model: it needs experts (--experts N "
                        + "--experts-used K --expert-ffn F)");
    }

    private static void assertMatchesReference(Model model, float relative) {
        ReferenceCheck.assertMatchesReference(model, new int[] {1, 40, 41, 270, 12, 99, 150, 3, 7, 200}, relative);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"GEMMA2, 46", "GEMMA3, 62"})
    void gemma27bScalesAttentionByTheWidthPerHeadAsLlamaCppDoes(Architecture arch, int layers) {
        Path big = dir.resolve("big.gguf");
        SyntheticArchModel.write(big, arch, new SyntheticModel.Shape(64, layers, 2, 2, 32, 300, 256), Optional.empty(),
                GgmlType.F32, 1);
        Path small = dir.resolve("small.gguf");
        SyntheticArchModel.write(small, arch, new SyntheticModel.Shape(64, 2, 2, 2, 32, 300, 256), Optional.empty(),
                GgmlType.F32, 1);
        try (Model m27b = Model.load(big); Model other = Model.load(small)) {
            assertThat(m27b.config().features().attnScale()).hasValue(1 / Math.sqrt(64 / 2));
            assertThat(other.config().features().attnScale()).isEmpty();
        }
    }
}
