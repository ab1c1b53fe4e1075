package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import dev.canopy.executor.tokenizer.TokenType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a GGUF with a SentencePiece vocabulary (stories260K, the tiny models of each architecture)
 * as a Hugging Face checkpoint, the way Hugging Face lays it out: config.json
 * ({@link CheckpointConfigJson}), model.safetensors with HF tensor names ({@link HfNamesForGguf}), HF's
 * Q/K row order for llama and Mixtral, Gemma's norms without the 1 GGUF adds, one tensor per expert (gpt-oss:
 * one stacked tensor per layer, {@link GptOssExpertsForHf}), and
 * a Llama-2-style tokenizer.json (BPE with byte fallback; merges ordered by the merged piece's score,
 * as transformers' SentencePiece extractor does).
 */
public final class CheckpointFromGguf {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFromGguf() {}

    public static void write(Path gguf, Path dir) throws IOException {
        write(gguf, dir, false);
    }

    /** As {@link #write(Path, Path)}; with {@code mxfp4Experts}, gpt-oss's experts as the released MXFP4 blocks. */
    static void write(Path gguf, Path dir, boolean mxfp4Experts) throws IOException {
        Files.createDirectories(dir);
        try (GgufFile file = GgufFile.open(gguf)) {
            GgufMetadata m = file.metadata();
            ObjectNode config = CheckpointConfigJson.of(file, JSON);
            JSON.writeValue(dir.resolve("config.json").toFile(), config);
            writeWeights(hfTensors(file, config, mxfp4Experts), dir.resolve("model.safetensors"));
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson(m));
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), JSON.createObjectNode()
                    .put("bos_token", "<s>").put("eos_token", "</s>").put("add_bos_token", true));
        }
    }

    /** One tensor as the checkpoint stores it: HF name, shape in GGUF order, bytes. */
    record HfTensor(String name, String dtype, long[] shape, MemorySegment data) {}

    /**
     * The GGUF's tensors in HF layout: HF names, Q/K rows of llama-family models in HF's rotary order,
     * Gemma norms as {@code w} where GGUF stores {@code 1 + w}, expert tensors split per expert.
     */
    private static List<HfTensor> hfTensors(GgufFile file, ObjectNode config, boolean mxfp4Experts) {
        String modelType = config.get("model_type").asText();
        boolean llamaRope = modelType.equals("llama") || modelType.equals("mixtral");
        int heads = config.get("num_attention_heads").asInt();
        int kvHeads = config.get("num_key_value_heads").asInt();
        List<HfTensor> out = new ArrayList<>();
        for (GgufTensorInfo info : file.tensorInfos().values()) {
            Tensor t = file.tensor(info.name());
            String name = info.name();
            if (modelType.equals("gpt_oss") && name.contains("_exps.")) { // stacked per layer, gate and up interleaved
                if (name.endsWith("ffn_gate_exps.weight")) {
                    String layer = name.split("\\.")[1];
                    out.addAll(mxfp4Experts ? GptOssExpertsForHf.mxfp4Layer(file, layer) : GptOssExpertsForHf.layer(file, layer));
                }
                continue;
            }
            if (HfNamesForGguf.isExperts(name)) {
                long expertBytes = t.data().byteSize() / t.dim(2);
                for (int e = 0; e < t.dim(2); e++) {
                    out.add(new HfTensor(HfNamesForGguf.expert(name, e, modelType), t.type().name(),
                            new long[] {t.dim(0), t.dim(1)}, t.data().asSlice(e * expertBytes, expertBytes)));
                }
                continue;
            }
            MemorySegment data = t.data();
            if (llamaRope && name.endsWith("attn_q.weight")) {
                data = QkPermutation.toHf(t, heads);
            } else if (llamaRope && name.endsWith("attn_k.weight")) {
                data = QkPermutation.toHf(t, kvHeads);
            } else if (modelType.startsWith("gemma") && name.endsWith("norm.weight")) {
                data = minusOne(t);
            }
            out.add(new HfTensor(HfNamesForGguf.of(name, modelType), t.type().name(), t.shape(), data));
        }
        return out;
    }

    private static MemorySegment minusOne(Tensor t) {
        float[] w = Dequant.toFloats(t);
        for (int i = 0; i < w.length; i++) {
            w[i] -= 1f;
        }
        return littleEndian(w);
    }

    static MemorySegment littleEndian(float[] values) {
        MemorySegment out = MemorySegment.ofArray(new byte[values.length * Float.BYTES]);
        for (int i = 0; i < values.length; i++) {
            out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, values[i]);
        }
        return out;
    }

    /** model.safetensors, streamed tensor by tensor (a 1B-class model does not fit one array). */
    private static void writeWeights(List<HfTensor> tensors, Path out) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (HfTensor t : tensors) {
            ObjectNode entry = header.putObject(t.name()).put("dtype", t.dtype());
            ArrayNode dims = entry.putArray("shape");
            for (int d = t.shape().length - 1; d >= 0; d--) {
                dims.add(t.shape()[d]);
            }
            entry.putArray("data_offsets").add(offset).add(offset + t.data().byteSize());
            offset += t.data().byteSize();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            write(ch, head.flip());
            for (HfTensor t : tensors) {
                write(ch, t.data().asByteBuffer());
            }
        }
    }

    private static void write(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    /** A Llama-2-style tokenizer.json for the GGUF's SentencePiece vocabulary. */
    private static ObjectNode tokenizerJson(GgufMetadata m) {
        String[] tokens = m.getStringArray("tokenizer.ggml.tokens");
        float[] scores = m.getFloatArray("tokenizer.ggml.scores");
        int[] types = m.getIntArray("tokenizer.ggml.token_type");
        ObjectNode vocab = JSON.createObjectNode();
        ArrayNode added = JSON.createArrayNode();
        Map<String, Integer> pieces = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            vocab.put(tokens[id], id);
            if (types[id] == TokenType.CONTROL.code() || types[id] == TokenType.UNKNOWN.code()) {
                added.addObject().put("id", id).put("content", tokens[id]).put("special", true);
            } else if (types[id] == TokenType.NORMAL.code()) {
                pieces.put(tokens[id], id);
            }
        }
        List<Integer> merged = new ArrayList<>(pieces.values());
        merged.sort(Comparator.comparingDouble((Integer id) -> -scores[id]).thenComparingInt(id -> id));
        ArrayNode merges = JSON.createArrayNode();
        for (int id : merged) {
            String piece = tokens[id];
            for (int cut = piece.offsetByCodePoints(0, 1); cut < piece.length(); cut = piece.offsetByCodePoints(cut, 1)) {
                if (pieces.containsKey(piece.substring(0, cut)) && pieces.containsKey(piece.substring(cut))) {
                    merges.addArray().add(piece.substring(0, cut)).add(piece.substring(cut));
                }
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("added_tokens", added);
        root.putObject("normalizer").put("type", "Sequence").putArray("normalizers")
                .add(JSON.createObjectNode().put("type", "Prepend").put("prepend", "▁"))
                .add(replace(" ", "▁"));
        root.putObject("decoder").put("type", "Sequence").putArray("decoders")
                .add(replace("▁", " ")).add(JSON.createObjectNode().put("type", "ByteFallback"))
                .add(JSON.createObjectNode().put("type", "Fuse"))
                .add(JSON.createObjectNode().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0));
        ObjectNode post = root.putObject("post_processor").put("type", "TemplateProcessing");
        post.putArray("single").add(JSON.createObjectNode().set("SpecialToken", JSON.createObjectNode().put("id", "<s>")))
                .add(JSON.createObjectNode().set("Sequence", JSON.createObjectNode().put("id", "A")));
        post.putObject("special_tokens").putObject("<s>").put("id", "<s>").putArray("ids").add(pieceId(tokens, "<s>"));
        ObjectNode model = root.putObject("model").put("type", "BPE").put("unk_token", "<unk>").put("byte_fallback", true)
                .put("fuse_unk", true);
        model.set("vocab", vocab);
        model.set("merges", merges);
        return root;
    }

    private static int pieceId(String[] tokens, String text) {
        return java.util.Arrays.asList(tokens).indexOf(text);
    }

    private static ObjectNode replace(String from, String to) {
        ObjectNode node = JSON.createObjectNode().put("type", "Replace").put("content", to);
        node.putObject("pattern").put("String", from);
        return node;
    }
}
