package dev.canopy.pipeline.distributed;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import scala.jdk.javaapi.CollectionConverters;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.structured.Constraint;
import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.SamplingFields;

/**
 * How a row's {@link PreparedPrompt} travels from the planning step to generation, as typed internal columns, so
 * that a prompt is rendered, tokenized and checked once per job and generation trusts the result:
 * {@link InternalColumns#TOKENS} (array&lt;int&gt;, null when the row was rejected), the rejection
 * ({@link InternalColumns#ERROR_KIND}, {@link InternalColumns#ERROR_MESSAGE}, {@link InternalColumns#PROMPT_TOKENS}),
 * and the row's sampling ({@link InternalColumns#SAMPLING}, JSON) and output constraint
 * ({@link InternalColumns#CONSTRAINT}, serialized), each null when it is the job's own, as for most rows.
 */
final class PreparedColumns implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How many columns {@link #append} adds. */
    static final int WIDTH = 6;

    private final SamplingFields jobSamplingFields;
    private final Constraint jobConstraint; // null: free text
    private transient SamplingParams jobSampling; // rebuilt from the fields on executors

    PreparedColumns(SamplingParams jobSampling, Constraint jobConstraint) {
        this.jobSamplingFields = SamplingFields.of(jobSampling);
        this.jobSampling = jobSampling;
        this.jobConstraint = jobConstraint;
    }

    /** {@code schema} with the prepared columns appended. */
    static StructType append(StructType schema) {
        return schema
                .add(InternalColumns.TOKENS, DataTypes.createArrayType(DataTypes.IntegerType, false), true)
                .add(InternalColumns.ERROR_KIND, DataTypes.StringType, true)
                .add(InternalColumns.ERROR_MESSAGE, DataTypes.StringType, true)
                .add(InternalColumns.PROMPT_TOKENS, DataTypes.IntegerType, false)
                .add(InternalColumns.SAMPLING, DataTypes.StringType, true)
                .add(InternalColumns.CONSTRAINT, DataTypes.BinaryType, true);
    }

    /** Where the prepared columns start in rows of {@code schema}, which {@link #append} made. */
    static int start(StructType schema) {
        return schema.fieldIndex(InternalColumns.TOKENS);
    }

    /** Writes {@code prepared} into {@code values} from {@code at} on, in {@link #append}'s order. */
    void write(PreparedPrompt prepared, Object[] values, int at) {
        switch (prepared) {
            case PreparedPrompt.Ready ready -> {
                values[at] = CollectionConverters.asScala(java.util.Arrays.stream(ready.tokens()).boxed().toList())
                        .toSeq(); // Spark rows hold Scala sequences
                values[at + 3] = ready.tokens().length;
                values[at + 4] = ready.sampling().equals(jobSampling()) ? null
                        : SamplingFields.of(ready.sampling()).toJson();
                values[at + 5] = Objects.equals(ready.constraint(), jobConstraint) ? null : bytes(ready.constraint());
            }
            case PreparedPrompt.Rejected rejected -> {
                values[at + 1] = rejected.error().kind().name();
                values[at + 2] = rejected.error().message();
                values[at + 3] = rejected.promptTokens();
            }
        }
    }

    /** The prepared prompt stored in {@code row}, whose prepared columns start at {@code at}. */
    PreparedPrompt read(Row row, int at) {
        if (!row.isNullAt(at + 1)) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.valueOf(row.getString(at + 1)),
                    row.getString(at + 2)), row.getInt(at + 3));
        }
        List<Integer> stored = row.getList(at);
        int[] tokens = new int[stored.size()]; // (promptTokens,)
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = stored.get(i);
        }
        SamplingParams sampling = row.isNullAt(at + 4) ? jobSampling()
                : SamplingFields.fromJson(row.getString(at + 4)).params();
        Constraint constraint = row.isNullAt(at + 5) ? jobConstraint : constraint(row.getAs(at + 5));
        return new PreparedPrompt.Ready(tokens, sampling, constraint);
    }

    private SamplingParams jobSampling() {
        if (jobSampling == null) {
            jobSampling = jobSamplingFields.params();
        }
        return jobSampling;
    }

    private static byte[] bytes(Constraint constraint) {
        if (constraint == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream objects = new ObjectOutputStream(out)) {
            objects.writeObject(constraint);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot store the output constraint " + constraint, e);
        }
        return out.toByteArray();
    }

    private static Constraint constraint(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (Constraint) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot read a row's stored output constraint (column "
                    + InternalColumns.CONSTRAINT + ")", e);
        }
    }
}
