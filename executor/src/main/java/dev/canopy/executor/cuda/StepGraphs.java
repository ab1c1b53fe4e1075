package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUresult;
import jcuda.driver.CUstreamCaptureMode;

/**
 * CUDA graphs of forward steps: a step's kernel launches recorded once and replayed with one call, so
 * a decode step costs one launch instead of a hundred. A step's launches depend only on its {@link Key}
 * (every per-step value is read by the kernels from the step's input buffer), so steps with equal
 * keys share a graph. A key is captured the second time it is seen (one-off prefill shapes are not
 * worth capturing); the least recently used graphs are dropped beyond {@link #MAX_GRAPHS}.
 */
final class StepGraphs implements AutoCloseable {

    /**
     * What fixes a step's launches: row counts, the attention kernel's shared memory, whether rows attend
     * in shared-prefix groups, and the buffers.
     */
    record Key(int rows, int logitRows, int attentionPositions, boolean sharedPrefixes, int buffersGeneration) {}

    static final int MAX_GRAPHS = 64;

    private final CudaContext context;
    private final Map<Key, Integer> sightings = new HashMap<>();
    private final LinkedHashMap<Key, CUgraphExec> graphs = new LinkedHashMap<>(16, 0.75f, true); // LRU order

    StepGraphs(CudaContext context) {
        this.context = context;
    }

    /** Runs {@code launches} (which queue a step's kernels on the stream) directly, or as the key's graph. */
    void run(Key key, Runnable launches) {
        CUgraphExec exec = graphs.get(key);
        if (exec == null) {
            if (sightings.merge(key, 1, Integer::sum) < 2) {
                launches.run();
                return;
            }
            exec = capture(launches);
            graphs.put(key, exec);
            evictBeyondLimit();
        }
        CudaException.check(cuGraphLaunch(exec, context.stream()), "launch the CUDA graph of a forward step");
    }

    /** Drops every graph (their buffers are about to be freed). */
    void clear() {
        for (CUgraphExec exec : graphs.values()) {
            CudaException.check(cuGraphExecDestroy(exec), "destroy a CUDA graph");
        }
        graphs.clear();
        sightings.clear();
    }

    int size() {
        return graphs.size();
    }

    private CUgraphExec capture(Runnable launches) {
        CudaException.check(cuStreamBeginCapture(context.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "start capturing a CUDA graph");
        CUgraph graph = new CUgraph();
        try {
            launches.run();
        } catch (RuntimeException e) {
            if (cuStreamEndCapture(context.stream(), graph) == CUresult.CUDA_SUCCESS) {
                cuGraphDestroy(graph);
            }
            throw e;
        }
        CudaException.check(cuStreamEndCapture(context.stream(), graph), "finish capturing a CUDA graph");
        try {
            CUgraphExec exec = new CUgraphExec();
            CudaException.check(cuGraphInstantiate(exec, graph, 0), "instantiate a CUDA graph");
            return exec;
        } finally {
            CudaException.check(cuGraphDestroy(graph), "destroy a captured CUDA graph");
        }
    }

    private void evictBeyondLimit() {
        Iterator<CUgraphExec> oldest = graphs.values().iterator();
        while (graphs.size() > MAX_GRAPHS) {
            CudaException.check(cuGraphExecDestroy(oldest.next()), "destroy a CUDA graph");
            oldest.remove();
        }
    }

    @Override
    public void close() {
        clear();
    }
}
