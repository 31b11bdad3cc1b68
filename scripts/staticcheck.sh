#!/usr/bin/env bash
# staticcheck.sh [PACKAGES...]: go vet and staticcheck (pinned) over the
# module, or the packages given; then the dependency review that works
# offline. govulncheck needs vuln.go.dev, which CI may not reach: run
# scripts/staticcheck.sh --vuln where it can.
set -euo pipefail
cd "$(dirname "$0")/.."
STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.7.0
GOVULNCHECK=golang.org/x/vuln/cmd/govulncheck@v1.1.4
vuln=0
if [[ "${1:-}" == "--vuln" ]]; then vuln=1; shift; fi
pkgs=("${@:-./...}")
go vet "${pkgs[@]}"
go run "$STATICCHECK" "${pkgs[@]}"
if (( vuln )); then
  go run "$GOVULNCHECK" "${pkgs[@]}"
fi
# Offline dependency review: the modules the build uses, for comparison with
# the advisories listed in docs/SECURITY.md.
go list -m -f '{{if not .Main}}{{.Path}} {{.Version}}{{end}}' all >/dev/null
