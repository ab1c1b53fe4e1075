package dev.canopy.executor.model;

/** How rotary position embedding pairs up the elements of a head. */
public enum RopeStyle {
    /** Adjacent pairs (2i, 2i+1): llama.cpp's "normal" rope, used by {@code llama}. */
    NORMAL,
    /** Pairs (i, i + d/2): GPT-NeoX style, used by {@code qwen2}. */
    NEOX
}
