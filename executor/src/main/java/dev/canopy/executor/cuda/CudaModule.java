package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuFuncGetAttribute;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;

/**
 * Canopy's kernels ({@code src/main/cuda}, built by nvcc into the jar as {@value #FATBIN_RESOURCE})
 * loaded into a context, or another fatbin on the classpath (the tests' GEMV lab). Kernels are looked up
 * by name once and cached.
 */
final class CudaModule implements AutoCloseable {

    static final String FATBIN_RESOURCE = "/cuda/canopy.fatbin";

    private final CudaContext context;
    private final String resource;
    private final CUmodule module = new CUmodule();
    private final Map<String, Kernel> kernels = new HashMap<>();

    CudaModule(CudaContext context) {
        this(context, FATBIN_RESOURCE);
    }

    /** The kernels of the fatbin at classpath {@code resource}. */
    CudaModule(CudaContext context, String resource) {
        this.context = context;
        this.resource = resource;
        context.makeCurrent();
        CudaException.check(cuModuleLoadData(module, fatbin(resource)), "load the CUDA kernels (" + resource + ") on "
                + context.info().describe());
    }

    /** The kernel {@code name}; throws naming it if the module has no such kernel. */
    Kernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            CudaException.check(cuModuleGetFunction(f, module, n), "find kernel " + n + " in " + resource);
            return new Kernel(n, f);
        });
    }

    /** Bytes of static shared memory {@code kernel} declares (its {@code __shared__} arrays). */
    int staticSharedBytes(Kernel kernel) {
        int[] bytes = new int[1];
        CudaException.check(cuFuncGetAttribute(bytes, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                kernel.function()), "read the shared memory size of kernel " + kernel.name());
        return bytes[0];
    }

    /** Lets {@code kernel} use up to {@code bytes} of dynamic shared memory (above 48 KiB needs opting in). */
    void allowSharedMemory(Kernel kernel, int bytes) {
        CudaException.check(cuFuncSetAttribute(kernel.function(),
                CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                "allow kernel " + kernel.name() + " " + bytes + " bytes of shared memory");
    }

    static byte[] fatbin() {
        return fatbin(FATBIN_RESOURCE);
    }

    /** The bytes of the fatbin at classpath {@code resource}. */
    static byte[] fatbin(String resource) {
        try (InputStream in = CudaModule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Cannot load the CUDA kernels: resource " + resource
                        + " is not on the classpath (nvcc was not found when the executor module was built)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }

    @Override
    public void close() {
        context.makeCurrent();
        CudaException.check(cuModuleUnload(module), "unload the CUDA kernels");
    }
}
