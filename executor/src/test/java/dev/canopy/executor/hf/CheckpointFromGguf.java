package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.tensor.Tensor;
import dev.canopy.executor.tokenizer.TokenType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
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
 * Writes a llama-architecture GGUF with a SentencePiece vocabulary (stories260K) as a Hugging Face
 * checkpoint, the way Hugging Face's own conversion lays it out: config.json, model.safetensors with
 * HF tensor names and HF's Q/K row order, and a Llama-2-style tokenizer.json (BPE with byte
 * fallback; merges ordered by the merged piece's score, as transformers' SentencePiece extractor does).
 */
public final class CheckpointFromGguf {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointFromGguf() {}

    public static void write(Path gguf, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (GgufFile file = GgufFile.open(gguf)) {
            GgufMetadata m = file.metadata();
            int heads = m.getInt("llama.attention.head_count", 1);
            int kvHeads = m.has("llama.attention.head_count_kv") ? m.getInt("llama.attention.head_count_kv", 1) : heads;
            ObjectNode config = JSON.createObjectNode().put("model_type", "llama")
                    .put("hidden_size", m.getInt("llama.embedding_length", 1))
                    .put("num_hidden_layers", m.getInt("llama.block_count", 1))
                    .put("num_attention_heads", heads).put("num_key_value_heads", kvHeads)
                    .put("intermediate_size", m.getInt("llama.feed_forward_length", 1))
                    .put("max_position_embeddings", m.getInt("llama.context_length", 1))
                    .put("rms_norm_eps", m.getDoubleOpt("llama.attention.layer_norm_rms_epsilon").orElse(1e-5))
                    .put("rope_theta", m.getDoubleOpt("llama.rope.freq_base").orElse(10000.0))
                    .put("tie_word_embeddings", !file.hasTensor("output.weight"));
            JSON.writeValue(dir.resolve("config.json").toFile(), config);
            writeWeights(file, heads, kvHeads, dir.resolve("model.safetensors"));
            JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizerJson(m));
            JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), JSON.createObjectNode()
                    .put("bos_token", "<s>").put("eos_token", "</s>").put("add_bos_token", true));
        }
    }

    /** model.safetensors, streamed tensor by tensor (a 1B-class model does not fit one array). */
    private static void writeWeights(GgufFile file, int heads, int kvHeads, Path out) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (GgufTensorInfo info : file.tensorInfos().values()) {
            long[] shape = info.shape();
            ObjectNode entry = header.putObject(hfName(info.name())).put("dtype", info.type().name());
            ArrayNode dims = entry.putArray("shape");
            if (shape.length == 1) {
                dims.add(shape[0]);
            } else {
                dims.add(shape[1]).add(shape[0]);
            }
            entry.putArray("data_offsets").add(offset).add(offset + info.byteSize());
            offset += info.byteSize();
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
            for (GgufTensorInfo info : file.tensorInfos().values()) {
                Tensor t = file.tensor(info.name());
                MemorySegment data = info.name().endsWith("attn_q.weight") ? QkPermutation.toHf(t, heads)
                        : info.name().endsWith("attn_k.weight") ? QkPermutation.toHf(t, kvHeads) : t.data();
                write(ch, data.asByteBuffer());
            }
        }
    }

    private static void write(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    private static String hfName(String gguf) {
        Map<String, String> fixed = Map.of("token_embd.weight", "model.embed_tokens.weight",
                "output_norm.weight", "model.norm.weight", "output.weight", "lm_head.weight");
        if (fixed.containsKey(gguf)) {
            return fixed.get(gguf);
        }
        String[] parts = gguf.split("\\.", 3); // blk, N, rest
        String rest = switch (parts[2]) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "ffn_norm.weight" -> "post_attention_layernorm.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            default -> throw new IllegalArgumentException("no HF name for " + gguf);
        };
        return "model.layers." + parts[1] + "." + rest;
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
