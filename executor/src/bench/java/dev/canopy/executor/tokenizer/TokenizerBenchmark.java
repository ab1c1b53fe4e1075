package dev.canopy.executor.tokenizer;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode time of the two long texts of {@link LongTexts}: SentencePiece (stories260K's vocabulary) on about
 * 100 KB of stories, byte-level BPE (the Qwen2 pre-tokenizer on the tests' tiny vocabulary) on 300 K characters
 * of same-class runs. These replaced the wall-clock asserts the tokenizer tests used to carry.
 *
 * <p>Run: {@code scripts/bench.sh jmh TokenizerBenchmark} (the stories260K model file must be in {@code ../shared/models} or
 * {@code $CANOPY_MODELS_DIR}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class TokenizerBenchmark {

    private Tokenizer sentencePiece;
    private Tokenizer byteLevelBpe;
    private String stories;
    private String runs;

    @Setup
    public void setUp() {
        sentencePiece = Stories260k.tokenizer();
        byteLevelBpe = TinyByteLevelVocab.load("qwen2");
        stories = LongTexts.stories();
        runs = LongTexts.runsOfPunctuationDigitsLettersAndSpaces();
    }

    @Benchmark
    public int[] sentencePieceStories() {
        return sentencePiece.encode(stories, true, false);
    }

    @Benchmark
    public int[] byteLevelBpeRuns() {
        return byteLevelBpe.encode(runs, false, false);
    }
}
