package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.nio.file.Path;

/**
 * A loaded model: its file (memory-mapped; the weights are slices of it), config, weights and
 * tokenizer. Close it to unmap the file.
 */
public final class Model implements AutoCloseable {

    private final GgufFile file;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;

    private Model(GgufFile file, ModelConfig config, ModelWeights weights, Tokenizer tokenizer) {
        this.file = file;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    /**
     * Opens {@code path}, validates it and maps its weights.
     *
     * @throws dev.canopy.executor.gguf.ModelFormatException naming the file and the problem
     */
    public static Model load(Path path) {
        // a Hugging Face checkpoint directory opens as the GGUF converted from it (once, cached)
        GgufFile file = GgufFile.open(dev.canopy.executor.hf.CheckpointLoadOptions.defaults().gguf(path));
        try {
            ModelLoader loader = new ModelLoader(file);
            ModelConfig config = loader.config();
            ModelSizeCheck.check(file.metadata(), config);
            ModelWeights weights = loader.weights(config);
            Tokenizer tokenizer = TokenizerLoader.load(file.metadata());
            if (tokenizer.vocabSize() > config.vocab()) {
                throw new dev.canopy.executor.gguf.ModelFormatException(path, "the tokenizer has "
                        + tokenizer.vocabSize() + " tokens but token_embd.weight has only " + config.vocab() + " rows");
            }
            return new Model(file, config, weights, tokenizer);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public GgufFile file() {
        return file;
    }

    public Path path() {
        return file.path();
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        file.close();
    }
}
