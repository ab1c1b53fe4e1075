package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.model.RopeStyle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 8-bit and 4-bit (KIVI) KV storages: quantize → dequantize stays within half a quantization step of the input,
 * a 4-bit block is read in full precision until it fills, and blocks copy and swap as stored.
 */
class QuantizedKvStorageTest {

    private static final int BS = 8;

    /** 2 layers, 2 KV heads of 24: kvDim 48, so the second scale group of a row is partial (16 channels). */
    private static ModelConfig config(int kvHeads, int headDim) {
        return new ModelConfig("llama", kvHeads * headDim, 2, kvHeads, kvHeads, headDim, 8, 16, 64, 1e-5f, 10000f,
                headDim & ~1, RopeStyle.NORMAL, false);
    }

    /** (bs, kvDim) rows, each row with its own magnitude and offset so groups have different ranges. */
    private static float[][] rows(Random rnd, int n, int kvDim) {
        float[][] x = new float[n][kvDim];
        for (int j = 0; j < n; j++) {
            float scale = 0.1f + 4 * rnd.nextFloat();
            float offset = (float) rnd.nextGaussian();
            for (int c = 0; c < kvDim; c++) {
                x[j][c] = offset * (c % 3) + scale * (float) rnd.nextGaussian();
            }
        }
        return x;
    }

    private static void fill(KvStorage kv, int layer, int block, float[][] k, float[][] v) {
        for (int j = 0; j < k.length; j++) {
            kv.write(layer, block, j, k[j], 0, v[j], 0);
        }
    }

    @Test
    void q8RoundTripIsWithinHalfAStepOfEachTokensGroup() {
        ModelConfig c = config(2, 24);
        Random rnd = new Random(1);
        float[][] k = rows(rnd, BS, c.kvDim());
        float[][] v = rows(rnd, BS, c.kvDim());
        try (QuantizedKvStorage kv = (QuantizedKvStorage) KvStorage.open(c, KvCacheType.Q8, 4, BS)) {
            fill(kv, 1, 3, k, v);
            for (int head = 0; head < 2; head++) {
                float[] keys = new float[BS * 24];
                float[] values = new float[BS * 24];
                kv.readHead(1, 3, head, 24, BS, keys, values);
                for (int j = 0; j < BS; j++) {
                    for (int d = 0; d < 24; d++) {
                        int ch = head * 24 + d;
                        assertThat(keys[j * 24 + d]).isCloseTo(k[j][ch], within(groupAbsMax(k[j], ch) / 254));
                        assertThat(values[j * 24 + d]).isCloseTo(v[j][ch], within(groupAbsMax(v[j], ch) / 254));
                    }
                }
            }
        }
    }

    @Test
    void q4KeysPerChannelAndValuesPerTokenAreWithinHalfAStepOfTheirRange() {
        ModelConfig c = config(2, 24);
        Random rnd = new Random(2);
        float[][] k = rows(rnd, BS, c.kvDim());
        float[][] v = rows(rnd, BS, c.kvDim());
        try (QuantizedKvStorage kv = (QuantizedKvStorage) KvStorage.open(c, KvCacheType.Q4, 4, BS)) {
            fill(kv, 0, 2, k, v);
            kv.finishStep();
            for (int head = 0; head < 2; head++) {
                float[] keys = new float[BS * 24];
                float[] values = new float[BS * 24];
                kv.readHead(0, 2, head, 24, BS, keys, values);
                for (int j = 0; j < BS; j++) {
                    for (int d = 0; d < 24; d++) {
                        int ch = head * 24 + d;
                        float[] channel = new float[BS]; // the key group: channel ch over the block's tokens
                        for (int t = 0; t < BS; t++) {
                            channel[t] = k[t][ch];
                        }
                        assertThat(keys[j * 24 + d]).isCloseTo(k[j][ch], halfStep(channel, 0, BS));
                        int g = ch / KvCacheType.GROUP * KvCacheType.GROUP; // the value group: 32 channels of token j
                        assertThat(values[j * 24 + d]).isCloseTo(v[j][ch],
                                halfStep(v[j], g, Math.min(c.kvDim(), g + KvCacheType.GROUP)));
                    }
                }
            }
        }
    }

