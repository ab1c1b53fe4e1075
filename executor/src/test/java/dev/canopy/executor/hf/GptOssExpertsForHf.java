package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.Stream;

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

    /**
     * As {@link #layer}, the weights as the released checkpoints store them: MXFP4 {@code gate_up_proj_blocks}
     * {@code [E, 2·ffn, dim/32, 16]} (value 2k in the low nibble of byte k; gate rows even, up rows odd, each
     * matrix {@code [out, in]}) and {@code _scales} {@code [E, 2·ffn, dim/32]}, {@code down_proj_blocks/_scales}
     * likewise, quantized by ggml's MXFP4 encoder ({@link Quantizer}), biases F32.
     */
    static List<CheckpointFromGguf.HfTensor> mxfp4Layer(GgufFile file, String layer) {
        String blk = "blk." + layer + ".";
        String hf = "model.layers." + layer + ".mlp.experts.";
        long[] gateShape = file.tensor(blk + "ffn_gate_exps.weight").shape(); // [dim, ffn, E]
        int dim = (int) gateShape[0];
        int ffn = (int) gateShape[1];
        int experts = (int) gateShape[2];
        byte[] gate = Quantizer.quantize(GgmlType.MXFP4, floats(file, blk + "ffn_gate_exps.weight"));
        byte[] up = Quantizer.quantize(GgmlType.MXFP4, floats(file, blk + "ffn_up_exps.weight"));
        byte[] down = Quantizer.quantize(GgmlType.MXFP4, floats(file, blk + "ffn_down_exps.weight"));
        int gateUpRows = experts * 2 * ffn;
        byte[] gateUpBlocks = new byte[gateUpRows * dim / 32 * 16];
        byte[] gateUpScales = new byte[gateUpRows * dim / 32];
        for (int row = 0; row < experts * ffn; row++) { // GGUF row e·ffn + j is HF rows 2(e·ffn + j) and 2(e·ffn + j) + 1
            hfRow(gate, row, dim / 32, gateUpBlocks, gateUpScales, 2 * row);
            hfRow(up, row, dim / 32, gateUpBlocks, gateUpScales, 2 * row + 1);
        }
        int downRows = experts * dim;
        byte[] downBlocks = new byte[downRows * ffn / 32 * 16];
        byte[] downScales = new byte[downRows * ffn / 32];
        for (int row = 0; row < downRows; row++) {
            hfRow(down, row, ffn / 32, downBlocks, downScales, row);
        }
        List<CheckpointFromGguf.HfTensor> biases = layer(file, layer).stream().filter(t -> t.name().endsWith("_bias")).toList();
        return Stream.concat(biases.stream(), Stream.of(
                u8(hf + "gate_up_proj_blocks", gateUpBlocks, 16, dim / 32, 2L * ffn, experts),
                u8(hf + "gate_up_proj_scales", gateUpScales, dim / 32, 2L * ffn, experts),
                u8(hf + "down_proj_blocks", downBlocks, 16, ffn / 32, dim, experts),
                u8(hf + "down_proj_scales", downScales, ffn / 32, dim, experts))).toList();
    }

    /**
     * ggml MXFP4 row {@code from} ({@code blocks} blocks: scale byte, then byte j = value j | value j+16 << 4) as HF
     * row {@code to} (scales apart, byte k = value 2k | value 2k+1 << 4).
     */
    private static void hfRow(byte[] ggml, int from, int blocks, byte[] hfBlocks, byte[] hfScales, int to) {
        for (int b = 0; b < blocks; b++) {
            int src = (from * blocks + b) * 17;
            hfScales[to * blocks + b] = ggml[src];
            int[] values = new int[32];
            for (int j = 0; j < 16; j++) {
                values[j] = ggml[src + 1 + j] & 0x0F;
                values[j + 16] = (ggml[src + 1 + j] & 0xFF) >>> 4;
            }
            for (int k = 0; k < 16; k++) {
                hfBlocks[(to * blocks + b) * 16 + k] = (byte) (values[2 * k] | values[2 * k + 1] << 4);
            }
        }
    }

    private static CheckpointFromGguf.HfTensor u8(String name, byte[] bytes, long... shape) {
        return new CheckpointFromGguf.HfTensor(name, "U8", shape, MemorySegment.ofArray(bytes));
    }

    private static float[] floats(GgufFile file, String name) {
        return Dequant.toFloats(file.tensor(name));
    }

    /** {@code shape} innermost first, as {@link CheckpointFromGguf.HfTensor} holds it. */
    private static CheckpointFromGguf.HfTensor tensor(String name, float[] values, long... shape) {
        return new CheckpointFromGguf.HfTensor(name, "F32", shape, CheckpointFromGguf.littleEndian(values));
    }
}
