#!/usr/bin/env bash
# with-postgres.sh CMD [ARG...]
#
# Runs CMD with a throwaway PostgreSQL server and SLOPGUARD_TEST_POSTGRES_DSN
# pointing at an empty database on it, then stops the server and deletes it.
#
#   scripts/with-postgres.sh go test ./store/...
#
# - Finds initdb on PATH or under /usr/lib/postgresql/*/bin; if there is none,
#   installs Debian's postgresql package with apt-get (as root, or with sudo).
# - Creates the cluster in a new temporary directory owned by a non-root user
#   (initdb refuses to run as root: as root it uses the postgres user, creating
#   a system user if needed), with trust authentication.
# - Listens only on a Unix socket inside that directory: no TCP port, so it
#   never clashes with another server or another run.
# - Exits with CMD's exit status; the server is stopped and its directory
#   removed on exit, on Ctrl-C and on failure.
set -euo pipefail

log() { echo "with-postgres: $*" >&2; }

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi

# find_bindir prints the directory holding initdb, pg_ctl and postgres.
find_bindir() {
	local initdb dir
	if initdb=$(command -v initdb 2>/dev/null); then
		dir=$(dirname "$(readlink -f "$initdb")")
		if [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
			echo "$dir"
			return 0
		fi
	fi
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -n -r); do
		if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
			echo "$dir"
			return 0
		fi
	done
	return 1
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		log "need root to run: $*"
		return 1
	fi
}

install_postgres() {
	if ! command -v apt-get >/dev/null 2>&1; then
		log "initdb not found and apt-get is missing: install PostgreSQL and put its bin directory on PATH"
		return 1
	fi
	log "initdb not found: installing Debian's postgresql package"
	as_root apt-get update -qq >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
}

if [ "${WITH_POSTGRES_FORCE_INSTALL:-}" = 1 ] || ! bindir=$(find_bindir); then
	install_postgres
	bindir=$(find_bindir) || {
		log "postgresql is installed but initdb is still not found under /usr/lib/postgresql/*/bin"
		exit 1
	}
fi
log "using $bindir"

# The cluster belongs to a non-root user; run_pg runs a server command as it.
if [ "$(id -u)" -eq 0 ]; then
	pguser=postgres
	if ! id "$pguser" >/dev/null 2>&1; then
		log "creating system user $pguser"
		useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
	fi
	run_pg() {
		if command -v runuser >/dev/null 2>&1; then
			runuser -u "$pguser" -- "$@"
		else
			su -s /bin/sh "$pguser" -c '"$0" "$@"' -- "$@"
		fi
	}
else
	pguser=$(id -un)
	run_pg() { "$@"; }
fi

# A short path under /tmp: Unix socket paths are limited to about 100 bytes.
dir=$(mktemp -d /tmp/slopguard-pg.XXXXXX)
chmod 755 "$dir"
if [ "$(id -u)" -eq 0 ]; then
	chown "$pguser" "$dir"
fi
port=5432 # only names the socket file inside $dir; nothing listens on TCP
cleanup() {
	local status=$?
	if [ -f "$dir/data/postmaster.pid" ]; then
		run_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || log "could not stop the server in $dir"
	fi
	rm -rf "$dir"
	exit "$status"
}
# on_signal stops CMD, then exits; the EXIT trap stops the server.
on_signal() {
	local pids
	pids=$(jobs -p)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086 # one PID per word
		kill -TERM $pids 2>/dev/null || true
		wait 2>/dev/null || true
	fi
	exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

run_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 || {
	cat "$dir/initdb.log" >&2
	log "initdb failed"
	exit 1
}
opts="-k $dir -p $port -c listen_addresses= -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if ! run_pg "$bindir/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start >/dev/null; then
	cat "$dir/server.log" >&2 || true
	log "the server did not start"
	exit 1
fi
"$bindir/createdb" -h "$dir" -p "$port" -U postgres slopguard_test

export SLOPGUARD_TEST_POSTGRES_DSN="host=$dir port=$port user=postgres dbname=slopguard_test sslmode=disable"
export PGHOST="$dir" PGPORT="$port" PGUSER=postgres PGDATABASE=slopguard_test
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on $dir; SLOPGUARD_TEST_POSTGRES_DSN=\"$SLOPGUARD_TEST_POSTGRES_DSN\""

# CMD runs in the background (with our stdin) so a signal to this script
# is handled at once rather than after CMD ends.
set +e
"$@" <&0 &
child=$!
wait "$child"
status=$?
set -e
exit "$status"
