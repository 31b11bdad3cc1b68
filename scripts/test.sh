#!/usr/bin/env bash
# test.sh: the project's whole test run, as CI runs it.
#
# Installs what the tests need (Debian's postgresql, when missing), starts a
# throwaway PostgreSQL cluster so the store's suite runs against a real
# server, then runs go vet and staticcheck (pinned), every Go test, the race
# detector on the packages that share state between goroutines, and every
# fuzz target briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/staticcheck.sh
# One PostgreSQL cluster serves both runs: the race run includes the store's
# suite, which needs the server as much as the plain run does.
scripts/with-postgres.sh bash -c '
	set -euo pipefail
	go test -count=1 ./...
	go test -count=1 -race ./detector/ ./moderation/... ./store/... ./integrations/...
'
scripts/fuzz.sh 5
