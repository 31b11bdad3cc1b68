package features

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// A TokenLM is a small token-bigram language model over a tokenizer's ids:
// interpolated absolute discounting,
//
//	P(b | a) = max(c(a,b) − D, 0) / c(a) + λ(a) · P(b),   λ(a) = D · n(a) / c(a)
//
// where n(a) is the number of distinct followers of a and P(b) the add-one
// unigram distribution. The bigram counts are hashed into 2^LMBucketBits
// buckets, so two pairs that share a bucket share a count. It stores what
// scoring needs, quantised: each id's log unigram probability and log λ as
// float32, and each bucket's log P(b | a) in steps of lmStep nats (0:
// empty bucket, back off to λ(a)·P(b)).
type TokenLM struct {
	uni    []float32 // log P(b), per id
	lambda []float32 // log λ(a), per id (log 1 when a was never seen)
	bucket []uint8
}

// LMBucketBits is log2 of the number of hashed bigram buckets of a TokenLM.
const LMBucketBits = 19

// lmStep is the quantisation step of a bucket's log-probability, in nats;
// 254 steps cover surprisals up to lmMaxSurprisal.
const (
	lmStep         = 0.1
	lmMaxSurprisal = 254 * lmStep
)

// lmDiscount is D, the absolute discount.
const lmDiscount = 0.75

// lmBucket is the bucket of the token pair (a, b).
func lmBucket(a, b int32) uint32 {
	return uint32(mix(0x5851f42d4c957f2d^(uint64(uint32(a))<<32|uint64(uint32(b)))) >> (64 - LMBucketBits))
}

// TrainTokenLM fits a TokenLM for a vocabulary of vocab ids on the token
// id sequences of texts. Ids outside [0, vocab) are ignored.
func TrainTokenLM(vocab int, texts [][]int32) *TokenLM {
	uniCount := make([]float64, vocab)
	ctxCount := make([]float64, vocab) // c(a): times a is followed by a token
	pairCount := make([]uint32, 1<<LMBucketBits)
	type pair struct{ a, b int32 }
	seen := map[pair]bool{}
	followers := make([]float64, vocab)
	total := 0.0
	for _, ids := range texts {
		for i, b := range ids {
			if b < 0 || int(b) >= vocab {
				continue
			}
			uniCount[b]++
			total++
			if i == 0 || ids[i-1] < 0 || int(ids[i-1]) >= vocab {
				continue
			}
			a := ids[i-1]
			ctxCount[a]++
			pairCount[lmBucket(a, b)]++
			if p := (pair{a, b}); !seen[p] {
				seen[p] = true
				followers[a]++
			}
		}
	}
	lm := &TokenLM{uni: make([]float32, vocab), lambda: make([]float32, vocab), bucket: make([]uint8, 1<<LMBucketBits)}
	for b := range lm.uni {
		lm.uni[b] = float32(math.Log((uniCount[b] + 1) / (total + float64(vocab))))
	}
	for a := range lm.lambda {
		if ctxCount[a] > 0 {
			lm.lambda[a] = float32(math.Log(lmDiscount * followers[a] / ctxCount[a]))
		}
	}
	// Each bucket's probability is that of the pair that filled it: with
	// several pairs in one bucket, the one whose context was seen least is
	// kept (the order of the map walk does not matter: ties keep the lower
	// ids).
	best := make([]pair, len(pairCount))
	for i := range best {
		best[i] = pair{-1, -1}
	}
	for p := range seen {
		k := lmBucket(p.a, p.b)
		q := best[k]
		if q.a < 0 || ctxCount[p.a] < ctxCount[q.a] || ctxCount[p.a] == ctxCount[q.a] && (p.a < q.a || p.a == q.a && p.b < q.b) {
			best[k] = p
		}
	}
	for k, p := range best {
		if p.a < 0 {
			continue
		}
		c := float64(pairCount[k])
		prob := math.Max(c-lmDiscount, 0)/ctxCount[p.a] + math.Exp(float64(lm.lambda[p.a])+float64(lm.uni[p.b]))
		q := math.Round(-math.Log(prob) / lmStep)
		lm.bucket[k] = uint8(1 + min(max(q, 0), 254))
	}
	return lm
}

