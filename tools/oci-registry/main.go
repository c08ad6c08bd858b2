// oci-registry: an in-memory OCI registry for container-guard's supply-chain tests.
//
// It serves go-containerregistry's registry handler on 127.0.0.1 only (never on all interfaces), so tests can run
// it on a random port without exposing anything. Unlike the stock `registry` command (which binds localhost and has
// no referrers API), it can switch the OCI 1.1 referrers API on, so both the referrers endpoint and the
// `sha256-<hex>` tag fallback that clients use when that endpoint answers 404 can be tested.
//
// Usage: oci-registry [-port N] [-referrers=true|false]
// It prints "listening on 127.0.0.1:PORT" as its first line on stdout once it accepts connections.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0: any free port)")
	referrers := flag.Bool("referrers", true, "serve the OCI 1.1 referrers API (false: answer 404, as older registries do)")
	quiet := flag.Bool("quiet", true, "do not log every request")
	flag.Parse()

	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		log.Fatal(err)
	}
	logger := log.New(os.Stderr, "", log.LstdFlags)
	if *quiet {
		logger = log.New(io.Discard, "", 0)
	}
	server := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler:           registry.New(registry.WithReferrersSupport(*referrers), registry.Logger(logger)),
	}
	fmt.Printf("listening on %s\n", listener.Addr().String())
	log.Fatal(server.Serve(listener))
}
