#!/usr/bin/env bash
# replicas-crash.sh [COUNT]
#
# The production scenario of docs/RELIABILITY.md §6, on a throwaway
# PostgreSQL: two GitHub App replicas (4 workers each) on one database
# against a fake GitHub; 12 pull requests each delivered to both replicas
# with an "edited" delivery at the same time; 12 more delivered to one
# replica, which is then killed (no further write, leases left behind) and
# replaced by a new process once the leases expire. Passes when every
# accepted pull request has exactly one check run on its head commit, at
# most one comment and no deleted comment. COUNT repeats it (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
exec scripts/with-postgres.sh go test -count="$count" -v \
	-run 'TestTwoReplicasAndACrash|TestConcurrentEventsForOnePullRequest' ./integrations/githubapp/
