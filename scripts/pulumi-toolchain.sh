#!/usr/bin/env bash
# pulumi-toolchain.sh: build a pinned Pulumi CLI (from Go modules) and our Node.js language host (the Go module in
# tools/pulumi-langhost), cache them outside the repository, and print the directory that holds them.
#
# Usage:
#   scripts/pulumi-toolchain.sh [--with-kubernetes] [--force | --check]
#   PATH="$(scripts/pulumi-toolchain.sh):$PATH" pulumi policy analyze --file state.json --policy-pack .
#
#   --with-kubernetes   also build the Kubernetes provider, pulumi-resource-kubernetes, into the same bin directory
#                       (only needed for `pulumi preview`/`up` of Kubernetes programs; `pulumi policy analyze --file`
#                       needs no provider). Slow: it compiles the whole Kubernetes Go SDK (about 14 minutes from cold
#                       Go caches on 2 cores, 4 GB of memory; the CLI alone takes about 7)
#   --force             rebuild even if the cache already holds the binaries
#   --check             build nothing: print the bin directory if the cache holds everything asked for, else exit 3
#                       (the engine tests use this to find the toolchain)
#
# Output: progress goes to stderr; stdout gets exactly one line, the bin directory. A second run with the binaries in
# place only checks a stamp file and prints the directory (well under a second).
#
# Environment:
#   CONTAINER_GUARD_CACHE           cache root (default: $HOME/.cache/container-guard)
#   CONTAINER_GUARD_PULUMI_VERSION  Pulumi version to build (default below; 3.249.0 or newer, for `policy analyze --file`)
#   CONTAINER_GUARD_LANGHOST_MODULE_VERSION
#                                   build the upstream pulumi-language-nodejs module at this pseudo-version instead of
#                                   tools/pulumi-langhost (see "Language host")
#   GOMODCACHE, GOCACHE, GOPROXY    honoured as usual; by default the module and build caches are Go's own
#
# Cache layout:
#   $CONTAINER_GUARD_CACHE/pulumi-<version>/
#     bin/pulumi                      CLI and engine
#     bin/pulumi-language-nodejs      language host (see "Language host"); the engine finds it on PATH or next to
#                                     bin/pulumi
#     bin/pulumi-resource-kubernetes  only with --with-kubernetes
#     src/pulumi/                     the wrapper module (go.mod, go.sum) the CLI was built from
#     src/pulumi-language-nodejs/     the go.mod and go.sum the language host was built with
#     src/kubernetes-provider/        the provider's wrapper module (go.mod, go.sum), with --with-kubernetes
#     .stamp-core, .stamp-langhost, .stamp-kubernetes
#                                     the recipe the CLI, the language host and the provider were built with; a
#                                     mismatch rebuilds that part only
#   $CONTAINER_GUARD_CACHE/.pulumi-<version>.lock   serialises concurrent runs (flock)
#
# Recipe and why:
#   * Only the Go module proxy is reachable (no GitHub release downloads; the npm package `pulumi` downloads the CLI at
#     run time, so it does not work offline). The CLI is built from the module github.com/pulumi/pulumi/pkg/v3 with the
#     release settings of upstream's .goreleaser.yml: CGO_ENABLED=0, -trimpath, -tags osusergo,grpcnotrace,
#     -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v<version>" (without -X,
#     `pulumi version` prints nothing useful).
#   * `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v<version>` is refused because pkg/go.mod has replace
#     directives (sdk/v3 => ../sdk and a clipboard fork). Replace directives only apply in the main module, so the
#     build uses a throwaway wrapper module: `go mod init`, `go get -tool .../cmd/pulumi@v<version>` and `go get
#     .../sdk/v3@v<version>` so both are pinned to the same release; in a dependency the replaces are ignored, and the
#     clipboard fork is a Windows-only fix.
#   * Language host: upstream's pulumi-language-nodejs is its own module,
#     github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which has no tags, only pseudo-versions
#     (v3.0.0-<commit time>-<commit>), and its go.mod carries replaces too. The Go module proxy reachable here answers
#     403 "This module version is not available." for that module: for its version list, for @latest, and for the
#     pseudo-versions of the commits of the pkg/v3.224.0, v3.248.0, v3.250.0 and v3.259.0 tags. The CLI (3.221.0 and
#     newer) no longer falls back to the old pulumi-analyzer-policy-nodejs shim, so a language host is required.
#     This script therefore builds, by default, a language host of OUR OWN: the Go module in tools/pulumi-langhost
#     (about 400 lines; its doc comment says what it does like upstream's host and what it leaves out). Everything
#     else is upstream: the CLI, the engine, the step generator, the analyzer protocol and the Kubernetes provider.
#     Its go.mod pins sdk/v3 to the default Pulumi release below and every other module to the version the CLI's
#     build selects, and it is built in place with -mod=readonly, so the repository's go.mod and go.sum are exactly
#     what is compiled (when bumping PULUMI_VERSION, `go get` the same sdk/v3 there). For another
#     CONTAINER_GUARD_PULUMI_VERSION a copy is built against that sdk/v3 release, as the CLI is. Its stamp holds a hash
#     of its *.go, go.mod and go.sum, so editing the host rebuilds the host alone, in seconds. Where a proxy serves
#     upstream's module, set CONTAINER_GUARD_LANGHOST_MODULE_VERSION to its pseudo-version (pin it to the commit of
#     the matching pkg/v3.X.Y tag) to build upstream's host instead, from a wrapper module of its own.
#   * Kubernetes provider (--with-kubernetes): github.com/pulumi/pulumi-kubernetes/provider/v4 has no provider/v4.x.y
#     tags, so it is pinned by pseudo-version, and its go.mod replaces sdk/v4 with ../sdk, so it is built from a
#     second wrapper module (separate from the CLI's, because it needs an older pulumi pkg/sdk). The module zip lacks
#     the gitignored schema-embed.json and terraform-mapping-embed.json that main.go embeds; they are produced by the
#     module's own generate.go (VERSION=<version> go run generate.go), as upstream's Makefile does.
#   * No Docker provider: the Go module proxy answers 403 "This module version is not available." for the version
#     lists of github.com/pulumi/pulumi-docker/provider/v4 and /v5, so the engine tests judge Docker resources from
#     state files (`pulumi policy analyze --file`), which need no provider.
#   * Builds are atomic: everything is built in a temporary directory inside the cache root and renamed into place
#     only after the binaries have been checked, so an interrupted build leaves no half-filled cache.
#   * GOMODCACHE and GOCACHE keep Go's defaults (already outside the repository): they are shared with other Go work
#     on the machine, and the module cache is read-only on disk, so keeping it out of the cache root lets
#     `rm -rf $CONTAINER_GUARD_CACHE` reset the toolchain cleanly. Only the bin directory is needed at run time.
set -euo pipefail

