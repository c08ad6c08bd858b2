#!/usr/bin/env bash
# pulumi-toolchain.sh: build a pinned Pulumi CLI and a Node.js language host from Go modules, cache them outside
# the repository, and print the directory that holds them.
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
#                                   the host embedded below (see "Language host")
#   GOMODCACHE, GOCACHE, GOPROXY    honoured as usual; by default the module and build caches are Go's own
#
# Cache layout:
#   $CONTAINER_GUARD_CACHE/pulumi-<version>/
#     bin/pulumi                      CLI and engine
#     bin/pulumi-language-nodejs      language host (see "Language host"); the engine finds it on PATH or next to
#                                     bin/pulumi
#     bin/pulumi-resource-kubernetes  only with --with-kubernetes
#     src/pulumi/                     the wrapper module (go.mod, go.sum, embedded host source) the CLI was built from
#     src/kubernetes-provider/        the provider's wrapper module (go.mod, go.sum), with --with-kubernetes
#     .stamp-core, .stamp-kubernetes  the recipe each part was built with; a mismatch triggers a rebuild
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
#     This script therefore builds, by default, a language host of OUR OWN, whose Go source is embedded below (about
#     400 lines with comments, compiled against the same sdk/v3 release as the CLI). Everything else is upstream: the
#     CLI, the engine, the step generator, the analyzer protocol and the Kubernetes provider. The host does what
#     upstream's does for the calls the engine makes to preview or update a Node.js program and to run a policy pack:
#       - Run: `node [nodeargs] <@pulumi/pulumi/cmd/run resolved from the program directory> --monitor --engine
#         --organization --project --root-directory --stack --pwd [--dry-run] --parallel <entry point> [args]`, with
#         the stack configuration in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS and PULUMI_NODEJS_TYPESCRIPT=true
#         (the variables @pulumi/pulumi reads), and upstream's error reporting (exit code 32 = already reported).
#       - RunPlugin for policy packs: @pulumi/pulumi/cmd/run-policy-pack resolved from the pack directory, started in
#         the pack directory, behind sdk/v3's PolicyProxy so the stack configuration reaches the pack.
#       - Handshake, GetPluginInfo, About; GetRequiredPackages/GetRequiredPlugins report nothing (the engine then
#         loads each provider on first use, from PATH first); InstallDependencies installs nothing (run npm yourself).
#     It leaves out synchronous invokes (@pulumi/pulumi 3.248 never uses them, so the program talks to the engine's
#     resource monitor directly instead of through a proxy), debugger attachment, bun, code generation and
#     Pack/Link. Where a proxy serves upstream's module, set CONTAINER_GUARD_LANGHOST_MODULE_VERSION to its
#     pseudo-version (pin it to the commit of the matching pkg/v3.X.Y tag) to build upstream's host instead.
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

# Bump when the build steps change, so existing caches are rebuilt: RECIPE_REVISION for the CLI and language host,
# KUBERNETES_RECIPE_REVISION for the provider (separate, so a language host change does not rebuild the provider).
RECIPE_REVISION=2
KUBERNETES_RECIPE_REVISION=1

PKG_MODULE=github.com/pulumi/pulumi/pkg/v3
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
LANGHOST_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3

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

core_stamp="recipe=$RECIPE_REVISION pulumi=v$PULUMI_VERSION sdk=v$PULUMI_VERSION"
if [ -n "$LANGHOST_MODULE_VERSION" ]; then
	core_stamp="$core_stamp langhost=$LANGHOST_MODULE@$LANGHOST_MODULE_VERSION"
else
	core_stamp="$core_stamp langhost=embedded"
fi
k8s_stamp="recipe=$KUBERNETES_RECIPE_REVISION kubernetes=$K8S_MODULE@$K8S_MODULE_VERSION version=$K8S_VERSION"

