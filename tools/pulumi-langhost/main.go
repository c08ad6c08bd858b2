// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi engine, built by container-guard's
// scripts/pulumi-toolchain.sh next to a Pulumi CLI built from upstream's Go modules.
//
// It stands in for upstream's host, whose Go module the Go module proxy refuses to serve: the CLI (3.221.0 and newer)
// no longer falls back to the old pulumi-analyzer-policy-nodejs shim, so `pulumi preview --policy-pack` and `pulumi
// policy analyze` need a language host to start a Node.js policy pack. The CLI, the engine, the step generator, the
// analyzer protocol and the providers it talks to are all upstream; only this process is ours. It does, the way
// upstream's host does, what `pulumi preview`/`up` of a Node.js program and `--policy-pack` need:
//
//   - Run executes a program: node [nodeargs] <@pulumi/pulumi/cmd/run, resolved from the program directory>
//     --monitor --engine --organization --project --root-directory --stack --pwd [--dry-run] --parallel [--tracing]
//     <entry point> [args], with the stack configuration in PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS and ts-node
//     switched on with PULUMI_NODEJS_TYPESCRIPT unless the project sets `typescript: false` (run.go).
//   - RunPlugin with kind analyzer starts a policy pack with @pulumi/pulumi/cmd/run-policy-pack, resolved from the
//     pack directory, behind sdk/v3's PolicyProxy, which hands the stack configuration to the pack (plugin.go).
//   - GetRequiredPackages and GetRequiredPlugins report nothing, so the engine loads each provider when the program
//     first uses it, from PATH first; reporting the provider packages in node_modules would make it look for (and
//     fail to find) every provider whose SDK is installed, used or not (host.go).
//   - InstallDependencies installs nothing: run npm ci / npm install yourself (host.go).
//
// Left out: synchronous invokes (upstream proxies the resource monitor to serve them over pipes; @pulumi/pulumi
// 3.248 never uses them, so the program talks to the engine's monitor directly), debugger attachment, the bun
// runtime, code generation, templates, Pack and Link.
//
// The module's go.mod pins github.com/pulumi/pulumi/sdk/v3 to the release of the CLI it is built with, and every
// other module to the version the CLI's own build selects, so host and CLI share their gRPC and protocol code.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// main speaks the plugin protocol every Pulumi plugin speaks: it takes the engine's address as its argument, serves
// the LanguageRuntime gRPC service on a free port, prints the port on the first line of stdout for the engine to
// read, and serves until the engine stops it or goes away.
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
