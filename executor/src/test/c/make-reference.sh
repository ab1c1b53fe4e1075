#!/usr/bin/env bash
# Regenerates src/test/resources/kernels/reference.bin from the Java scalar path (KernelReferenceWriter).
# Run from the repository root after `mvn -pl executor -am test-compile`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
CP="target/test-classes:target/classes"
java --add-modules jdk.incubator.vector -cp "$CP" dev.canopy.executor.tensor.KernelReferenceWriter \
  src/test/resources/kernels/reference.bin
