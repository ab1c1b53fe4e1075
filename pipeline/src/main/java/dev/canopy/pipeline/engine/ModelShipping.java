package dev.canopy.pipeline.engine;

import org.apache.spark.sql.SparkSession;

import dev.canopy.pipeline.GenerateOptions;

/**
 * Ships the model file to a cluster's executors for a job that is about to generate, as the batch job and the
 * library API both do: the model path is the driver's, and executors open the copy Spark fetched
 * ({@link EngineAdapterFactory#shippedWith}). On a local master, or with {@value #SHIP_MODEL}{@code =false} (every
 * executor has the file at the driver's path already), or for another backend, the options are returned as they are;
 * a model on a Hadoop file system is described with the job's Hadoop configuration in every case.
 */
public final class ModelShipping {

    /** Spark setting: {@code false} when every executor can read the model at the driver's path. */
    public static final String SHIP_MODEL = "spark.canopy.shipModel";

    private ModelShipping() {}

    /** {@code options} whose executors open the shipped model, when it has to be shipped. */
    public static GenerateOptions shipped(SparkSession spark, GenerateOptions options) {
        boolean ship = Boolean.parseBoolean(spark.conf().get(SHIP_MODEL, "true"));
        if (!(options.modelAdapter() instanceof EngineAdapterFactory engine)) {
            return options;
        }
        // a Hadoop URI is never "at the driver's path" on an executor: it is always described with the job's Hadoop
        // configuration, which travels to the executors, instead of each executor's default Configuration
        if (!ship && !RemoteModel.isRemote(engine.modelPath())) {
            return options;
        }
        return options.withModelAdapter(engine.shippedWith(spark.sparkContext()));
    }
}
