# The two commands a new user needs: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3

.PHONY: demo test bench bench-python venv fmt develop develop-release pytest

demo: develop-release
	cargo run --release -q -p rmlx-examples --bin demo
	$(VENV)/bin/python examples/demo.py

test:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace
	$(MAKE) pytest

# The Python package (rmlx, with the extension rmlx.core) built into $(VENV):
# `develop` with the dev profile (it reuses what `cargo test` built), and
# `develop-release` optimised, for the demo and benchmarks.
develop: venv
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop -q

develop-release: venv
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop -q --release

# The Python suite, on the device DEVICE names (cpu by default), over the
# extension built with the tests (dev profile, all targets: the features
# `cargo test` resolves, so nothing is compiled twice), linked with the
# package's sources into target/pydev.
PYDEV := target/pydev
pytest: venv
	cargo build -q --workspace --all-targets
	rm -rf $(PYDEV) && mkdir -p $(PYDEV)/rmlx
	ln -s $(abspath python/rmlx)/*.py $(abspath python/rmlx)/*.pyi $(abspath python/rmlx)/py.typed $(PYDEV)/rmlx/
	ln -s $(abspath target/debug/librmlx_python.so) $(PYDEV)/rmlx/core.abi3.so
	PYTHONPATH=$(abspath $(PYDEV)) $(VENV)/bin/python -m pytest -q python/tests

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

bench-python: develop-release .venv-mlx/bin/python
	$(VENV)/bin/python benchmarks/run_python.py --rmlx-python $(VENV)/bin/python --mlx-python .venv-mlx/bin/python