PULUMI_VERSION="${CONTAINER_GUARD_PULUMI_VERSION:-3.274.1}"
PULUMI_VERSION="${PULUMI_VERSION#v}"
MIN_PULUMI_VERSION=3.249.0
LANGHOST_MODULE_VERSION="${CONTAINER_GUARD_LANGHOST_MODULE_VERSION:-}"

K8S_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199 # commit f47bc2d6 (2026-01-15), between v4.24.0 and v4.25.0
K8S_VERSION=4.25.0-alpha.1768448096+f47bc2d6          # the version the provider reports, in upstream's dev format

# Bump when the build steps change, so existing caches are rebuilt: RECIPE_REVISION for the CLI,
# LANGHOST_RECIPE_REVISION for the language host, KUBERNETES_RECIPE_REVISION for the provider (separate, so that
# each part is rebuilt only when its own recipe changes).
RECIPE_REVISION=2
LANGHOST_RECIPE_REVISION=1
KUBERNETES_RECIPE_REVISION=1

PKG_MODULE=github.com/pulumi/pulumi/pkg/v3
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
LANGHOST_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANGHOST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/pulumi-langhost"

with_kubernetes=false
force=false
check_only=false
for arg in "$@"; do
	case "$arg" in
	--with-kubernetes | --kubernetes) with_kubernetes=true ;;
	--force) force=true ;;
	--check) check_only=true ;;
	-h | --help)
		sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
		exit 0
		;;
	*)
		echo "pulumi-toolchain: unknown argument: $arg (try --help)" >&2
		exit 2
		;;
	esac
