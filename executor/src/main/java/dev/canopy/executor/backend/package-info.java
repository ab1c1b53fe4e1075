/**
 * Which compute backend a model runs on: {@link dev.canopy.executor.backend.BackendKind} (cpu, cuda, auto) and
 * {@link dev.canopy.executor.backend.BackendSelector}, which opens the CPU backend
 * ({@code dev.canopy.executor.model.CpuBackend}) or the CUDA one ({@code dev.canopy.executor.cuda.CudaBackend}) behind
 * {@code dev.canopy.executor.model.Backend}.
 *
 * <p>"Backend" means only this in Canopy. The kernel implementation inside the CPU backend is a
 * {@code dev.canopy.executor.tensor.KernelChoice} ({@code --kernels}); what the pipeline opens per executor JVM to
 * tokenize and generate is a {@code dev.canopy.pipeline.generate.ModelAdapter}.
 *
 * <p>The interface and the implementations stay beside the code they drive ({@code Backend} next to
 * {@code ForwardBatch}, which the CPU transformer reads; {@code CudaBackend} next to the device code it uses
 * package-privately): this package depends on both and neither depends on it, so it adds no package cycle.
 */
package dev.canopy.executor.backend;
