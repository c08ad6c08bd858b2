// The language host's state, the calls the engine makes around running a program (handshake, plugin info,
// dependencies, About), and what Run and RunPlugin share: the project's runtime options and finding @pulumi/pulumi.

package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/google/shlex"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	runProgram    = "@pulumi/pulumi/cmd/run"
	runPolicyPack = "@pulumi/pulumi/cmd/run-policy-pack"
	// @pulumi/pulumi exits with this code after it has already shown the user an actionable message.
	exitAfterUserActionableMessage = 32
)

// host serves the LanguageRuntime service. Calls it does not implement answer Unimplemented, which the engine
// handles for the optional ones.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	// engineAddress is the engine's gRPC address, from the command line or the handshake; programs get it as --engine.
	engineAddress string
	// tracing is the -tracing flag the engine passed, handed on to programs.
	tracing string
}

// options are the `runtime.options` of Pulumi.yaml / PulumiPolicy.yaml that change how node runs.
type options struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

// parseOptions reads the runtime options the way upstream's host does: typescript defaults to true, nodeargs is
// split like a shell would.
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

// env is the environment that tells @pulumi/pulumi's launchers how to load TypeScript.
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

// Handshake records the engine's address when the engine starts the host without passing it on the command line.
func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.EngineAddress != "" {
		h.engineAddress = req.EngineAddress
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// GetPluginInfo reports the version the build stamped into sdk/v3's version package (the CLI's release).
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins reports nothing: see GetRequiredPackages.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

// GetRequiredPackages reports nothing, so the engine loads each provider when the program first uses it instead of
// looking for the provider of every SDK in node_modules.
func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

// InstallDependencies installs nothing and says so: the program's or pack's node_modules are the user's to install.
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

// About names the node executable and its version, for `pulumi about`.
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