// Surprisal is −log P(b | a) in nats; a < 0 means no previous token.
func (lm *TokenLM) Surprisal(a, b int32) float64 {
	if b < 0 || int(b) >= len(lm.uni) {
		return lmMaxSurprisal // the tokenizer gives no such id; be safe
	}
	if a < 0 || int(a) >= len(lm.uni) {
		return -float64(lm.uni[b])
	}
	if q := lm.bucket[lmBucket(a, b)]; q > 0 {
		return float64(q-1) * lmStep
	}
	return -float64(lm.lambda[a]) - float64(lm.uni[b])
}

// LMPair is the two language models the LM statistics read: one fitted on
// human texts, one on machine texts, and which token ids end a sentence.
type LMPair struct {
	Human, Machine *TokenLM
	// Enders marks the ids whose text has '.', '!', '?' or a newline.
	Enders []bool
}

// SentenceEnders marks, for a vocabulary of vocab ids whose texts token
// gives, the ids that end a sentence.
func SentenceEnders(vocab int, token func(id int32) (string, bool)) []bool {
	out := make([]bool, vocab)
	for i := range out {
		s, _ := token(int32(i))
		out[i] = strings.ContainsAny(s, ".!?\n")
	}
	return out
}

// lmMagic starts an encoded LMPair.
const lmMagic = "SGLM1\x00"

