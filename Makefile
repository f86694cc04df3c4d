# confmedia — see README.md. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := build

GO          ?= go
BIN         := $(CURDIR)/bin/confmedia
TOOLS       := $(CURDIR)/.tools/bin
VERSITYGW   := $(TOOLS)/versitygw
VERSITYGW_VERSION := v1.8.0
UI_VENDOR   := web/static/vendor/sha256.umd.min.js
UI_MODULES  := web/ui/node_modules/.package-lock.json
AXE_JS      := web/ui/node_modules/axe-core/axe.min.js
# The face models (pipeline/face) embedded in the binary, from the npm package @vladmandic/face-api.
FACE_MODEL_NAMES := tiny_face_detector face_landmark_68 face_recognition
FACE_MODELS := $(foreach m,$(FACE_MODEL_NAMES),pipeline/face/model/$(m)_model.bin pipeline/face/model/$(m)_model-weights_manifest.json)
GO_MIN      := 1.26
# Debian packages: what `make run` needs, and what the tests need besides.
RUN_PACKAGES   := redis-server
TEST_PACKAGES  := redis-server libimage-exiftool-perl postgresql libheif-examples
# libjpeg-turbo and libheif headers for the default (cgo) build; CGO_ENABLED=0 builds the pure-Go path without them (and refuses HEIC).
BUILD_PACKAGES := gcc libc6-dev libjpeg62-turbo-dev libheif-dev
BENCH_PACKAGES := libvips-dev time libheif-examples
TEST_FLAGS  ?= -race -timeout 9m
# What `confmedia --version` prints (besides the commit the Go build info holds).
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null)
# The fault suite's rows that `make test` runs, in their short version (docs/RELIABILITY.md).
FAULTS_SHORT ?= corrupt,s3,redis
export PATH := $(TOOLS):$(PATH)

.PHONY: help test-cluster test-restore deps-build bench-all bench-catalog bench-publish bench-vs-vips bench-vs-heif-convert build run test faults test-e2e screenshots test-short bench bench-load apt-wrk fuzz vet fmt deps deps-test clean check-go

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check-go:
	@v=$$($(GO) env GOVERSION 2>/dev/null | sed 's/^go//'); \
	if [ -z "$$v" ]; then echo "Go $(GO_MIN) or newer is required: https://go.dev/doc/install"; exit 1; fi; \
	if [ "$$(printf '%s\n' "$(GO_MIN)" "$$v" | sort -V | head -1)" != "$(GO_MIN)" ]; then \
		echo "Go $(GO_MIN) or newer is required (found $$v)"; exit 1; fi

deps-build: $(FACE_MODELS) ## the face models, and libjpeg-turbo and libheif headers for the default (cgo) build (skipped when CGO_ENABLED=0)
ifneq ($(shell $(GO) env CGO_ENABLED 2>/dev/null),0)
	$(call apt_install,$(BUILD_PACKAGES))
endif

build: check-go deps-build $(UI_VENDOR) ## build bin/confmedia
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/confmedia

# The packages pinned in web/ui, fetched from the npm registry.
$(UI_MODULES): web/ui/package.json web/ui/package-lock.json
	$(if $(shell command -v npm),,$(call apt_install,npm))
	npm ci --prefix web/ui --no-audit --no-fund
	touch $@

# The upload page's WebAssembly SHA-256 (hash-wasm), embedded with the other
# static files. axe-core (AXE_JS) is the browser tests' only: never served.
$(UI_VENDOR): $(UI_MODULES)
	install -D -m 0644 web/ui/node_modules/hash-wasm/dist/sha256.umd.min.js $@

# The face models' weights, from the package pinned in web/ui (pipeline/face/model/README.md).
pipeline/face/model/%: $(UI_MODULES)
	install -D -m 0644 web/ui/node_modules/@vladmandic/face-api/model/$* $@

# apt-get as root, through sudo -n otherwise, or print the command and stop.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		elif sudo -n true 2>/dev/null; then sudo -n apt-get update && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
		else echo "confmedia needs:$$missing. Install them, then run make again:"; \
			echo "    sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; fi; \
	fi
endef

$(VERSITYGW):
	@echo "installing versitygw $(VERSITYGW_VERSION) (the local S3-compatible server) into .tools/bin"
	GOBIN=$(TOOLS) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)

deps: check-go deps-build $(VERSITYGW) ## install what `make run` needs (redis-server, versitygw)
	$(call apt_install,$(RUN_PACKAGES))

deps-test: check-go deps-build $(VERSITYGW) ## install what the tests need
	$(call apt_install,$(TEST_PACKAGES))

run: deps build ## start everything on the embedded default: web on :8080, data in ./var
	$(BIN) dev

