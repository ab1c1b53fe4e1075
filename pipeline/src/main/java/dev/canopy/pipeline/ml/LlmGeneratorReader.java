package dev.canopy.pipeline.ml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLReader;

import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.generate.InvalidModelException;

/**
 * Loads an {@link LlmGenerator} saved by {@link LlmGeneratorWriter}: its params, and the model file saved with it
 * (copied to a local file first when the stage is on a remote file system), checked against the saved fingerprint.
 * The loaded stage generates with that copy. A stage saved without a model copy keeps its model path.
 */
final class LlmGeneratorReader extends MLReader<LlmGenerator> {

    @Override
    public LlmGenerator load(String path) {
        LlmGenerator generator = new DefaultParamsReader<LlmGenerator>().load(path);
        if (!generator.isDefined(generator.modelFingerprint())) {
            return generator;
        }
        String expected = generator.getOrDefault(generator.modelFingerprint());
        Path local = localCopy(path, Path.of(generator.getModelPath()).getFileName().toString());
        String actual = EngineAdapterFactory.forModel(local.toString()).describe().fingerprint();
        if (!actual.equals(expected)) {
            throw new InvalidModelException("Cannot load LlmGenerator from '" + path + "': its model copy " + local
                    + " has fingerprint " + actual + ", but the stage was saved with " + expected + "; save it again");
        }
        return generator.setModelPath(local.toString());
    }

    private Path localCopy(String stagePath, String name) {
        org.apache.hadoop.fs.Path saved = new org.apache.hadoop.fs.Path(
                new org.apache.hadoop.fs.Path(stagePath, LlmGeneratorWriter.MODEL_DIR), name);
        try {
            FileSystem fs = saved.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
            if (!fs.exists(saved)) {
                throw new InvalidModelException("Cannot load LlmGenerator from '" + stagePath + "': the model it was"
                        + " saved with is not at " + saved + "; save the stage again");
            }
            if ("file".equals(fs.getScheme())) {
                return Path.of(fs.makeQualified(saved).toUri());
            }
            Path local = Files.createTempDirectory("canopy-model-").resolve(name);
            fs.copyToLocalFile(false, saved, new org.apache.hadoop.fs.Path(local.toUri()), true);
            return local;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load LlmGenerator from '" + stagePath + "': reading its model "
                    + saved + " failed: " + e.getMessage(), e);
        }
    }
}
