package dev.canopy.executor.hf;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one table from Hugging Face tensor names to GGUF tensor names (llama.cpp's
 * {@code tensor_mapping.py}), for llama, mistral, qwen2, qwen3, qwen3_moe, mixtral, gemma2, gemma3,
 * phi3 and gpt_oss checkpoints. {@code {L}} stands for the layer number. Fused or stacked tensors
 * (phi3's {@code qkv_proj}, per-expert weights) map to the GGUF name of the fused tensor; the engine
 * decides which of these it runs. gpt-oss's stacked, interleaved experts are split by {@link HfGptOssExperts}.
 */
public final class HfTensorNames {

    private record Rule(Pattern hf, String gguf) {}

    private static final List<Rule> RULES = List.of(
            rule("model.embed_tokens.weight", "token_embd.weight"),
            rule("model.norm.weight", "output_norm.weight"),
            rule("lm_head.weight", "output.weight"),
            rule("model.layers.{L}.input_layernorm.weight", "blk.{L}.attn_norm.weight"),
            rule("model.layers.{L}.self_attn.q_proj.weight", "blk.{L}.attn_q.weight"),
            rule("model.layers.{L}.self_attn.k_proj.weight", "blk.{L}.attn_k.weight"),
            rule("model.layers.{L}.self_attn.v_proj.weight", "blk.{L}.attn_v.weight"),
            rule("model.layers.{L}.self_attn.o_proj.weight", "blk.{L}.attn_output.weight"),
            rule("model.layers.{L}.self_attn.q_proj.bias", "blk.{L}.attn_q.bias"),
            rule("model.layers.{L}.self_attn.k_proj.bias", "blk.{L}.attn_k.bias"),
            rule("model.layers.{L}.self_attn.v_proj.bias", "blk.{L}.attn_v.bias"),
            rule("model.layers.{L}.self_attn.o_proj.bias", "blk.{L}.attn_output.bias"),
            rule("model.layers.{L}.self_attn.q_norm.weight", "blk.{L}.attn_q_norm.weight"), // qwen3, gemma3
            rule("model.layers.{L}.self_attn.k_norm.weight", "blk.{L}.attn_k_norm.weight"),
            rule("model.layers.{L}.self_attn.qkv_proj.weight", "blk.{L}.attn_qkv.weight"), // phi3
            rule("model.layers.{L}.self_attn.sinks", "blk.{L}.attn_sinks.weight"), // gpt_oss
            rule("model.layers.{L}.post_attention_layernorm.weight", "blk.{L}.ffn_norm.weight"),
            rule("model.layers.{L}.pre_feedforward_layernorm.weight", "blk.{L}.ffn_norm.weight"), // gemma2/3
            rule("model.layers.{L}.post_feedforward_layernorm.weight", "blk.{L}.post_ffw_norm.weight"),
            rule("model.layers.{L}.mlp.gate_proj.weight", "blk.{L}.ffn_gate.weight"),
            rule("model.layers.{L}.mlp.up_proj.weight", "blk.{L}.ffn_up.weight"),
            rule("model.layers.{L}.mlp.down_proj.weight", "blk.{L}.ffn_down.weight"),
            rule("model.layers.{L}.mlp.gate_up_proj.weight", "blk.{L}.ffn_up.weight"), // phi3, fused
            rule("model.layers.{L}.mlp.gate.weight", "blk.{L}.ffn_gate_inp.weight"), // qwen3_moe router
            rule("model.layers.{L}.block_sparse_moe.gate.weight", "blk.{L}.ffn_gate_inp.weight"), // mixtral router
            rule("model.layers.{L}.mlp.router.weight", "blk.{L}.ffn_gate_inp.weight"), // gpt_oss router
            rule("model.layers.{L}.mlp.router.bias", "blk.{L}.ffn_gate_inp.bias"),
            rule("model.layers.{L}.mlp.experts.down_proj_bias", "blk.{L}.ffn_down_exps.bias")); // gpt_oss, [E, dim]

    private HfTensorNames() {}

    /**
     * The GGUF name of HF tensor {@code hfName}. Gemma's {@code post_attention_layernorm} is its
     * post-attention norm, not the pre-FFN norm, and gpt-oss's pre-FFN norm has that GGUF name too
     * ({@code post_attention_norm}); {@code gemmaNorms} says which.
     */
    public static Optional<String> ggufName(String hfName, boolean gemmaNorms) {
        if (gemmaNorms && hfName.endsWith(".post_attention_layernorm.weight")) {
            return layer(hfName).map(l -> "blk." + l + ".post_attention_norm.weight");
        }
        for (Rule r : RULES) {
            Matcher m = r.hf().matcher(hfName);
            if (m.matches()) {
                return Optional.of(m.groupCount() == 0 ? r.gguf() : r.gguf().replace("{L}", m.group(1)));
            }
        }
        return Optional.empty();
    }

    private static Optional<String> layer(String hfName) {
        Matcher m = Pattern.compile("model\\.layers\\.(\\d+)\\..*").matcher(hfName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Rule rule(String hf, String gguf) {
        return new Rule(Pattern.compile(Pattern.quote(hf).replace("{L}", "\\E(\\d+)\\Q")), gguf);
    }
}
