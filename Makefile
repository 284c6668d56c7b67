# Picket's two commands (README): `make demo` runs the demo, `make test` runs every test.
# Both install what is missing first (scripts/install-deps) and build what changed.

BUILD ?= build/release
ASAN_BUILD ?= build/asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build web asan asan-all demo test test-release test-asan test-asan-all test-browser fuzz-smoke format format-check bench clean

all: build

deps:
	@bash scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja web
	ninja -C $(BUILD) -j $(JOBS)

# The operator console (web/ -> web/dist, served by `picket run`).
web: deps
	bash scripts/build-web

$(ASAN_BUILD)/build.ninja:
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DPICKET_SANITIZE=ON -DPICKET_FUZZ=ON -DPICKET_BENCH=OFF $(CMAKE_FLAGS)

# The sanitizer build in `make test` (and CI) covers the fuzzers and the unit tests of the layers
# that parse outside input and keep the data: ASAN_LAYERS. The whole tree under the sanitizers
# (every layer's tests and the CLI tests with an instrumented picket) is `make test-asan-all`;
# it takes about 40 minutes on 2 cores, more than CI allows.
ASAN_LAYERS ?= core formats protocols rules store
empty :=
space := $(empty) $(empty)
ASAN_TARGETS = $(patsubst %,picket_%_tests,$(ASAN_LAYERS)) fuzzers
ASAN_LABELS = ^picket_($(subst $(space),|,$(strip $(ASAN_LAYERS))))_tests$$

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) -j $(JOBS) $(ASAN_TARGETS)

asan-all: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo $(BUILD)/picket

test: deps format-check test-release test-browser test-asan fuzz-smoke
	@echo "make test: all tests passed"

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The console in Debian's chromium against the real daemon (playwright-core from npm).
test-browser: build
	bash tests/browser/run.sh $(BUILD)/picket

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -L '$(ASAN_LABELS)' -LE slow

test-asan-all: asan-all
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -LE slow

fuzz-smoke: asan
	bash scripts/fuzz-smoke $(ASAN_BUILD)

format:
	git ls-files --cached --others --exclude-standard '*.cpp' '*.h' | xargs clang-format -i

format-check:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
	@echo "format-check: ok"

bench: build
	bash bench/run.sh $(BUILD)

clean:
	rm -rf build
