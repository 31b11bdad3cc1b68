// Package normalize puts text into one canonical form before it is scored,
// so that look-alike characters, invisible characters and layout noise
// cannot move a score, and keeps a map from every byte of the result back to
// the bytes of the original input, so that a reason can point at what the
// user wrote.
//
// # Stages
//
// Normalize applies, in this order:
//
//  1. UTF-8 repair. Each run of bytes that are not valid UTF-8 becomes one
//     U+FFFD, as strings.ToValidUTF8 does (Stats.InvalidBytes counts the bytes).
//  2. Removal of invisible characters (Stats.Invisible): ASCII and C1
//     control characters other than tab, LF, VT, FF, CR and NEL; every
//     format character (general category Cf) — zero-width space U+200B,
//     LRM/RLM U+200E–U+200F, bidi embeddings, overrides and isolates
//     U+202A–U+202E and U+2066–U+2069, word joiner and invisible operators
//     U+2060–U+2064, U+FEFF, soft hyphen U+00AD, U+180E, U+061C, the tag
//     characters U+E0001 and U+E0020–U+E007F, and the rest of Cf — and the
//     Hangul fillers U+115F, U+1160, U+3164 and U+FFA0 that render as
//     nothing. Kept: the visible prepended concatenation marks
//     (U+0600–U+0605, U+06DD, U+070F, U+0890, U+0891, U+08E2, U+110BD,
//     U+110CD), and ZWNJ U+200C and ZWJ U+200D where joiners shape emoji
//     sequences and words: when the last starter before the joiner and every
//     combining mark after it, and the rune after the joiner (which must be
//     a starter), are all emoji, regional indicators, U+FE0F, Arabic or
//     Indic (Devanagari to Sinhala). Everywhere else, such as inside a Latin
//     word, joiners go. Variation selectors and the combining grapheme joiner
//     U+034F are combining marks, not format characters, and stay (NFKC
//     itself inserts U+034F into runs of more than 30 combining marks, which
//     keeps it stream-safe and bounded). Subdivision flags, which are spelled
//     with tag characters, lose their tags.
//  3. Unicode NFKC (Stats.Compat): fullwidth and math-alphanumeric letters,
//     ligatures, compatibility spaces, superscripts and the like become
//     their plain forms. Removal comes before NFKC, not after, so that a
//     removed character cannot leave behind a sequence (such as e, ZWSP,
//     U+0301) that a second normalisation would compose: the result is
//     always NFKC and Normalize is idempotent.
//  4. Homoglyph folding (Stats.Homoglyphs): a Cyrillic or Greek letter that
//     looks like a Latin one is replaced by that Latin letter, but only in
//     Latin context, so that Russian or Greek text stays what it is. A word
//     here is a maximal run of letters, marks and digits. A letter is
//     folded when
//     (a) its word also holds a Latin letter (a mixed-script word such as
//     "pаypal" with a Cyrillic а), or
//     (b) every letter of its word is in the table below (a "transparent"
//     word, such as "іѕ" or "а"), and the nearest words on either side that
//     are not transparent are Latin — or one is Latin and the other side is
//     the edge of the text; the whole run of transparent words between them
//     is folded. This catches "This іѕ а test", where whole short words were
//     swapped, while "Москва" and a lone "а" between Russian words stay.
//     A folded letter with combining marks after it is recomposed with NFKC
//     (Cyrillic о + U+0323 becomes ọ). Words of digits only are ignored.
//  5. Whitespace: CR LF and lone CR become LF, as do NEL, U+2028 and U+2029;
//     a run of horizontal whitespace (space, tab, VT, FF and the other
//     Unicode spaces that NFKC leaves, such as U+1680) becomes one space;
//     spaces before a line break or at the end are dropped; three or more
//     line breaks become two (a blank line), one or two are kept; leading
//     and trailing whitespace is trimmed. Indentation is kept as one space,
//     so that an indented line still reads as indented.
//     Stats.Whitespace counts the characters removed or replaced.
//
// The homoglyph table (from Unicode's confusables data, letters only; NFKC
// already maps the math-alphanumeric letters, so none are listed):
//
//	Cyrillic lower: а→a е→e о→o р→p с→c у→y х→x і→i ј→j ѕ→s ԁ→d ӏ→l һ→h ԛ→q ԝ→w ү→y ѵ→v ё→ë ї→ï ӧ→ö ӓ→ä
//	Cyrillic upper: А→A В→B Е→E К→K М→M Н→H О→O Р→P С→C Т→T У→Y Х→X І→I Ј→J Ѕ→S Ԁ→D Ӏ→I Һ→H Ԛ→Q Ԝ→W Ү→Y Ѵ→V Ё→Ë Ї→Ï Ӧ→Ö Ӓ→Ä
//	Greek upper:    Α→A Β→B Ε→E Ζ→Z Η→H Ι→I Κ→K Μ→M Ν→N Ο→O Ρ→P Τ→T Υ→Y Χ→X Ϲ→C Ϳ→J
//	Greek lower:    α→a γ→y ι→i ν→v ο→o ρ→p υ→u ϲ→c ϳ→j
//
// Look-alikes from other scripts (Armenian, Cherokee, Lisu) are not folded.
//
// # Offsets
//
// Text.Original maps a byte span of Text.S to the byte span of the input it
// came from. Inside the map, output comes in runs: a run is either a
// verbatim copy of input bytes (byte k of the run came from input byte o+k)
// or an indivisible replacement (every byte of the run came from the whole
// input range [o, e): an NFKC expansion, a folded letter, a repaired byte, a
// normalised line break). Removed characters belong to no run, so a span of
// S never points at a removed character at its edges. Runs are made only
// where something changed: text that needs no change at all is returned as
// is, with no map and no copy, and mostly-plain text costs a few runs.
//
// # Cost
//
// Normalize reads its input a bounded number of times. Printable ASCII with
// tidy whitespace is checked in one scan and returned unchanged. Otherwise
// ASCII is copied in stretches; only non-ASCII text goes through NFKC, in
// chunks cut at normalisation boundaries. Inputs longer than MaxInput are
// truncated (Stats.Truncated), which keeps 32-bit offsets safe.
package normalize