done

start_s=$SECONDS
log() { echo "pulumi-toolchain [$((SECONDS - start_s))s]: $*" >&2; }
die() {
	echo "pulumi-toolchain: error: $*" >&2
	exit 1
}

if [ -z "${CONTAINER_GUARD_CACHE:-}" ] && [ -z "${HOME:-}" ]; then
	die "neither CONTAINER_GUARD_CACHE nor HOME is set"
fi
cache_root="${CONTAINER_GUARD_CACHE:-$HOME/.cache/container-guard}"
dest="$cache_root/pulumi-$PULUMI_VERSION"
bin="$dest/bin"

# langhost_hash: a hash of the names and contents of tools/pulumi-langhost's Go files, go.mod and go.sum.
langhost_hash() {
	local sums
	sums="$(cd "$LANGHOST_DIR" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum)" || die "could not hash the language host's sources in $LANGHOST_DIR"
	printf '%s\n' "$sums" | sha256sum | cut -c1-16
}

core_stamp="recipe=$RECIPE_REVISION pulumi=v$PULUMI_VERSION sdk=v$PULUMI_VERSION"
if [ -n "$LANGHOST_MODULE_VERSION" ]; then
	langhost_stamp="langhost=$LANGHOST_MODULE@$LANGHOST_MODULE_VERSION"
else
	[ -f "$LANGHOST_DIR/go.mod" ] || die "no language host module in $LANGHOST_DIR"
	langhost_src_hash="$(langhost_hash)"
	langhost_stamp="langhost=tools/pulumi-langhost@$langhost_src_hash"
fi
langhost_stamp="recipe=$LANGHOST_RECIPE_REVISION $langhost_stamp sdk=v$PULUMI_VERSION"
k8s_stamp="recipe=$KUBERNETES_RECIPE_REVISION kubernetes=$K8S_MODULE@$K8S_MODULE_VERSION version=$K8S_VERSION"

core_ready() {
	[ -x "$bin/pulumi" ] && [ "$(cat "$dest/.stamp-core" 2>/dev/null)" = "$core_stamp" ]
}
langhost_ready() {
	[ -x "$bin/pulumi-language-nodejs" ] && [ "$(cat "$dest/.stamp-langhost" 2>/dev/null)" = "$langhost_stamp" ]
}
k8s_ready() {
	[ -x "$bin/pulumi-resource-kubernetes" ] &&
		[ "$(cat "$dest/.stamp-kubernetes" 2>/dev/null)" = "$k8s_stamp" ]
}
all_ready() {
	core_ready || return 1
	langhost_ready || return 1
	if $with_kubernetes; then k8s_ready || return 1; fi
	return 0
}

# Fast path: nothing to build.
if ! $force && all_ready; then
	echo "$bin"
	exit 0
fi
if $check_only; then
	wanted="" flags=""
	if $with_kubernetes; then wanted=" with the Kubernetes provider" flags=" --with-kubernetes"; fi
	echo "pulumi-toolchain: $dest does not hold a complete toolchain$wanted;" \
		"run scripts/pulumi-toolchain.sh$flags to build it" >&2
	exit 3
fi

# ---- from here on we may build ----

if ! printf '%s\n%s\n' "$MIN_PULUMI_VERSION" "$PULUMI_VERSION" | sort -V -C; then
	die "Pulumi $PULUMI_VERSION is older than $MIN_PULUMI_VERSION, the first with \`pulumi policy analyze --file\`"
fi

if ! command -v go >/dev/null 2>&1; then
	if [ -x /usr/local/go/bin/go ]; then
		PATH="/usr/local/go/bin:$PATH"
	else
		die "the go command is not on PATH (and /usr/local/go/bin/go does not exist)"
	fi
