package dev.canopy.pipeline.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkContext;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.model.Model;
import dev.canopy.pipeline.generate.InvalidModelException;
import dev.canopy.pipeline.generate.ModelBackend;
import dev.canopy.pipeline.generate.ModelBackendFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.generate.ProcessBackendCache;

/**
 * Opens a GGUF model in a Canopy {@link Engine}, once per executor JVM for a given file and settings (the
 * record is the cache key). The model path must be readable at the same path on every executor, unless the
 * driver shipped the file to them ({@link #shippedWith}).
 *
 * @param modelPath GGUF file (on the driver)
 * @param settings  engine settings
 * @param shipped   the file the driver shipped, when executors open their copy of it ({@link ShippedModel}) instead
 *                  of {@code modelPath}; null when they open {@code modelPath}
 */
public record EngineBackendFactory(String modelPath, EngineSettings settings, ShippedFile shipped)
        implements ModelBackendFactory {

    private static final Logger LOG = LoggerFactory.getLogger(EngineBackendFactory.class);
    /** The tokenizer-only backends of this JVM ({@link #openForPlanning}), by factory. */
    private static final Map<EngineBackendFactory, ModelBackend> TOKENIZERS = new ConcurrentHashMap<>();

    public EngineBackendFactory {
        Objects.requireNonNull(settings, "settings");
        if (modelPath == null || modelPath.isBlank()) {
            throw new IllegalArgumentException("Cannot open model: its path is not set");
        }
    }

    /** A factory for the model at {@code modelPath} on every machine. */
    public EngineBackendFactory(String modelPath, EngineSettings settings) {
        this(modelPath, settings, null);
    }

    /**
     * When {@code context}'s master is not local: sends the model file to every executor
     * ({@link SparkContext#addFile}; each executor fetches it once) and returns a factory whose executors open
     * that copy, so the file need not exist on the executors' machines. On a local master: this factory.
     */
    public EngineBackendFactory shippedWith(SparkContext context) {
        if (context.isLocal() || shipped != null) {
            return this;
        }
        LOG.info("Shipping model {} to the executors", modelPath);
        return new EngineBackendFactory(modelPath, settings, ShippedFile.ship(context, ModelSource.ggufFile(modelPath)));
    }

    /** The engine's default settings for {@code modelPath}. */
    public static EngineBackendFactory forModel(String modelPath) {
        return new EngineBackendFactory(modelPath, EngineSettings.defaults());
    }

    /**
     * The engine of this JVM for this model and settings: one per GPU that Spark assigns to tasks
     * ({@code spark.task.resource.gpu.amount}), else one per JVM (on GPU 0 or the CPU, by the backend setting).
     */
    @Override
    public ModelBackend open() {
        OptionalInt gpu = TaskGpu.current();
        Object key = gpu.isPresent() ? List.of(this, gpu.getAsInt()) : this;
        return ProcessBackendCache.get(key, () -> {
            int cores = executorCores();
            Path file = localFile();
            LOG.info("Loading model {} ({} threads, backend {}{})", file,
                    settings.threads() == EngineSettings.EXECUTOR_CORES ? cores : settings.threads(),
                    settings.backend(), gpu.isPresent() ? ", task GPU " + gpu.getAsInt() : "");
            Engine engine = EngineOpener.open(settings.config(file, cores), gpu);
            return new EngineBackend(engine, modelName());
        });
    }

    /**
     * The model's tokenizer and chat template without an engine (weights mapped, no KV pool, no kernel threads),
     * once per JVM: planning tokenizes with it, so an executor opens its engine only when it generates. Not
     * counted in {@link ProcessBackendCache#loads()}, which counts engines.
     */
    @Override
    public ModelBackend openForPlanning() {
        return TOKENIZERS.computeIfAbsent(this, factory -> new TokenizerBackend(Model.load(localFile()), modelName()));
    }

    @Override
    public ModelDescription describe() {
        Path path = ModelSource.ggufFile(modelPath); // a checkpoint directory converts once, here on the driver
        if (!Files.isRegularFile(path)) {
            throw new InvalidModelException("Cannot open model '" + modelPath + "': no such file");
        }
        try (Model model = Model.load(path)) {
            LOG.info("Model {}: {} layers, context {}", path.getFileName(), model.config().layers(),
                    model.config().contextLength());
        } catch (RuntimeException e) { // ModelFormatException, or a shape the engine cannot run
            throw new InvalidModelException("Cannot open model '" + modelPath + "': " + e.getMessage(), e);
        }
        return new ModelDescription(modelName(), ModelFingerprint.of(path));
    }

    /** The model file on this machine: the shipped copy, or the path itself. */
    private Path localFile() {
        return shipped == null ? ModelSource.ggufFile(modelPath) : ShippedModel.find(modelPath, shipped);
    }

    /** The model column's value: the file's name. */
    private String modelName() {
        return ModelSource.localPath(modelPath).getFileName().toString();
    }

    private static int executorCores() {
        int machine = Runtime.getRuntime().availableProcessors();
        SparkEnv env = SparkEnv.get();
        return env == null ? machine : Math.max(1, Math.min(machine, env.conf().getInt("spark.executor.cores", machine)));
    }
}
