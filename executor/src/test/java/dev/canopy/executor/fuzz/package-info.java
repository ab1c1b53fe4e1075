/**
 * Coverage-guided fuzz tests (Jazzer's JUnit integration, {@code @FuzzTest}) for the code that reads
 * untrusted input: {@link dev.canopy.executor.fuzz.GgufReaderFuzzTest} (model files),
 * {@link dev.canopy.executor.fuzz.TokenizerFuzzTest} (both tokenizers) and
 * {@link dev.canopy.executor.fuzz.ChatTemplateFuzzTest} (chat templates and conversations).
 *
 * <p>Each target's seed corpus is {@code src/test/resources/dev/canopy/executor/fuzz/<Class>Inputs/<method>/};
 * plain {@code mvn test} replays it (regression mode), and {@code -Pfuzz} fuzzes each target for a
 * bounded time. See {@code docs/fuzzing.md}.
 *
 * <p>{@link dev.canopy.executor.fuzz.RowParametersFuzzTest} fuzzes the per-row sampling parameter
 * parser ({@code SamplingParamsParser}) with arbitrary JSON rows.
 */
package dev.canopy.executor.fuzz;
