# swift-zookeeper: the one entry point for building and testing.
#   make shell  builds zk and starts its interactive shell on an embedded server.
#   make test   builds everything and runs every test, including those against real Apache
#               ZooKeeper (installed from Debian's packages when missing), then builds the DocC
#               documentation with warnings as errors.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libedit-dev libkrb5-dev zlib1g-dev zookeeper zookeeper-bin openssl zsh fish mandoc krb5-kdc krb5-admin-server krb5-user iproute2 nftables
BUILD_PACKAGES := libedit-dev libkrb5-dev zlib1g-dev
PYTHON ?= python3

.PHONY: all build build-deps release microbench examples shell test test-under-load jepsen jepsen-replay test-huge-children fuzz fuzz-datadir fuzz-diff fuzz-libfuzzer deps format lint clean completions man install uninstall docs
PREFIX ?= /usr/local
DESTDIR ?=

all: build

build: build-deps
	$(SWIFT) build

## The shell's line editing needs libedit's headers; GSSAPI logins the GSS-API headers of libkrb5-dev.
build-deps:
	@dpkg -s $(BUILD_PACKAGES) >/dev/null 2>&1 || { \
		echo "installing: $(BUILD_PACKAGES)" >&2; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BUILD_PACKAGES) >&2; }

## The interactive shell on an in-process server: the quickest way to try zk.
shell: build
	$(SWIFT) run zk --embedded

## Installs what the tests need: Apache ZooKeeper (the oracle), its C client, Java, MIT Kerberos
## (a throwaway KDC for the GSSAPI tests) (Debian) and
## kazoo with pure-sasl for its SASL logins (PyPI), the third-party clients run against our server.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing" >&2; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >&2; \
	fi
	@command -v java >/dev/null || { echo "java is missing (Apache ZooKeeper needs it)" >&2; exit 1; }
	@$(PYTHON) -c 'import kazoo' 2>/dev/null || $(PYTHON) -m pip install -q kazoo >&2
	@$(PYTHON) -c 'import puresasl' 2>/dev/null || $(PYTHON) -m pip install -q pure-sasl >&2

## ZK_TESTS_REQUIRE_ALL: a test whose prerequisite (Java and Apache ZooKeeper, MIT Kerberos) is
## missing fails here; a bare `swift test` skips it, saying what was missing.
## The suites that run 3-node Apache ensembles (three JVMs each) run after the rest, one at a
## time (two ensembles starting together can race for the same free ports, and JepsenTests owns
## the zkj-* network namespaces); the rest run at most TEST_WIDTH at once: on two cores, with
## everything at once, sessions with short timeouts starve. Each stage's output is kept in
## .build/test-logs, and a failed stage ends with what failed (for a crash, the crashed thread's
## frames and the test they name), since CI shows only the end of the output.
ENSEMBLE_SUITES := EnsembleChaosTests|EnsembleFailoverTests|ReconfigCommandTests|SASLEnsembleFailoverTests|JepsenTests|FollowerCutOffLockTests
TEST_WIDTH ?= 6
test: deps
	$(SWIFT) build --build-tests
	ZK_TESTS_REQUIRE_ALL=1 SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) scripts/run_test_stage.sh tests $(SWIFT) test --skip-build --skip '$(ENSEMBLE_SUITES)'
	ZK_TESTS_REQUIRE_ALL=1 SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=1 scripts/run_test_stage.sh ensemble-tests $(SWIFT) test --skip-build --filter '$(ENSEMBLE_SUITES)'
	$(MAKE) examples
	$(MAKE) docs

## The example service (Examples/ServiceExample, a package of its own that depends on this one by
## path): built and tested in this package's build folder, so that it reuses what is built there.
EXAMPLES := Examples/ServiceExample
examples: build-deps
	@for example in $(EXAMPLES); do \
		$(SWIFT) build --build-tests --package-path $$example --scratch-path $(CURDIR)/.build || exit 1; \
		$(SWIFT) test --skip-build --package-path $$example --scratch-path $(CURDIR)/.build || exit 1; \
	done

