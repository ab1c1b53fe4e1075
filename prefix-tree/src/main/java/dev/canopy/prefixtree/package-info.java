/**
 * Offline batch planning over a job's known prompts: which prompts run together and in what order,
 * so shared prefixes are computed once and held only while needed, and the hardware stays busy.
 *
 * <ul>
 *   <li>{@link dev.canopy.prefixtree.PrefixTree}: a compressed radix tree over {@code int[]} token
 *       sequences (per-node request counts and tokens saved).</li>
 *   <li>{@link dev.canopy.prefixtree.CostModel}: FLOPs, bytes and roofline time of requests and engine
 *       steps, from a {@link dev.canopy.prefixtree.ModelShape} and a
 *       {@link dev.canopy.prefixtree.HardwareProfile}.</li>
 *   <li>{@link dev.canopy.prefixtree.OutputLengthEstimator}: expected-length column, running group
 *       mean, or {@code max_tokens}.</li>
 *   <li>{@link dev.canopy.prefixtree.BatchPlanner}: a {@link dev.canopy.prefixtree.Plan} of
 *       {@link dev.canopy.prefixtree.PlanGroup}s under a {@link dev.canopy.prefixtree.PlanPolicy}.</li>
 *   <li>{@link dev.canopy.prefixtree.PlanSimulator}: a continuous-batching engine with a bounded
 *       prefix cache, run on the cost model; {@link dev.canopy.prefixtree.Plans#summary} compares
 *       every policy in one call.</li>
 *   <li>{@link dev.canopy.prefixtree.AdmissionRule} and {@link dev.canopy.prefixtree.PrefixLeaderRule}:
 *       when a waiting sequence is admitted, deferred or preempted; the executor's scheduler and the
 *       simulator both apply them.</li>
 * </ul>
 *
 * <p>Pure Java, no dependencies: token id arrays in, plans and estimates out. The Spark job's prefix-keyed
 * range partitioning is Spark code and lives in the pipeline module ({@code dev.canopy.pipeline.partition}).
 */
package dev.canopy.prefixtree;
