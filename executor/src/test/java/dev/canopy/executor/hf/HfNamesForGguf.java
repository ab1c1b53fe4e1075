package dev.canopy.executor.hf;

import java.util.Map;

/**
 * Test side: the Hugging Face name of a GGUF tensor for one model_type, written from transformers'
 * modeling files (not from the converter's table, which it checks). Expert tensors have one HF
 * tensor per expert: {@link #expert}, except gpt-oss's, stacked per layer ({@link GptOssExpertsForHf}).
 */
final class HfNamesForGguf {

    private static final Map<String, String> FIXED = Map.of("token_embd.weight", "model.embed_tokens.weight",
            "output_norm.weight", "model.norm.weight", "output.weight", "lm_head.weight");

    private HfNamesForGguf() {}

    static String of(String gguf, String modelType) {
        if (FIXED.containsKey(gguf)) {
            return FIXED.get(gguf);
        }
        boolean gemma = modelType.startsWith("gemma");
        String[] parts = gguf.split("\\.", 3); // blk, N, rest
        String rest = switch (parts[2]) {
            case "attn_norm.weight" -> "input_layernorm.weight";
            case "attn_q.weight" -> "self_attn.q_proj.weight";
            case "attn_k.weight" -> "self_attn.k_proj.weight";
            case "attn_v.weight" -> "self_attn.v_proj.weight";
            case "attn_qkv.weight" -> "self_attn.qkv_proj.weight";
            case "attn_output.weight" -> "self_attn.o_proj.weight";
            case "attn_q.bias" -> "self_attn.q_proj.bias";
            case "attn_k.bias" -> "self_attn.k_proj.bias";
            case "attn_v.bias" -> "self_attn.v_proj.bias";
            case "attn_output.bias" -> "self_attn.o_proj.bias";
            case "attn_sinks.weight" -> "self_attn.sinks";
            case "attn_q_norm.weight" -> "self_attn.q_norm.weight";
            case "attn_k_norm.weight" -> "self_attn.k_norm.weight";
            case "post_attention_norm.weight" -> "post_attention_layernorm.weight";
            case "ffn_norm.weight" -> gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight";
            case "post_ffw_norm.weight" -> "post_feedforward_layernorm.weight";
            case "ffn_gate.weight" -> "mlp.gate_proj.weight";
            case "ffn_up.weight" -> modelType.equals("phi3") ? "mlp.gate_up_proj.weight" : "mlp.up_proj.weight";
            case "ffn_down.weight" -> "mlp.down_proj.weight";
            case "ffn_gate_inp.weight" -> switch (modelType) {
                case "mixtral" -> "block_sparse_moe.gate.weight";
                case "gpt_oss" -> "mlp.router.weight";
                default -> "mlp.gate.weight";
            };
            case "ffn_gate_inp.bias" -> "mlp.router.bias";
            default -> throw new IllegalArgumentException("no HF name for " + gguf + " in a " + modelType + " checkpoint");
        };
        return "model.layers." + parts[1] + "." + rest;
    }

    /** The HF name of expert {@code e}'s slice of GGUF expert tensor {@code gguf} ({@code blk.N.ffn_*_exps.weight}). */
    static String expert(String gguf, int e, String modelType) {
        String[] parts = gguf.split("\\.", 3);
        boolean mixtral = modelType.equals("mixtral");
        String kind = switch (parts[2]) {
            case "ffn_gate_exps.weight" -> mixtral ? "w1" : "gate_proj";
            case "ffn_up_exps.weight" -> mixtral ? "w3" : "up_proj";
            case "ffn_down_exps.weight" -> mixtral ? "w2" : "down_proj";
            default -> throw new IllegalArgumentException("not an expert tensor: " + gguf);
        };
        return "model.layers." + parts[1] + (mixtral ? ".block_sparse_moe" : ".mlp") + ".experts." + e + "." + kind + ".weight";
    }

    static boolean isExperts(String gguf) {
        return gguf.endsWith("_exps.weight");
    }
}
