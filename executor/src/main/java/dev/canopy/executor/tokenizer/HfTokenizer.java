package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A tokenizer read from a Hugging Face {@code tokenizer.json} (see {@link HfTokenizerLoader}):
 * added tokens are found first (longest match at each position; control tokens only when special
 * parsing is on), then each piece of text between them is normalized, split into words by the
 * pre-tokenizer and merged by the BPE model; asking for BOS applies the post-processor's template.
 */
public final class HfTokenizer implements Tokenizer {

    /** The parts of the pipeline, built by {@link HfTokenizerLoader}. */
    record Parts(Vocabulary vocabulary, UnaryOperator<String> normalizer, HfPreTokenizer preTokenizer, HfBpeModel model,
            HfPostProcessor postProcessor, HfDecoder decoder, Set<Integer> stripLeft, Set<Integer> stripRight) {}

    private final Parts parts;
    private final SpecialTokenSplitter addedTokens;
    private final TokenBytes tokenBytes;

    HfTokenizer(Parts parts) {
        this.parts = parts;
        Vocabulary vocabulary = parts.vocabulary();
        this.addedTokens = new SpecialTokenSplitter(vocabulary);
        byte[][] rendered = new byte[vocabulary.size()][];
        for (int id = 0; id < rendered.length; id++) {
            rendered[id] = parts.decoder().render(vocabulary.text(id), vocabulary.type(id));
        }
        this.tokenBytes = new TokenBytes(rendered);
    }

    /**
     * {@inheritDoc} With {@code addBos}, the post-processor's tokens (such as BOS) surround the text;
     * a tokenizer whose post-processor adds nothing adds nothing.
     */
    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        List<Fragment> fragments = stripAroundAddedTokens(addedTokens.split(text, parseSpecial));
        TokenList out = new TokenList();
        for (int i = 0; i < fragments.size(); i++) {
            switch (fragments.get(i)) {
                case Fragment.Special s -> out.add(s.id());
                case Fragment.Text t -> {
                    String normalized = parts.normalizer().apply(t.text());
                    if (!normalized.isEmpty()) {
                        parts.model().encode(parts.preTokenizer().split(normalized, i == 0), out);
                    }
                }
            }
        }
        return addBos ? parts.postProcessor().apply(out.toArray()) : out.toArray();
    }

    @Override
    public byte[] tokenBytes(int id) {
        return tokenBytes.of(id);
    }

    @Override
    public String decode(int[] tokens) {
        String text = tokenBytes.decode(tokens);
        return parts.decoder().dropLeadingSpace() && text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    public TokenDecoder newDecoder() {
        return tokenBytes.newDecoder();
    }

    @Override
    public Vocabulary vocabulary() {
        return parts.vocabulary();
    }

    /** Whitespace next to an added token with {@code lstrip}/{@code rstrip} goes, as in Hugging Face tokenizers. */
    private List<Fragment> stripAroundAddedTokens(List<Fragment> fragments) {
        if (parts.stripLeft().isEmpty() && parts.stripRight().isEmpty()) {
            return fragments;
        }
        List<Fragment> out = new ArrayList<>(fragments);
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof Fragment.Special s) {
                if (parts.stripLeft().contains(s.id()) && i > 0 && out.get(i - 1) instanceof Fragment.Text t) {
                    out.set(i - 1, new Fragment.Text(t.text().stripTrailing()));
                }
                if (parts.stripRight().contains(s.id()) && i + 1 < out.size() && out.get(i + 1) instanceof Fragment.Text t) {
                    out.set(i + 1, new Fragment.Text(t.text().stripLeading()));
                }
            }
        }
        return out;
    }
}