test: deps-test build ## every test, against real Redis and S3 started on private sockets and ports
	$(BIN) services -- $(GO) test $(TEST_FLAGS) ./...
	CGO_ENABLED=0 $(GO) test -timeout 5m ./pipeline/... ./workers/...   # the pure-Go build renders too
	$(BIN) services -- $(GO) test -run '^TestFaceRecognitionEndToEnd$$' -count=1 -timeout 5m ./cmd/confmedia   # faces end to end, without -race: the nets run at a twentieth of their speed under it
	CONFMEDIA_BIN=$(BIN) CONFMEDIA_FAULTS_ROWS=$(FAULTS_SHORT) $(GO) test -tags faults -run '^TestFaults' -count=1 -timeout 8m ./cmd/confmedia   # the short fault suite

faults: deps-test build ## the fault suite: worker kills, Redis and S3 outages, a crash-loop photo, damaged files; table in bin/faults-report.md (see docs/RELIABILITY.md)
	@rm -f bin/faults-report.md
	CONFMEDIA_BIN=$(BIN) CONFMEDIA_FAULTS=full CONFMEDIA_FAULTS_REPORT=$(CURDIR)/bin/faults-report.md \
		$(GO) test -tags faults -run '^TestFaults$$' -count=1 -timeout 120m ./cmd/confmedia; \
		status=$$?; cat bin/faults-report.md 2>/dev/null; exit $$status

test-short: $(FACE_MODELS) ## unit tests only, no services
	$(GO) test -short ./...

bench: build ## benchmarks (see docs/BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./pipeline/...
	$(GO) test -run '^$$' -bench BenchmarkSchedule -benchmem -benchtime 200x ./web

bench-all: bench bench-vs-vips bench-vs-heif-convert bench-load bench-catalog ## every figure of docs/BENCHMARKS.md, in one go (about 15 minutes)

bench-vs-vips: check-go deps-build ## confmedia against libvips in-process, median of paired runs on $CONFMEDIA_PHOTO_SET
	$(call apt_install,$(BENCH_PACKAGES))
	RUNS=$${RUNS:-5} PHOTO_SET=$${CONFMEDIA_PHOTO_SET:-/tmp/photo-set} pipeline/rendition/vipscompare/run.sh

bench-vs-heif-convert: check-go deps-build ## HEIC: confmedia render against libheif's heif-convert on HEICs made from the shared camera photos
	$(call apt_install,$(BENCH_PACKAGES))
	RUNS=$${RUNS:-5} pipeline/rendition/heifcompare/run.sh

bench-load: deps-test build ## load figures: 2,000 queued photos + headshot latency, 1,000-photo end to end, web reads (needs the photo set)
	@command -v wrk >/dev/null || $(MAKE) --no-print-directory apt-wrk
	CONFMEDIA_BIN=$(BIN) CONFMEDIA_LOAD_REPORT=$(CURDIR)/bin/load-report.txt \
		$(BIN) services -- $(GO) test -tags loadtest -run 'TestLoad' -timeout 90m -v ./cmd/confmedia
	@echo "report: bin/load-report.txt"

BENCH_CATALOG_DIR ?= $(CURDIR)/bin/bench-catalog

bench-catalog: check-go ## catalog growth: 10k and 100k items read, published, exported; peak RSS of an export (about 10 minutes)
	$(call apt_install,time)
	mkdir -p $(BENCH_CATALOG_DIR)
	$(GO) test -c -o $(BENCH_CATALOG_DIR)/catalog.test ./catalog/bench
	cd catalog/bench && CONFMEDIA_BENCH_DIR=$(BENCH_CATALOG_DIR) $(BENCH_CATALOG_DIR)/catalog.test \
		-test.run '^$$' -test.bench BenchmarkCatalog -test.benchtime 1x -test.timeout 60m -test.v | tee $(BENCH_CATALOG_DIR)/report.txt
	for n in 10000 100000; do for v in streamed built-in-memory; do \
		echo "export $$v, $$n items:"; \
		CONFMEDIA_BENCH_DB=$(BENCH_CATALOG_DIR)/catalog-$$n.db /usr/bin/time -v $(BENCH_CATALOG_DIR)/catalog.test \
			-test.run '^$$' -test.bench "BenchmarkExportRSS/$$v\$$" -test.benchtime 1x 2>&1 | grep -E 'Maximum resident|ns/op'; \
	done; done | tee -a $(BENCH_CATALOG_DIR)/report.txt

bench-publish: check-go ## publish after one change, 10k and 100k items (BenchmarkPublish; about 4 minutes)
	cd catalog/bench && for n in 10000 100000; do CONFMEDIA_BENCH_ITEMS=$$n $(GO) test -run '^$$' -bench BenchmarkPublish -benchtime 1x -timeout 30m . | grep Benchmark; done

apt-wrk:
	$(call apt_install,wrk)

