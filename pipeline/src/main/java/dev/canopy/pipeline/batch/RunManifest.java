package dev.canopy.pipeline.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;


/**
 * What an output directory's rows were generated with, kept in {@link OutputDirectory#MANIFEST}. A rerun that
 * would generate differently refuses to add to the directory.
 *
 * @param modelName        model name
 * @param modelFingerprint identifies the model file's content
 * @param sampling         default sampling parameters, as {@code SamplingParams.toString()}
 * @param promptSource     the prompt or messages column used
 * @param idColumn         the id column
 * @param textColumn       the generated-text column
 * @param outputFormat     the output format's label
 */
public record RunManifest(String modelName, String modelFingerprint, String sampling, String promptSource,
                          String idColumn, String textColumn, String outputFormat) {

    public RunManifest {
        Objects.requireNonNull(modelFingerprint, "modelFingerprint");
        Objects.requireNonNull(sampling, "sampling");
    }

    /** Each setting that differs from {@code earlier}, as "name: earlier -> now"; empty when they match. */
    public List<String> differencesFrom(RunManifest earlier) {
        List<String> differences = new ArrayList<>();
        compare(differences, "model", earlier.modelName + " (" + earlier.modelFingerprint + ")",
                modelName + " (" + modelFingerprint + ")");
        compare(differences, "sampling", earlier.sampling, sampling);
        compare(differences, "prompt column", earlier.promptSource, promptSource);
        compare(differences, "id column", earlier.idColumn, idColumn);
        compare(differences, "text column", earlier.textColumn, textColumn);
        compare(differences, "output format", earlier.outputFormat, outputFormat);
        return differences;
    }

    private static void compare(List<String> differences, String name, Object earlier, Object now) {
        if (!Objects.equals(earlier, now)) {
            differences.add(name + ": " + earlier + " -> " + now);
        }
    }
}
