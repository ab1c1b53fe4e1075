package dev.canopy.pipeline.batch;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.canopy.pipeline.input.OpenAiBatchInput;
import dev.canopy.pipeline.distributed.ResultColumns;

/**
 * Turns result rows into OpenAI batch output lines: {@code id}, {@code custom_id}, {@code response} (status 200
 * and a {@code chat.completion} or {@code text_completion} body with choices and usage) or, for a row that
 * failed, {@code error} ({@code code} is the error kind, {@code message} the reason).
 */
final class OpenAiBatchOutput {

    private OpenAiBatchOutput() {}

    /**
     * @param idColumn    the rows' id column, written as {@code custom_id}
     * @param chat        whether the requests were chat requests (messages) rather than completions (prompt)
     * @param textColumn  the generated-text column
     * @param multiChoice whether {@code rows} has a {@link ResultColumns#CHOICES} column
     */
    static Dataset<Row> shape(Dataset<Row> rows, String idColumn, boolean chat, String textColumn, boolean multiChoice) {
        Column customId = col(CommittedRows.quoted(idColumn)).cast("string");
        Column hash = sha2(customId, 256);
        Column choices = multiChoice ? col(ResultColumns.CHOICES)
                : array(struct(lit(0).as("index"), col(textColumn).as("text"),
                        col(ResultColumns.FINISH_REASON).as("finish_reason")));
        String element = chat
                ? "named_struct('index', c.index, 'message', named_struct('role', 'assistant', 'content', c.text),"
                        + " 'finish_reason', c.finish_reason)"
                : "named_struct('index', c.index, 'text', c.text, 'finish_reason', c.finish_reason)";
        Column usage = struct(
                col(ResultColumns.PROMPT_TOKENS).as("prompt_tokens"),
                col(ResultColumns.COMPLETION_TOKENS).as("completion_tokens"),
                col(ResultColumns.PROMPT_TOKENS).plus(col(ResultColumns.COMPLETION_TOKENS)).as("total_tokens"),
                struct(col(ResultColumns.CACHED_PROMPT_TOKENS).as("cached_tokens")).as("prompt_tokens_details"));
        Column body = struct(
                concat(lit(chat ? "chatcmpl-" : "cmpl-"), substring(hash, 1, 24)).as("id"),
                lit(chat ? "chat.completion" : "text_completion").as("object"),
                unix_timestamp().as("created"),
                col(ResultColumns.MODEL).as("model"),
                expr("transform(choices_in, c -> " + element + ")").as("choices"),
                usage.as("usage"));
        Column failed = col(ResultColumns.ERROR).isNotNull();
        Column response = struct(lit(200).as("status_code"),
                concat(lit("req_"), substring(hash, 25, 24)).as("request_id"), body.as("body"));
        Column error = struct(substring_index(col(ResultColumns.ERROR), ":", 1).as("code"),
                col(ResultColumns.ERROR).as("message"));
        return rows.withColumn("choices_in", choices).select(
                concat(lit("batch_req_"), substring(hash, 1, 24)).as("id"),
                customId.as(OpenAiBatchInput.ID_COLUMN),
                when(failed, lit(null)).otherwise(response).as("response"),
                when(failed, error).as("error"));
    }
}
