package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.gguf.ModelFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Malformed or unsupported {@code tokenizer.json} files fail at load, naming the file, the field and the component. */
class HfTokenizerLoaderTest {

    private static final Path FILE = Path.of("tokenizer.json");
    private static final String PREFIX = "Cannot load model tokenizer.json: tokenizer.json: field ";
    private static final String VOCAB = "\"vocab\":{\"a\":0,\"b\":1,\"ab\":2,\"<s>\":3}";

    private static HfTokenizer parse(String json) {
        return HfTokenizerLoader.parse(FILE, json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(String json, String problem) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(ModelFormatException.class).hasMessage(PREFIX + problem);
    }

    private static String model(String extra) {
        return "{'model':{'type':'BPE'," + VOCAB.replace('"', '\'') + ",'merges':['a b']}" + extra + "}";
    }

    @Test
    void buildsATinyByteLevelTokenizer() {
        HfTokenizer tokenizer = parse(model(",'added_tokens':[{'id':3,'content':'<s>','special':true}],"
                + "'post_processor':{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'<s>','type_id':0}},"
                + "{'Sequence':{'id':'A','type_id':0}}],'special_tokens':{'<s>':{'id':'<s>','ids':[3],'tokens':['<s>']}}}"));
        assertThat(tokenizer.encode("abab", true, true)).containsExactly(3, 2, 2);
        assertThat(tokenizer.encode("<s>ba", false, true)).containsExactly(3, 1, 0);
        assertThat(tokenizer.addBosByDefault()).isTrue();
    }

    @Test
    void refusesAnUnknownModelNamingIt() {
        assertRefused("{'model':{'type':'WordPiece','vocab':{}}}", "model.type: unsupported model 'WordPiece' (supported:"
                + " BPE); convert the model with a tokenizer Canopy reads or file an issue naming this component");
    }

    @Test
    void refusesUnknownComponentsNamingThem() {
        assertRefused(model(",'pre_tokenizer':{'type':'Sequence','pretokenizers':[{'type':'BertPreTokenizer'}]}"),
                "pre_tokenizer.pretokenizers[0].type: unsupported pre-tokenizer 'BertPreTokenizer' (supported: Split,"
                        + " ByteLevel, Metaspace, Digits, WhitespaceSplit, Sequence); convert the model with a tokenizer"
                        + " Canopy reads or file an issue naming this component");
        assertThatThrownBy(() -> parse(model(",'normalizer':{'type':'Precompiled'}")))
                .hasMessageStartingWith(PREFIX + "normalizer.type: unsupported normalizer 'Precompiled'");
        assertThatThrownBy(() -> parse(model(",'decoder':{'type':'WordPiece'}")))
                .hasMessageStartingWith(PREFIX + "decoder.type: unsupported decoder 'WordPiece'");
        assertThatThrownBy(() -> parse(model(",'post_processor':{'type':'Foo'}")))
                .hasMessageStartingWith(PREFIX + "post_processor.type: unsupported post-processor 'Foo'");
    }

    @Test
    void refusesMalformedFieldsNamingThem() {
        assertRefused("{'model':{'type':'BPE','vocab':{'a':0},'merges':['ab']}}",
                "model.merges[0]: expected two symbols separated by a space, found 'ab'");
        assertRefused("{'model':{'type':'BPE','vocab':{'a':-4}}}", "model.vocab.a: expected a token id in [0, 16000000],"
                + " found -4");
        assertRefused("{'model':{'type':'BPE','vocab':{'a':0,'b':0}}}", "model.vocab.b: id 0 is also the id of 'a'");
        assertRefused(model(",'pre_tokenizer':{'type':'Split','pattern':{'Regex':'(unclosed'},'behavior':'Isolated'}"),
                "pre_tokenizer.pattern.Regex: expected a regular expression, found '(unclosed' (Unclosed group)");
        assertRefused(model(",'pre_tokenizer':{'type':'Split','pattern':{'String':' '},'behavior':'Sideways'}"),
                "pre_tokenizer.behavior: expected Removed, Isolated, MergedWithPrevious, MergedWithNext or Contiguous,"
                        + " found 'Sideways'");
        assertRefused(model(",'post_processor':{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'<x>'}}],"
                + "'special_tokens':{}}"), "post_processor.special_tokens.<x>: expected the ids of special token '<x>'"
                        + " used in the template");
        assertRefused(model(",'post_processor':{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'<x>'}}],"
                + "'special_tokens':{'<x>':{'ids':[99]}}}"), "post_processor: token id 99 is outside the vocabulary [0, 4)");
        assertRefused("{'model':{'type':'BPE','vocab':{'a':0},'continuing_subword_prefix':'##'}}",
                "model.continuing_subword_prefix: unsupported BPE option (only empty or null is supported)");
    }

    @Test
    void refusesTextThatIsNotJson() {
        assertThatThrownBy(() -> HfTokenizerLoader.parse(FILE, "{\"model\": [".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("Cannot load model tokenizer.json: expected JSON, found a syntax error");
    }
}
