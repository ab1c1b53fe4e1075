package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.SwapMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.offload.SpillFileSystem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One engine run of a workload, for the offload tests: each request's output as {@code id|text|token ids} (in request
 * order, failing the test on an error), the run's metrics and what swap and prefix offload did (null with offload off).
 */
record OffloadRun(List<String> outputs, EngineMetrics metrics, SwapMetrics swaps) {

    /** Opens an engine on {@code cfg} and {@code spillFiles}, runs {@code requests}, and closes it. */
    static OffloadRun of(EngineConfig cfg, SpillFileSystem spillFiles, List<GenerationRequest> requests) {
        try (Engine engine = Engine.open(cfg, spillFiles)) {
            List<String> outputs = new ArrayList<>();
            for (GenerationResult r : engine.generate(requests)) {
                assertThat(r.error()).as(r.id()).isEmpty();
                outputs.add(r.id() + "|" + r.text() + "|" + Arrays.toString(r.completions().getFirst().tokenIds()));
            }
            return new OffloadRun(outputs, engine.lastRunMetrics(), engine.swapMetrics().orElse(null));
        }
    }
}
