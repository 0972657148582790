# Everything a developer or CI runs. `make test` is the one test command:
# it builds the pinned MinIO the integration tests need, then runs them all.

MINIO_MODULE  := github.com/minio/minio
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
CACHE_DIR     := $(HOME)/.cache/passwordgen
MINIO_BINARY  := $(CACHE_DIR)/bin/minio
STATICCHECK   := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT    := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
PKGS          ?= ./...

export MINIO_BINARY

.PHONY: minio test test-short lint bench local

# The binary records the module version it was built from; a different
# MINIO_VERSION rebuilds it (a few minutes, then cached).
minio:
	@if [ "$$(go version -m "$(MINIO_BINARY)" 2>/dev/null | awk '$$1 == "mod" {print $$3}')" = "$(MINIO_VERSION)" ]; then \
		echo "minio $(MINIO_VERSION): cached at $(MINIO_BINARY)"; \
	else \
		echo "minio $(MINIO_VERSION): building into $(MINIO_BINARY)"; \
		GOBIN="$(dir $(MINIO_BINARY))" go install $(MINIO_MODULE)@$(MINIO_VERSION); \
	fi

test: minio
	go test -count=1 $(PKGS)

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
