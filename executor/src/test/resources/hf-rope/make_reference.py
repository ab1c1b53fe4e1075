#!/usr/bin/env python3
"""Reference rope_freqs.weight for Llama 3.x rope_scaling (rope_type llama3).

The loop is llama.cpp's convert_hf_to_gguf.py LlamaModel.generate_extra_tensors, with numpy float32
standing in for torch float32. Writes llama3-rope-factors.json: per config, the config fields and the factors.
Run: python3 make_reference.py  (numpy 2.x)
"""
import json
import math

import numpy as np

CONFIGS = {  # the rope fields of the released config.json files
    "Llama-3.1-8B": dict(rope_theta=500000.0, head_dim=128,
                         rope_scaling=dict(factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                           original_max_position_embeddings=8192, rope_type="llama3")),
    "Llama-3.2-1B": dict(rope_theta=500000.0, head_dim=64,
                         rope_scaling=dict(factor=32.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                           original_max_position_embeddings=8192, rope_type="llama3")),
}


def rope_factors(base, dim, rope_scaling):
    freqs = np.float32(1.0) / (np.float32(base) ** (np.arange(0, dim, 2, dtype=np.float32) / np.float32(dim)))
    factor = rope_scaling.get("factor", 8.0)
    low_freq_factor = rope_scaling.get("low_freq_factor", 1.0)
    high_freq_factor = rope_scaling.get("high_freq_factor", 4.0)
    old_context_len = rope_scaling.get("original_max_position_embeddings", 8192)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            out.append(1)
        elif wavelen > low_freq_wavelen:
            out.append(factor)
        else:
            smooth = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return [float(np.float32(v)) for v in out]


if __name__ == "__main__":
    result = {name: dict(config=c, rope_factors=rope_factors(c["rope_theta"], c["head_dim"], c["rope_scaling"]))
              for name, c in CONFIGS.items()}
    with open("llama3-rope-factors.json", "w") as f:
        json.dump(result, f, indent=1)