fi
command -v node >/dev/null 2>&1 || log "warning: node is not on PATH; the language host needs it at run time"

mkdir -p "$cache_root"

have_lock=false
# Serialise concurrent runs for the same version; re-check after taking the lock.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$cache_root/.pulumi-$PULUMI_VERSION.lock"
	if ! flock -n 9; then
		log "another build of pulumi-$PULUMI_VERSION is running; waiting for it"
		flock 9
	fi
	have_lock=true
	if ! $force && all_ready; then
		echo "$bin"
		exit 0
	fi
fi

export CGO_ENABLED=0 GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=mod"
# Go prints download progress to stderr; keep stdout for the result line only.
go_() { go "$@" >&2; }

# Temporary directories live in the cache root (same file system, so the final rename is atomic) and are named
# after the version; they are removed on exit, and leftovers of a killed run are removed by the next run.
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

# new_staging NAME: create a temporary directory and put its path in $STAGE.
new_staging() {
	STAGE="$(mktemp -d "$cache_root/.build-$1-$PULUMI_VERSION.XXXXXX")"
	staging+=("$STAGE")
}

for leftover in "$cache_root"/.build-*-"$PULUMI_VERSION".*; do
	if $have_lock && [ -e "$leftover" ]; then
		log "removing leftover of an interrupted build: $leftover"
		remove_dir "$leftover"
	fi
done

# probe_plugin NAME PATH: check that a plugin binary starts. A Pulumi plugin serves gRPC and prints its port first;
# wait for that line, then stop it.
probe_plugin() {
	local name="$1" path="$2" pid out tries=0
	"$path" >"$path.probe" 2>&1 &
	pid=$!
	while [ ! -s "$path.probe" ] && [ "$tries" -lt 100 ]; do
		sleep 0.2
		tries=$((tries + 1))
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	out="$(head -n1 "$path.probe")"
	rm -f "$path.probe"
	case "$out" in
	[0-9]*) ;;
	*) die "the built $name does not start; it printed: $out" ;;
	esac
}

# carry_over STAGE BINARY STAMP SRC: hard-link (or copy) a part of the current $dest that is still up to date into
# the new directory STAGE: bin/BINARY, the stamp file STAMP and src/SRC.
carry_over() {
	local stage="$1" binary="$2" stamp="$3" src="$4"
	ln "$bin/$binary" "$stage/bin/$binary" 2>/dev/null || cp -p "$bin/$binary" "$stage/bin/$binary"
	cp -p "$dest/$stamp" "$stage/$stamp"
	if [ -d "$dest/src/$src" ]; then cp -pR "$dest/src/$src" "$stage/src/"; fi
	log "kept the current $binary"
}

