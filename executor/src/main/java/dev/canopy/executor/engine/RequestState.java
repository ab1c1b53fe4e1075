package dev.canopy.executor.engine;

import dev.canopy.executor.sched.FinishReason;
import dev.canopy.executor.sched.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A request in flight: its samples' sequences and outputs, until all of them finish. */
final class RequestState {

    final GenerationRequest request;
    final int inputIndex;
    final int promptTokens;
    final List<Sequence> sequences;
    final List<SampleOutput> outputs;
    private int finished;
    private String error;

    RequestState(GenerationRequest request, int inputIndex, int promptTokens, List<Sequence> sequences,
                 List<SampleOutput> outputs) {
        this.request = request;
        this.inputIndex = inputIndex;
        this.promptTokens = promptTokens;
        this.sequences = sequences;
        this.outputs = outputs;
    }

    /**
     * Records that sample {@code index} ended; returns true when it was the request's last. A message is
     * the request's error (the first one wins), also when the sample ended otherwise (an incomplete
     * constrained value at the length limit).
     */
    boolean sampleFinished(int index, FinishReason reason, String message) {
        outputs.get(index).finish(reason);
        if ((reason == FinishReason.ERROR || message != null) && error == null) {
            error = message;
        }
        return ++finished == outputs.size();
    }

    GenerationResult toResult(long latencyNanos) {
        List<Completion> completions = new ArrayList<>();
        int generated = 0;
        for (int i = 0; i < outputs.size(); i++) {
            completions.add(outputs.get(i).toCompletion());
            generated += sequences.get(i).numGeneratedTokens();
        }
        int cached = sequences.isEmpty() ? 0 : sequences.get(0).numCachedTokens();
        if (error != null && completions.stream().allMatch(c -> c.finishReason() == FinishReason.ERROR)) {
            return GenerationResult.failed(request.id(), promptTokens, error, latencyNanos);
        }
        return new GenerationResult(request.id(), completions, promptTokens, cached, generated,
                Optional.ofNullable(error), latencyNanos);
    }
}
