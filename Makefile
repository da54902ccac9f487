# The two commands a new user needs: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test bench bench-python venv fmt develop pytest

demo: develop
	cargo run --release -q -p rmlx-examples --bin demo
	$(VENV)/bin/python examples/demo.py

test:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace
	$(MAKE) pytest

# The Python package (rmlx, with the extension rmlx.core) built into $(VENV).
develop: venv
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop -q --release

# The Python suite, on the device DEVICE names (cpu by default).
pytest: develop
	$(VENV)/bin/python -m pytest -q python/tests

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

# Python-level benchmarks against NumPy and MLX's CPU wheel (in .venv-mlx).
.venv-mlx/bin/python:
	$(PYTHON) -m venv .venv-mlx
	.venv-mlx/bin/pip install -q "mlx[cpu]" numpy

bench-python: develop .venv-mlx/bin/python
	$(VENV)/bin/python benchmarks/run_python.py --rmlx-python $(VENV)/bin/python --mlx-python .venv-mlx/bin/python
