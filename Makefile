# Sanad: `make run` starts the suite on its embedded defaults; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Named after what the recipe does: a virtualenv from before the optimized bytecode is redone.
INSTALLED := $(VENV)/.installed-optimized
# The Go protoc plugins, pinned; installed into the virtualenv's folder, not the user's.
GO_BIN := $(abspath $(VENV))/go-bin
GO_PLUGINS := $(GO_BIN)/protoc-gen-go $(GO_BIN)/protoc-gen-go-grpc
PROTOC_GEN_GO := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.10
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
BUF := github.com/bufbuild/buf/cmd/buf@v1.50.0
# toxiproxy (server and CLI) for the chaos suite, pinned, in its own folder of go-bin.
TOXIPROXY_VERSION := v2.12.0
TOXIPROXY := $(GO_BIN)/toxiproxy/server
GRPC_HEALTH_PROBE := github.com/grpc-ecosystem/grpc-health-probe@v0.4.63

.PHONY: run test lint unit proto proto-check bench demo install clean chaos tls-certs

# TLS=1 serves every link with TLS, with development certificates made in var/tls.
run: $(INSTALLED)
	$(BIN)/python -m sanad_launcher $(if $(TLS),--tls var/tls)

# Development certificates in var/tls for docker-compose.tls.yml (make run TLS=1 makes the same).
tls-certs: $(INSTALLED)
	$(BIN)/python -m sanad_launcher.certificates var/tls

test: $(INSTALLED) $(GO_PLUGINS) $(GO_BIN)/grpc-health-probe $(TOXIPROXY) lint
	scripts/ensure-redis.sh
	scripts/ensure-promtool.sh
	cd clients/go && go vet ./... && go build ./... && go test ./...
	PATH="$(GO_BIN):$$PATH" $(BIN)/pytest

lint: $(INSTALLED) $(GO_BIN)/buf
	cd protos && $(GO_BIN)/buf lint && $(GO_BIN)/buf format --diff --exit-code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

demo: $(INSTALLED)
	$(BIN)/python -m sanad_launcher.demo

proto: $(INSTALLED) $(GO_PLUGINS)
	PATH="$(GO_BIN):$$PATH" PYTHON=$(BIN)/python scripts/gen-protos.sh
	cd clients/go && go mod tidy

$(GO_BIN)/protoc-gen-go:
	GOBIN=$(GO_BIN) go install $(PROTOC_GEN_GO)

$(GO_BIN)/protoc-gen-go-grpc:
	GOBIN=$(GO_BIN) go install $(PROTOC_GEN_GO_GRPC)

$(GO_BIN)/buf:
	GOBIN=$(GO_BIN) go install $(BUF)

$(TOXIPROXY):
	GOBIN=$(GO_BIN)/toxiproxy go install \
		github.com/Shopify/toxiproxy/v2/cmd/server@$(TOXIPROXY_VERSION) \
		github.com/Shopify/toxiproxy/v2/cmd/cli@$(TOXIPROXY_VERSION)

# The chaos suite: minutes of load while processes die and links break (not part of test).
chaos: $(INSTALLED) $(TOXIPROXY)
	scripts/ensure-redis.sh
	$(BIN)/python -m bench.chaos --output docs/chaos.md

$(GO_BIN)/grpc-health-probe:
	GOBIN=$(GO_BIN) go install $(GRPC_HEALTH_PROBE)

# BEFORE (a --json of an earlier run) adds a before -> after table; by default the run of the
# same command on the request path before the performance work (bench/baseline/).
BENCH_JSON := var/bench/analyze_latency.json
BEFORE ?= bench/baseline/analyze_latency-before.json

bench: $(INSTALLED)
	scripts/ensure-redis.sh
	$(BIN)/python -m bench.analyze_latency --output docs/benchmarks.md --json $(BENCH_JSON) \
		$(if $(BEFORE),--before $(BEFORE))
	$(BIN)/python -m bench.analyzer_profile --output docs/benchmarks.md
	$(BIN)/python -m bench.analyzer_memory --output docs/benchmarks.md
	$(BIN)/python -m bench.memory_soak --output docs/benchmarks.md
	$(BIN)/python -m bench.tracing_overhead --output docs/benchmarks.md
	$(BIN)/python -m bench.quota_reserve --output docs/benchmarks.md
	$(BIN)/python -m bench.redis_packing --output docs/benchmarks.md
	$(BIN)/python -m bench.grpc_hop --output docs/benchmarks.md
	$(BIN)/python -m bench.provider_transports --output docs/benchmarks.md \
		--json var/bench/provider_transports.json
	$(BIN)/python -m bench.provider_outage --output docs/benchmarks.md
	$(BIN)/python -m bench.near_duplicate_lookup --output docs/benchmarks.md
	$(BIN)/python -m bench.rules_checker --output docs/benchmarks.md
	$(BIN)/python -m bench.security_overhead --output docs/benchmarks.md
	$(BIN)/python -m bench.cert_rotation --output docs/benchmarks.md
	$(BIN)/python -m bench.peers --output docs/benchmarks.md --json var/bench/peers.json

install: $(INSTALLED)

# The virtualenv is rebuilt whenever the pinned dependencies change. The client distribution
# (clients/python) is installed in the same command, so the server's sanad-client requirement
# is met by it and never looked up in an index. The services run with PYTHONOPTIMIZE=2
# (sanad_launcher.suite, Dockerfile), so the dependencies' optimized bytecode is compiled here:
# otherwise each start would compile it again (about 4 s of CPU).
$(INSTALLED): pyproject.toml clients/python/pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt \
		-e ./clients/python -e '.[dev]'
	$(BIN)/python -OO -m compileall -q -j 0 \
		"$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null
	touch $@

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache var
