/**
 * Every error code the tool prints, what it means, its usual causes and the
 * fix. `microgpt explain MG012` prints one entry; `microgpt explain --errors`
 * lists them all. A test keeps this table and the codes in the source in step.
 */
export interface ErrorCodeInfo {
  title: string;
  causes: string[];
  fix: string;
}

export const ERROR_CODES: Readonly<Record<string, ErrorCodeInfo>> = {
  MG000: {
    title: 'bad command line',
    causes: [
      'an unknown command or option',
      'an option value that is not a number or is out of range',
      'a missing argument',
    ],
    fix: 'Read `microgpt <command> --help`; the message names the option and the allowed range.',
  },
  MG001: {
    title: 'options that do not go together',
    causes: ['two explain modes at once (--attention with --kernel)', '--html without --attention'],
    fix: 'Give one mode per command; run the command twice for two views.',
  },
  MG002: { title: 'empty text', causes: ['--attention "" or trace ""'], fix: 'Give at least one character, e.g. mar.' },
  MG003: {
    title: 'characters outside the vocabulary',
    causes: [
      'uppercase letters, digits, spaces or accents for the built-in a–z model',
      'characters a --data corpus never contained',
    ],
    fix: 'Use only the characters the model was trained on (the message lists them); the built-in model knows lowercase a–z.',
  },
  MG004: {
    title: 'text too long for the context',
    causes: ['more than 15 characters for microGPT (BOS + 15 = 16 positions)'],
    fix: 'Shorten the text to fit the context the message names.',
  },
  MG005: {
    title: 'no such head, layer or hook point',
    causes: [
      '--heads or --layer beyond the model (microGPT has heads 0..3 and layer 0)',
      'trace --names GLOB that matches no hook point (names look like blocks.0.attn.hook_pattern)',
    ],
    fix: 'Pick heads and layers within the range the message gives; run trace without --names to see every hook point.',
  },
  MG006: {
    title: 'unknown error code',
    causes: ['a typo in `microgpt explain MGnnn`'],
    fix: 'Run `microgpt explain --errors` for the list.',
  },
  MG010: {
    title: 'file is not valid JSON',
    causes: ['a syntax error: a missing comma, quote or brace', 'a file that is not JSON at all'],
    fix: 'Fix the JSON at the line and column the message gives (a JSON linter helps).',
  },
  MG011: {
    title: 'contract does not match the schema',
    causes: [
      'a missing or misspelt field',
      'a value of the wrong type',
      'a constraint value the kernel registry does not know',
    ],
    fix: 'Fix the field at the JSON path in the message; add "$schema": "./schema.json" (next to contracts/schema.json) so an editor checks as you type.',
  },
  MG012: {
    title: 'contract sizes are inconsistent',
    causes: [
      'heads × head_dim ≠ hidden without an explicit head_dim',
      'heads not divisible by kv_heads',
      'gqa with kv_heads = heads, or mqa with kv_heads ≠ 1',
      'rope without rope_theta',
      'absurdly large sizes',
      'a shape expression that is not a whole number',
    ],
    fix: 'Correct the size variant at the JSON path; the message says which rule failed.',
  },
  MG013: {
    title: 'cannot read a contract or config file',
    causes: [
      'the path does not exist (ENOENT)',
      'no permission (EACCES)',
      'a directory given where a file is expected',
    ],
    fix: 'Check the path; --kernel takes a family name, a contract .json or a config.json; --contracts takes a folder.',
  },
  MG014: {
    title: 'unknown family',
    causes: ['a typo (the message suggests the nearest)', 'a family with no contract yet'],
    fix: 'Run `microgpt contracts list`; add your own family with --contracts DIR.',
  },
  MG015: {
    title: 'unknown size variant',
    causes: ['--size names a size the contract does not list'],
    fix: 'Use a size from the "Size variants" table of `microgpt explain --kernel F -v`.',
  },
  MG016: {
    title: 'unknown tensor',
    causes: [
      'a typo in the tensor name',
      "a layer number beyond the family's largest size",
      'a naming convention no shipped family uses',
    ],
    fix: 'Use a name from `microgpt explain --kernel F -v`, or attn_mask; --family restricts the lookup to one family.',
  },
  MG017: {
    title: 'unknown example',
    causes: ['a typo in the example name'],
    fix: 'Run `microgpt example` to list them.',
  },
  MG018: {
    title: 'config.json sizes are not usable',
    causes: [
      'a size that is zero, negative, fractional or absurdly large',
      'attention heads not divisible by key/value heads',
    ],
    fix: 'Check the config.json; it must describe a real model.',
  },
  MG019: {
    title: 'config.json matches no family',
    causes: ['a model_type or architecture class with no shipped contract'],
    fix: "Write a contract for it (copy a similar family's file) and pass --contracts DIR.",
  },
  MG020: {
    title: 'unknown kernel value',
    causes: ['a constraint value that is not in the kernel registry'],
    fix: 'Use one of the values the message lists.',
  },
  MG021: {
    title: 'kernel is explain-only',
    causes: ['asking to run a kernel this version can only explain'],
    fix: 'Use a family whose kernels are all marked "✓ runs here" in `microgpt explain --kernel F`.',
  },
  MG022: {
    title: 'family cannot run as a tiny model',
    causes: ['an attention_type of ssm (Mamba) or linear (RWKV): there is no attention matrix'],
    fix: 'Explain it with `microgpt explain --kernel F`; run attention families (mha, gqa, mqa).',
  },
  MG030: {
    title: 'bad shape expression',
    causes: [
      "an unknown size name in a contract's shape template",
      'characters other than numbers, names and + - * / ( )',
      'an expression that is too long or nested too deeply',
    ],
    fix: 'Write shapes over the size fields, e.g. "kv_heads*head_dim".',
  },
  MG040: {
    title: 'cannot write the output file',
    causes: [
      'an empty path (--out "" or --html "", often an unset shell variable)',
      'the folder does not exist',
      'no write permission',
      'the path is a directory, a device or a FIFO',
      'a path through a file (ENOTDIR) or a name too long',
    ],
    fix: 'Give a file path in a folder you can write to.',
  },
  MG044: {
    title: 'output is an input',
    causes: [
      "--out, --html or another output naming a file the command reads: --model, a model folder's weights, shards, index, config.json or tokenizer files, --data or a contract (also through a symbolic or hard link)",
    ],
    fix: 'Give the output its own path; a new file inside a model folder is fine.',
  },
  MG045: {
    title: 'output exists',
    causes: [
      'train --out naming a checkpoint that is already there (the default is model.safetensors)',
      '--html naming an existing file that is not a page microgpt wrote (its own pages are replaced without --force)',
    ],
    fix: 'Pass --force to replace it, or give another --out or --html.',
  },
  MG041: {
    title: 'cannot read the data file',
    causes: ['the path does not exist', 'a directory given as --data'],
    fix: '--data takes a text file with one name per line.',
  },
  MG042: {
    title: 'the data file is empty',
    causes: ['no non-empty lines in --data'],
    fix: 'Put one name (document) per line.',
  },
  MG043: {
    title: "data outside the model's vocabulary",
    causes: ['evaluating a model on a corpus with characters it was not trained on'],
    fix: "Evaluate on data with the model's characters, or train a model on this data.",
  },
  MG046: {
    title: 'too many distinct characters',
    causes: ['a --data file with more than 1,024 distinct characters (binary data, or a whole-Unicode text)'],
    fix: 'Train on names or words; a character-level model here has at most 1,024 characters.',
  },
  MG047: {
    title: 'two contracts for one family',
    causes: ['two .json files in one --contracts folder with the same "family"'],
    fix: 'Keep one of them; a --contracts folder may override a shipped family, but one folder defines each family once.',
  },
  MG048: {
    title: 'a --data line over 1 MB',
    causes: ['a whole text on one line (no line breaks)', 'a binary file given as --data'],
    fix: 'Put one document (a name, a sentence, a paragraph) per line; each line is at most 1,048,576 bytes.',
  },
  MG049: {
    title: 'could not write the output',
    causes: [
      'stdout sent to a full disk or to /dev/full (ENOSPC)',
      'an I/O error on the file or device stdout goes to (EIO)',
    ],
    fix: 'Free space, or send the output elsewhere. The exit status is 74 (EX_IOERR); a closed pipe (| head) is not an error.',
  },
  MG050: {
    title: 'checkpoint truncated',
    causes: ['a file shorter than the 8-byte header length', 'an interrupted download or copy'],
    fix: 'Copy or download the file again, or train a new one with `microgpt train --out FILE`.',
  },
  MG051: {
    title: 'checkpoint header length is impossible',
    causes: [
      "a header length beyond the file's end (truncated file)",
      'a header length over 100 MB (not a safetensors file, or corrupt)',
    ],
    fix: 'Use an intact .safetensors file.',
  },
  MG052: {
    title: 'checkpoint header is not a JSON object',
    causes: ['corruption in the header bytes', 'a file of another format'],
    fix: 'Use a .safetensors file written by microgpt train.',
  },
  MG053: {
    title: 'a tensor entry in a safetensors header is invalid',
    causes: [
      'an unknown or unsupported dtype (a microgpt checkpoint holds F32 or F64)',
      'a missing dtype or a malformed shape',
      'a tensor name given twice in the header',
    ],
    fix: 'Convert the tensors to F32 or F64, or re-save with microgpt train.',
  },
  MG054: {
    title: "a tensor's bytes do not match its header entry",
    causes: [
      'offsets outside the data section (a truncated file)',
      'shape × dtype size different from the byte range (e.g. F32 bytes labelled BF16)',
      'bytes in the data section that no tensor uses',
    ],
    fix: 'The file is corrupt or hand-edited; use an intact one.',
  },
  MG055: {
    title: 'tensors overlap in a safetensors file',
    causes: ['two tensors whose byte ranges overlap'],
    fix: 'The file is corrupt or hand-edited; use an intact one.',
  },
  MG056: {
    title: 'safetensors metadata is invalid',
    causes: [
      '__metadata__ that is not an object of strings (the format allows only strings there)',
      'a crafted header nesting arrays inside __metadata__ (refused unread; validate reports it as a failed check)',
      'a __metadata__ key given twice',
    ],
    fix: 'Use a .safetensors file written by microgpt train.',
  },
  MG057: {
    title: 'cannot read the checkpoint',
    causes: ['the path does not exist', 'a directory given as --model', 'no permission'],
    fix: 'Check the path; write one with `microgpt train --out FILE`.',
  },
  MG058: {
    title: 'checkpoint is not a microgpt model',
    causes: [
      'metadata format is not "microgpt"',
      'missing or invalid config or vocab metadata',
      'a config describing an impossible model',
    ],
    fix: 'Use a checkpoint written by microgpt train (any safetensors reader can read ours, but we read only ours).',
  },
  MG059: {
    title: 'checkpoint tensors do not match the config',
    causes: ['a missing or extra tensor', 'a tensor whose shape disagrees with the config'],
    fix: 'The file is not a microgpt checkpoint of this config; use one written by microgpt train.',
  },
  MG060: {
    title: 'weights out of range: too large to run, or NaN / infinite where training needs them finite',
    causes: [
      'a checkpoint weight beyond the plausible range (a diverged run saved by another tool, corruption)',
      'training a model whose weights hold NaN or infinity (other commands read such a checkpoint: inspect and validate --scan show the values, a run stops with MG110)',
    ],
    fix: 'Retrain (microgpt train stops on a non-finite loss and keeps the last good weights); microgpt validate --scan names every tensor holding NaN or infinity.',
  },
  MG061: {
    title: 'cannot read the model path',
    causes: ['the path does not exist', 'a FIFO, socket or device instead of a regular file', 'no permission'],
    fix: 'Give a model file (*.safetensors, *.gguf, model.safetensors.index.json) or a folder holding one.',
  },
  MG062: {
    title: 'not a model file',
    causes: [
      'a file that is neither safetensors (8-byte length, then "{") nor GGUF ("GGUF")',
      'a PyTorch .bin/.pt pickle, which this tool does not read',
    ],
    fix: 'Give a .safetensors or .gguf file; convert pickles to safetensors first.',
  },
  MG063: {
    title: 'safetensors header unreadable',
    causes: [
      'a file shorter than 8 bytes',
      'a header length of 0 or 1, past the end of the file, or over 100 MB',
      'a header that is not a JSON object, or nests deeper than 16 levels',
    ],
    fix: 'The file is truncated or corrupt; download or copy it again.',
  },
  MG064: {
    title: 'GGUF header unreadable',
    causes: [
      'a wrong magic number or a version other than 2 or 3',
      'a count or length larger than the file can hold',
      'a value type GGUF does not define',
    ],
    fix: 'The file is truncated, corrupt or of a newer GGUF version; download or convert it again.',
  },
  MG065: {
    title: 'sharded model incomplete or inconsistent',
    causes: [
      'an index naming a shard that is not there',
      'an index that is not valid JSON or has no weight_map',
      'a shard name with a path in it',
    ],
    fix: 'Download every shard the index names, into the same folder as the index.',
  },
  MG066: {
    title: 'no single model in the folder',
    causes: ['a folder with no *.safetensors, index or *.gguf file', 'several model files and no index to join them'],
    fix: 'Point at the folder of one model, or name the file.',
  },
  MG067: {
    title: 'cannot compare values',
    causes: ['diff --values on files over 2 GB', 'tensors of different shapes or of a dtype this tool does not decode'],
    fix: 'Compare structure only (no --values), or compare smaller files; --values decodes F32, F64, F16 and BF16.',
  },
  MG068: {
    title: 'unknown KV-cache dtype',
    causes: ['a --kv-dtype that is not a ggml type name'],
    fix: 'Use f16, bf16, f32, q8_0 or q4_0 (any ggml type name works).',
  },
  MG070: {
    title: 'training diverged',
    causes: ['a learning rate too high for the model (--lr)'],
    fix: 'Lower --lr; the checkpoint written holds the last good step.',
  },
  MG071: {
    title: 'no usable config.json beside the weights',
    causes: [
      'a model folder (or weights file) without config.json, given to a command that runs the model',
      'a config.json that is not valid JSON, not an object, a FIFO, a device or over 4 MB',
    ],
    fix: "Put the model's own config.json (as downloaded with its weights) beside them; microgpt inspect reads the weights without it.",
  },
  MG072: {
    title: 'GGUF models do not run yet',
    causes: ['a .gguf file given to a command that runs a model (explain --attention, sample, eval …)'],
    fix: 'Run the safetensors release of the model; microgpt inspect and validate read GGUF files.',
  },
  MG080: {
    title: 'config.json cannot assemble the model',
    causes: ['a size field missing, not a positive integer, or out of bounds', 'heads that do not divide the width'],
    fix: "Use the model's own config.json, as downloaded with its weights.",
  },
  MG081: {
    title: 'unsupported rope_scaling',
    causes: ['a rope_scaling type other than "llama3" (linear, dynamic, yarn, Phi-3\'s longrope or su …)'],
    fix: 'Run a model without rope_scaling or with Llama 3 scaling; microgpt inspect still reads the file.',
  },
  MG082: {
    title: 'a family this version cannot run',
    causes: [
      'a model_type outside gpt2, llama, mistral, qwen2, qwen3, gpt_neox, phi, phi3, gemma',
      'an activation the family does not use',
      'tensors or biases (attention_bias) its contract does not describe',
    ],
    fix: 'The message names what the family needs; microgpt inspect and explain --kernel still read it.',
  },
  MG083: {
    title: 'weights and config.json disagree',
    causes: [
      'a tensor missing or of another shape than config.json gives',
      "a tensor the family's contract has no role for (it would be left out)",
      'quantized or integer weights',
    ],
    fix: 'Point at a complete download (all shards) with its own config.json; weights must be F32, F16, BF16 or F64.',
  },
  MG084: {
    title: 'too big for this machine',
    causes: ["the model's float32 weights would take more memory than the machine has"],
    fix: 'Use a smaller model; the message gives the figure.',
  },
  MG085: {
    title: 'no tokenizer for text',
    causes: [
      'a model folder without tokenizer.json (GPT-2 has a built-in one)',
      'a tokenizer.json this tool cannot read',
    ],
    fix: 'Give token ids with --ids 50,1000,7, or put the tokenizer files beside the weights.',
  },
  MG086: {
    title: 'bad token input',
    causes: ['--ids with an id outside the vocabulary', "a prompt longer than the model's context", 'an empty prompt'],
    fix: 'Use ids below vocab_size, and fewer tokens than the context the message names.',
  },
  MG087: {
    title: 'a model size that cannot be built',
    causes: [
      '--n-embd not a multiple of --n-head',
      'an odd head size with RoPE',
      'sizes past what a checkpoint may hold',
    ],
    fix: 'Pick n_embd divisible by the heads (even per head for RoPE families), within the limits the message names.',
  },
  MG088: {
    title: 'inputs that cannot be patched',
    causes: ['clean and corrupt inputs of different token lengths', 'a target the two inputs give the same logit'],
    fix: 'Use two inputs of the same length that the model tells apart (e.g. change one character or word).',
  },
  MG110: {
    title: 'a non-finite activation',
    causes: [
      'NaN or infinite values in the weights (a corrupted or badly converted file)',
      'a hook that wrote NaN into an activation',
    ],
    fix: 'Run microgpt validate --scan on the model: it names every tensor holding NaN or infinity.',
  },
  MG111: {
    title: 'no hook point matches',
    causes: ['a --names pattern that names no hook point of this model (a typo, or a point the architecture lacks)'],
    fix: 'List them with microgpt cache --list --model …; * matches any characters, dots included.',
  },
  MG112: {
    title: 'the cache would not fit',
    causes: ['every hook point of a long input on a large model', 'a nearly full disk'],
    fix: 'Save fewer points with --names, or a shorter input; the message gives the figures.',
  },
  MG113: {
    title: 'a tokenizer pattern this tool does not run',
    causes: [
      'a tokenizer.json whose Split or Replace "Regex" pattern is not one a known tokenizer uses (GPT-2, Llama 3, Qwen2): patterns from files are not compiled, as one like (a|aa)+$ can take exponential time',
      'a "String" pattern over 64 characters, or a pattern that is not a string',
    ],
    fix: "Use the model's original tokenizer.json, or give token ids with --ids 50,1000,7.",
  },
  MG101: {
    title: 'softmax received a non-finite input',
    causes: [
      'a mask of -Infinity instead of a large finite negative',
      'NaN or infinite activations from corrupted weights',
    ],
    fix: 'Mask with -1e9 (as microgpt does); check the weights with microgpt inspect.',
  },
};
