#!/usr/bin/env bash
# Regenerates src/test/resources/kernels/reference.bin from the Java scalar path (KernelReferenceWriter) and
# src/test/resources/kernels/attention.bin from the Java attention (AttentionReferenceWriter; run it on an AVX-512
# machine, so that its heads of 64 record the 16-lane order).
# Run from the repository root after `mvn -pl executor -am test-compile`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
CP="target/test-classes:target/classes"
java --add-modules jdk.incubator.vector -cp "$CP" dev.canopy.executor.tensor.KernelReferenceWriter \
  src/test/resources/kernels/reference.bin
java --add-modules jdk.incubator.vector -cp "$CP" dev.canopy.executor.model.AttentionReferenceWriter \
  src/test/resources/kernels/attention.bin
