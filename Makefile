# The two commands a new user needs: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test bench venv fmt

demo:
	cargo run --release -q -p rmlx-examples --bin demo

test:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q numpy maturin pytest

venv: $(VENV)/bin/python

# CPU benchmarks against NumPy, in one run on this machine.
# Extra arguments: make bench BENCH_ARGS="--quick --out report.md"
BENCH_ARGS ?=
bench: venv
	cargo build --release -q -p rmlx-benchmarks
	$(VENV)/bin/python benchmarks/run_cpu.py --rmlx target/release/cpu_bench $(BENCH_ARGS)

fmt:
	cargo fmt --all
