package dev.canopy.pipeline.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWriter;

/**
 * Saves an {@link LlmGenerator} as Spark ML saves any stage (its params under {@code metadata/}), plus the model
 * file under {@code model/<file name>} and its fingerprint in the params, so that a saved pipeline carries its
 * model to wherever it is loaded ({@link LlmGeneratorReader}).
 */
final class LlmGeneratorWriter extends DefaultParamsWriter {

    /** Where a saved stage keeps its model file. */
    static final String MODEL_DIR = "model";

    private final LlmGenerator stamped;

    LlmGeneratorWriter(LlmGenerator generator) {
        LlmGenerator withFingerprint = stamped(generator);
        super(withFingerprint);
        this.stamped = withFingerprint;
    }

    /** A copy of {@code generator} holding its model's fingerprint (the model is opened once to check it). */
    private static LlmGenerator stamped(LlmGenerator generator) {
        String fingerprint = generator.options().modelAdapter().describe().fingerprint();
        return generator.copy(new ParamMap()).setModelFingerprint(fingerprint);
    }

    @Override
    public void saveImpl(String path) {
        super.saveImpl(path);
        Path model = Path.of(stamped.getModelPath()).toAbsolutePath();
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(path, MODEL_DIR),
                model.getFileName().toString());
        try {
            FileSystem fs = target.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
            fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(model.toUri()), target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save LlmGenerator " + stamped.uid() + " to '" + path + "': copying"
                    + " model '" + model + "' failed: " + e.getMessage(), e);
        }
    }
}
