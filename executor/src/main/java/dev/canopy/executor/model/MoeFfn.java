package dev.canopy.executor.model;

import dev.canopy.executor.tensor.FloatOps;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Tensor;
import java.util.Arrays;

/**
 * A mixture-of-experts FFN over one step's rows. The router picks each row's experts; then, expert
 * by expert, the rows routed to it are gathered, pass through its FFN in one matmul per weight, and
 * are scatter-added into their rows with their routing weights.
 *
 * <p>A row's result does not depend on the other rows of the step: its experts' outputs are added
 * in expert-id order, and each matmul computes a row alone.
 */
final class MoeFfn {

    private final MoeSpec spec;
    private final FfnActivation activation;
    private final MatMul matmul;
    private final int dim;

    MoeFfn(MoeSpec spec, FfnActivation activation, MatMul matmul, int dim) {
        this.spec = spec;
        this.activation = activation;
        this.matmul = matmul;
        this.dim = dim;
    }

    /**
     * out[r] = Σ over row r's chosen experts e of weight(r, e) · expert_e(x[r]).
     *
     * @param x   normed input rows (n, dim)
     * @param out output rows, overwritten (n, dim)
     */
    void forward(ExpertWeights w, float[] x, int n, float[] out) {
        int k = spec.used();
        int experts = spec.experts();
        float[] logits = new float[n * experts]; // (n, experts) router logits
        matmul.apply(w.router(), x, n, logits);
        int[] chosen = new int[n * k];           // (n, k) expert ids
        float[] weights = new float[n * k];      // (n, k) their weights
        int[] rowChoice = new int[k];
        float[] rowWeight = new float[k];
        for (int r = 0; r < n; r++) {
            if (w.routerBias().isPresent()) {
                FloatOps.add(logits, r * experts, w.routerBias().get(), 0, experts);
            }
            spec.gating().route(logits, r * experts, experts, rowChoice, rowWeight);
            System.arraycopy(rowChoice, 0, chosen, r * k, k);
            System.arraycopy(rowWeight, 0, weights, r * k, k);
        }
        Arrays.fill(out, 0, n * dim, 0f);
        if (n == 1) {
            single(w, x, chosen, weights, out);
            return;
        }
        int[] rows = new int[n];      // rows routed to the current expert
        float[] rowW = new float[n];  // and their weights
        for (int e = 0; e < experts; e++) {
            int m = 0;
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < k; j++) {
                    if (chosen[r * k + j] == e) {
                        rows[m] = r;
                        rowW[m++] = weights[r * k + j];
                    }
                }
            }
            if (m > 0) {
                expert(w, e, x, rows, rowW, m, out);
            }
        }
    }

    /**
     * One row (decode of one sequence): the gate and up projections of all its experts in one parallel region,
     * then each expert's down projection, added in expert-id order as {@link #expert} adds them: the same bits.
     */
    private void single(ExpertWeights w, float[] x, int[] chosen, float[] weights, float[] out) {
        int k = chosen.length;
        int ff = spec.expertFfn();
        int[] order = java.util.stream.IntStream.range(0, k).boxed()
                .sorted(java.util.Comparator.comparingInt(j -> chosen[j])).mapToInt(Integer::intValue).toArray();
        Tensor[] projections = new Tensor[2 * k];
        float[][] results = new float[2 * k][]; // per expert (in id order) its gate (ff), then its up (ff)
        for (int i = 0; i < k; i++) {
            int e = chosen[order[i]];
            projections[2 * i] = w.gate().get(e);
            projections[2 * i + 1] = w.up().get(e);
            results[2 * i] = new float[ff];
            results[2 * i + 1] = new float[ff];
        }
        matmul.applyAll(projections, x, 1, results);
        float[] y = new float[dim]; // (dim) one expert's output
        for (int i = 0; i < k; i++) {
            int e = chosen[order[i]];
            float[] gate = results[2 * i];
            float[] up = results[2 * i + 1];
            if (w.biases().isPresent()) {
                FloatOps.add(gate, 0, w.biases().get().gate()[e], 0, ff);
                FloatOps.add(up, 0, w.biases().get().up()[e], 0, ff);
            }
            activation.apply(gate, up, 0, ff);
            matmul.apply(w.down().get(e), gate, 1, y);
            if (w.biases().isPresent()) {
                FloatOps.add(y, 0, w.biases().get().down()[e], 0, dim);
            }
            FloatOps.axpy(weights[order[i]], y, 0, out, 0, dim);
        }
    }

    /** Gathers the m rows, runs expert e over them, and adds weight × result into each row of {@code out}. */
    private void expert(ExpertWeights w, int e, float[] x, int[] rows, float[] rowW, int m, float[] out) {
        int ff = spec.expertFfn();
        float[] xe = new float[m * dim];   // (m, dim) gathered inputs
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, rows[i] * dim, xe, i * dim, dim);
        }
        float[] gate = new float[m * ff];  // (m, expertFfn)
        float[] up = new float[m * ff];    // (m, expertFfn)
        float[] y = new float[m * dim];    // (m, dim)
        matmul.applyAll(new Tensor[] {w.gate().get(e), w.up().get(e)}, xe, m, new float[][] {gate, up});
        if (w.biases().isPresent()) {
            ExpertWeights.Biases b = w.biases().get();
            addRows(gate, b.gate()[e], m);
            addRows(up, b.up()[e], m);
        }
        activation.apply(gate, up, 0, m * ff);
        matmul.apply(w.down().get(e), gate, m, y);
        if (w.biases().isPresent()) {
            addRows(y, w.biases().get().down()[e], m);
        }
        for (int i = 0; i < m; i++) {
            FloatOps.axpy(rowW[i], y, i * dim, out, rows[i] * dim, dim);
        }
    }

    private static void addRows(float[] y, float[] bias, int m) {
        for (int i = 0; i < m; i++) {
            FloatOps.add(y, i * bias.length, bias, 0, bias.length);
        }
    }
}
