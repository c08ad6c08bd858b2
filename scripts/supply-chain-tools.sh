#!/usr/bin/env bash
# supply-chain-tools.sh: build the registry and signing tools the supply-chain integration tests use, from Go modules,
# cache them outside the repository, and print the directory that holds them.
#
# Usage:
#   scripts/supply-chain-tools.sh [--force | --check]
#   PATH="$(scripts/supply-chain-tools.sh):$PATH" cosign version
#
#   --force   rebuild even if the cache already holds the binaries
#   --check   build nothing: print the bin directory if the cache holds every tool, else exit 3
#             (tests/support/supply-chain-tools.ts uses this to find the tools)
#
# Output: progress goes to stderr; stdout gets exactly one line, the bin directory. A second run with the binaries in
# place only checks a stamp file and prints the directory (well under a second).
#
# Tools (all pinned):
#   registry      github.com/google/go-containerregistry/cmd/registry@v0.22.1: in-memory registry, binds localhost,
#                 no referrers API (so clients use the `sha256-<hex>` tag fallback)
#   crane         github.com/google/go-containerregistry/cmd/crane@v0.22.1: pushes images, builds indexes, digests
#   cosign        github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3: key pairs, signatures and attestations in both the
#                 Sigstore-bundle (referrers) and the legacy `.sig`/`.att` layouts
#   oci-registry  tools/oci-registry in this repository: go-containerregistry's registry handler on 127.0.0.1 with the
#                 OCI 1.1 referrers API switched on (`-referrers=false` switches it off)
#
# Cold build (empty Go module and build caches), measured on this project's 2-core machine: 641 s of CPU (469 s user,
# 172 s system), about 1.5 GB peak memory; 16.5 minutes wall while other builds shared the cores (load 8-10), so
# about 6 minutes on an idle machine (registry and crane about 1, cosign about 5). With the binaries cached, --check
# and a plain run take well under a second.
#
# Environment:
#   CONTAINER_GUARD_CACHE         cache root (default: $HOME/.cache/container-guard)
#   GOMODCACHE, GOCACHE, GOPROXY  honoured as usual; by default the module and build caches are Go's own
#
# Cache layout:
#   $CONTAINER_GUARD_CACHE/supply-chain-tools-<revision>/
#     bin/{registry,crane,cosign,oci-registry}
#     .stamp     the recipe the tools were built with (versions and a hash of tools/oci-registry); a mismatch rebuilds
#   $CONTAINER_GUARD_CACHE/.supply-chain-tools.lock   serialises concurrent runs (flock)
# Other entries of the cache root (such as the Pulumi toolchain) are never touched.
#
# Builds are atomic: everything is built in a temporary directory inside the cache root and renamed into place only
# after each binary has been run once, so an interrupted build leaves no half-filled cache.
set -euo pipefail

GGCR_VERSION=v0.22.1
COSIGN_VERSION=v3.1.3
# Bump when the build steps change, so existing caches are rebuilt.
RECIPE_REVISION=1

force=false
check_only=false
for arg in "$@"; do
	case "$arg" in
	--force) force=true ;;
	--check) check_only=true ;;
	-h | --help)
		sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
		exit 0
		;;
	*)
		echo "supply-chain-tools: unknown argument: $arg (try --help)" >&2
		exit 2
		;;
	esac
done

start_s=$SECONDS
log() { echo "supply-chain-tools [$((SECONDS - start_s))s]: $*" >&2; }
die() {
	echo "supply-chain-tools: error: $*" >&2
	exit 1
}

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
helper_src="$repo_root/tools/oci-registry"
[ -f "$helper_src/go.mod" ] || die "$helper_src/go.mod is missing"

if [ -z "${CONTAINER_GUARD_CACHE:-}" ] && [ -z "${HOME:-}" ]; then
	die "neither CONTAINER_GUARD_CACHE nor HOME is set"
fi
cache_root="${CONTAINER_GUARD_CACHE:-$HOME/.cache/container-guard}"
dest="$cache_root/supply-chain-tools-$RECIPE_REVISION"
bin="$dest/bin"

# The helper is built from this checkout, so its sources are part of the recipe.
helper_hash="$(cd "$helper_src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
stamp="recipe=$RECIPE_REVISION ggcr=$GGCR_VERSION cosign=$COSIGN_VERSION oci-registry=$helper_hash"
tools=(registry crane cosign oci-registry)

