// Package tokenize turns normalised text into byte-level BPE token ids for
// the detector, on top of github.com/sugarme/tokenizer v0.3.0.
//
// # Model
//
// A Tokenizer is a byte-level BPE vocabulary in the GPT-2 style: text is
// split into pre-tokens by the library's ByteLevel pre-tokeniser (pattern
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+, unmatched
// whitespace kept as its own pre-token, AddPrefixSpace on: a text not
// starting with a space is read as if it did), each byte is mapped to one of
// 256 printable symbols ('Ġ' for space), and the library's bpe.BPE model
// merges symbol pairs by rank. Ids 0..255 are the 256 byte symbols, id 256
// is UnkToken, and id 257+i is made by merge i unless an identical token
// was made earlier. Because every byte has a symbol, no input reaches the
// library's "Can't find unk token" panic; the unknown token is kept anyway.
//
// The trained state is the ordered merge list; MarshalBinary stores it with
// the most frequent training words and their ids, and a CRC-32. Unmarshal
// rebuilds the vocabulary and the library model from those bytes (never
// from files, never with the pretrained loaders, which chdir and download)
// and validates everything: a truncated, corrupt or wrong-version blob is
// an error, never a panic.
//
// # Two paths to the same ids
//
// Encode is the library's full path, tokenizer.Tokenizer.Encode, which
// builds offset-alignment structures for every character and runs at well
// under 1 MB/s. IDs is the fast path and gives the same ids
// (TestIDsMatchEncode, TestIDsMatchEncodeSharedData, FuzzIDs):
//
//  1. a hand-written pre-tokeniser (no regexp) that reproduces the pattern
//     above with Go regexp semantics: leftmost-first alternation, \s the
//     ASCII class [\t\n\f\r ], \p{L} and \p{N} as package unicode defines
//     them, an invalid byte read as U+FFFD (the library rewrites each
//     invalid byte to U+FFFD before tokenising; so does IDs);
//  2. per pre-token, a read-only table of the known words stored in the
//     model (up to 65536 of the most frequent training words with their
//     ids, which the library's Tokenize computed at training; known.go: a
//     flat open-addressing table built on load, its slots holding a hash,
//     an arena offset and two lengths, each word's ids right after its
//     bytes in one arena, so a hit costs about two cache misses), then a
//     bounded cache shared by all goroutines (65536 slots, direct-mapped
//     by the same hash, each an atomic pointer to an immutable entry: no
//     locks, and a new word takes over its slot), then, on a miss, the BPE merge of the library model's own
//     merge table (merge.go), which follows bpe.Word.MergeAll step for step
//     but skips the math/rand source the library seeds for every word (only
//     dropout reads it, and it cost more than the merge). Tests compare it
//     with the library's Tokenize on every known word, the shared data and
//     under fuzzing.
//
// Pre-tokens longer than 100 bytes (a run of letters, a base64 blob, a
// thousand newlines) are cut at rune boundaries into pieces of at most 100
// bytes, each tokenised on its own: the library's merge loop is quadratic in
// word length, and chunking keeps IDs linear in the text (a 10 MB word costs
// no more per byte than prose). Only there do IDs and Encode differ, so the
// equivalence tests skip texts holding such words.
//
// # Training
//
// Train counts pre-tokens (after chunking, exactly as IDs sees them) over
// all cores, keeps the MaxWords most frequent and learns merges from their
// counts with the classic algorithm (Sennrich et al., 2016): repeatedly merge
// the most frequent adjacent pair, updating the counts of neighbouring
// pairs incrementally, until VocabSize ids exist or the best pair occurs
// fewer than MinFrequency times. Ties go to the lowest (left, right) id
// pair, so the result depends only on the input: training twice gives
// identical bytes (TestTrainDeterministic).
//
// The library's own trainer (bpe.BpeTrainer) is not used, for four
// reasons found reading and running it: it is nondeterministic (its heap
// breaks count ties by insertion order from map iteration and by
// time.Now(); two runs on the same 5000 words differed in 327 of 1744
// merges); with 10000 or more distinct words its parallel pair count only
// sees the alphabetically first quarter of them (its loop tests the batch
// start instead of the position); it never decrements the counts of pairs a
// merge destroys; and it prints a progress bar to stdout. The vocabulary
// and merges it would produce have the same form as ours, and inference is
// the library's model either way. Train prints nothing, so there is no
// stdout to redirect.
package tokenize
