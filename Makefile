# ConvLab — two commands on a fresh machine:  `make demo` (the main job) and `make test`.
# Tests run in release: Swift's debug builds are 10–50× slower at numerics, and the checks
# multiply explicit Jacobians.

SWIFT        ?= swift
CONFIG       ?= release
BUILD_FLAGS  := -c $(CONFIG)
BIN          := .build/$(CONFIG)/convlab
FORMATTED    := Package.swift Sources Tests Fuzz
APT_PACKAGES := libopenblas-dev pkg-config zlib1g-dev gnuplot-nox dataset-fashion-mnist bubblewrap
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup build test format format-check demo notes bench bench-torch figures clean gpu-bundle gpu-test-bundle gradescope-bundle fuzz fuzz-build fuzz-smoke

## setup: install the Debian packages that are missing (sudo only when not root)
setup:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	else echo "setup: all Debian packages present ($(APT_PACKAGES))"; fi

## build: the convlab binary (release)
build: setup
	$(SWIFT) build $(BUILD_FLAGS) --product convlab

## test: every test target, in release (installs NVRTC from PyPI so every CUDA kernel is compiled)
test: setup format-check
	@python3 scripts/nvrtc_lib.py >/dev/null 2>&1 || pip install -q nvidia-cuda-nvrtc >/dev/null 2>&1 \
	  || pip install -q --break-system-packages nvidia-cuda-nvrtc >/dev/null 2>&1 \
	  || echo "NVRTC could not be installed from PyPI: the kernel-compilation tests will be reported as skipped"
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	CONVLAB_CUDA_LIB_PATH="$$(python3 scripts/nvrtc_lib.py 2>/dev/null)" $(SWIFT) test $(BUILD_FLAGS) --skip-build
	$(MAKE) fuzz-smoke

## format: rewrite every Swift file in the project's style (.swift-format; `swift format` ships with the toolchain)
format:
	$(SWIFT) format format --in-place --recursive $(FORMATTED)

## format-check: fail if a Swift file is not in that style or breaks a lint rule (part of `make test`)
format-check:
	@$(SWIFT) format lint --strict --recursive $(FORMATTED) || { echo "swift format: the files above are not formatted; run make format" >&2; exit 1; }

## fuzz: every libFuzzer target for FUZZ_SECONDS each (default 600), FUZZ_JOBS at once (Docs/robustness.md)
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 3
FUZZ_TARGETS := npy csv idx netspec geometry blockoptions packet roster checkpoint studentoutput
fuzz: setup fuzz-build
	bash Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

## fuzz-build: the fuzz targets with libFuzzer + AddressSanitizer, in .build-fuzz
fuzz-build:
	$(SWIFT) build --package-path Fuzz --scratch-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address

## fuzz-smoke: each fuzz target for a few seconds (part of `make test`)
fuzz-smoke: fuzz-build
	bash Fuzz/run.sh 5 2 $(FUZZ_TARGETS)

## demo: setup, build, and a short guided tour with real output
demo: build
	@bash scripts/tour.sh $(BIN)

## figures: regenerate Figures/ (PNG, SVG, .dat, .gp) with gnuplot; fixed seeds
figures: build
	$(BIN) figures --out Figures

## bench: the performance table (installs JAX with pip for the comparison if it is missing)
bench: build
	@python3 -c "import jax" 2>/dev/null || pip install -q jax jaxlib || echo "JAX could not be installed: the table will omit it"
	$(BIN) bench

## bench-torch: the table, then ConvLab against PyTorch on the CPU side by side (installs torch with pip, ~3 GB, if missing)
bench-torch: build
	@python3 -c "import jax" 2>/dev/null || pip install -q jax jaxlib || echo "JAX could not be installed: the table will omit it"
	@python3 -c "import torch" 2>/dev/null || pip install -q torch || { echo "PyTorch could not be installed (pip install torch)"; exit 1; }
	$(BIN) bench --torch

## gpu-bundle: build/convlab-gpu.tar.xz — static binary + OpenBLAS + data subset + gpu-run.sh for a GPU machine
gpu-bundle: setup
	bash scripts/gpu_bundle.sh

## gpu-test-bundle: build/convlab-gpu-tests.tar.xz — the test binary + Swift runtime, to run the "On the GPU" tests there
gpu-test-bundle: setup
	bash scripts/gpu_test_bundle.sh

## reproduce: every training accuracy README/Docs state, by its exact command (ONLY=lenet5: the 5 LeNet-5 seeds, ~3 min; ONLY=milisavljevic: 4 rows + seeds 2–5 of the 25-epoch row, ~1 h; RESULTS=folder for the raw files; Docs/training-and-figures.md)
.PHONY: reproduce
reproduce: build
	bash scripts/reproduce.sh $(BIN)

## notes: regenerate the generated notes in Notes/
## gradescope-bundle: OUT (autograder.zip) for COURSE's EXERCISES — self-contained binary + course (Docs/instructors-guide.md)
gradescope-bundle: setup
	scripts/gradescope_bundle.sh "$(COURSE)" "$(EXERCISES)" "$(or $(OUT),autograder.zip)"

notes: build
	@bash scripts/notes.sh $(BIN)

clean:
	rm -rf .build .build-fuzz
