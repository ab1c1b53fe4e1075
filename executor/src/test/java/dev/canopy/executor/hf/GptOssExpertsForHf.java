package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Test side: one layer's gpt-oss experts as transformers' {@code GptOssExperts} holds them, written from its modeling
 * file ({@code gate_up = x @ gate_up_proj + gate_up_proj_bias; gate, up = gate_up[..., ::2], gate_up[..., 1::2];
 * out = act(gate, up) @ down_proj + down_proj_bias}), not from the converter: every matrix {@code [in, out]}, gate
 * and up interleaved on the last axis, all experts stacked in one tensor.
 */
final class GptOssExpertsForHf {

    private GptOssExpertsForHf() {}

    /** {@code mlp.experts.gate_up_proj(_bias)} and {@code down_proj(_bias)} of layer {@code layer} of an F32 GGUF. */
    static List<CheckpointFromGguf.HfTensor> layer(GgufFile file, String layer) {
        String blk = "blk." + layer + ".";
        String hf = "model.layers." + layer + ".mlp.experts.";
        long[] gateShape = file.tensor(blk + "ffn_gate_exps.weight").shape(); // [dim, ffn, E]
        int dim = (int) gateShape[0];
        int ffn = (int) gateShape[1];
        int experts = (int) gateShape[2];
        float[] gate = floats(file, blk + "ffn_gate_exps.weight");
        float[] up = floats(file, blk + "ffn_up_exps.weight");
        float[] down = floats(file, blk + "ffn_down_exps.weight"); // torch [E, dim, ffn]
        float[] gateBias = floats(file, blk + "ffn_gate_exps.bias");
        float[] upBias = floats(file, blk + "ffn_up_exps.bias");
        float[] gateUp = new float[experts * dim * 2 * ffn]; // torch [E, dim, 2·ffn]
        float[] gateUpBias = new float[experts * 2 * ffn];
        float[] downProj = new float[experts * ffn * dim]; // torch [E, ffn, dim]
        for (int e = 0; e < experts; e++) {
            for (int j = 0; j < ffn; j++) {
                gateUpBias[e * 2 * ffn + 2 * j] = gateBias[e * ffn + j];
                gateUpBias[e * 2 * ffn + 2 * j + 1] = upBias[e * ffn + j];
                for (int i = 0; i < dim; i++) {
                    int at = (e * dim + i) * 2 * ffn + 2 * j;
                    gateUp[at] = gate[(e * ffn + j) * dim + i];
                    gateUp[at + 1] = up[(e * ffn + j) * dim + i];
                    downProj[(e * ffn + j) * dim + i] = down[(e * dim + i) * ffn + j];
                }
            }
        }
        return List.of(
                tensor(hf + "gate_up_proj", gateUp, 2L * ffn, dim, experts),
                tensor(hf + "gate_up_proj_bias", gateUpBias, 2L * ffn, experts),
                tensor(hf + "down_proj", downProj, dim, ffn, experts),
                tensor(hf + "down_proj_bias", floats(file, blk + "ffn_down_exps.bias"), dim, experts));
    }

    private static float[] floats(GgufFile file, String name) {
        return Dequant.toFloats(file.tensor(name));
    }

    /** {@code shape} innermost first, as {@link CheckpointFromGguf.HfTensor} holds it. */
    private static CheckpointFromGguf.HfTensor tensor(String name, float[] values, long... shape) {
        return new CheckpointFromGguf.HfTensor(name, GgmlType.F32, shape, CheckpointFromGguf.littleEndian(values));
    }
}