CLUSTER_PACKAGES := iproute2 util-linux curl redis-tools

test-cluster: deps-test build ## as root: 2 web nodes, 3 workers and Redis/S3/PostgreSQL in network namespaces; one worker lost mid-batch; backup and restore (CLUSTER_PHOTOS, default 2000)
	$(call apt_install,$(CLUSTER_PACKAGES))
	CONFMEDIA_BIN=$(BIN) VERSITYGW=$(VERSITYGW) .ci/cluster/run.sh

test-restore: deps-test build ## backup (pg_dump + bucket copy), wipe, restore and check, against `confmedia services` (RESTORE_PHOTOS, default 100)
	$(call apt_install,curl redis-tools)
	CONFMEDIA_BIN=$(BIN) $(BIN) services -- .ci/restore.sh

E2E_PACKAGES := chromium fonts-dejavu-core

test-e2e: deps $(UI_VENDOR) ## browser end-to-end tests (axe-core on every page): headless chromium against `confmedia dev`
	$(call apt_install,$(E2E_PACKAGES))
	CONFMEDIA_AXE=$(CURDIR)/$(AXE_JS) $(GO) test -tags browser -run 'TestBrowser' -count=1 -timeout 5m ./cmd/confmedia

screenshots: deps $(UI_VENDOR) ## refresh docs/screenshots (desktop 1280 px, phone 390 px)
	$(call apt_install,$(E2E_PACKAGES))
	CONFMEDIA_AXE=$(CURDIR)/$(AXE_JS) CONFMEDIA_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -tags browser -run 'TestBrowser' -count=1 -timeout 5m ./cmd/confmedia

# Each fuzz target runs for FUZZTIME. Go minimises every new interesting input
# for up to -fuzzminimizetime (60 s by default), and the worker fuzzes nothing
# meanwhile: bounded here so the time goes to fuzzing. A crasher found this way
# is saved unminimised enough to reproduce; shrink it by hand if need be.
FUZZTIME         ?= 30s
FUZZMINIMIZETIME ?= 1s
FUZZPARALLEL     ?= $(shell nproc 2>/dev/null || echo 1)
# Name:package[:build tags]. Render decodes JPEGs with libjpeg-turbo (C, which
# the fuzzer cannot see into) by default, so it is fuzzed on the pure-Go path too.
FUZZ_TARGETS := FuzzRead:./pipeline/exif FuzzRender:./pipeline/rendition FuzzRender:./pipeline/rendition:purego \
	FuzzMetadata:./pipeline/rendition FuzzParse:./pipeline/schedule FuzzParse:./pipeline/recording FuzzDecode:./pipeline/rendition/internal/jpegscale \
	FuzzParse:./pipeline/internal/heif

fuzz: ## fuzz each parser for FUZZTIME (default 30s) on FUZZPARALLEL workers; a summary line per target
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; summary=""; failed=0; \
	for t in $(FUZZ_TARGETS); do name=$${t%%:*}; pkg=$${t#*:}; tags=""; \
		case $$pkg in *:*) tags=$${pkg#*:}; pkg=$${pkg%%:*};; esac; echo "== $$name $$pkg $$tags"; \
		$(GO) test -tags "$$tags" -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) \
			-parallel $(FUZZPARALLEL) $$pkg 2>&1 | tee "$$log"; rc=$${PIPESTATUS[0]}; \
		[ $$rc = 0 ] && verdict=ok || { verdict=FAIL; failed=1; }; \
		summary+=$$(awk -v t="$$name $$pkg $${tags:+($$tags)}" -v v=$$verdict '/^fuzz: elapsed: .*execs:/ { last = $$0 } \
			END { split(last, f, /[ ,]+/); e = f[3]; s = 0; \
				if (match(e, /[0-9]+h/)) s += 3600 * substr(e, RSTART, RLENGTH - 1); \
				if (match(e, /[0-9]+m/)) s += 60 * substr(e, RSTART, RLENGTH - 1); \
				if (match(e, /[0-9.]+s/)) s += substr(e, RSTART, RLENGTH - 1); \
				n = f[5]; i = f[9]; sub(/,/, "", i); \
				printf "%-4s %-52s %10d execs in %-6s %7.0f/s  %4d new interesting\n", v, t, n, e, (s > 0 ? n / s : 0), i }' "$$log"); \
		summary+=$$'\n'; \
	done; echo "== summary (FUZZTIME=$(FUZZTIME) FUZZMINIMIZETIME=$(FUZZMINIMIZETIME) FUZZPARALLEL=$(FUZZPARALLEL))"; \
	printf '%s' "$$summary"; exit $$failed

vet: ## go vet and gofmt
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

clean: ## remove build output (not ./var)
	rm -rf bin web/ui/node_modules $(UI_VENDOR) $(FACE_MODELS)
