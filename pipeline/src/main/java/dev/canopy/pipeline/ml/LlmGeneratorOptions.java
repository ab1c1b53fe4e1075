package dev.canopy.pipeline.ml;

import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;

/**
 * The one bridge from {@link LlmGenerator}'s Spark params to {@link GenerateOptions}: each param is copied here
 * and nowhere else, onto {@link GenerateOptions#of}'s and {@link EngineSettings#defaults()}'s values, so what a
 * param leaves unset is what every other entry point does too.
 */
final class LlmGeneratorOptions {

    private LlmGeneratorOptions() {}

    /**
     * The options {@code params} give, generating into {@code textColumn} with rows identified by {@code idColumn}.
     *
     * @throws IllegalArgumentException naming the param when there is no model path or a value is out of range
     */
    static GenerateOptions of(LlmGeneratorParams params, String textColumn, String idColumn) {
        EngineSettings engine = EngineSettings.defaults().withKvBudgetBytes(params.getKvBudgetBytes())
                .withGpu(new GpuSettings(params.getTensorCores(), params.getSharedPrefixAttention()));
        GenerateOptions options = GenerateOptions.of(new EngineAdapterFactory(params.getModelPath(), engine))
                .withPromptColumn(params.getInputCol())
                .withTextColumn(textColumn)
                .withIdColumn(idColumn)
                .withSampling(GenerateOptions.DEFAULT_SAMPLING.toBuilder().maxTokens(params.getMaxTokens())
                        .temperature(params.getTemperature()).topK(params.getTopK()).topP(params.getTopP())
                        .seed(params.getSeed()).build())
                .withMaxPromptChars(params.getMaxPromptChars())
                .withOutputSchema(params.getOutputSchema());
        return params.getPartitions() > 0 ? options.withPartitions(params.getPartitions()) : options;
    }
}
