# Thin wrapper over CMake. The README's two commands:
#   make demo    set everything up, build (Release) and run the demo
#   make test    build (Debug) and run the whole test suite
# Also: make build, make release, make sanitize (whole suite under ASan+UBSan), make bench, make clean.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
# Fetched dependencies are shared by the build trees.
DEPS := -DLDP_DEPS_DIR=$(abspath $(BUILD))/_deps

.PHONY: all build release sanitize demo test test-sanitize bench clean

all: build

$(BUILD)/debug/CMakeCache.txt:
	$(CMAKE) -S . -B $(BUILD)/debug $(GEN) -DCMAKE_BUILD_TYPE=Debug $(DEPS)
$(BUILD)/release/CMakeCache.txt:
	$(CMAKE) -S . -B $(BUILD)/release $(GEN) -DCMAKE_BUILD_TYPE=Release $(DEPS)
$(BUILD)/sanitize/CMakeCache.txt:
	$(CMAKE) -S . -B $(BUILD)/sanitize $(GEN) -DCMAKE_BUILD_TYPE=Sanitize $(DEPS)

build: $(BUILD)/debug/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/debug -j $(JOBS)

release: $(BUILD)/release/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/release -j $(JOBS)

sanitize: $(BUILD)/sanitize/CMakeCache.txt
	$(CMAKE) --build $(BUILD)/sanitize -j $(JOBS)

# make demo MONTHS=2023-01..2023-03 builds more months of the NYC taxi lakehouse
MONTHS ?= 2023-01
demo: release
	LDP=$(abspath $(BUILD))/release/bin/ldp LDP_DEMO_MONTHS=$(MONTHS) bash examples/demo.sh

test: build
	cd $(BUILD)/debug && ctest --output-on-failure -j $(JOBS)

test-sanitize: sanitize
	cd $(BUILD)/sanitize && ctest --output-on-failure -j $(JOBS)

bench: release
	$(CMAKE) --build $(BUILD)/release --target bench -j $(JOBS)
	cd $(BUILD)/release && ./bench/cli_startup && ./bench/sql_scan && ./bench/iceberg_append && ./bench/ingest && ./bench/plan_prune && ./bench/rowlevel_delete && ./bench/near_ingest && ./bench/rest_serve && ./bench/transform_build 3 && ./bench/pipeline_overhead
	bash bench/s3_read.sh $(BUILD)/release

clean:
	rm -rf $(BUILD)
