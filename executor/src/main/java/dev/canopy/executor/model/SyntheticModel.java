package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufArray;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tensor.GgmlType;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes a llama-architecture GGUF model with random weights, for tests and benchmarks that need a
 * model of a given size without downloading one. The file looks like one converted by llama.cpp:
 * the same metadata keys and types, a SentencePiece tokenizer ({@link SyntheticVocabulary}), and
 * tensors named and shaped as llama.cpp names them (GGUF {@code ne} order, innermost first).
 *
 * <p>Weights are uniform random with standard deviation 1/√(fan-in) (the token embedding 1), so
 * every projection keeps its input's scale; the norms are 1 ± a little noise, stored as F32. The
 * same seed gives the same bytes. Tensors are generated and encoded row by row while the file is
 * written, so a model of any size needs only a row's worth of heap.
 */
public final class SyntheticModel {

    /** Weight types a synthetic model can be written in. */
    public static final Set<GgmlType> WEIGHT_TYPES = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);

    public static final float ROPE_FREQ_BASE = 10000f;
    public static final float RMS_NORM_EPSILON = 1e-5f;
    private static final float NORM_NOISE_STD = 0.02f;

    /**
     * The size of a synthetic llama model.
     *
     * @param dim embedding width
     * @param layers transformer blocks
     * @param heads query heads; must divide {@code dim}, leaving an even head width
     * @param kvHeads key/value heads; must divide {@code heads}
     * @param ffn feed-forward hidden width
     * @param vocab tokens, at least {@value SyntheticVocabulary#FIRST_PIECE}
     * @param contextLength the context length the metadata declares
     */
    public record Shape(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int contextLength) {

        public static final int DEFAULT_CONTEXT_LENGTH = 2048;
        public static final int MAX_VOCAB = 1 << 20;

        public Shape {
            if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffn <= 0 || contextLength <= 0) {
                throw new IllegalArgumentException("Cannot use synthetic model shape " + describe(dim, layers, heads,
                        kvHeads, ffn, vocab, contextLength) + ": every size must be positive");
            }
            if (dim % heads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("Cannot use synthetic model shape: dim " + dim + " must be "
                        + heads + " heads times an even head width");
            }
            if (heads % kvHeads != 0) {
                throw new IllegalArgumentException("Cannot use synthetic model shape: kvHeads " + kvHeads
                        + " must divide heads " + heads);
            }
            if (vocab < SyntheticVocabulary.FIRST_PIECE || vocab > MAX_VOCAB) {
                throw new IllegalArgumentException("Cannot use synthetic model shape: vocab " + vocab + " must be in ["
                        + SyntheticVocabulary.FIRST_PIECE + ", " + MAX_VOCAB + "]");
            }
        }

        /** A shape with the default context length of 2048. */
        public Shape(int dim, int layers, int heads, int kvHeads, int ffn, int vocab) {
            this(dim, layers, heads, kvHeads, ffn, vocab, DEFAULT_CONTEXT_LENGTH);
        }

        /** About 134M parameters: 768 wide, 12 layers of 12 heads, FFN 2048, a 32000-token vocabulary. */
        public static Shape llama134m() {
            return new Shape(768, 12, 12, 12, 2048, 32000);
        }

        public int headDim() {
            return dim / heads;
        }

        /** Width of the key and value projections. */
        public int kvDim() {
            return kvHeads * headDim();
        }

        /** Number of weights in all tensors. */
        public long parameterCount() {
            long perLayer = 2L * dim + 2L * dim * dim + 2L * dim * kvDim() + 3L * dim * ffn;
            return 2L * dim * vocab + dim + layers * perLayer;
        }

        private static String describe(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int ctx) {
            return "(dim " + dim + ", layers " + layers + ", heads " + heads + ", kvHeads " + kvHeads + ", ffn " + ffn
                    + ", vocab " + vocab + ", contextLength " + ctx + ")";
        }
    }

    private SyntheticModel() {}

    /**
     * Writes a model of {@code shape} with weights of {@code type} (norms are always F32) to
     * {@code out}, replacing any file there.
     *
     * @throws IllegalArgumentException if {@code type} is not in {@link #WEIGHT_TYPES}, or is
     *     block-quantized and {@code dim} or {@code ffn} is not a multiple of its block size
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static void write(Path out, Shape shape, GgmlType type, long seed) {
        checkType(shape, type);
        GgufWriter writer = new GgufWriter(out);
        putMetadata(writer, shape, type);
        int dim = shape.dim();
        matrix(writer, "token_embd.weight", type, dim, shape.vocab(), seed, 1f);
        for (int layer = 0; layer < shape.layers(); layer++) {
            String blk = "blk." + layer + ".";
            norm(writer, blk + "attn_norm.weight", dim, seed);
            matrix(writer, blk + "attn_q.weight", type, dim, dim, seed, fanIn(dim));
            matrix(writer, blk + "attn_k.weight", type, dim, shape.kvDim(), seed, fanIn(dim));
            matrix(writer, blk + "attn_v.weight", type, dim, shape.kvDim(), seed, fanIn(dim));
            matrix(writer, blk + "attn_output.weight", type, dim, dim, seed, fanIn(dim));
            norm(writer, blk + "ffn_norm.weight", dim, seed);
            matrix(writer, blk + "ffn_gate.weight", type, dim, shape.ffn(), seed, fanIn(dim));
            matrix(writer, blk + "ffn_up.weight", type, dim, shape.ffn(), seed, fanIn(dim));
            matrix(writer, blk + "ffn_down.weight", type, shape.ffn(), dim, seed, fanIn(shape.ffn()));
        }
        norm(writer, "output_norm.weight", dim, seed);
        matrix(writer, "output.weight", type, dim, shape.vocab(), seed, fanIn(dim));
        writer.write();
    }

    /** The {@code general.file_type} llama.cpp records for a model whose weights are {@code type}. */
    public static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 14; // llama.cpp's Q4_K_S, mostly Q4_K (here every matrix)
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("Cannot name a file type for " + type
                    + ": synthetic models support " + WEIGHT_TYPES);
        };
    }

    private static void putMetadata(GgufWriter w, Shape shape, GgmlType type) {
        w.putString("general.architecture", "llama");
        putShape(w, "llama", shape, type);
        putTokenizer(w, shape);
    }

    /** The file-type, name and dimension keys of {@code arch} (keys prefixed {@code arch.}). */
    static void putShape(GgufWriter w, String arch, Shape shape, GgmlType type) {
        w.putString("general.name", "synthetic-" + arch + "-" + shape.dim() + "d-" + shape.layers() + "l-" + type);
        w.putUint32("general.file_type", fileType(type));
        w.putUint32("general.quantization_version", 2);
        w.putUint32(arch + ".context_length", shape.contextLength());
        w.putUint32(arch + ".embedding_length", shape.dim());
        w.putUint32(arch + ".feed_forward_length", shape.ffn());
        w.putUint32(arch + ".block_count", shape.layers());
        w.putUint32(arch + ".attention.head_count", shape.heads());
        w.putUint32(arch + ".attention.head_count_kv", shape.kvHeads());
        w.putUint32(arch + ".rope.dimension_count", shape.headDim());
        w.putFloat32(arch + ".rope.freq_base", ROPE_FREQ_BASE);
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", RMS_NORM_EPSILON);
    }

    /** The SentencePiece tokenizer keys of a {@link SyntheticVocabulary} of the shape's size. */
    static void putTokenizer(GgufWriter w, Shape shape) {
        SyntheticVocabulary vocab = SyntheticVocabulary.of(shape.vocab());
        w.putString("tokenizer.ggml.model", "llama");
        w.putArray("tokenizer.ggml.tokens", new GgufArray(GgufValueType.STRING, vocab.tokens()));
        w.putArray("tokenizer.ggml.scores", new GgufArray(GgufValueType.FLOAT32, vocab.scores()));
        w.putArray("tokenizer.ggml.token_type", new GgufArray(GgufValueType.INT32, vocab.types()));
        w.putUint32("tokenizer.ggml.bos_token_id", SyntheticVocabulary.BOS);
        w.putUint32("tokenizer.ggml.eos_token_id", SyntheticVocabulary.EOS);
        w.putUint32("tokenizer.ggml.unknown_token_id", SyntheticVocabulary.UNKNOWN);
        w.putBool("tokenizer.ggml.add_bos_token", true);
        w.putBool("tokenizer.ggml.add_eos_token", false);
    }

    /** A {@code [cols, rows]} weight matrix: {@code rows} outputs, each a dot product over {@code cols} inputs. */
    static void matrix(GgufWriter w, String name, GgmlType type, int cols, int rows, long seed, float std) {
        w.addTensor(name, type, new long[] {cols, rows}, new SyntheticWeights(name, type, cols, rows, seed, 0f, std));
    }

    static void norm(GgufWriter w, String name, int dim, long seed) {
        w.addTensor(name, GgmlType.F32, new long[] {dim},
                new SyntheticWeights(name, GgmlType.F32, dim, 1, seed, 1f, NORM_NOISE_STD));
    }

    static float fanIn(int inputs) {
        return (float) (1 / Math.sqrt(inputs));
    }

    static void checkType(Shape shape, GgmlType type) {
        if (!WEIGHT_TYPES.contains(type)) {
            throw new IllegalArgumentException("Cannot write a synthetic model with " + type + " weights: supported "
                    + "types are " + WEIGHT_TYPES);
        }
        int block = type.blockSize();
        if (shape.dim() % block != 0 || shape.ffn() % block != 0) {
            throw new IllegalArgumentException("Cannot write a synthetic model with " + type + " weights: dim "
                    + shape.dim() + " and ffn " + shape.ffn() + " must be multiples of its block size " + block);
        }
    }
}
