# Everyday targets. The full CI run is scripts/test.sh (what .ci/run runs).
DATA ?= ../shared/data
FAMILIES ?= $(DATA)/generator_families.tsv

.PHONY: all fmt vet lint test ci build model eval loo lofo loo-full lofo-full bench fuzz loadtest screenshots
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

# Rebuild the embedded model from the labelled data (about a minute on an idle
# 2-core machine on the 2026-12-07 data, a few minutes on a loaded one)
# and copy its card into docs/ (its unseen-data sections stay empty until
# make loo and make lofo fill them).
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
# rest, and rewrite their tables in docs/evaluation.md and docs/model-card.md (10–16 minutes
# each on a shared 2-core machine).
loo:
	go run ./cmd/slopguard unseen --data $(DATA) --loo --update docs/evaluation.md --update docs/model-card.md
lofo:
	go run ./cmd/slopguard unseen --data $(DATA) --lofo --families $(FAMILIES) --update docs/evaluation.md --update docs/model-card.md

# The same two benchmarks with every fold trained as the shipped model is
# (up to 12,000 texts per source and label): the figures the targets are
# judged on, too slow to run before every change (58 and 46 minutes, run side
# by side on a shared 2-core machine: 2 to 6 minutes a fold). Their tables go
# to the -full sections of docs/evaluation.md and docs/model-card.md.
loo-full:
	go run ./cmd/slopguard unseen --data $(DATA) --loo --max-per-source 12000 --section-suffix -full --update docs/evaluation.md --update docs/model-card.md
lofo-full:
	go run ./cmd/slopguard unseen --data $(DATA) --lofo --families $(FAMILIES) --max-per-source 12000 --section-suffix -full --update docs/evaluation.md --update docs/model-card.md

# The benchmark against fastText and scikit-learn (16 minutes on the 2026-12-07 data).
bench:
	bench/run.sh

fuzz:
	scripts/fuzz.sh 30

loadtest:
	go run ./cmd/slopguard loadtest

# Screenshots of a decision page and a dashboard for the README, taken in a
# headless Chromium (apt-get install chromium) with the browser tests' pages.
screenshots:
	mkdir -p docs/img
	go test -count=1 -run TestScreenshots ./integrations/web -screenshots=$(CURDIR)/docs/img
