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
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.generate.ProcessAdapterCache;

/**
 * Opens a GGUF model in a Canopy {@link Engine}, once per executor JVM for a given file and settings (the
 * record is the cache key). The model path must be readable at the same path on every executor, unless the
 * driver shipped the file to them ({@link #shippedWith}) or it is a Hadoop URI ({@code hdfs://}, {@code s3a://}...),
 * which each executor copies once into its local cache ({@link RemoteModelCache}).
 *
 * @param modelPath GGUF file (on the driver)
 * @param settings  engine settings
 * @param shipped   the file the driver shipped, when executors open their copy of it ({@link ShippedModel}) instead
 *                  of {@code modelPath}; null when they open {@code modelPath}
 * @param remote    {@code modelPath} on a Hadoop file system, described with the job's Hadoop configuration
 *                  ({@link #shippedWith}); null for a local model, or one described where it is opened
 */
public record EngineAdapterFactory(String modelPath, EngineSettings settings, ShippedFile shipped,
                                   RemoteModel remote) implements ModelAdapterFactory {

    private static final Logger LOG = LoggerFactory.getLogger(EngineAdapterFactory.class);
    /** The tokenizer-only backends of this JVM ({@link #openForPlanning}), by factory. */
    private static final Map<EngineAdapterFactory, ModelAdapter> TOKENIZERS = new ConcurrentHashMap<>();

    public EngineAdapterFactory {
        Objects.requireNonNull(settings, "settings");
        if (modelPath == null || modelPath.isBlank()) {
            throw new IllegalArgumentException("Cannot open model: its path is not set");
        }
    }

    /** A factory for the model at {@code modelPath} on every machine. */
    public EngineAdapterFactory(String modelPath, EngineSettings settings) {
        this(modelPath, settings, null, null);
    }

    /** A factory whose executors open their copy of the file the driver shipped. */
    public EngineAdapterFactory(String modelPath, EngineSettings settings, ShippedFile shipped) {
        this(modelPath, settings, shipped, null);
    }

    /**
     * When {@code context}'s master is not local: sends the model file to every executor
     * ({@link SparkContext#addFile}; each executor fetches it once) and returns a factory whose executors open
     * that copy, so the file need not exist on the executors' machines. On a local master: this factory.
     */
    public EngineAdapterFactory shippedWith(SparkContext context) {
        if (RemoteModel.isRemote(modelPath) && remote == null) { // executors copy it from there (RemoteModelCache)
            return new EngineAdapterFactory(modelPath, settings, null, RemoteModel.forJob(modelPath, context));
        }
        if (context.isLocal() || shipped != null || remote != null) {
            return this;
        }
        LOG.info("Shipping model {} to the executors", modelPath);
        return new EngineAdapterFactory(modelPath, settings, ShippedFile.ship(context, ModelSource.ggufFile(modelPath)));
    }

    /** The engine's default settings for {@code modelPath}. */
    public static EngineAdapterFactory forModel(String modelPath) {
        return new EngineAdapterFactory(modelPath, EngineSettings.defaults());
    }

    /**
     * The engine of this JVM for this model and settings: one per GPU that Spark assigns to tasks
     * ({@code spark.task.resource.gpu.amount}), else one per JVM (on GPU 0 or the CPU, by the backend setting).
     */
    @Override
    public ModelAdapter open() {
        OptionalInt gpu = TaskGpu.current();
        Object key = gpu.isPresent() ? List.of(this, gpu.getAsInt()) : this;
        return ProcessAdapterCache.get(key, () -> {
            int cores = executorCores();
            Path file = localFile();
            LOG.info("Loading model {} ({} threads, backend {}{})", file,
                    settings.threads() == EngineSettings.EXECUTOR_CORES ? cores : settings.threads(),
                    settings.backend(), gpu.isPresent() ? ", task GPU " + gpu.getAsInt() : "");
            Engine engine = EngineOpener.open(settings.config(file, cores), gpu);
            return new EngineAdapter(engine, modelName());
        });
    }

    /**
     * The model's tokenizer and chat template without an engine (weights mapped, no KV pool, no kernel threads),
     * once per JVM: planning tokenizes with it, so an executor opens its engine only when it generates. Not
     * counted in {@link ProcessAdapterCache#loads()}, which counts engines.
     */
    @Override
    public ModelAdapter openForPlanning() {
        return TOKENIZERS.computeIfAbsent(this, factory -> new TokenizerAdapter(Model.load(localFile()), modelName()));
    }

    @Override
    public ModelDescription describe() {
        if (RemoteModel.isRemote(modelPath)) { // its files are checked where they are copied, not read here
            return new ModelDescription(modelName(), remoteModel().fingerprint());
        }
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
        if (RemoteModel.isRemote(modelPath)) {
            Path copy = RemoteModelCache.localCopy(remoteModel(), RemoteModelCache.defaultRoot(),
                    RemoteModelCache.configuredMaxBytes());
            return ModelSource.ggufFile(copy.toString()); // a checkpoint directory converts once, on this machine
        }
        return shipped == null ? ModelSource.ggufFile(modelPath) : ShippedModel.find(modelPath, shipped);
    }

    /** The model column's value: the file's name. */
    private String modelName() {
        return RemoteModel.isRemote(modelPath) ? RemoteModel.nameOf(modelPath)
                : ModelSource.localPath(modelPath).getFileName().toString();
    }

    /** The remote model as the job described it, else described now with this JVM's Hadoop configuration. */
    private RemoteModel remoteModel() {
        return remote != null ? remote : RemoteModel.resolve(modelPath, RemoteModel.currentConf(), null);
    }

    @Override
    public long modelBytesCopied() {
        return remote == null ? 0 : remote.bytesCopied();
    }

    private static int executorCores() {
        int machine = Runtime.getRuntime().availableProcessors();
        SparkEnv env = SparkEnv.get();
        return env == null ? machine : Math.max(1, Math.min(machine, env.conf().getInt("spark.executor.cores", machine)));
    }
}
