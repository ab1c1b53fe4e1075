package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/** One {@code extern "C"} kernel of the module, launched by name-checked calls. */
final class Kernel {

    private final String name;
    private final CUfunction function;

    Kernel(String name, CUfunction function) {
        this.name = name;
        this.function = function;
    }

    String name() {
        return name;
    }

    CUfunction function() {
        return function;
    }

    /**
     * Queues the kernel on {@code stream} with grid (gridX, gridY), {@code threads} per block and
     * {@code sharedBytes} of dynamic shared memory.
     *
     * @throws CudaException "Cannot run kernel NAME: ..." when the launch is refused
     */
    void launch(CUstream stream, int gridX, int gridY, int threads, int sharedBytes, KernelArgs args) {
        launch(stream, gridX, gridY, 1, threads, sharedBytes, args);
    }

    /** As {@link #launch(CUstream, int, int, int, int, KernelArgs)} with grid (gridX, gridY, gridZ). */
    void launch(CUstream stream, int gridX, int gridY, int gridZ, int threads, int sharedBytes, KernelArgs args) {
        if (gridX <= 0 || gridY <= 0 || gridY > 65535 || gridZ <= 0 || gridZ > 65535) {
            throw new IllegalArgumentException("Cannot run kernel " + name + ": grid " + gridX + " x " + gridY + " x "
                    + gridZ + " must be positive with at most 65535 in y and z");
        }
        CudaException.check(cuLaunchKernel(function, gridX, gridY, gridZ, threads, 1, 1, sharedBytes, stream,
                args.params(), null), "run kernel " + name);
    }
}
