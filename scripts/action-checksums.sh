#!/usr/bin/env bash
# action-checksums.sh VERSION
#
# Prints the action/checksums.txt lines for a slopguard release: the sha256
# of the binary `go install` builds from VERSION for each runner platform,
# with the flags and the Go version action.yml uses (-trimpath, CGO off,
# Go 1.26.8). Run it after tagging, check the output on a second machine
# (the build is reproducible, so the sums must agree), and commit it:
#
#   scripts/action-checksums.sh v0.4.0 >> action/checksums.txt
set -euo pipefail

want_go="go1.26.8" # keep in step with setup-go's go-version in action.yml
if [ "$#" -ne 1 ]; then
	echo "usage: $0 VERSION" >&2
	exit 2
fi
version="$1"
if ! [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
	echo "$0: $version is not a release tag such as v0.4.0" >&2
	exit 2
fi
if [ "$(go env GOVERSION)" != "$want_go" ]; then
	echo "$0: go is $(go env GOVERSION), the action builds with $want_go" >&2
	exit 2
fi
sum() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
native="$(go env GOHOSTOS)_$(go env GOHOSTARCH)"
for platform in linux/amd64 linux/arm64 darwin/arm64 darwin/amd64 windows/amd64; do
	goos=${platform%/*} goarch=${platform#*/}
	gopath="$work/$goos-$goarch"
	GOPATH="$gopath" GOBIN="" GOOS="$goos" GOARCH="$goarch" CGO_ENABLED=0 GOFLAGS=-trimpath \
		GOSUMDB=sum.golang.org GONOSUMDB="" GOPRIVATE="" \
		go install "github.com/slopguard/slopguard/cmd/slopguard@$version"
	exe="$gopath/bin/${goos}_${goarch}/slopguard"
	[ "${goos}_${goarch}" = "$native" ] && exe="$gopath/bin/slopguard"
	[ "$goos" = windows ] && exe="$exe.exe"
	echo "$(sum "$exe")  $version  $platform"
done
