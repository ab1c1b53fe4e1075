package dev.canopy.pipeline.input;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.stream.Stream;

/**
 * Reads OpenAI batch request lines into the pipeline's columns: {@code custom_id} (the id), {@code messages}
 * (chat requests) or {@code prompt} (completion requests), and the parameters {@code max_tokens} (or
 * {@code max_completion_tokens}), {@code temperature}, {@code top_p}, {@code seed}, {@code stop} (a string or a
 * list) and {@code n}. Other request fields are ignored. A line that is not JSON keeps its text in
 * {@value InputSchema#MALFORMED_COLUMN} (its row fails alone).
 */
public final class OpenAiBatchInput {

    /** The id column of OpenAI batch input and output. */
    public static final String ID_COLUMN = "custom_id";

    static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType).add("content", DataTypes.StringType)
            .add("name", DataTypes.StringType).add("tool_calls", DataTypes.StringType)
            .add("tool_call_id", DataTypes.StringType).add("reasoning_content", DataTypes.StringType);

    /**
     * The request fields read. The parameters are read as their JSON text (Spark's JSON reader gives any value
     * of a string field as text): {@code stop} is parsed as a string or a list, the numbers per row, so that a
     * mistyped value ({@code "max_tokens": "abc"}, an object, a fraction) fails only its row, naming the field,
     * instead of being read as null.
     */
    static final StructType REQUEST = new StructType()
            .add(ID_COLUMN, DataTypes.StringType)
            .add("method", DataTypes.StringType)
            .add("url", DataTypes.StringType)
            .add("body", new StructType()
                    .add("messages", DataTypes.createArrayType(MESSAGE))
                    .add("prompt", DataTypes.StringType)
                    .add("max_tokens", DataTypes.StringType)
                    .add("max_completion_tokens", DataTypes.StringType)
                    .add("temperature", DataTypes.StringType)
                    .add("top_p", DataTypes.StringType)
                    .add("seed", DataTypes.StringType)
                    .add("stop", DataTypes.StringType)
                    .add("n", DataTypes.StringType)
                    .add("tools", DataTypes.StringType)
                    .add("chat_template_kwargs", DataTypes.StringType)
                    .add("add_generation_prompt", DataTypes.StringType)
                    .add("continue_final_message", DataTypes.StringType)
                    .add("response_format", DataTypes.StringType))
            .add(InputSchema.MALFORMED_COLUMN, DataTypes.StringType);

    private OpenAiBatchInput() {}

    /**
     * The requests at {@code location} as rows. A file of chat requests gives a {@code messages} column, one of
     * completion requests a {@code prompt} column (decided by the lines' {@code url}, or where no line has one, by
     * whether any request has messages).
     *
     * @throws InvalidInputException when the lines name more than one endpoint, or one Canopy does not serve
     */
    public static Dataset<Row> read(SparkSession spark, String location) {
        Dataset<Row> requests = spark.read().schema(REQUEST).json(location);
        List<String> urls = requests.select(col("url")).where(col("url").isNotNull()).distinct().limit(4)
                .as(Encoders.STRING()).collectAsList();
        Endpoint endpoint = Endpoint.of(location, urls);
        boolean chat = endpoint == Endpoint.CHAT
                || endpoint == null && !requests.filter(col("body.messages").isNotNull()).isEmpty();
        Column stopText = col("body.stop");
        Column stop = when(stopText.isNull(), lit(null).cast(DataTypes.createArrayType(DataTypes.StringType)))
                .when(stopText.startsWith("["), from_json(stopText, DataTypes.createArrayType(DataTypes.StringType)))
                .otherwise(array(stopText));
        Column source = chat ? col("body.messages").as("messages") : col("body.prompt").as("prompt");
        List<Column> chatFields = chat ? List.of(col("body.tools").as("tools"),
                col("body.chat_template_kwargs").as("chat_template_kwargs"),
                col("body.add_generation_prompt").as("add_generation_prompt"),
                col("body.continue_final_message").as("continue_final_message")) : List.of();
        return requests.select(Stream.concat(Stream.of(
                col(ID_COLUMN),
                source,
                coalesce(col("body.max_completion_tokens"), col("body.max_tokens")).as(RowParam.MAX_TOKENS.column()),
                col("body.temperature").as(RowParam.TEMPERATURE.column()),
                col("body.top_p").as(RowParam.TOP_P.column()),
                col("body.seed").as(RowParam.SEED.column()),
                stop.as(RowParam.STOP.column()),
                col("body.n").as(RowParam.N.column()),
                col("body.response_format").as("response_format"),
                col(InputSchema.MALFORMED_COLUMN)), chatFields.stream()).toArray(Column[]::new));
    }

    /** The endpoint all lines of a batch file name (OpenAI requires one per file). */
    enum Endpoint {
        CHAT, COMPLETIONS;

        /** The endpoint of {@code urls} (the distinct non-null urls, a few at most); null when none is named. */
        static Endpoint of(String location, List<String> urls) {
            if (urls.size() > 1) {
                throw new InvalidInputException("Cannot read OpenAI batch input '" + location + "': its lines name "
                        + (urls.size() > 3 ? "more than 3" : urls.size()) + " endpoints (" + String.join(", ", urls)
                        + "), but a batch file is for one endpoint, as OpenAI requires; split it into one file per"
                        + " url (/v1/chat/completions or /v1/completions)");
            }
            if (urls.isEmpty()) {
                return null;
            }
            String url = urls.get(0);
            if (url.endsWith("/chat/completions")) {
                return CHAT;
            }
            if (url.endsWith("/completions")) {
                return COMPLETIONS;
            }
            throw new InvalidInputException("Cannot read OpenAI batch input '" + location + "': its lines are for "
                    + url + ", but Canopy serves /v1/chat/completions and /v1/completions");
        }
    }
}