## make test three times in a row while stress-ng keeps every core busy: no test may need a quiet
## machine. RUNS sets how many times.
RUNS ?= 3
test-under-load: deps
	@command -v stress-ng >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq stress-ng >&2; }
	@stress-ng --cpu 0 --quiet & hog=$$!; trap 'kill $$hog 2>/dev/null' EXIT; \
	for run in $$(seq $(RUNS)); do echo "test-under-load: run $$run of $(RUNS)" >&2; $(MAKE) test || exit 1; done

## The long Jepsen run (JepsenTests; make test runs a short one): JEPSEN_ROUNDS fault rounds of
## JEPSEN_FAULT_SECONDS each on a JEPSEN_SIZE-member Apache ensemble in network namespaces (root
## needed). JEPSEN_SEED=N replays a run's choice of faults; a failed run saves its register history
## (path printed) for `make jepsen-replay JEPSEN_REPLAY=FILE`, which checks it again.
JEPSEN_ROUNDS ?= 40
JEPSEN_FAULT_SECONDS ?= 8
JEPSEN_SIZE ?= 5
jepsen: deps
	$(SWIFT) build --build-tests
	JEPSEN_ROUNDS=$(JEPSEN_ROUNDS) JEPSEN_FAULT_SECONDS=$(JEPSEN_FAULT_SECONDS) JEPSEN_SIZE=$(JEPSEN_SIZE) \
		$(SWIFT) test --skip-build --filter 'JepsenTests/workloadsStayCorrectThroughNetworkFaults'

## HugeChildrenTests with a million children (make test runs it with 100,000): zk lists, counts,
## walks and deletes a node whose children's names take 17 MB, on zk serve and on Apache.
HUGE_CHILDREN ?= 1000000
test-huge-children: deps
	$(SWIFT) build --build-tests
	ZK_HUGE_CHILDREN=$(HUGE_CHILDREN) $(SWIFT) test --skip-build --filter 'HugeChildrenTests'

jepsen-replay:
	@test -n "$(JEPSEN_REPLAY)" || { echo "usage: make jepsen-replay JEPSEN_REPLAY=history.json" >&2; exit 2; }
	$(SWIFT) build --build-tests
	JEPSEN_REPLAY=$(abspath $(JEPSEN_REPLAY)) $(SWIFT) test --skip-build --filter 'JepsenTests/aSavedHistoryIsLinearizable'

## A longer run of the server fuzz test than `make test` does (FUZZ_ITERATIONS mutations).
FUZZ_ITERATIONS ?= 500000
fuzz: build-deps
	$(SWIFT) build --build-tests
	FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) $(SWIFT) test --skip-build --filter ServerFuzzTests

## A longer fuzz run of the data directory readers (transaction logs, snapshots, gzip and
## snappy) than `make test` does: DATADIR_FUZZ_ITERATIONS mutations of Apache-written files.
DATADIR_FUZZ_ITERATIONS ?= 1000000
fuzz-datadir: build-deps
	$(SWIFT) build --build-tests
	DATADIR_FUZZ_ITERATIONS=$(DATADIR_FUZZ_ITERATIONS) $(SWIFT) test --skip-build --filter 'DataFileTests/mutatedFilesNeverCrashTheReaders'

## A longer generative differential run than `make test` does: N random operation sequences,
## each against Apache ZooKeeper and the embedded server (SEED: the first sequence's seed).
N ?= 100000
SEED ?= 1
fuzz-diff: deps
	$(SWIFT) build --build-tests
	DIFF_SEQUENCES=$(N) DIFF_SEED=$(SEED) $(SWIFT) test --skip-build --filter GenerativeDifferentialTests

