# Everything a developer or CI runs. `make test` is the one test command:
# it builds the pinned MinIO the integration tests need, then runs them all.

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
PKGS        ?= ./...
# The packages that run goroutines or share state between them; `make test`
# runs them again under the race detector.
RACE_PKGS   ?= ./internal/local/... ./internal/orgpolicy/... ./internal/passphrase/... \
               ./internal/password/... ./internal/rotation/... ./internal/store/... ./internal/testkit/... ./internal/cmd/...

.PHONY: minio test test-short lint bench local

# The pinned MinIO, built once into $HOME/.cache/passwordgen/bin (or
# $MINIO_BINARY): a few minutes the first time and whenever the version pinned
# in internal/local/minio changes, then cached.
minio:
	go run ./internal/cmd/minio

test: minio
	go test -count=1 $(PKGS)
	go test -race -count=1 $(RACE_PKGS)

test-short:
	go test -short $(PKGS)

lint:
	@files=$$(go list -e -f "{{.Dir}}" $(PKGS) | xargs -r gofmt -l | sort -u); \
	if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	go vet $(PKGS)
	go run $(STATICCHECK) $(PKGS)
	go run $(ACTIONLINT) .github/workflows/*.yml

bench: minio
	go test -run "^$$" -bench . -benchmem $(PKGS)

# The whole function on this machine, no AWS account needed (see README).
local:
	go run ./internal/cmd/local