// MarshalBinary encodes the pair: magic, vocabulary size and bucket bits
// (uint32 each), the enders (one byte per id), then for the human and the
// machine model the unigram and λ logs (float32) and the buckets.
func (p *LMPair) MarshalBinary() ([]byte, error) {
	v := len(p.Enders)
	if p.Human == nil || p.Machine == nil || len(p.Human.uni) != v || len(p.Machine.uni) != v {
		return nil, errors.New("encode language models: vocabularies differ")
	}
	le := binary.LittleEndian
	b := []byte(lmMagic)
	b = le.AppendUint32(b, uint32(v))
	b = le.AppendUint32(b, LMBucketBits)
	for _, e := range p.Enders {
		if e {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	for _, lm := range []*TokenLM{p.Human, p.Machine} {
		for _, x := range lm.uni {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
		for _, x := range lm.lambda {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
		b = append(b, lm.bucket...)
	}
	return b, nil
}

// UnmarshalLMPair decodes what MarshalBinary wrote.
func UnmarshalLMPair(b []byte) (*LMPair, error) {
	le := binary.LittleEndian
	if len(b) < len(lmMagic)+8 || string(b[:len(lmMagic)]) != lmMagic {
		return nil, errors.New("language models: bad magic")
	}
	b = b[len(lmMagic):]
	v, bits := int(le.Uint32(b)), le.Uint32(b[4:])
	b = b[8:]
	if bits != LMBucketBits {
		return nil, fmt.Errorf("language models: %d bucket bits, this build reads %d", bits, LMBucketBits)
	}
	if v < 1 || v > 1<<20 {
		return nil, fmt.Errorf("language models: vocabulary of %d ids", v)
	}
	if want := v + 2*(8*v+1<<LMBucketBits); len(b) != want {
		return nil, fmt.Errorf("language models: %d bytes, want %d", len(b), want)
	}
	p := &LMPair{Enders: make([]bool, v)}
	for i := range p.Enders {
		p.Enders[i] = b[i] != 0
	}
	b = b[v:]
	for _, dst := range []**TokenLM{&p.Human, &p.Machine} {
		lm := &TokenLM{uni: make([]float32, v), lambda: make([]float32, v), bucket: make([]uint8, 1<<LMBucketBits)}
		for i := range lm.uni {
			lm.uni[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
		b = b[4*v:]
		for i := range lm.lambda {
			lm.lambda[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
		b = b[4*v:]
		copy(lm.bucket, b)
		b = b[1<<LMBucketBits:]
		for i := range lm.uni {
			if x := float64(lm.uni[i]); math.IsNaN(x) || math.IsInf(x, 0) || x > 0 || math.IsNaN(float64(lm.lambda[i])) || math.IsInf(float64(lm.lambda[i]), 0) {
				return nil, fmt.Errorf("language models: id %d has a log-probability out of range", i)
			}
		}
		*dst = lm
	}
	return p, nil
}

// lmSurprisalLow is the surprisal, in nats, below which a token counts as
// very predictable (probability above about 0.14).
const lmSurprisalLow = 2.0

// LMStats are the statistics read from an LMPair, after Stats, when
// Config.LMStats is set. A token n-gram model's mean surprisal is close to
// linear in the n-gram counts the linear model already has; what these add
// is the spread: across tokens, across sentences, and of the human-against-
// machine log-likelihood ratio.
var LMStats = []Stat{
	{Name: "lm_surprisal", Family: "style", Low: "word choice is unusually predictable", High: "word choice is unusually surprising"},
	{Name: "lm_surprisal_spread", Family: "style", Low: "predictability is unusually even from word to word", High: "predictability varies a lot from word to word"},
	{Name: "lm_sentence_burstiness", Family: "style", Low: "every sentence is about as predictable as the next", High: "some sentences are much more predictable than others"},
	{Name: "lm_predictable_share", Family: "style", Low: "few words are easy to guess from the one before", High: "many words are easy to guess from the one before"},
	{Name: "lm_machine_likeness", Family: "style", Low: "its word sequences are likelier in human than in machine writing", High: "its word sequences are likelier in machine than in human writing"},
	{Name: "lm_machine_likeness_spread", Family: "style", Low: "every sentence is about as machine-like as the next", High: "some sentences are much more machine-like than others"},
}

// LMStatValues appends the LMStats of the token ids to dst: mean surprisal
// under the human model, its standard deviation over tokens, the standard
// deviation across sentences of each sentence's mean surprisal, the share
// of tokens below lmSurprisalLow, the mean per-token log-likelihood ratio
// (machine over human) and its standard deviation across sentences. The
// first token of a text is read without context. A text without tokens
// gets zeros.
func (p *LMPair) LMStatValues(ids []int32, dst []float64) []float64 {
	var sum, sumSq, low, ratio float64
	var sentS, sentR []float64 // per-sentence means
	var curS, curR float64
	curN := 0
	endSentence := func() {
		if curN > 0 {
			sentS = append(sentS, curS/float64(curN))
			sentR = append(sentR, curR/float64(curN))
		}
		curS, curR, curN = 0, 0, 0
	}
	prev := int32(-1)
	for _, id := range ids {
		sh := p.Human.Surprisal(prev, id)
		r := sh - p.Machine.Surprisal(prev, id)
		sum += sh
		sumSq += sh * sh
		ratio += r
		if sh < lmSurprisalLow {
			low++
		}
		curS += sh
		curR += r
		curN++
		if id >= 0 && int(id) < len(p.Enders) && p.Enders[id] {
			endSentence()
		}
		prev = id
	}
	endSentence()
	n := float64(len(ids))
	if n == 0 {
		return append(dst, 0, 0, 0, 0, 0, 0)
	}
	mean := sum / n
	return append(dst, mean, math.Sqrt(math.Max(sumSq/n-mean*mean, 0)), stdFloat(sentS), low/n, ratio/n, stdFloat(sentR))
}

// stdFloat is the population standard deviation of xs (0 for fewer than 2).
func stdFloat(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var s, s2 float64
	for _, x := range xs {
		s += x
		s2 += x * x
	}
	n := float64(len(xs))
	m := s / n
	return math.Sqrt(math.Max(s2/n-m*m, 0))
}
