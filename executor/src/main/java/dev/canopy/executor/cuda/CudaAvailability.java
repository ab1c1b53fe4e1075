package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

import java.util.List;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Whether this process can run the CUDA backend, and if not, why: the kernels were not built, the
 * JCuda driver library or {@code libcuda.so.1} cannot be loaded, there is no GPU, or the GPU is older
 * than the kernels' target (compute capability 9.0). Detected once per process.
 *
 * @param available whether {@code cuda:0} can run the backend
 * @param detail    the first device's description when available, else the reason it is not
 */
public record CudaAvailability(boolean available, String detail) {

    /** Compute capability the kernels are compiled for (sm_90 code plus compute_90 PTX). */
    public static final int REQUIRED_COMPUTE_MAJOR = 9;

    private static volatile CudaAvailability detected;

    /** The reason the backend cannot run, when it cannot. */
    public Optional<String> unavailableReason() {
        return available ? Optional.empty() : Optional.of(detail);
    }

    /** Detects (once) whether the CUDA backend can run here. Never throws. */
    public static CudaAvailability detect() {
        CudaAvailability d = detected;
        if (d == null) {
            synchronized (CudaAvailability.class) {
                d = detected;
                if (d == null) {
                    d = probe();
                    detected = d;
                }
            }
        }
        return d;
    }

    private static CudaAvailability probe() {
        if (CudaModule.class.getResource(CudaModule.FATBIN_RESOURCE) == null) {
            return no("the CUDA kernels are not in this build: " + CudaModule.FATBIN_RESOURCE + " is missing because nvcc"
                    + " was not found when the executor module was built (profile cuda-kernels)");
        }
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            return no("the JCuda driver library could not be loaded (it needs libcuda.so.1 from an NVIDIA driver): "
                    + loadFailure(e.getMessage()));
        }
        int init = cuInit(0);
        if (init != CUresult.CUDA_SUCCESS) {
            return no("cuInit failed: " + CudaException.describe(init));
        }
        int[] count = new int[1];
        int counted = cuDeviceGetCount(count);
        if (counted != CUresult.CUDA_SUCCESS || count[0] == 0) {
            return no(counted != CUresult.CUDA_SUCCESS ? "cuDeviceGetCount failed: " + CudaException.describe(counted)
                    : "the driver reports no CUDA device");
        }
        CUdevice device = new CUdevice();
        CudaException.check(cuDeviceGet(device, 0), "get cuda:0");
        int major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        if (major < REQUIRED_COMPUTE_MAJOR) {
            return no("cuda:0 has compute capability " + major + "." + minor + " but the kernels are built for "
                    + REQUIRED_COMPUTE_MAJOR + ".0 (Hopper) and newer");
        }
        return new CudaAvailability(true, CudaContext.describe(0, device).describe());
    }

    static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        CudaException.check(cuDeviceGetAttribute(value, attribute, device), "read device attribute "
                + CUdevice_attribute.stringFor(attribute));
        return value[0];
    }

    private static CudaAvailability no(String reason) {
        return new CudaAvailability(false, reason);
    }

    /**
     * The telling line of JCuda's many-line load failure: the one naming libcuda, else the last nested
     * UnsatisfiedLinkError, else the first line.
     */
    static String loadFailure(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String prefix = UnsatisfiedLinkError.class.getName() + ": ";
        return lines.stream().filter(l -> l.contains("libcuda")).findFirst()
                .or(() -> lines.stream().filter(l -> l.startsWith(prefix)).reduce((first, second) -> second))
                .map(l -> l.startsWith(prefix) ? l.substring(prefix.length()) : l)
                .orElse(lines.get(0));
    }
}
