package dev.canopy.executor.model;

import dev.canopy.executor.kv.F32KvStorage;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.FloatOps;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.NativeAttention;
import dev.canopy.executor.tensor.Parallel;
import dev.canopy.executor.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward pass of a Llama-family decoder on the CPU. One call processes every token row of a
 * step together: each weight matrix is read once per step (a GEMM over the rows), and each row
 * attends over its own sequence's paged KV cache.
 *
 * <p>Per-row results do not depend on which other rows share the step: every kernel reduces in a
 * fixed order per row.
 */
public final class Transformer {

    private final ModelConfig c;
    private final ModelWeights w;
    private final MatMul matmul;
    private final Parallel parallel;
    private final Rope rope;
    private final Rope localRope; // the RoPE of sliding-window layers (the same as rope without a window)
    private final Attention attention;
    private final ArchFeatures f;
    private final MoeFfn moe;     // null without experts

    public Transformer(ModelConfig config, ModelWeights weights, MatMul matmul, Parallel parallel) {
        this.c = config;
        this.w = weights;
        this.matmul = matmul;
        this.parallel = parallel;
        this.f = config.features();
        this.rope = new Rope(config, weights.ropeFreqFactors().orElse(null));
        this.localRope = f.window().map(sw -> new Rope(config, sw.localRopeTheta(), weights.ropeFreqFactors().orElse(null)))
                .orElse(rope);
        this.attention = new Attention(config.headDim(), true, (float) f.attnSoftcap().orElse(0),
                f.attnScale().orElse(1.0 / Math.sqrt(config.headDim())), NativeAttention.of(matmul).orElse(null));
        this.moe = f.moe().map(m -> new MoeFfn(m, f.activation(), matmul, config.dim())).orElse(null);
    }

    public ModelConfig config() {
        return c;
    }

    /** Where attention over {@code kv} runs, e.g. "native AVX2, 8 lanes" (for bench reports). */
    public String attentionPath(KvStorage kv) {
        return attention.describe(kv instanceof F32KvStorage);
    }

