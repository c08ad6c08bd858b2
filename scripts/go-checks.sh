#!/usr/bin/env bash
# go-checks.sh: static checks of the repository's Go code, the language host in tools/pulumi-langhost: gofmt (fails
# if any file needs formatting) and go vet, with the build settings scripts/pulumi-toolchain.sh compiles it with.
#
# Usage: scripts/go-checks.sh
#
# It needs the host's modules: once scripts/pulumi-toolchain.sh has built the host they are in the Go module cache,
# and the checks take seconds; otherwise go downloads them from GOPROXY. -mod=readonly: the checks never change
# go.mod or go.sum, and fail if they are incomplete.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_MODULES=(tools/pulumi-langhost)

if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		PATH="/usr/local/go/bin:$PATH"
	else
		echo "go-checks: error: the go command is not on PATH (and /usr/local/go/bin/go does not exist)" >&2
		exit 1
	fi
fi
export CGO_ENABLED=0 GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=readonly"

status=0
for mod in "${GO_MODULES[@]}"; do
	unformatted="$(cd "$mod" && gofmt -l .)"
	if [ -n "$unformatted" ]; then
		echo "go-checks: $mod: not gofmt-formatted (run gofmt -w):" >&2
		sed 's/^/  /' <<<"$unformatted" >&2
		status=1
	fi
	if ! (cd "$mod" && go vet -tags osusergo,grpcnotrace ./...); then
		echo "go-checks: $mod: go vet failed" >&2
		status=1
	fi
done
if [ "$status" -eq 0 ]; then
	echo "go-checks: gofmt and go vet passed for ${GO_MODULES[*]}"
fi
exit "$status"
