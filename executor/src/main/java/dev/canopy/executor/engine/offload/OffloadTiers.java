package dev.canopy.executor.engine.offload;

import java.util.Locale;

/** Which tiers below the KV pool hold swapped-out blocks. */
public enum OffloadTiers {
    /** None: every preemption recomputes. */
    NONE("none"),
    /** Off-heap host memory. */
    HOST("host"),
    /** Spill files on disk. */
    DISK("disk"),
    /** Host memory first, spilling to disk when it is full. */
    HOST_AND_DISK("host+disk");

    private final String label;

    OffloadTiers(String label) {
        this.label = label;
    }

    /** Whether host memory is one of the tiers. */
    public boolean usesHost() {
        return this == HOST || this == HOST_AND_DISK;
    }

    /** Whether disk is one of the tiers. */
    public boolean usesDisk() {
        return this == DISK || this == HOST_AND_DISK;
    }

    /** The command-line spelling: {@code none}, {@code host}, {@code disk} or {@code host+disk}. */
    public String label() {
        return label;
    }

    /**
     * The tiers spelled {@code text} (see {@link #label()}, case-insensitive).
     *
     * @throws IllegalArgumentException naming the allowed spellings
     */
    public static OffloadTiers parse(String text) {
        for (OffloadTiers t : values()) {
            if (t.label.equals(text.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("Cannot parse offload tiers '" + text
                + "': expected one of none, host, disk, host+disk");
    }
}
