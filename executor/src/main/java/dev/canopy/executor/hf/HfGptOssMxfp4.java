package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.safetensors.SafetensorsDtype;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.safetensors.SafetensorsTensorInfo;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The released gpt-oss checkpoints' MXFP4 experts, repacked as ggml's MXFP4 blocks as llama.cpp's converter does
 * ({@code GptOssModel.repack_mxfp4}). transformers stores {@code mlp.experts.gate_up_proj_blocks} {@code [E, 2·ffn,
 * in/32, 16]} (U8, two E2M1 codes a byte, value {@code 2k} in the low nibble of byte {@code k}, {@code 2k+1} in
 * the high one) and {@code _scales} {@code [E, 2·ffn, in/32]} (U8, E8M0), matrices as {@code [out, in]} and gate and
 * up interleaved by row (gate rows even, up rows odd); {@code down_proj_blocks/_scales} likewise without the
 * interleave. A ggml block is the scale byte then 16 bytes whose byte {@code j} holds value {@code j} low and
 * {@code j+16} high. Codes and scales are moved, never decoded; each GGUF tensor is built when it is written.
 */
final class HfGptOssMxfp4 {

    private static final Pattern MXFP4 = Pattern.compile(
            "model\\.layers\\.(\\d+)\\.mlp\\.experts\\.(gate_up_proj|down_proj)_(blocks|scales)");
    private static final int BLOCK = 16;

    /** One projection's blocks and scales, as they are found. */
    private static final class Pair {
        SafetensorsFile blocks;
        SafetensorsFile scales;
    }

    private final Map<String, Pair> pairs = new LinkedHashMap<>(); // "L.gate_up_proj" → its two tensors

    /** Keeps {@code hfName} when it is an MXFP4 expert tensor of {@code shard}; false when not. */
    boolean offer(String hfName, SafetensorsFile shard) {
        Matcher m = MXFP4.matcher(hfName);
        if (!m.matches()) {
            return false;
        }
        Pair pair = pairs.computeIfAbsent(m.group(1) + "." + m.group(2), k -> new Pair());
        if (m.group(3).equals("blocks")) {
            pair.blocks = shard;
        } else {
            pair.scales = shard;
        }
        return true;
    }

    /** Adds ffn_gate/up/down_exps.weight (MXFP4) of every projection whose blocks and scales were both offered. */
    void addTo(ConvertedTensors tensors) {
        pairs.forEach((key, pair) -> {
            String[] parts = key.split("\\.");
            String hf = "model.layers." + parts[0] + ".mlp.experts." + parts[1];
            SafetensorsFile any = pair.blocks != null ? pair.blocks : pair.scales;
            if (pair.blocks == null || pair.scales == null) {
                throw new ModelFormatException(any.path(), "tensor " + hf + (pair.blocks == null ? "_scales" : "_blocks")
                        + " has no " + (pair.blocks == null ? "_blocks" : "_scales") + " partner; MXFP4 experts need both");
            }
            long[] b = shape(pair.blocks, hf + "_blocks", 4);
            long[] s = shape(pair.scales, hf + "_scales", 3);
            if (b[3] != BLOCK || !Arrays.equals(Arrays.copyOf(b, 3), s) || (parts[1].equals("gate_up_proj") && b[1] % 2 != 0)) {
                throw new ModelFormatException(pair.blocks.path(), "tensor " + hf + "_blocks: shape " + Arrays.toString(b)
                        + " does not match _scales " + Arrays.toString(s) + "; expected [E, out, in/32, 16] and"
                        + " [E, out, in/32]" + (parts[1].equals("gate_up_proj") ? " with an even out" : ""));
            }
            MemorySegment blocks = pair.blocks.bytes(hf + "_blocks");
            MemorySegment scales = pair.scales.bytes(hf + "_scales");
            String blk = "blk." + parts[0] + ".";
            if (parts[1].equals("gate_up_proj")) {
                long[] shape = {b[2] * 32, b[1] / 2, b[0]};
                tensors.addLazy(blk + "ffn_gate_exps.weight", GgmlType.MXFP4, shape, () -> repack(blocks, scales, b, 2, 0));
                tensors.addLazy(blk + "ffn_up_exps.weight", GgmlType.MXFP4, shape, () -> repack(blocks, scales, b, 2, 1));
            } else {
                tensors.addLazy(blk + "ffn_down_exps.weight", GgmlType.MXFP4, new long[] {b[2] * 32, b[1], b[0]},
                        () -> repack(blocks, scales, b, 1, 0));
            }
        });
    }

    private static long[] shape(SafetensorsFile file, String name, int rank) {
        SafetensorsTensorInfo info = file.describe(name);
        if (info.dtype() != SafetensorsDtype.U8 || info.shape().length != rank) {
            throw new ModelFormatException(file.path(), "tensor " + name + ": expected U8 of " + rank + " dimensions"
                    + " (MXFP4), found " + info.dtype() + " " + Arrays.toString(info.shape()));
        }
        return info.shape();
    }

    /** Each expert's rows {@code offset, offset + stride, ...} as ggml MXFP4 rows. */
    private static List<Tensor> repack(MemorySegment blocks, MemorySegment scales, long[] shape, int stride, int offset) {
        int experts = (int) shape[0];
        int rows = (int) shape[1];
        int perRow = (int) shape[2];
        int outRows = rows / stride;
        List<Tensor> out = new ArrayList<>(experts);
        for (int e = 0; e < experts; e++) {
            byte[] dst = new byte[outRows * perRow * (1 + BLOCK)];
            int at = 0;
            for (int r = offset; r < rows; r += stride) {
                long row = (long) e * rows + r;
                for (int k = 0; k < perRow; k++) {
                    dst[at++] = scales.get(ValueLayout.JAVA_BYTE, row * perRow + k);
                    long src = (row * perRow + k) * BLOCK;
                    for (int j = 0; j < BLOCK; j++) { // ggml byte j: value j (low) and value j + 16 (high)
                        dst[at++] = (byte) (code(blocks, src, j) | code(blocks, src, j + BLOCK) << 4);
                    }
                }
            }
            out.add(new Tensor("expert", GgmlType.MXFP4, new long[] {perRow * 32L, outRows}, MemorySegment.ofArray(dst)));
        }
        return out;
    }

    /** Value {@code v} of an HF MXFP4 block at {@code src}: the low nibble of byte v/2 when v is even, else the high. */
    private static int code(MemorySegment blocks, long src, int v) {
        int packed = blocks.get(ValueLayout.JAVA_BYTE, src + v / 2) & 0xFF;
        return (v % 2 == 0 ? packed : packed >>> 4) & 0x0F;
    }
}
