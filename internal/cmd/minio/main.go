// Command minio builds the pinned MinIO server into its cache, unless it is
// there already (`make minio`, which `make test` and `make bench` run
// first), and prints where it is. The version lives in internal/local/minio
// only; set MINIO_BINARY to cache it elsewhere.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/passwordgen/passwordgen/internal/local/minio"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	path, err := minio.Ensure(ctx, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "minio:", err)
		os.Exit(1)
	}
	fmt.Printf("minio %s: cached at %s\n", minio.Version, path)
}