ready() {
	local t
	for t in "${tools[@]}"; do [ -x "$bin/$t" ] || return 1; done
	[ "$(cat "$dest/.stamp" 2>/dev/null)" = "$stamp" ]
}

if ! $force && ready; then
	echo "$bin"
	exit 0
fi
if $check_only; then
	echo "supply-chain-tools: $dest does not hold registry, crane, cosign and oci-registry built from the current" \
		"recipe; run scripts/supply-chain-tools.sh to build them (about 6 minutes cold)" >&2
	exit 3
fi

# ---- from here on we may build ----

if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		PATH="/usr/local/go/bin:$PATH"
	else
		die "the go command is not on PATH (and /usr/local/go/bin/go does not exist)"
	fi
fi

mkdir -p "$cache_root"
have_lock=false
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_root/.supply-chain-tools.lock"
	if ! flock -n 9; then
		log "another build of the supply-chain tools is running; waiting for it"
		flock 9
	fi
	have_lock=true
	if ! $force && ready; then
		echo "$bin"
		exit 0
	fi
fi

# -buildvcs=false: `go install pkg@version` has no VCS checkout to stamp, and the helper may be built from a worktree.
export CGO_ENABLED=0 GOWORK=off GOFLAGS="-buildvcs=false"
go_() { go "$@" >&2; }

staging=()
remove_dir() {
	chmod -R u+w "$1" 2>/dev/null || true
	rm -rf "$1"
}
cleanup() {
	local d
	for d in "${staging[@]+"${staging[@]}"}"; do
		if [ -e "$d" ]; then remove_dir "$d"; fi
	done
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Only our own leftovers (named .build-supply-chain-tools.*), and only while holding the lock.
for leftover in "$cache_root"/.build-supply-chain-tools.*; do
	if $have_lock && [ -e "$leftover" ]; then
		log "removing leftover of an interrupted build: $leftover"
		remove_dir "$leftover"
	fi
done

stage="$(mktemp -d "$cache_root/.build-supply-chain-tools.XXXXXX")"
staging+=("$stage")
mkdir -p "$stage/bin"

log "building registry and crane $GGCR_VERSION ($(go version))"
GOBIN="$stage/bin" go_ install -trimpath -ldflags "-s -w" \
	"github.com/google/go-containerregistry/cmd/registry@$GGCR_VERSION" \
	"github.com/google/go-containerregistry/cmd/crane@$GGCR_VERSION"

log "building oci-registry from $helper_src"
(cd "$helper_src" && go_ build -mod=readonly -trimpath -ldflags "-s -w" -o "$stage/bin/oci-registry" .)

log "building cosign $COSIGN_VERSION (the slow part: about 5 minutes of 2 cores from a cold Go build cache)"
# cosign reports its version from these variables (the release build sets them the same way).
cosign_ldflags="-s -w -X sigs.k8s.io/release-utils/version.gitVersion=$COSIGN_VERSION"
GOBIN="$stage/bin" go_ install -trimpath -ldflags "$cosign_ldflags" "github.com/sigstore/cosign/v3/cmd/cosign@$COSIGN_VERSION"

# Each binary must run here before the directory is published.
out="$("$stage/bin/crane" version 2>&1)" || die "the built crane does not run: $out"
out="$("$stage/bin/cosign" version 2>&1)" || die "the built cosign does not run: $out"
case "$out" in
*"$COSIGN_VERSION"*) ;;
*) die "the built cosign does not report $COSIGN_VERSION: $out" ;;
esac
out="$("$stage/bin/registry" --help 2>&1 || true)"
case "$out" in
*-port*) ;;
*) die "the built registry does not run: $out" ;;
esac
out="$("$stage/bin/oci-registry" --help 2>&1 || true)"
case "$out" in
*-referrers*) ;;
*) die "the built oci-registry does not run: $out" ;;
esac

printf '%s\n' "$stamp" >"$stage/.stamp"
chmod 0755 "$stage"
if [ -e "$dest" ]; then
	old="$(mktemp -d "$cache_root/.build-supply-chain-tools.XXXXXX")"
	staging+=("$old")
	mv "$dest" "$old/"
fi
mv -T "$stage" "$dest"
log "done: $(cd "$bin" && echo *)"
echo "$bin"