core_ready() {
	[ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ] &&
		[ "$(cat "$dest/.stamp-core" 2>/dev/null)" = "$core_stamp" ]
}
k8s_ready() {
	[ -x "$bin/pulumi-resource-kubernetes" ] &&
		[ "$(cat "$dest/.stamp-kubernetes" 2>/dev/null)" = "$k8s_stamp" ]
}
all_ready() {
	core_ready || return 1
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

write_embedded_langhost() {
	mkdir -p "$1"
	cat >"$1/main.go" <<'GO'
// pulumi-language-nodejs: a small Node.js language host built by container-guard's scripts/pulumi-toolchain.sh.
//
// It stands in for upstream's host, whose Go module the Go module proxy refuses to serve. The CLI, the engine, the
// step generator, the analyzer protocol and the providers it talks to are all upstream; only this process is ours.
// It does, the way upstream's host does, what `pulumi preview`/`up` of a Node.js program and `--policy-pack` need:
//
//   - Run executes a program: node [nodeargs] <@pulumi/pulumi/cmd/run, resolved from the program directory>
//     --monitor --engine --organization --project --root-directory --stack --pwd [--dry-run] --parallel [--tracing]
//     <entry point> [args], with the stack configuration in PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS and ts-node
//     switched on with PULUMI_NODEJS_TYPESCRIPT unless the project sets `typescript: false`.
//   - RunPlugin with kind analyzer starts a policy pack with @pulumi/pulumi/cmd/run-policy-pack, resolved from the
//     pack directory, behind sdk/v3's PolicyProxy, which hands the stack configuration to the pack.
//   - GetRequiredPackages and GetRequiredPlugins report nothing, so the engine loads each provider when the program
//     first uses it, from PATH first; reporting the provider packages in node_modules would make it look for (and
//     fail to find) every provider whose SDK is installed, used or not.
//   - InstallDependencies installs nothing: run npm ci / npm install yourself.
//
// Left out: synchronous invokes (upstream proxies the resource monitor to serve them over pipes; @pulumi/pulumi
// 3.248 never uses them, so the program talks to the engine's monitor directly), debugger attachment, the bun
// runtime, code generation, templates, Pack and Link.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"
	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	runProgram    = "@pulumi/pulumi/cmd/run"
	runPolicyPack = "@pulumi/pulumi/cmd/run-policy-pack"
	// @pulumi/pulumi exits with this code after it has already shown the user an actionable message.
	exitAfterUserActionableMessage = 32
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

// options are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that change how node runs.
type options struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func parseOptions(raw map[string]any) (options, error) {
	opts := options{typescript: true}
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfig option must be a string")
		}
		opts.tsconfig = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		args, err := shlex.Split(s)
		if err != nil {
			return opts, fmt.Errorf("nodeargs option: %w", err)
		}
		opts.nodeargs = args
	}
	return opts, nil
}

func (o options) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.EngineAddress != "" {
		h.engineAddress = req.EngineAddress
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, _, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprintf(stdout, "This pulumi-language-nodejs does not install dependencies: run npm install in %s\n",
		req.GetInfo().GetProgramDirectory())
	return closer.Close()
}

func (h *host) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	resp := &pulumirpc.AboutResponse{Executable: node}
	if out, err := exec.CommandContext(ctx, node, "--version").Output(); err == nil {
		resp.Version = strings.TrimSpace(string(out))
	}
	return resp, nil
}

