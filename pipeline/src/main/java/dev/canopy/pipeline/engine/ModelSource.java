package dev.canopy.pipeline.engine;

import dev.canopy.executor.hf.HfCheckpoint;
import dev.canopy.executor.hf.HfCheckpointCache;
import java.net.URI;
import java.nio.file.Path;
import dev.canopy.pipeline.generate.InvalidModelException;

/**
 * Where a {@code --model} value points, as the one file the engine maps: a GGUF path as is, a
 * {@code file://} URI as its path, and a Hugging Face checkpoint directory as the GGUF converted from it
 * (once, cached by {@link HfCheckpointCache}), which is also the file shipped to executors. Other
 * schemes ({@code hdfs://}, {@code s3a://}) are read through Hadoop by the Spark jobs ({@link RemoteModel}),
 * not here.
 */
final class ModelSource {

    private ModelSource() {}

    /** The local path {@code model} names: the path itself, or a {@code file:} URI's path. */
    static Path localPath(String model) {
        if (!model.contains("://") && !model.startsWith("file:")) {
            return Path.of(model);
        }
        URI uri = URI.create(model);
        if (!"file".equals(uri.getScheme())) {
            throw new InvalidModelException("Cannot open model '" + model + "': scheme " + uri.getScheme()
                    + " is read only by the Spark batch job and LlmGenerator (through Hadoop); here give a local path or"
                    + " file:// URI");
        }
        return Path.of(uri);
    }

    /** The GGUF file the engine maps for {@code model}: a checkpoint directory's converted GGUF, else the file. */
    static Path ggufFile(String model) {
        Path path = localPath(model);
        return HfCheckpoint.isCheckpoint(path) ? HfCheckpointCache.gguf(path, HfCheckpointCache.defaultCacheDir()) : path;
    }
}
