#!/usr/bin/env bash
# test.sh: the project's whole test run, as CI runs it.
#
# Installs what the tests need (Debian's gcc and postgresql, when missing), starts a
# throwaway PostgreSQL cluster so the store's suite runs against a real
# server, then runs go vet and staticcheck (pinned), every Go test, the race
# detector on the packages that share state between goroutines, and every
# fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
# The race detector needs cgo, so a C compiler: Debian does not install one
# by default, and Go's own tarball has none.
if ! command -v gcc >/dev/null; then
	echo "test.sh: installing gcc (go test -race needs cgo)" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null
fi
scripts/staticcheck.sh
# One PostgreSQL cluster serves both runs: the race run includes the store's
# suite, which needs the server as much as the plain run does.
scripts/with-postgres.sh bash -c '
	set -euo pipefail
	go test -count=1 ./...
	go test -count=1 -race ./detector/ ./moderation/... ./store/... ./integrations/...
'
scripts/fuzz.sh 5
