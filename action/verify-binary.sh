#!/usr/bin/env bash
# verify-binary.sh cached|built checks the slopguard binary EXE against
# WANT, the sha256 published in checksums.txt for this version and runner.
#
#   cached: a binary restored from the Actions cache is kept only when it
#           matches; otherwise it is deleted (ok=false) and built again. With
#           no published checksum, nothing from the cache is trusted.
#   built:  a binary just built from source (authenticated by Go's checksum
#           database) must match WANT when one is published: the build is
#           reproducible (-trimpath, no cgo, the pinned Go). Its checksum is
#           printed either way.
#
# Writes ok=true|false to GITHUB_OUTPUT. Exits 1 when a built binary does
# not match its published checksum.
set -euo pipefail

sum() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

mode="${1:-}"
ok=false
case "$mode" in
cached)
	if [ -n "${WANT:-}" ] && [ -f "$EXE" ]; then
		if [ "$(sum "$EXE")" = "$WANT" ]; then
			ok=true
		else
			echo "::warning title=slopguard::the cached slopguard binary does not match its published checksum; building it again"
		fi
	fi
	[ "$ok" = true ] || rm -f "$EXE"
	;;
built)
	got=$(sum "$EXE")
	echo "slopguard ${VERSION:-} ${GOOS:-}/${GOARCH:-}: sha256 $got"
	if [ -n "${WANT:-}" ] && [ "$got" != "$WANT" ]; then
		rm -f "$EXE"
		echo "::error title=slopguard::the slopguard binary built from source does not match its published checksum"
		exit 1
	fi
	[ -n "${WANT:-}" ] && ok=true
	;;
*)
	echo "usage: verify-binary.sh cached|built" >&2
	exit 2
	;;
esac
echo "ok=$ok" >>"$GITHUB_OUTPUT"
