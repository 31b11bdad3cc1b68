.PHONY: all fmt vet test build
all: fmt vet test build
fmt:
	gofmt -l -w .
vet:
	go vet ./...
test:
	go test ./...
build:
	go build -o bin/slopguard ./cmd/slopguard
