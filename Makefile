# Everyday targets. The full CI run is scripts/test.sh (what .ci/run runs).
DATA ?= ../shared/data
FAMILIES ?= $(DATA)/generator_families.tsv

.PHONY: all fmt vet lint test ci build model eval loo lofo bench fuzz loadtest
all: fmt vet test build

fmt:
	gofmt -l -w .
vet:
	go vet ./...
lint:
	scripts/staticcheck.sh
test:
	go test ./...
ci:
	scripts/test.sh
build:
	go build -o bin/slopguard ./cmd/slopguard

# Rebuild the embedded model from the labelled data (1–2 minutes on 2 cores)
# and copy its card into docs/.
model:
	go run ./cmd/slopguard train --data $(DATA) --out detector/default.model
	cp detector/default.card.md docs/model-card.md
	cp detector/default.card.json docs/model-card.json
	rm detector/default.card.md detector/default.card.json

# Evaluate the embedded model on the dev split, plain and under each attack.
eval:
	go run ./cmd/slopguard eval --data $(DATA) --out eval-out
	for a in homoglyph zerowidth whitespace lowercase case typo punctuation; do \
		go run ./cmd/slopguard eval --data $(DATA) --attack $$a --out eval-out/$$a; done

# Generalisation, the measure settings are chosen by: train without one
# source (loo) or one generator family (lofo) at a time, on a sample of the
# rest, and rewrite their tables in docs/evaluation.md (about 10 minutes
# each on 2 cores).
loo:
	go run ./cmd/slopguard unseen --data $(DATA) --loo --update docs/evaluation.md --update docs/model-card.md
lofo:
	go run ./cmd/slopguard unseen --data $(DATA) --lofo --families $(FAMILIES) --update docs/evaluation.md --update docs/model-card.md

# The benchmark against fastText and scikit-learn (about 6 minutes).
bench:
	bench/run.sh

fuzz:
	scripts/fuzz.sh 30

loadtest:
	go run ./cmd/slopguard loadtest
