package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * gpt-oss's stacked expert tensors, as llama.cpp's converter ({@code GptOssModel}) writes them. transformers
 * stores every expert of a layer in one tensor, each matrix as {@code [in, out]} (transposed next to
 * {@code nn.Linear}), and gate and up <em>interleaved</em> on the last axis:
 * <ul>
 *   <li>{@code mlp.experts.gate_up_proj} {@code [E, dim, 2·ffn]}: gate is {@code [..., ::2]}, up {@code [..., 1::2]};
 *       each becomes {@code blk.L.ffn_gate/up_exps.weight} ({@code [E, ffn, dim]} in torch order), transposed;</li>
 *   <li>{@code mlp.experts.gate_up_proj_bias} {@code [E, 2·ffn]} → {@code ffn_gate/up_exps.bias}, de-interleaved;</li>
 *   <li>{@code mlp.experts.down_proj} {@code [E, ffn, dim]} → {@code ffn_down_exps.weight}, transposed
 *       ({@code down_proj_bias} is copied as it is: {@link HfTensorNames}).</li>
 * </ul>
 * Values are moved, never decoded, so F32, F16 and BF16 keep their dtype. Each GGUF tensor is built only when the
 * file is written ({@link ConvertedTensors#addLazy}), one at a time. The released checkpoints' MXFP4 form
 * ({@code *_blocks}, {@code *_scales}) is {@link HfGptOssMxfp4}'s.
 */
final class HfGptOssExperts {

    private static final Pattern STACKED = Pattern.compile(
            "model\\.layers\\.(\\d+)\\.mlp\\.experts\\.(gate_up_proj|gate_up_proj_bias|down_proj)");

    private HfGptOssExperts() {}

    /**
     * Adds {@code hfName}'s GGUF tensors to {@code tensors} when it is a stacked gpt-oss expert tensor of {@code shard};
     * false when not (the MXFP4 form is {@link HfGptOssMxfp4}'s).
     */
    static boolean offer(String hfName, SafetensorsFile shard, ConvertedTensors tensors) {
        Matcher m = STACKED.matcher(hfName);
        if (!m.matches()) {
            return false;
        }
        Path file = shard.path();
        Tensor tensor = shard.tensor(hfName);
        String blk = "blk." + m.group(1) + ".";
        switch (m.group(2)) {
            case "gate_up_proj" -> {
                checkRank(hfName, tensor, 3, file);
                tensors.addLazy(blk + "ffn_gate_exps.weight", tensor.type(), transposedShape(tensor),
                        () -> perExpert(tensor, 2, 0, true));
                tensors.addLazy(blk + "ffn_up_exps.weight", tensor.type(), transposedShape(tensor),
                        () -> perExpert(tensor, 2, 1, true));
            }
            case "gate_up_proj_bias" -> {
                checkRank(hfName, tensor, 2, file);
                long[] shape = {tensor.dim(0) / 2, tensor.dim(1)};
                tensors.addLazy(blk + "ffn_gate_exps.bias", tensor.type(), shape, () -> perExpert(tensor, 2, 0, false));
                tensors.addLazy(blk + "ffn_up_exps.bias", tensor.type(), shape, () -> perExpert(tensor, 2, 1, false));
            }
            default -> { // down_proj
                checkRank(hfName, tensor, 3, file);
                tensors.addLazy(blk + "ffn_down_exps.weight", tensor.type(),
                        new long[] {tensor.dim(1), tensor.dim(0), tensor.dim(2)}, () -> perExpert(tensor, 1, 0, true));
            }
        }
        return true;
    }

    /** GGUF shape of a gate or up stack: {@code [dim, ffn, E]} from HF's {@code [2·ffn, dim, E]} (both innermost first). */
    private static long[] transposedShape(Tensor t) {
        return new long[] {t.dim(1), t.dim(0) / 2, t.dim(2)};
    }

    private static void checkRank(String hfName, Tensor t, int rank, Path file) {
        if (t.rank() != rank || (hfName.contains("gate_up") && t.dim(0) % 2 != 0)) {
            throw new ModelFormatException(file, "tensor " + hfName + ": expected " + rank + " dimensions"
                    + (hfName.contains("gate_up") ? " with an even last one (gate and up interleaved)" : "")
                    + ", found shape " + Arrays.toString(t.shape()) + " (innermost first)");
        }
    }

    /**
     * Each expert's slice of {@code t} (the last GGUF dimension), as a GGUF matrix: every {@code stride}-th
     * column of the HF matrix from {@code offset}, the result transposed when {@code transpose} (a bias is a
     * matrix of one row, so taking its columns is enough).
     */
    private static List<Tensor> perExpert(Tensor t, int stride, int offset, boolean transpose) {
        int es = (int) (t.type().byteSize(1));
        int cols = (int) t.dim(0);
        int rows = t.rank() == 3 ? (int) t.dim(1) : 1;
        int experts = (int) t.dim(t.rank() - 1);
        long expertBytes = (long) rows * cols * es;
        int outCols = cols / stride;
        List<Tensor> out = new ArrayList<>(experts);
        for (int e = 0; e < experts; e++) {
            byte[] src = t.data().asSlice(e * expertBytes, expertBytes).toArray(ValueLayout.JAVA_BYTE);
            byte[] dst = new byte[rows * outCols * es];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < outCols; c++) {
                    int to = (transpose ? c * rows + r : r * outCols + c) * es;
                    System.arraycopy(src, (r * cols + c * stride + offset) * es, dst, to, es);
                }
            }
            out.add(new Tensor(t.name(), t.type(), transpose ? new long[] {rows, outCols} : new long[] {outCols, rows},
                    MemorySegment.ofArray(dst)));
        }
        return out;
    }
}