// locate resolves mod the way Node does from dir, so that the program's or pack's own node_modules supplies
// @pulumi/pulumi; installHint completes "Have you run ...?" when it is missing.
func locate(ctx context.Context, node, mod, dir, installHint string) (string, error) {
	const script = `try { process.stdout.write(require.resolve(process.argv[1])) } catch (e) {
		process.stderr.write(e.code === "MODULE_NOT_FOUND" ? "It looks like the Pulumi SDK has not been installed. " +
			"Have you run " + process.argv[2] + "?" : e.message); process.exit(1) }`
	cmd := exec.CommandContext(ctx, node, "-e", script, mod, installHint)
	cmd.Dir = dir
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && len(exitErr.Stderr) > 0 {
		return "", errors.New(string(exitErr.Stderr))
	} else if err != nil {
		return "", fmt.Errorf("could not resolve %s from %s: %w", mod, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// configJSON passes the keys as the engine gives them (<namespace>:<name>); @pulumi/pulumi also accepts the old
// <namespace>:config:<name> form that upstream's host still sends for SDKs older than any this pack supports.
func configJSON(req *pulumirpc.RunRequest) (string, string, error) {
	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	c, err := json.Marshal(config)
	if err != nil {
		return "", "", err
	}
	s, err := json.Marshal(secretKeys)
	return string(c), string(s), err
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	// Like upstream, problems with the program are reported in the response, not as RPC errors.
	failed := func(err error) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	info := req.GetInfo()
	if info == nil {
		return nil, status.Error(codes.InvalidArgument, "RunRequest carries no program info")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return failed(fmt.Errorf("could not find node on the $PATH: %w", err))
	}
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return failed(err)
	}
	runPath, err := locate(ctx, node, runProgram, info.ProgramDirectory, "pulumi install")
	if err != nil {
		return failed(err)
	}

	args := append(append([]string{}, opts.nodeargs...), runPath)
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.GetMonitorAddress())
	flagIfSet("engine", h.engineAddress)
	flagIfSet("organization", req.GetOrganization())
	flagIfSet("project", req.GetProject())
	flagIfSet("root-directory", info.RootDirectory)
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", info.ProgramDirectory)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIfSet("parallel", strconv.Itoa(int(req.GetParallel())))
	flagIfSet("tracing", h.tracing)
	entryPoint := info.EntryPoint
	if entryPoint == "" {
		entryPoint = "."
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	config, secretKeys, err := configJSON(req)
	if err != nil {
		return failed(fmt.Errorf("failed to serialize configuration: %w", err))
	}
	env := append(os.Environ(), "PULUMI_CONFIG="+config, "PULUMI_CONFIG_SECRET_KEYS="+secretKeys)
	env = append(env, opts.env()...)

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = env
	// Wrapped so that exec copies through a pipe instead of handing node our file descriptors: node may switch
	// them to non-blocking mode, which would break our own writes to them.
	cmd.Stdout, cmd.Stderr = struct{ io.Writer }{os.Stdout}, struct{ io.Writer }{os.Stderr}
	// A cancelled preview interrupts the program so that it can shut down cleanly.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	logging.V(5).Infof("running program: %s", cmd)

	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case !errors.As(err, &exitErr):
		return failed(fmt.Errorf("Problem executing program (could not run language executor): %w", err))
	case exitErr.ExitCode() == exitAfterUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case exitErr.ExitCode() > 0:
		return failed(fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode()))
	default:
		return failed(fmt.Errorf("Program exited unexpectedly: %w", err))
	}
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.Kind != "analyzer" {
		return status.Errorf(codes.Unimplemented,
			"this pulumi-language-nodejs runs only policy packs (kind analyzer) as plugins, not kind %q", req.Kind)
	}
	ctx := server.Context()
	dir := req.GetInfo().GetProgramDirectory()

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return err
	}
	runPath, err := locate(ctx, node, runPolicyPack, dir, "npm install in "+dir)
	if err != nil {
		return err
	}
	// Policy packs take the node arguments after the launcher, the engine address next and the pack directory last.
	args := append([]string{runPath}, opts.nodeargs...)
	args = append(args, req.Args...)
	args = append(args, dir)

	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start policy pack proxy: %w", err)
	}
	cfg, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get stack configuration: %w", err)
	}
	env := append(append([]string{}, req.Env...), opts.env()...)
	if cfg != nil {
		add := func(k, v string) {
			if v != "" {
				env = append(env, k+"="+v)
			}
		}
		add("PULUMI_NODEJS_ORGANIZATION", cfg.Organization)
		add("PULUMI_NODEJS_PROJECT", cfg.Project)
		add("PULUMI_NODEJS_STACK", cfg.Stack)
		add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(cfg.DryRun))
		if cfg.Config != nil {
			b, err := json.Marshal(cfg.Config)
			if err != nil {
				return fmt.Errorf("could not marshal stack configuration: %w", err)
			}
			add("PULUMI_CONFIG", string(b))
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir // policy packs have always run with the pack directory as working directory
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	logging.V(5).Infof("running policy pack: %s", cmd)
	if err := cmd.Start(); err != nil {
		proxy.Abort(err)
		return fmt.Errorf("could not run node: %w", err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && exitErr.ExitCode() > 0 {
			return fmt.Errorf("Program exited with non-zero exit code: %d", exitErr.ExitCode())
		}
		return fmt.Errorf("policy pack failed: %w", err)
	}
	return closer.Close()
}

func main() {
	// Flags the engine may pass to plugins; registered only if no linked package has registered them.
	for _, f := range []struct{ name, kind string }{
		{"tracing", "string"}, {"root", "string"}, {"logflow", "bool"}, {"logtostderr", "bool"}, {"v", "int"},
	} {
		if flag.Lookup(f.name) != nil {
			continue
		}
		switch f.kind {
		case "bool":
			flag.Bool(f.name, false, "")
		case "int":
			flag.Int(f.name, 0, "")
		default:
			flag.String(f.name, "", "")
		}
	}
	flag.Parse()
	logging.InitLogging(false, 0, false)

	h := &host{tracing: flag.Lookup("tracing").Value.String()}
	// The engine's address is the positional argument; Run passes it on to the program.
	if args := flag.Args(); len(args) > 0 {
		h.engineAddress = args[0]
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	// Stop serving if the engine goes away without stopping this process, so no host outlives its engine.
	if h.engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, h.engineAddress, 5*time.Minute, cancel); err != nil {
			fmt.Fprintf(os.Stderr, "fatal: could not start the engine health check: %v\n", err)
			os.Exit(1)
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: language host RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}
GO
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
		if [ -n "$LANGHOST_MODULE_VERSION" ]; then
			log "resolving $LANGHOST_MODULE@$LANGHOST_MODULE_VERSION"
			go_ get -tool "$LANGHOST_MODULE@$LANGHOST_MODULE_VERSION" ||
				die "could not fetch $LANGHOST_MODULE@$LANGHOST_MODULE_VERSION (unset CONTAINER_GUARD_LANGHOST_MODULE_VERSION to build the embedded policy-pack host instead)"
		else
			write_embedded_langhost cmd/pulumi-language-nodejs
		fi
	)

	ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
	log "compiling pulumi (the slow part: about 7 minutes from a cold Go build cache on 2 cores)"
	(cd "$src" && go_ build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$stage/bin/pulumi" \
		"$PKG_MODULE/cmd/pulumi")
	log "compiling pulumi-language-nodejs"
	if [ -n "$LANGHOST_MODULE_VERSION" ]; then
		(cd "$src" && go_ build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
			-o "$stage/bin/pulumi-language-nodejs" "$LANGHOST_MODULE")
	else
		(cd "$src" && go_ build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
			-o "$stage/bin/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs)
	fi

	# Adding the language host may not have raised the CLI's pinned modules.
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
	[ -x "$stage/bin/pulumi-language-nodejs" ] || die "pulumi-language-nodejs was not built"

	printf '%s\n' "$core_stamp" >"$stage/.stamp-core"
	chmod 0755 "$stage"

	# The provider is built from its own wrapper module, so a provider that is still current survives a core rebuild.
	if k8s_ready; then
		ln "$bin/pulumi-resource-kubernetes" "$stage/bin/pulumi-resource-kubernetes" 2>/dev/null ||
			cp -p "$bin/pulumi-resource-kubernetes" "$stage/bin/pulumi-resource-kubernetes"
		cp -p "$dest/.stamp-kubernetes" "$stage/.stamp-kubernetes"
		if [ -d "$dest/src/kubernetes-provider" ]; then cp -pR "$dest/src/kubernetes-provider" "$stage/src/"; fi
		log "kept the current pulumi-resource-kubernetes"
	fi

	# Swap the finished directory into place. A previous, outdated directory is moved aside first (rename is atomic;
	# runs are serialised by the lock above), then deleted.
	if [ -e "$dest" ]; then
		new_staging old
		old="$STAGE"
		mv "$dest" "$old/"
	fi
	mv -T "$stage" "$dest"
	log "installed pulumi v$PULUMI_VERSION and pulumi-language-nodejs into $bin"
}

build_kubernetes() {
	local stage src moddir out
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
	# A provider binary serves gRPC and prints its port first; check that it starts, then stop it.
	local pid tries=0
	"$stage/pulumi-resource-kubernetes" >"$stage/probe.out" 2>&1 &
	pid=$!
	while [ ! -s "$stage/probe.out" ] && [ "$tries" -lt 100 ]; do
		sleep 0.2
		tries=$((tries + 1))
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	out="$(head -n1 "$stage/probe.out")"
	case "$out" in
	[0-9]*) ;;
	*) die "the built pulumi-resource-kubernetes does not start; it printed: $out" ;;
	esac

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
if $with_kubernetes && { $force || ! k8s_ready; }; then
	build_kubernetes
fi

all_ready || die "the cache at $dest is still incomplete after building"
log "done: $(cd "$bin" && echo *)"
echo "$bin"
