package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.KvOffload;
import dev.canopy.executor.engine.offload.SwapMetrics;
import dev.canopy.executor.backend.BackendSelector;
import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.SchedulerConfig;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.offload.SpillFileSystem;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;

/**
 * The batch generation engine: a model on a backend, a paged KV cache with prefix sharing, and a
 * continuous-batching scheduler. {@link #generate} runs many requests together; each request's
 * output depends only on the model, its prompt, its sampling params and its seed.
 *
 * <p>The KV cache and its prefix index live as long as the engine, so a later call can reuse
 * prefixes an earlier one computed. Calls from several threads are serialized.
 *
 * <p>With {@link EngineConfig#offload()} set, a sequence preempted for lack of KV blocks may swap its KV down to host
 * memory or disk and back instead of recomputing it, and prefix-cache blocks the pool evicts while waiting requests
 * still start with them go there too, to be restored (prefetched up a tier ahead of need) instead of recomputed
 * ({@link SwapMetrics} counts what moved); outputs are the same.
 */
public final class Engine implements AutoCloseable {

    private final EngineConfig config;
    private final Model model;
    private final Backend backend;
    private final Scheduler scheduler;
    private final KvOffload offload; // NONE: no offload tiers, preemption recomputes
    private final StepSampler sampler;
    private final ReentrantLock lock = new ReentrantLock();
    private EngineMetrics total;
    private EngineMetrics last;

    /** Takes ownership of {@code model} and {@code backend}: closing the engine closes them. */
    public Engine(EngineConfig config, Model model, Backend backend) {
        this(config, model, backend, SpillFileSystem.FILES);
    }

    /**
     * Like {@link #Engine(EngineConfig, Model, Backend)}, with the disk tier's spill files made by {@code spillFiles}
     * (tests inject disk faults through it).
     *
     * @throws IllegalArgumentException when an offload tier cannot open (no block fits, unusable spill directory)
     */
    public Engine(EngineConfig config, Model model, Backend backend, SpillFileSystem spillFiles) {
        this.config = config;
        this.model = model;
        this.backend = backend;
        if (backend.numLocalBlocks() > 0 && config.offload().enabled()) {
            throw new IllegalArgumentException("Cannot open an engine with KV offload on a backend whose "
                    + "sliding-window layers keep their own KV pool: the swap tiers hold whole blocks of every layer; "
                    + "turn offload off or open the backend without a local pool");
        }
        this.offload = KvOffload.open(config.offload(), model.config(), backend, spillFiles);
        BlockManager blocks = new BlockManager(new BlockManagerConfig(backend.numBlocks(), backend.blockSize(),
                config.prefixCaching()), BlockHasher.DEFAULT, offload.prefixSpill());
        SchedulerConfig schedulerConfig = new SchedulerConfig(config.maxBatchTokens(), config.maxSeqs());
        this.scheduler = backend.numLocalBlocks() > 0
                ? new Scheduler(schedulerConfig, blocks, localPool(config, backend),
                        model.config().features().window().orElseThrow().size())
                : new Scheduler(schedulerConfig, blocks, offload);
        this.sampler = new StepSampler(config.threads());
        this.total = EngineMetrics.zero(backend.numBlocks());
        this.last = total;
    }

    /** The block pool of the sliding-window layers of {@code backend}, which keeps them apart. */
    private static BlockManager localPool(EngineConfig config, Backend backend) {
        return new BlockManager(new BlockManagerConfig(backend.numLocalBlocks(), backend.blockSize(),
                config.prefixCaching()));
    }

    /**
     * Loads the model named by {@code config} and opens an engine on it, on the backend
     * {@link EngineConfig#backend()} selects ({@link BackendSelector}); the KV cache holds as many blocks
     * as {@link EngineConfig#kvBudgetBytes()} pays for, on the CPU or the GPU alike (blocks of
     * {@link EngineConfig#kvType()}: a quantized cache holds more), a GPU doing the arithmetic
     * {@link EngineConfig#gpu()} asks for.
     *
     * @throws dev.canopy.executor.gguf.ModelFormatException when the model file is bad
     * @throws IllegalArgumentException when the KV budget holds no block
     * @throws dev.canopy.executor.cuda.CudaException when the CUDA backend is asked for and cannot run here,
     *     naming why
     */
    public static Engine open(EngineConfig config) {
        return open(config, SpillFileSystem.FILES);
    }

    /** Like {@link #open(EngineConfig)}, with the disk tier's spill files made by {@code spillFiles}. */
    public static Engine open(EngineConfig config, SpillFileSystem spillFiles) {
        Model model = Model.load(config.model());
        Backend backend = null;
        try {
            int blocks = KvStorage.blocksForBudget(model.config(), config.kvType(), config.kvBudgetBytes(),
                    config.blockSize());
            backend = WindowedKv.applies(model, config) ? WindowedKv.open(model, config, blocks)
                    : BackendSelector.open(model, config.backend(), config.threads(), config.kernels(), blocks,
                            config.blockSize(), config.kvType(), config.gpu());
            return new Engine(config, model, backend, spillFiles);
        } catch (RuntimeException e) {
            if (backend != null) {
                backend.close();
            }
            model.close();
            throw e;
        }
    }

    public EngineConfig config() {
        return config;
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return model.tokenizer();
    }

    public Backend backend() {
        return backend;
    }

    /**
     * Generates for every request, handing each result to {@code sink} as soon as it is complete (in
     * completion order, on the calling thread). A request that cannot run gets a result with an
     * error; the others complete.
     */
    public void generate(List<GenerationRequest> requests, Consumer<GenerationResult> sink) {
        run(requests, (result, index) -> sink.accept(result), tokens -> { });
    }

    /**
     * Like {@link #generate(List, Consumer)}, and after every step that generated tokens, tells
     * {@code onTokens} how many (on the calling thread): progress while no request has finished yet.
     */
    public void generate(List<GenerationRequest> requests, Consumer<GenerationResult> sink, IntConsumer onTokens) {
        run(requests, (result, index) -> sink.accept(result), onTokens);
    }

    private void run(List<GenerationRequest> requests, ObjIntConsumer<GenerationResult> sink, IntConsumer onTokens) {
        lock.lock();
        try {
            GenerationRun run = new GenerationRun(model.config(), model.tokenizer(), backend, scheduler, offload, sampler,
                    sink, onTokens, config.maxOutputBytes());
            last = run.run(requests);
            total = total.plus(last);
        } finally {
            lock.unlock();
        }
    }

    /** Generates for every request and returns the results in input order. */
    public List<GenerationResult> generate(List<GenerationRequest> requests) {
        GenerationResult[] out = new GenerationResult[requests.size()];
        run(requests, (result, index) -> out[index] = result, tokens -> { });
        return Arrays.asList(out);
    }

    /** Counters since the engine opened. */
    public EngineMetrics metrics() {
        return total;
    }

    /** Counters of the last generate call. */
    public EngineMetrics lastRunMetrics() {
        return last;
    }

    /** What preemption by swap moved since the engine opened; empty when offload is off. */
    public Optional<SwapMetrics> swapMetrics() {
        lock.lock();
        try {
            return offload.swapMetrics();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        sampler.close();
        offload.close();
        backend.close();
        model.close();
    }
}
