// Canopy's CUDA kernels, compiled as one module (canopy.fatbin) and loaded by CudaModule.
// Build: nvcc -fatbin --fmad=false -gencode arch=compute_90,code=[sm_90,compute_90] canopy.cu
#include "attention.cuh"
#include "elementwise.cuh"
#include "matmul.cuh"
#include "matmul_tc.cuh"
#include "rope.cuh"
#include "shared_prefix.cuh"
