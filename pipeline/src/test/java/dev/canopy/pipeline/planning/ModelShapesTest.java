package dev.canopy.pipeline.planning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Model;
import dev.canopy.prefixtree.ModelShape;

class ModelShapesTest {

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestModels.stories260kF32());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void anF32CacheTakesFourBytesAnElement() {
        ModelShape shape = ModelShapes.of(model, KvCacheType.F32, 16);

        int kvDim = model.config().kvDim();
        assertThat(shape.kvBytesPerToken()).isEqualTo(2.0 * model.config().layers() * kvDim * Float.BYTES);
    }

    @Test
    void quantizedCachesCountTheirCodesAndScales() {
        int blockSize = 16;
        double f32 = ModelShapes.of(model, KvCacheType.F32, blockSize).kvBytesPerToken();
        double q8 = ModelShapes.of(model, KvCacheType.Q8, blockSize).kvBytesPerToken();
        double q4 = ModelShapes.of(model, KvCacheType.Q4, blockSize).kvBytesPerToken();

        for (KvCacheType type : KvCacheType.values()) {
            assertThat(ModelShapes.of(model, type, blockSize).kvBytesPerToken() * blockSize)
                    .as("a block of %s", type).isCloseTo(type.blockBytes(model.config(), blockSize), within(1e-6));
        }
        assertThat(q8).isLessThan(f32 / 3).isGreaterThan(f32 / 4);
        assertThat(q4).isLessThan(f32 / 5).isGreaterThan(f32 / 8);
    }

    @Test
    void aMixtureOfExpertsCostsItsActiveExpertsOnly() {
        try (Model moe = Model.load(dev.canopy.executor.ArchGoldens.model("llama-moe-tiny-f32"))) {
            ModelShape shape = ModelShapes.of(moe, KvCacheType.F32, 16);
            // 2 of 4 experts of FFN width 64 per token: the cost of one dense FFN of width 128
            assertThat(shape.ffn()).isEqualTo(128);
            assertThat(shape.layerParameters()).isEqualTo(64L * 64 + 2L * 64 * 32 + 64L * 64 + 3L * 64 * 128);
        }
    }

    @Test
    void aSlidingWindowModelsLocalLayersHoldOneWindowWhenTheEngineGivesThemAPoolOfTheirOwn() {
        java.nio.file.Path file = dev.canopy.executor.ArchGoldens.model("gemma3-tiny-f32");
        try (Model gemma3 = Model.load(file)) {
            var config = dev.canopy.executor.engine.EngineConfig.defaults(file);
            ModelShape shape = ModelShapes.of(gemma3, config);
            int local = 0;
            for (int l = 0; l < gemma3.config().layers(); l++) {
                local += gemma3.config().features().isLocal(l) ? 1 : 0;
            }
            assertThat(local).isPositive();
            assertThat(shape.localLayers()).isEqualTo(local);
            assertThat(shape.window()).isEqualTo(gemma3.config().features().window().orElseThrow().size());
            assertThat(shape.sequenceKvBytes(100_000)).isLessThan(100_000 * shape.kvBytesPerToken());
            // a Q8 cache keeps one pool (no release): every layer holds every token, as the engine does
            ModelShape q8 = ModelShapes.of(gemma3, config.withKvType(KvCacheType.Q8));
            assertThat(q8.localLayers()).isZero();
            assertThat(q8.sequenceKvBytes(100_000)).isEqualTo(100_000 * q8.kvBytesPerToken());
        }
    }
}
