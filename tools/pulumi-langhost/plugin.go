// RunPlugin: how the engine starts a Node.js policy pack (`pulumi preview --policy-pack`, `pulumi policy analyze`).
// The pack serves the analyzer protocol itself; this host only starts it and hands it the stack configuration.

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// RunPlugin runs a policy pack (plugin kind analyzer; other kinds are refused) with @pulumi/pulumi/cmd/run-policy-pack
// from the pack's own node_modules, in the pack directory. sdk/v3's PolicyProxy sits between the engine and the pack:
// it receives the stack configuration the engine sends and passes it to the pack in PULUMI_NODEJS_* and
// PULUMI_CONFIG, as upstream's host does.
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