## Coverage-guided fuzzing of the server with libFuzzer (Fuzz/ package) for FUZZ_SECONDS; new
## inputs go to Fuzz/.work, crashers to Fuzz/crash-*. Add a crasher to Fuzz/corpus once fixed.
FUZZ_SECONDS ?= 60
fuzz-libfuzzer:
	cd Fuzz && $(SWIFT) build -c debug -Xswiftc -sanitize=fuzzer,address -Xlinker --allow-multiple-definition \
		--product ServerFuzzer
	mkdir -p Fuzz/.work
	cd Fuzz && .build/debug/ServerFuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-artifact_prefix=crash- .work corpus

## Regenerates completions/ and man/zk.1 from the command definitions (CompletionTests and
## ManPageTests fail when the committed files drift from them).
completions: build
	sh scripts/generate_completions.sh .build/debug/zk completions

man: build
	$(PYTHON) scripts/make_man.py .build/debug/zk man/zk.1.in man/zk.1

## The release build of zk: one static executable, with the Swift runtime, libedit (and the
## libraries libedit needs: pkg-config --static --libs libedit libbsd) and glibc linked in. A
## one-shot command starts in a third of the time of the dynamically linked build: no shared
## libraries to map and relocate. Host names are still resolved through the system's NSS
## modules, which must come from the glibc it was built with (IP addresses need none).
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable \
	-Xlinker -ltermcap -Xlinker -lbsd -Xlinker -lmd
release: build-deps
	$(SWIFT) build $(RELEASE_FLAGS) --product zk
	@echo "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/zk" >&2

## bench/Microbench in the release configuration of `make release` (so that the two share their
## build): what metrics, tracing and the shell's JSON writing cost, for make bench.
microbench: build-deps
	$(SWIFT) build $(RELEASE_FLAGS) --product ZooKeeperMicrobench
	@echo "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/ZooKeeperMicrobench" >&2

## Installs zk (release build), its man page and its bash, zsh and fish completions under
## $(DESTDIR)$(PREFIX).
install: release
	install -D -s -m 755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/zk" "$(DESTDIR)$(PREFIX)/bin/zk"
	install -D -m 644 man/zk.1 "$(DESTDIR)$(PREFIX)/share/man/man1/zk.1"
	install -D -m 644 completions/zk.bash "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/zk"
	install -D -m 644 completions/_zk "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_zk"
	install -D -m 644 completions/zk.fish "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/zk.fish"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/zk" "$(DESTDIR)$(PREFIX)/share/man/man1/zk.1" \
		"$(DESTDIR)$(PREFIX)/share/bash-completion/completions/zk" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_zk" \
		"$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/zk.fish"

## DocC documentation of the library modules, as static sites under .build/docs/MODULE; warnings
## (broken symbol links, undocumented topics) fail the build.
DOC_TARGETS := ZooKeeper ZooKeeperRecipes ZooKeeperServer ZooKeeperProtocol
docs: build-deps
	@mkdir -p .build/docs
	@for target in $(DOC_TARGETS); do \
		$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation --target $$target \
			--warnings-as-errors --output-path .build/docs/$$target --transform-for-static-hosting || exit 1; \
	done
	@echo "documentation: .build/docs/<module>/index.html" >&2

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests bench/Microbench Examples

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests bench/Microbench Examples

clean:
	rm -rf .build

## Measures zk (client, one-shot commands, server) against Apache ZooKeeper and its C and Python
## clients on loopback, installing what it needs; writes bench/results.md. QUICK=1: a short run.
## Then times loading a 1M-znode snapshot with zk snapshot, zk serve and Apache ZooKeeper
## (bench/datadir.sh, bench/datadir-results.md), and how both servers grow with 10k to 1M znodes
## and 100 to 10k sessions (bench/growth.sh, bench/growth-results.md).
.PHONY: bench
bench:
	QUICK=$(QUICK) bench/run.sh
	QUICK=$(QUICK) ZK=$(CURDIR)/.build/release/zk bench/datadir.sh
	QUICK=$(QUICK) ZK=$(CURDIR)/.build/release/zk bench/growth.sh
