package dev.canopy.jobs.cli;

import java.io.PrintStream;

import dev.canopy.jobs.BatchGenerate;

/** {@code canopy batch}: the Spark batch job ({@link BatchGenerate}) on an embedded local Spark. */
public final class BatchCommand implements Command {

    @Override
    public String name() {
        return "batch";
    }

    @Override
    public String summary() {
        return "generate for a Parquet/JSONL/CSV/OpenAI-batch dataset on local Spark, resumable (see conf/job.yaml)";
    }

    @Override
    public String usage() {
        return BatchGenerate.usage();
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) {
        return BatchGenerate.run(args, out, err);
    }
}