    @Test
    void q4ReadsAFillingBlockInFullPrecisionUntilTheStepThatFilledItEnds() {
        ModelConfig c = config(2, 24);
        Random rnd = new Random(3);
        float[][] k = rows(rnd, BS, c.kvDim());
        float[][] v = rows(rnd, BS, c.kvDim());
        try (Q4KvStorage kv = (Q4KvStorage) KvStorage.open(c, KvCacheType.Q4, 4, BS)) {
            for (int layer = 0; layer < 2; layer++) {
                for (int j = 0; j < BS - 1; j++) {
                    kv.write(layer, 1, j, k[j], 0, v[j], 0);
                }
            }
            kv.finishStep();
            assertThat(kv.openBlockCount()).isEqualTo(1);
            assertExactPrefix(kv, BS - 1, k, v);
            for (int layer = 0; layer < 2; layer++) {
                kv.write(layer, 1, BS - 1, k[BS - 1], 0, v[BS - 1], 0);
            }
            assertExactPrefix(kv, BS - 1, k, v); // the step's earlier rows still see full precision
            kv.finishStep();
            assertThat(kv.openBlockCount()).isZero();
            assertThatThrownBy(() -> kv.readHead(0, 1, 0, 24, 3, new float[BS * 24], new float[BS * 24]))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot read the first 3 of 8 slots of KV block 1: the block is already quantized");
        }
    }

    private static void assertExactPrefix(QuantizedKvStorage kv, int tokens, float[][] k, float[][] v) {
        float[] keys = new float[BS * 24];
        float[] values = new float[BS * 24];
        kv.readHead(1, 1, 1, 24, tokens, keys, values);
        for (int j = 0; j < tokens; j++) {
            for (int d = 0; d < 24; d++) {
                assertThat(keys[j * 24 + d]).isEqualTo(k[j][24 + d]);
                assertThat(values[j * 24 + d]).isEqualTo(v[j][24 + d]);
            }
        }
    }

    @Test
    void q4RewritingATokenOfAQuantizedBlockLeavesItsBytesUnchanged() {
        ModelConfig c = config(2, 24);
        Random rnd = new Random(4);
        float[][] k = rows(rnd, BS, c.kvDim());
        float[][] v = rows(rnd, BS, c.kvDim());
        try (KvStorage kv = KvStorage.open(c, KvCacheType.Q4, 4, BS); Arena arena = Arena.ofConfined()) {
            for (int layer = 0; layer < 2; layer++) {
                fill(kv, layer, 0, k, v);
            }
            kv.finishStep();
            MemorySegment before = arena.allocate(kv.blockBytes());
            assertThat(kv.readBlock(0, before)).isTrue();
            for (int slot : new int[] {BS - 1, 3}) { // a sequence recomputing a token of a full block
                for (int layer = 0; layer < 2; layer++) {
                    kv.write(layer, 0, slot, k[slot], 0, v[slot], 0);
                }
            }
            kv.finishStep();
            MemorySegment after = arena.allocate(kv.blockBytes());
            kv.readBlock(0, after);
            assertThat(after.mismatch(before)).isEqualTo(-1L);
        }
    }

    @Test
    void aQ4BlockBeingFilledHasNoSwapPayloadAndFullBlocksRoundTripExactly() {
        for (KvCacheType type : new KvCacheType[] {KvCacheType.Q8, KvCacheType.Q4}) {
            ModelConfig c = config(1, 7); // kvDim 7, blocks of 3: 21 codes, an odd number of nibbles
            Random rnd = new Random(5);
            float[][] k = rows(rnd, 3, 7);
            float[][] v = rows(rnd, 3, 7);
            try (QuantizedKvStorage kv = (QuantizedKvStorage) KvStorage.open(c, type, 5, 3);
                 Arena arena = Arena.ofConfined()) {
                MemorySegment payload = arena.allocate(kv.blockBytes());
                assertThat(kv.blockBytes()).isEqualTo(type.blockBytes(c, 3));
                for (int layer = 0; layer < 2; layer++) {
                    kv.write(layer, 4, 0, k[0], 0, v[0], 0);
                }
                assertThat(kv.readBlock(4, payload)).as(type.label()).isEqualTo(type == KvCacheType.Q8);
                for (int layer = 0; layer < 2; layer++) {
                    fill(kv, layer, 4, k, v);
                    fill(kv, layer, 3, rows(rnd, 3, 7), rows(rnd, 3, 7)); // the neighbour shares no byte
                }
                kv.finishStep();
                assertThat(kv.readBlock(4, payload)).isTrue();
                kv.writeBlock(1, payload);
                for (int layer = 0; layer < 2; layer++) {
                    assertThat(head(kv, layer, 1, 7)).isEqualTo(head(kv, layer, 4, 7));
                }
                kv.copyBlock(4, 2);
                assertThat(head(kv, 1, 2, 7)).isEqualTo(head(kv, 1, 4, 7));
            }
        }
    }