    /**
     * Runs one step: writes every row's keys and values into {@code kv} and returns the logits of
     * {@code batch.logitRows()}.
     *
     * @return logits, (logitRows.length, vocab)
     */
    public float[] forward(ForwardBatch batch, KvStorage kv) {
        int n = batch.rows();
        int dim = c.dim();
        float[] x = new float[n * dim];          // (n, dim) residual stream
        float[] xb = new float[n * dim];         // (n, dim) normed input of a sub-layer
        float[] q = new float[n * c.qDim()];     // (n, qDim)
        float[] k = new float[n * c.kvDim()];    // (n, kvDim)
        float[] v = new float[n * c.kvDim()];    // (n, kvDim)
        float[] att = new float[n * c.qDim()];   // (n, qDim) attention output
        float[] proj = new float[n * dim];       // (n, dim) output of wo / ffn_down
        float[] gate = new float[n * c.ffn()];   // (n, ffn)
        float[] up = new float[n * c.ffn()];     // (n, ffn)

        for (int r = 0; r < n; r++) {
            Dequant.row(w.tokenEmbedding(), batch.tokens()[r], x, r * dim);
        }
        if (f.embedScale() != 1f) {
            FloatOps.scale(x, 0, n * dim, f.embedScale());
        }
        float[] angles = angles(batch, rope); // (n, ropeDim): each row's cos/sin pairs, the same in every layer
        float[] localAngles = localRope == rope ? angles : angles(batch, localRope);
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            LayerExtras ex = lw.extras();
            rmsNormRows(x, xb, lw.attnNorm(), n);
            matmul.applyAll(new Tensor[] {lw.wq(), lw.wk(), lw.wv()}, xb, n, new float[][] {q, k, v});
            if (lw.bias().isPresent()) {
                addBias(q, lw.bias().get().q(), n);
                addBias(k, lw.bias().get().k(), n);
                addBias(v, lw.bias().get().v(), n);
            }
            ex.qNorm().ifPresent(wt -> rmsNormRows(q, q, wt, n * c.heads()));
            ex.kNorm().ifPresent(wt -> rmsNormRows(k, k, wt, n * c.kvHeads()));
            boolean local = f.isLocal(l);
            int[][] tables = local ? batch.localBlockTables() : batch.blockTables(); // per sequence, its blocks
            ropeAndStore(batch, tables, kv, l, q, k, v, local ? localRope : rope, local ? localAngles : angles);
            attend(batch, tables, kv, l, q, att, local ? f.window().get().size() : Integer.MAX_VALUE,
                    ex.sinks().orElse(null));
            matmul.apply(lw.wo(), att, n, proj);
            ex.attnOutputBias().ifPresent(bias -> addBias(proj, bias, n));
            ex.postAttnNorm().ifPresent(wt -> rmsNormRows(proj, proj, wt, n));
            FloatOps.add(x, 0, proj, 0, n * dim);

            rmsNormRows(x, xb, lw.ffnNorm(), n);
            if (ex.experts().isPresent()) {
                moe.forward(ex.experts().get(), xb, n, proj);
            } else {
                matmul.applyAll(new Tensor[] {lw.gate(), lw.up()}, xb, n, new float[][] {gate, up});
                f.activation().apply(gate, up, 0, n * c.ffn());
                matmul.apply(lw.down(), gate, n, proj);
            }
            ex.postFfnNorm().ifPresent(wt -> rmsNormRows(proj, proj, wt, n));
            FloatOps.add(x, 0, proj, 0, n * dim);
        }
        kv.finishStep();
        return logits(batch.logitRows(), x);
    }

    private float[] logits(int[] rows, float[] x) {
        int dim = c.dim();
        float[] normed = new float[rows.length * dim]; // (rows, dim)
        for (int i = 0; i < rows.length; i++) {
            FloatOps.rmsNorm(normed, i * dim, x, rows[i] * dim, w.outputNorm(), dim, c.rmsEps());
        }
        float[] logits = new float[rows.length * c.vocab()]; // (rows, vocab)
        if (rows.length > 0) {
            matmul.apply(w.output(), normed, rows.length, logits);
        }
        if (f.finalSoftcap().isPresent()) {
            float cap = (float) f.finalSoftcap().getAsDouble();
            for (int i = 0; i < logits.length; i++) {
                logits[i] = cap * (float) Math.tanh(logits[i] / cap);
            }
        }
        return logits;
    }

    /** out[r] = rmsNorm(x[r]) · weight for each of the n rows of weight.length elements; out may be x. */
    private void rmsNormRows(float[] x, float[] out, float[] weight, int n) {
        int dim = weight.length;
        for (int r = 0; r < n; r++) {
            FloatOps.rmsNorm(out, r * dim, x, r * dim, weight, dim, c.rmsEps());
        }
    }

    private static void addBias(float[] y, float[] bias, int n) {
        for (int r = 0; r < n; r++) {
            FloatOps.add(y, r * bias.length, bias, 0, bias.length);
        }
    }

    /** Each row's RoPE cos/sin pairs at its position: (rows, ropeDim), computed once per step for all layers. */
    private float[] angles(ForwardBatch b, Rope rope) {
        int rd = c.ropeDim();
        float[] angles = new float[b.rows() * rd];
        for (int r = 0; r < b.rows(); r++) {
            rope.angles(b.positions()[r], angles, r * rd);
        }
        return angles;
    }

    /** Rotates each row's q and k by its position (angles: {@link #angles}), then stores k and v in the cache. */
    private void ropeAndStore(ForwardBatch b, int[][] tables, KvStorage kv, int layer, float[] q, float[] k,
                              float[] v, Rope rope, float[] angles) {
        int bs = kv.blockSize();
        for (int r = 0; r < b.rows(); r++) {
            int pos = b.positions()[r];
            rope.apply(q, r * c.qDim(), c.heads(), angles, r * c.ropeDim());
            rope.apply(k, r * c.kvDim(), c.kvHeads(), angles, r * c.ropeDim());
            int[] table = tables[b.rowSequence()[r]];
            kv.write(layer, table[pos / bs], pos % bs, k, r * c.kvDim(), v, r * c.kvDim());
        }
    }

    /** Most query rows attended together in one work item (bounds the per-item scratch and balances threads). */
    private static final int MAX_GROUP_ROWS = 32;

    /**
     * att[r, h] = attention of row r's head h over its sequence's positions 0..pos(r). Rows whose
     * sequences start with the same KV block form a group that reads shared blocks once; each work
     * item attends one group for a few adjacent heads.
     */
    private void attend(ForwardBatch b, int[][] blockTables, KvStorage kv, int layer, float[] q, float[] att,
                        int window, float[] sinks) {
        List<int[]> groups = groupRowsByFirstBlock(b);
        int heads = c.heads();
        // About two items per thread in all: few groups (decode of one sequence) split their heads,
        // many groups take all heads each, so a KV block's adjacent heads are read together.
        int chunks = Math.clamp((2L * parallel.threads() + groups.size() - 1) / groups.size(), 1, heads);
        int headsPerItem = (heads + chunks - 1) / chunks;
        int items = (heads + headsPerItem - 1) / headsPerItem;
        parallel.forRange(groups.size() * items, (start, end) -> {
            for (int item = start; item < end; item++) {
                int[] rows = groups.get(item / items);
                int headFrom = (item % items) * headsPerItem;
                int[] qBase = new int[rows.length];
                int[] lastPos = new int[rows.length];
                int[][] tables = new int[rows.length][];
                for (int i = 0; i < rows.length; i++) {
                    qBase[i] = rows[i] * c.qDim();
                    lastPos[i] = b.positions()[rows[i]];
                    tables[i] = blockTables[b.rowSequence()[rows[i]]];
                }
                attention.attendGroup(q, qBase, lastPos, tables, kv, layer, headFrom,
                        Math.min(heads, headFrom + headsPerItem), c.groupSize(), window, sinks, att);
            }
        });
    }

    private static List<int[]> groupRowsByFirstBlock(ForwardBatch b) {
        Map<Integer, List<Integer>> byBlock = new LinkedHashMap<>();
        for (int r = 0; r < b.rows(); r++) {
            int first = b.blockTables()[b.rowSequence()[r]][0];
            byBlock.computeIfAbsent(first, k -> new ArrayList<>()).add(r);
        }
        List<int[]> groups = new ArrayList<>();
        for (List<Integer> rows : byBlock.values()) {
            for (int from = 0; from < rows.size(); from += MAX_GROUP_ROWS) {
                groups.add(rows.subList(from, Math.min(rows.size(), from + MAX_GROUP_ROWS)).stream()
                        .mapToInt(Integer::intValue).toArray());
            }
        }
        return groups;
    }
}
