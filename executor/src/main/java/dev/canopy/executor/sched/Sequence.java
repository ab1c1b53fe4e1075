package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockTable;
import dev.canopy.executor.kv.WindowedKvSequence;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.TokenHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One sample of one request: the prompt, the tokens generated so far and the KV bookkeeping. Created by
 * {@link Scheduler#add}; only the scheduler changes it. Positions {@code [0, numComputedTokens())} have their KV
 * written; the rest (at least one token while running) is fed through the model by the next steps.
 */
public final class Sequence implements WindowedKvSequence, TokenHistory {

    private final long id;
    private final long requestId;
    private final int sampleIndex;
    private final int[] promptTokenIds; // (numPromptTokens)
    private final SamplingParams params;
    private final BlockTable blockTable = new BlockTable();
    private final BlockTable localBlockTable = new BlockTable(); // sliding-window layers' own pool, when they have one
    private int[] generated = new int[16]; // (capacity) the first numGenerated entries are the generated tokens
    private int numGenerated;
    private SequenceStatus status = SequenceStatus.WAITING;
    private int numComputedTokens;
    private int numCachedTokens;
    private int numPreemptions;
    private int numSwappedTokens; // leading positions whose KV waits in the swap space while this sequence waits
    private FinishReason finishReason;
    private String errorMessage;
    private Sequence forkParent; // set while this sample waits to be forked from sample 0
    private final List<Sequence> unforkedSamples = new ArrayList<>(0); // samples waiting to fork from this one
    private long[] promptBlockKeys; // chain keys of the prompt's full blocks, made once by SequenceLeaderView

    Sequence(long id, long requestId, int sampleIndex, int[] promptTokenIds, SamplingParams params) {
        this.id = id;
        this.requestId = requestId;
        this.sampleIndex = sampleIndex;
        this.promptTokenIds = promptTokenIds;
        this.params = params;
    }

    /** Unique per scheduler and increasing in the order sequences were added (the arrival order). */
    public long id() {
        return id;
    }

    /** The chain keys of the prompt's full blocks ({@link SequenceLeaderView}'s), or null before it made them. */
    long[] promptBlockKeys() {
        return promptBlockKeys;
    }

    void setPromptBlockKeys(long[] keys) {
        promptBlockKeys = keys;
    }

    /** The id the engine gave the request. */
    public long requestId() {
        return requestId;
    }

    /** Which of the request's {@code n} samples this is, from 0. */
    public int sampleIndex() {
        return sampleIndex;
    }

    public SamplingParams params() {
        return params;
    }

    public SequenceStatus status() {
        return status;
    }

    public boolean isFinished() {
        return status == SequenceStatus.FINISHED;
    }

    /** Why it finished; empty until it has. */
    public Optional<FinishReason> finishReason() {
        return Optional.ofNullable(finishReason);
    }

    /** What went wrong, when it finished with {@link FinishReason#ERROR}. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    @Override
    public int numPromptTokens() {
        return promptTokenIds.length;
    }

    @Override
    public int promptTokenAt(int index) {
        return promptTokenIds[index];
    }

    /** A copy of the prompt. */
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }

    @Override
    public int numGeneratedTokens() {
        return numGenerated;
    }

    @Override
    public int generatedTokenAt(int index) {
        if (index < 0 || index >= numGenerated) {
            throw new IndexOutOfBoundsException("Cannot read generated token " + index + ": " + numGenerated
                    + " were generated");
        }
        return generated[index];
    }

    /** A copy of the generated tokens. */
    public int[] generatedTokenIds() {
        return Arrays.copyOf(generated, numGenerated);
    }

    /** The last token (the last generated one, or the last prompt token before any was generated). */
    public int lastTokenId() {
        return tokenAt(numTokens() - 1);
    }

    @Override
    public int numTokens() {
        return promptTokenIds.length + numGenerated;
    }

    @Override
    public int tokenAt(int position) {
        return position < promptTokenIds.length ? promptTokenIds[position]
                : generatedTokenAt(position - promptTokenIds.length);
    }

    @Override
    public int numComputedTokens() {
        return numComputedTokens;
    }

    /**
     * Leading positions whose KV this sequence reused instead of computing at its latest admission: prefix cache
     * hits (generated tokens included after a preemption), or the shared prompt of a forked sample.
     */
    public int numCachedTokens() {
        return numCachedTokens;
    }

    /** Times it lost its KV memory (swapped out or to recompute). */
    public int numPreemptions() {
        return numPreemptions;
    }

    /**
     * Leading positions whose KV a preemption swapped out and that come back when it is admitted again (0 when
     * nothing is swapped out: never preempted, preempted to recompute, or already swapped back in).
     */
    public int numSwappedTokens() {
        return numSwappedTokens;
    }

    @Override
    public BlockTable blockTable() {
        return blockTable;
    }

    @Override
    public BlockTable localBlockTable() {
        return localBlockTable;
    }

    @Override
    public String toString() {
        return "Sequence[id=" + id + ", request=" + requestId + ", sample=" + sampleIndex + ", status=" + status
                + ", tokens=" + numTokens() + " (" + numPromptTokens() + " prompt), computed=" + numComputedTokens + "]";
    }

    void appendToken(int tokenId) {
        if (numGenerated == generated.length) {
            generated = Arrays.copyOf(generated, numGenerated * 2);
        }
        generated[numGenerated++] = tokenId;
    }

    void startRunning(int computedTokens) {
        startRunning(computedTokens, computedTokens);
    }

    /** Runs again with {@code computedTokens} of KV in place, {@code cachedTokens} of them from the prefix cache. */
    void startRunning(int computedTokens, int cachedTokens) {
        status = SequenceStatus.RUNNING;
        numComputedTokens = computedTokens;
        numCachedTokens = cachedTokens;
        numSwappedTokens = 0;
    }

    void setNumComputedTokens(int n) {
        numComputedTokens = n;
    }

    /** Loses its KV memory; the KV of its first {@code swappedTokens} positions waits in the swap space. */
    void preempted(int swappedTokens) {
        status = SequenceStatus.WAITING;
        numSwappedTokens = swappedTokens;
        numComputedTokens = 0;
        numCachedTokens = 0;
        numPreemptions++;
    }

    /** Forgets the swapped-out KV (it was discarded or lost): the sequence will recompute it. */
    void swapDiscarded() {
        numSwappedTokens = 0;
    }

    void finished(FinishReason reason, String message) {
        status = SequenceStatus.FINISHED;
        finishReason = reason;
        errorMessage = message;
    }

    Sequence forkParent() {
        return forkParent;
    }

    void setForkParent(Sequence parent) {
        forkParent = parent;
    }

    List<Sequence> unforkedSamples() {
        return unforkedSamples;
    }
}
