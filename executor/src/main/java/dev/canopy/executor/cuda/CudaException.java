package dev.canopy.executor.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * A CUDA driver call or kernel failed, or the GPU cannot hold what was asked of it. The message
 * says what was being done and, for driver errors, CUDA's error name and text:
 * {@code Cannot run kernel rms_norm: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered}.
 */
public final class CudaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** {@link CUresult} code, or {@link CUresult#CUDA_SUCCESS} when the failure is not a driver error. */
    private final int errorCode;

    public CudaException(String message, int errorCode) {
        super(message);
        this.errorCode = errorCode;
    }

    /** The {@link CUresult} code of the failed call ({@code CUDA_SUCCESS} when not a driver error). */
    public int errorCode() {
        return errorCode;
    }

    /**
     * Throws a {@code CudaException} "Cannot {@code action}: NAME: text" unless {@code result} is
     * {@code CUDA_SUCCESS}.
     */
    static void check(int result, String action) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException("Cannot " + action + ": " + describe(result), result);
        }
    }

    /** CUDA's name and text for an error code, e.g. {@code CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected}. */
    static String describe(int result) {
        String[] text = new String[1];
        boolean known = JCudaDriver.cuGetErrorString(result, text) == CUresult.CUDA_SUCCESS && text[0] != null;
        return CUresult.stringFor(result) + (known ? ": " + text[0] : "");
    }
}
