package dev.canopy.executor.cuda;

/**
 * A GPU's peak memory bandwidth and where the number comes from.
 *
 * @param bytesPerSecond the peak, NaN when unknown
 * @param source         how it was found, for the report
 */
record MemoryPeak(double bytesPerSecond, String source) {

    /**
     * The peak from the driver's memory clock ({@code memoryKhz}) and bus width ({@code busBits}), two transfers a
     * clock; where the driver reports neither (some report 0), the datasheet number of the H100 SXM or H200 named in
     * {@code deviceName}.
     */
    static MemoryPeak of(int memoryKhz, int busBits, String deviceName) {
        if (memoryKhz > 0 && busBits > 0) {
            return new MemoryPeak(2.0 * memoryKhz * 1000.0 * busBits / 8.0, String.format(
                    "memory clock %d MHz x %d-bit bus x 2 transfers a clock (cuDeviceGetAttribute)", memoryKhz / 1000,
                    busBits));
        }
        String missing = "the driver reports memory clock " + memoryKhz + " kHz, bus " + busBits + " bits";
        if (deviceName.contains("H200")) {
            return new MemoryPeak(4.8e12, "H200 datasheet; " + missing);
        }
        if (deviceName.contains("H100") && !deviceName.contains("PCIe")) {
            return new MemoryPeak(3.35e12, "H100 SXM datasheet; " + missing);
        }
        return new MemoryPeak(Double.NaN, "unknown: " + missing);
    }

    /** {@code bytes} read in {@code micros} as a percentage of the peak. */
    double percentOf(long bytes, double micros) {
        return 100 * bytes / (micros * 1e-6) / bytesPerSecond;
    }

    /** {@code 3.35 TB/s (source)}. */
    String describe() {
        return String.format("%.2f TB/s (%s)", bytesPerSecond / 1e12, source);
    }
}
