package dev.canopy.executor.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The model architectures Canopy runs, with what differs between them. */
public enum Architecture {
    LLAMA("llama", RopeStyle.NORMAL, false),
    QWEN2("qwen2", RopeStyle.NEOX, true),
    QWEN3("qwen3", RopeStyle.NEOX, false),
    QWEN3MOE("qwen3moe", RopeStyle.NEOX, false),
    GEMMA2("gemma2", RopeStyle.NEOX, false),
    GEMMA3("gemma3", RopeStyle.NEOX, false),
    PHI3("phi3", RopeStyle.NEOX, false),
    GPT_OSS("gpt-oss", RopeStyle.NEOX, true);

    private final String ggufName;
    private final RopeStyle ropeStyle;
    private final boolean qkvBias;

    Architecture(String ggufName, RopeStyle ropeStyle, boolean qkvBias) {
        this.ggufName = ggufName;
        this.ropeStyle = ropeStyle;
        this.qkvBias = qkvBias;
    }

    /** The value of {@code general.architecture}, also the prefix of the architecture's keys. */
    public String ggufName() {
        return ggufName;
    }

    public RopeStyle ropeStyle() {
        return ropeStyle;
    }

    public boolean qkvBias() {
        return qkvBias;
    }

    public static Optional<Architecture> fromGgufName(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }

    /** Comma-separated list of supported names, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "));
    }
}
