package dev.canopy.executor.cuda;

/**
 * What a GPU is: its name and the limits the backend sizes its work by.
 *
 * @param ordinal                  device number, as in {@code cuda:0}
 * @param name                     the driver's name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param computeMajor             compute capability, major part (9 for Hopper)
 * @param computeMinor             compute capability, minor part
 * @param multiprocessors          streaming multiprocessors
 * @param totalBytes               device memory
 * @param maxSharedBytesPerBlock   shared memory one block may use after opting in
 * @param peakBandwidth            memory bandwidth in bytes per second from the memory clock and bus width,
 *                                 or 0 when the driver does not report them
 * @param driverVersion            CUDA driver version, e.g. 13000 for 13.0
 */
public record DeviceInfo(int ordinal, String name, int computeMajor, int computeMinor, int multiprocessors,
                         long totalBytes, int maxSharedBytesPerBlock, double peakBandwidth, int driverVersion) {

    /** One line for logs: {@code cuda:0 NVIDIA H100 80GB HBM3, compute 9.0, 132 SMs, 79.2 GiB, driver 13.0}. */
    public String describe() {
        return String.format("cuda:%d %s, compute %d.%d, %d SMs, %.1f GiB, driver %d.%d", ordinal, name, computeMajor,
                computeMinor, multiprocessors, totalBytes / (double) (1L << 30), driverVersion / 1000,
                driverVersion % 1000 / 10);
    }
}
