# The two commands a new user needs are `make demo` and `make test` (see README.md).
.PHONY: all deps deps-runtime build demo test bench format format-check clean

BUILD_DIR ?= build
TEST_BUILD_DIR ?= build/asan
GENERATOR := -G Ninja

all: build

deps:
	./scripts/install-deps.sh test

deps-runtime:
	./scripts/install-deps.sh runtime

# build/nadajnik, optimized, with debug info.
build: deps-runtime
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNADAJNIK_TESTS=OFF -DNADAJNIK_BENCH=ON
	cmake --build $(BUILD_DIR) --target nadajnik nadajnik-sandbox

# Nadajnik with its embedded defaults: SQLite under ./var, panel on http://127.0.0.1:8080.
demo: build
	./$(BUILD_DIR)/nadajnik demo --data-dir ./var --listen 127.0.0.1:8080

# Formatting, a Debug build with ASan/UBSan, a throwaway PostgreSQL, every suite through ctest.
test: deps format-check
	cmake -S . -B $(TEST_BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DNADAJNIK_SANITIZE=ON -DNADAJNIK_BENCH=OFF
	cmake --build $(TEST_BUILD_DIR)
	./scripts/run-tests.sh $(TEST_BUILD_DIR)

bench: deps
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNADAJNIK_TESTS=OFF -DNADAJNIK_BENCH=ON
	cmake --build $(BUILD_DIR)
	./scripts/run-bench.sh $(BUILD_DIR)

format:
	./scripts/format.sh fix

format-check:
	./scripts/format.sh check

clean:
	rm -rf $(BUILD_DIR)
