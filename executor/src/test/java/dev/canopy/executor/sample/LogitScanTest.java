package dev.canopy.executor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vectorized scans give what the plain loops give, on rows of every length, in native memory too. */
class LogitScanTest {

    /** Lengths around the vector width (4 to 16 floats) and a vocabulary-sized row. */
    private static final int[] LENGTHS = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 515, 32000};

    /** Values drawn from {@code kind}: 0 Gaussian, 1 few distinct ints (ties), 2 signed zeros and -infinity. */
    private static float[] row(SplittableRandom random, int length, int kind) {
        float[] row = new float[length];
        for (int i = 0; i < length; i++) {
            row[i] = switch (kind) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> random.nextInt(3);
                default -> random.nextInt(3) == 0 ? Float.NEGATIVE_INFINITY : random.nextBoolean() ? 0f : -0f;
            };
        }
        return row;
    }

    /** The largest value as {@link Math#max} has it (NaN wins, +0 over -0). */
    private static float plainMax(float[] row) {
        float max = Float.NEGATIVE_INFINITY;
        for (float x : row) {
            max = Math.max(max, x);
        }
        return max;
    }

    /** The lowest id whose value {@code ==} the largest: what the sampler's greedy choice is. */
    private static int lowestIdOfTheMaximum(float[] row) {
        float max = plainMax(row);
        int id = 0;
        while (row[id] != max) {
            id++;
        }
        return id;
    }

    @Test
    void theArgmaxIsTheLowestIdAmongTheMaxima() {
        SplittableRandom random = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            for (int length : LENGTHS) {
                for (int kind = 0; kind < 3; kind++) {
                    float[] row = row(random, length, kind);
                    MemorySegment offHeap = arena.allocate(4L * length).copyFrom(MemorySegment.ofArray(row));
                    for (MemorySegment segment : new MemorySegment[] {MemorySegment.ofArray(row), offHeap}) {
                        float max = LogitScan.max(segment, length);
                        assertThat(max).as("max of %s floats, kind %s", length, kind).isEqualTo(plainMax(row));
                        assertThat(LogitScan.firstIndexOf(segment, length, max)).as("argmax of %s floats, kind %s",
                                length, kind).isEqualTo(lowestIdOfTheMaximum(row));
                    }
                }
            }
        }
    }

    @Test
    void aMaximumInTheTailPastTheLastFullVectorIsFound() {
        for (int length : LENGTHS) {
            float[] row = new float[length];
            row[length - 1] = 1f;
            MemorySegment segment = MemorySegment.ofArray(row);
            assertThat(LogitScan.firstIndexOf(segment, length, LogitScan.checkedMax(segment, length)))
                    .isEqualTo(length - 1);
        }
    }

    @Test
    void onlyTheFirstVocabFloatsAreScanned() {
        float[] row = {1f, 2f, 9f, Float.NaN};
        assertThat(LogitScan.checkedMax(MemorySegment.ofArray(row), 2)).isEqualTo(2f);
        assertThatThrownBy(() -> LogitScan.firstIndexOf(MemorySegment.ofArray(row), 2, 9f))
                .hasMessage("Cannot find logit 9.0 among the first 2 logits");
    }

    @Test
    void theCheckNamesTheFirstNanOrPositiveInfinityWhereverItIs() {
        for (int length : LENGTHS) {
            for (int bad : new int[] {0, length / 2, length - 1}) {
                float[] row = new float[length];
                row[bad] = bad % 2 == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
                if (bad + 1 < length) {
                    row[length - 1] = Float.NaN; // a later bad logit is not the one named
                }
                MemorySegment segment = MemorySegment.ofArray(row);
                assertThatThrownBy(() -> LogitScan.checkedMax(segment, length)).as("%s floats", length)
                        .hasMessage("Cannot sample: the logit of token " + bad + " is " + row[bad]
                                + " (logits must be finite or -Infinity)");
            }
        }
    }

    @Test
    void theCheckRejectsARowOfNegativeInfinityOnly() {
        float[] row = new float[17];
        Arrays.fill(row, Float.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> LogitScan.checkedMax(MemorySegment.ofArray(row), 17))
                .hasMessage("Cannot sample: all 17 logits are -Infinity");
        row[16] = -1e30f;
        assertThat(LogitScan.checkedMax(MemorySegment.ofArray(row), 17)).isEqualTo(-1e30f);
    }
}
