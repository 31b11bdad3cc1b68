# Everyday targets. The full CI run is scripts/test.sh (what .ci/run runs).
DATA ?= ../shared/data

.PHONY: all fmt vet lint test ci build model eval loo bench fuzz loadtest screenshots
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

# Generalisation: train without one source at a time, evaluate on it (about 6 minutes).
loo:
	DATA=$(DATA) scripts/leave-one-out.sh

# The benchmark against fastText and scikit-learn (about 6 minutes).
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
