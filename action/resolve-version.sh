#!/usr/bin/env bash
# resolve-version.sh is the slopguard action's first step. It picks the
# version to install (the version input, else the ref the action was used
# at), refuses anything but a release tag (v1.2.3, v1.2.3-rc.1) or a full
# 40-character commit SHA (a branch moves, and the binary would be cached
# under its name), and looks up the published checksum of that version's
# binary for this runner in checksums.txt beside this script.
#
# Reads INPUT_VERSION, ACTION_REF, RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE
# and GITHUB_OUTPUT; writes version, bin (the install directory), exe (the
# binary), goos, goarch and want (the expected sha256, empty when the
# version is not listed) to GITHUB_OUTPUT. Exits 2 on a bad version.
set -euo pipefail

version="${INPUT_VERSION:-${ACTION_REF:-}}"
if [ -z "$version" ]; then
	echo "::error title=slopguard::set the action's version input (a release tag such as v0.4.0, or a full commit SHA)"
	exit 2
fi
tag='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$'
sha='^[0-9a-f]{40}$'
if ! [[ "$version" =~ $tag || "$version" =~ $sha ]]; then
	# The value is not echoed: it is the caller's input.
	echo "::error title=slopguard::version must be a release tag such as v0.4.0 or a full 40-character commit SHA, not a branch or a short name"
	exit 2
fi

case "${RUNNER_OS:-Linux}" in
Linux) goos=linux ;;
macOS) goos=darwin ;;
Windows) goos=windows ;;
*) echo "::error title=slopguard::unsupported runner OS"; exit 2 ;;
esac
case "${RUNNER_ARCH:-X64}" in
X64) goarch=amd64 ;;
ARM64) goarch=arm64 ;;
X86) goarch=386 ;;
ARM) goarch=arm ;;
*) echo "::error title=slopguard::unsupported runner architecture"; exit 2 ;;
esac

checksums="${SLOPGUARD_CHECKSUMS:-$(dirname "${BASH_SOURCE[0]}")/checksums.txt}"
want=""
if [ -f "$checksums" ]; then
	want=$(awk -v v="$version" -v p="$goos/$goarch" '$1 !~ /^#/ && $2 == v && $3 == p { print $1; exit }' "$checksums")
fi
if [ -n "$want" ] && ! [[ "$want" =~ ^[0-9a-f]{64}$ ]]; then
	echo "::error title=slopguard::checksums.txt has a malformed entry for this version"
	exit 2
fi

bin="${RUNNER_TOOL_CACHE:-/tmp}/slopguard/$version/bin"
exe="$bin/slopguard"
[ "$goos" = windows ] && exe="$exe.exe"
{
	echo "version=$version"
	echo "bin=$bin"
	echo "exe=$exe"
	echo "goos=$goos"
	echo "goarch=$goarch"
	echo "want=$want"
} >>"$GITHUB_OUTPUT"
