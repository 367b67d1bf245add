# The two commands of the README, and a few conveniences.
#   make demo   — install packages, build, generate a demo region, serve it on :8080
#   make check  — install test needs, build with ASan+UBSan, run every suite on both backends
#   make bench  — run the benchmarks at default size
.PHONY: demo check bench build clean format

BUILD ?= build
DEMO_DB ?= sqlite:upravdom-demo.db

build:
	scripts/deps.sh
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$$(nproc)

demo: build
	$(BUILD)/upravdom demo --db $(DEMO_DB) --listen 127.0.0.1:8080

check:
	scripts/check.sh

bench: build
	scripts/bench.sh $(BUILD)

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf build build-check build-opt