build_core() {
	local stage src ldflags out old=""
	new_staging core
	stage="$STAGE"
	src="$stage/src/pulumi"
	mkdir -p "$src" "$stage/bin"
	log "building Pulumi v$PULUMI_VERSION in $stage ($(go version))"
	(
		cd "$src"
		go_ mod init container-guard.local/pulumi-toolchain
		log "resolving $PKG_MODULE@v$PULUMI_VERSION and $SDK_MODULE@v$PULUMI_VERSION through $(go env GOPROXY)"
		go_ get -tool "$PKG_MODULE/cmd/pulumi@v$PULUMI_VERSION"
		go_ get "$SDK_MODULE@v$PULUMI_VERSION"
	)

	ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
	log "compiling pulumi (the slow part: about 7 minutes from a cold Go build cache on 2 cores)"
	(cd "$src" && go_ build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$stage/bin/pulumi" \
		"$PKG_MODULE/cmd/pulumi")

	# Both modules must have resolved to the release asked for (neither may have raised the other).
	local m v
	for m in "$PKG_MODULE" "$SDK_MODULE"; do
		v="$(cd "$src" && go list -m -f '{{.Version}}' "$m")"
		[ "$v" = "v$PULUMI_VERSION" ] || die "$m resolved to $v, not v$PULUMI_VERSION"
	done

	out="$("$stage/bin/pulumi" version 2>&1)" || die "the built pulumi does not run: $out"
	[ "$out" = "v$PULUMI_VERSION" ] || die "the built pulumi reports version '$out', expected v$PULUMI_VERSION"
	# (Captured first: `... | grep -q` would fail under pipefail when grep exits early and pulumi gets SIGPIPE.)
	out="$("$stage/bin/pulumi" policy analyze --help 2>&1)" || die "\`pulumi policy analyze --help\` failed: $out"
	case "$out" in
	*--file*) ;;
	*) die "the built pulumi has no \`policy analyze --file\`" ;;
	esac

	printf '%s\n' "$core_stamp" >"$stage/.stamp-core"
	chmod 0755 "$stage"

	# The language host and the provider are built separately, so a part that is still current survives a CLI rebuild.
	if langhost_ready; then
		carry_over "$stage" pulumi-language-nodejs .stamp-langhost pulumi-language-nodejs
	fi
	if k8s_ready; then
		carry_over "$stage" pulumi-resource-kubernetes .stamp-kubernetes kubernetes-provider
	fi

	# Swap the finished directory into place. A previous, outdated directory is moved aside first (rename is atomic;
	# runs are serialised by the lock above), then deleted.
	if [ -e "$dest" ]; then
		new_staging old
		old="$STAGE"
		mv "$dest" "$old/"
	fi
	mv -T "$stage" "$dest"
	log "installed pulumi v$PULUMI_VERSION into $bin"
}

# build_langhost: build pulumi-language-nodejs into $bin (after build_core, so $dest exists). By default from
# tools/pulumi-langhost in place with -mod=readonly: its go.mod and go.sum decide every module version. Its go.mod and
# go.sum, or those of the module it was built from, are kept in src/pulumi-language-nodejs for auditing.
build_langhost() {
	local stage src moddir ldflags pinned v
	new_staging langhost
	stage="$STAGE"
	src="$stage/src"
	mkdir -p "$src"
	ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
	if [ -n "$LANGHOST_MODULE_VERSION" ]; then
		moddir="$src"
		log "building upstream's pulumi-language-nodejs, $LANGHOST_MODULE@$LANGHOST_MODULE_VERSION"
		(
			cd "$moddir"
			go_ mod init container-guard.local/pulumi-language-nodejs
			go_ get -tool "$LANGHOST_MODULE@$LANGHOST_MODULE_VERSION" ||
				die "could not fetch $LANGHOST_MODULE@$LANGHOST_MODULE_VERSION (unset" \
					"CONTAINER_GUARD_LANGHOST_MODULE_VERSION to build tools/pulumi-langhost instead)"
			go_ get "$SDK_MODULE@v$PULUMI_VERSION"
			go_ build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$stage/pulumi-language-nodejs" \
				"$LANGHOST_MODULE"
		)
	else
		pinned="$(cd "$LANGHOST_DIR" && go list -mod=readonly -m -f '{{.Version}}' "$SDK_MODULE")"
		if [ "$pinned" = "v$PULUMI_VERSION" ]; then
			moddir="$LANGHOST_DIR"
			log "compiling pulumi-language-nodejs from $LANGHOST_DIR"
			(cd "$moddir" && go_ build -mod=readonly -buildvcs=false -trimpath -tags osusergo,grpcnotrace \
				-ldflags "$ldflags" -o "$stage/pulumi-language-nodejs" .)
		else
			# Like the CLI, the host is compiled against the SDK of the Pulumi release asked for.
			moddir="$stage/module"
			log "tools/pulumi-langhost pins $SDK_MODULE $pinned; compiling a copy against v$PULUMI_VERSION"
			cp -R "$LANGHOST_DIR" "$moddir"
			(
				cd "$moddir"
				go_ get "$SDK_MODULE@v$PULUMI_VERSION"
				go_ mod tidy
				go_ build -buildvcs=false -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
					-o "$stage/pulumi-language-nodejs" .
			)
		fi
		cp "$moddir/go.mod" "$moddir/go.sum" "$src/"
		# The stamp must describe the sources that were compiled.
		[ "$(langhost_hash)" = "$langhost_src_hash" ] || die "$LANGHOST_DIR changed during the build; run again"
	fi
	v="$(cd "$moddir" && go list -mod=readonly -m -f '{{.Version}}' "$SDK_MODULE")"
	[ "$v" = "v$PULUMI_VERSION" ] || die "pulumi-language-nodejs was built with $SDK_MODULE $v, not v$PULUMI_VERSION"
	[ -x "$stage/pulumi-language-nodejs" ] || die "pulumi-language-nodejs was not built"
	probe_plugin pulumi-language-nodejs "$stage/pulumi-language-nodejs"

	rm -rf "$dest/src/pulumi-language-nodejs"
	mkdir -p "$dest/src"
	mv -T "$src" "$dest/src/pulumi-language-nodejs"
	mv -f "$stage/pulumi-language-nodejs" "$bin/pulumi-language-nodejs"
	printf '%s\n' "$langhost_stamp" >"$stage/stamp"
	mv -f "$stage/stamp" "$dest/.stamp-langhost"
	log "installed pulumi-language-nodejs into $bin"
}

