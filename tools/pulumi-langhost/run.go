// Run: how `pulumi preview`/`up` of a Node.js program starts the program. The engine serves a resource monitor; the
// program, started through @pulumi/pulumi's own launcher, registers its resources with it.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

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

// Run executes the program with node and @pulumi/pulumi/cmd/run from the program's own node_modules, with the
// arguments and environment upstream's host gives it, and reports its outcome the way upstream's host does.
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
