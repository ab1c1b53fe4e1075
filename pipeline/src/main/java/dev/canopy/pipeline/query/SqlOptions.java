package dev.canopy.pipeline.query;

import java.util.List;
import java.util.Map;

import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.input.InvalidInputException;

/** {@code canopy_generate}'s named arguments as {@link GenerateOptions}; an unknown name or bad value is an error. */
final class SqlOptions {

    /** The names {@code canopy_generate} takes after the table. */
    static final List<String> KEYS = List.of("model", "max_tokens", "temperature", "top_k", "top_p", "seed", "n",
            "prompt_column", "messages_column", "id_column", "text_column", "partitions", "prefix_key_tokens",
            "max_prompt_chars", "output_schema", "chat_template_kwargs");

    private SqlOptions() {}

    /**
     * The options {@code args} name (keys lower case).
     *
     * @throws InvalidInputException naming an unknown key, a missing model or a value that is not a number
     */
    static GenerateOptions parse(Map<String, String> args) {
        for (String key : args.keySet()) {
            if (!KEYS.contains(key)) {
                throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": unknown argument '"
                        + key + "'; it takes " + KEYS);
            }
        }
        String model = args.get("model");
        if (model == null || model.isBlank()) {
            throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": no model; give model =>"
                    + " 'path/to/model.gguf'");
        }
        GenerateOptions options = GenerateOptions.forModel(model);
        try {
            for (Map.Entry<String, String> arg : args.entrySet()) {
                options = with(options, arg.getKey(), arg.getValue());
            }
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": " + e.getMessage()
                    + " is not a number", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("Cannot call " + CanopyExtensions.GENERATE + ": " + e.getMessage(), e);
        }
        return options;
    }

    private static GenerateOptions with(GenerateOptions options, String key, String value) {
        return switch (key) {
            case "max_tokens" -> options.withMaxTokens(Integer.parseInt(value));
            case "temperature" -> options.withTemperature(Double.parseDouble(value));
            case "top_k" -> options.withTopK(Integer.parseInt(value));
            case "top_p" -> options.withTopP(Double.parseDouble(value));
            case "seed" -> options.withSeed(Long.parseLong(value));
            case "n" -> options.withN(Integer.parseInt(value));
            case "prompt_column" -> options.withPromptColumn(value);
            case "messages_column" -> options.withMessagesColumn(value);
            case "id_column" -> options.withIdColumn(value);
            case "text_column" -> options.withTextColumn(value);
            case "partitions" -> options.withPartitions(Integer.parseInt(value));
            case "prefix_key_tokens" -> options.withPrefixKeyTokens(Integer.parseInt(value));
            case "max_prompt_chars" -> options.withMaxPromptChars(Integer.parseInt(value));
            case "output_schema" -> options.withOutputSchema(value);
            case "chat_template_kwargs" -> options.withChatTemplateKwargs(value);
            default -> options; // "model", read first
        };
    }
}