build_kubernetes() {
	local stage src moddir
	new_staging kubernetes
	stage="$STAGE"
	src="$stage/src/kubernetes-provider"
	mkdir -p "$src/cmd/pulumi-resource-kubernetes"
	log "building pulumi-resource-kubernetes $K8S_VERSION ($K8S_MODULE@$K8S_MODULE_VERSION)"
	(
		cd "$src"
		go_ mod init container-guard.local/kubernetes-provider
		# Getting the packages (not only the module) records every go.sum entry the build needs, without go mod tidy
		# (which would also want the modules of the provider's tests).
		go_ get "$K8S_MODULE/pkg/provider@$K8S_MODULE_VERSION" "$K8S_MODULE/pkg/version@$K8S_MODULE_VERSION"
		moddir="$(go list -m -f '{{.Dir}}' "$K8S_MODULE")"
		if [ -z "$moddir" ] || [ ! -f "$moddir/cmd/pulumi-resource-kubernetes/main.go" ]; then
			die "no cmd/pulumi-resource-kubernetes in $K8S_MODULE@$K8S_MODULE_VERSION"
		fi
		cp "$moddir"/cmd/pulumi-resource-kubernetes/* cmd/pulumi-resource-kubernetes/
		chmod -R u+w cmd
		log "generating schema-embed.json and terraform-mapping-embed.json (go run generate.go)"
		(cd cmd/pulumi-resource-kubernetes && VERSION="$K8S_VERSION" go_ run generate.go)
		log "compiling pulumi-resource-kubernetes (about 12 minutes from a cold Go build cache on 2 cores)"
		go_ build -trimpath \
			-ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_VERSION" \
			-o "$stage/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
	)
	[ -x "$stage/pulumi-resource-kubernetes" ] || die "pulumi-resource-kubernetes was not built"
	probe_plugin pulumi-resource-kubernetes "$stage/pulumi-resource-kubernetes"

	# Keep go.mod/go.sum for auditing (the copied sources and JSON files are large and reproducible), then move the
	# binary and its stamp into place with renames.
	rm -rf "$src/cmd"
	rm -rf "$dest/src/kubernetes-provider"
	mv -T "$src" "$dest/src/kubernetes-provider"
	mv -f "$stage/pulumi-resource-kubernetes" "$bin/pulumi-resource-kubernetes"
	printf '%s\n' "$k8s_stamp" >"$stage/stamp"
	mv -f "$stage/stamp" "$dest/.stamp-kubernetes"
	log "installed pulumi-resource-kubernetes into $bin"
}

if $force || ! core_ready; then
	build_core
fi
if $force || ! langhost_ready; then
	build_langhost
fi
if $with_kubernetes && { $force || ! k8s_ready; }; then
	build_kubernetes
fi

all_ready || die "the cache at $dest is still incomplete after building"
log "done: $(cd "$bin" && echo *)"
echo "$bin"
