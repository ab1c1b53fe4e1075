#!/usr/bin/env python3
"""Writes GgufReaderFuzzTest#readAnyBytes seeds for the model size checks (issue 20): small GGUF v3 files with a
llama config and a 64 x 4 F32 token_embd.weight, one hostile key each. Run from the repository root."""
import os
import struct

OUT = "executor/src/test/resources/dev/canopy/executor/fuzz/GgufReaderFuzzTestInputs/readAnyBytes"
UINT32, STRING = 4, 8


def string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf(overrides):
    kv = {"llama.embedding_length": 64, "llama.block_count": 1, "llama.attention.head_count": 8,
          "llama.attention.head_count_kv": 4, "llama.feed_forward_length": 172, "llama.context_length": 512}
    kv.update(overrides)
    body = string("general.architecture") + struct.pack("<I", STRING) + string("llama")
    for key, value in kv.items():
        body += string(key) + struct.pack("<II", UINT32, value)
    tensor = string("token_embd.weight") + struct.pack("<IQQIQ", 2, 64, 4, 0, 0)
    head = b"GGUF" + struct.pack("<IQQ", 3, 1, len(kv) + 1) + body + tensor
    head += b"\0" * (-len(head) % 32)
    return head + b"\0" * (64 * 4 * 4)


os.makedirs(OUT, exist_ok=True)
for name, overrides in {
    "size-key-length-wraps-heads-times-width": {"llama.attention.key_length": (1 << 30) + 8},
    "size-context-2pow31": {"llama.context_length": (1 << 31) - 1},
    "size-kv-bytes-per-token": {"llama.embedding_length": 1 << 16, "llama.block_count": 4096,
                                "llama.attention.key_length": 1024, "llama.attention.head_count_kv": 8},
}.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(gguf(overrides))
