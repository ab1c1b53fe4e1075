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
 * <p>The per-row parameter parser (a dataset row's sampling parameters) is not built yet; its fuzz
 * target belongs beside these as {@code RowParametersFuzzTest} (or in the module that owns the parser),
 * with its own seed directory and an execution in the {@code fuzz} profile.
 */
package dev.canopy.executor.fuzz;