    @Test
    void copyingAQ4BlockBeingFilledCarriesItsFullPrecisionCopy() {
        ModelConfig c = config(2, 24);
        Random rnd = new Random(6);
        float[][] k = rows(rnd, BS, c.kvDim());
        float[][] v = rows(rnd, BS, c.kvDim());
        try (QuantizedKvStorage kv = (QuantizedKvStorage) KvStorage.open(c, KvCacheType.Q4, 4, BS)) {
            for (int layer = 0; layer < 2; layer++) {
                fill(kv, layer, 0, k, v); // the reference: filled in place
                for (int j = 0; j < BS - 1; j++) {
                    kv.write(layer, 1, j, k[j], 0, v[j], 0);
                }
            }
            kv.finishStep();
            kv.copyBlock(1, 2); // copy-on-write of a block being filled, then the copy is completed
            for (int layer = 0; layer < 2; layer++) {
                kv.write(layer, 2, BS - 1, k[BS - 1], 0, v[BS - 1], 0);
            }
            kv.finishStep();
            assertThat(head(kv, 1, 2, 24)).isEqualTo(head(kv, 1, 0, 24));
        }
    }

    @Test
    void quantizedBlocksAreSmallerSoTheBudgetHoldsMoreOfThem() {
        ModelConfig stories = new ModelConfig("llama", 64, 5, 8, 4, 8, 172, 512, 512, 1e-5f, 10000f, 8,
                RopeStyle.NORMAL, false);
        assertThat(KvCacheType.F32.bytesPerToken(stories, 16)).isEqualTo(stories.kvBytesPerToken()).isEqualTo(1280);
        assertThat(KvCacheType.Q8.bytesPerToken(stories, 16)).isEqualTo(5 * 2 * (32 + 4)); // codes + one scale
        // keys: 16 codes + 2 × 32 F16 per block / 16 tokens; values: 16 codes + 2 F16
        assertThat(KvCacheType.Q4.bytesPerToken(stories, 16)).isEqualTo(5 * (16 + 8 + 16 + 4));
        long budget = 1L << 20;
        int f32 = KvStorage.blocksForBudget(stories, KvCacheType.F32, budget, 16);
        int q8 = KvStorage.blocksForBudget(stories, KvCacheType.Q8, budget, 16);
        int q4 = KvStorage.blocksForBudget(stories, KvCacheType.Q4, budget, 16);
        assertThat(f32).isEqualTo((int) (budget / (1280 * 16)));
        assertThat(q8).isEqualTo((int) (budget / (360 * 16)));
        assertThat(q4).isEqualTo((int) (budget / (220 * 16)));
        try (KvStorage kv = KvStorage.open(stories, KvCacheType.Q4, q4, 16)) {
            assertThat(kv.byteSize()).isLessThanOrEqualTo(budget);
        }
        assertThatThrownBy(() -> KvStorage.blocksForBudget(stories, KvCacheType.Q4, 1000, 16))
                .hasMessage("Cannot size KV cache: a budget of 1000 bytes holds no block of 16 tokens (3520 bytes each, q4)");
    }

    @Test
    void typesParseByTheirFlagNames() {
        assertThat(KvCacheType.parse("q8")).isEqualTo(KvCacheType.Q8);
        assertThat(KvCacheType.parse(" Q4 ")).isEqualTo(KvCacheType.Q4);
        assertThat(KvCacheType.parse("f32")).isEqualTo(KvCacheType.F32);
        assertThatThrownBy(() -> KvCacheType.parse("q5"))
                .hasMessage("Cannot parse KV cache type 'q5': expected f32, q8 or q4");
    }

    /** Keys then values of KV head 0 of a full block, dequantized. */
    private static float[] head(QuantizedKvStorage kv, int layer, int block, int hd) {
        int bs = kv.blockSize();
        float[] both = new float[2 * bs * hd];
        float[] values = new float[bs * hd];
        kv.readHead(layer, block, 0, hd, bs, both, values);
        System.arraycopy(values, 0, both, bs * hd, bs * hd);
        return both;
    }

    private static float groupAbsMax(float[] row, int channel) {
        int from = channel / KvCacheType.GROUP * KvCacheType.GROUP;
        float m = 0;
        for (int c = from; c < Math.min(row.length, from + KvCacheType.GROUP); c++) {
            m = Math.max(m, Math.abs(row[c]));
        }
        return m * 1.0001f + 1e-7f;
    }

    /** Half a 4-bit step of the range of x[from, to), plus the F16 rounding of its scale and minimum. */
    private static org.assertj.core.data.Offset<Float> halfStep(float[] x, int from, int to) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        float f16 = (Math.abs(min) + Math.abs(max)) / 1024f;
        return within((max - min) / 30 + f16);
    }

    private static org.assertj.core.data.Offset<Float> within(float bound) {
        return org.assertj.core.data.Offset.offset(bound);
    }
}
