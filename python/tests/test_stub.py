"""The type stub core.pyi is generated from the op table and must match the
built extension: a stale stub (an op added, renamed or changed without
running scripts/gen_stub.py) fails here."""

import ast
import importlib.util
import os

import rmlx.core as mx

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def load_writer():
    spec = importlib.util.spec_from_file_location("gen_stub", os.path.join(ROOT, "scripts", "gen_stub.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_stub_is_current():
    writer = load_writer()
    with open(writer.STUB) as f:
        assert f.read() == writer.render(), "core.pyi is out of date: run scripts/gen_stub.py"


def test_the_table_covers_what_it_declares():
    rows = mx._op_table()
    names = [(r[1] == "random", r[0]) for r in rows]
    assert len(names) == len(set(names)), "an op is declared twice"
    for name, group, signature, method, doc in rows:
        module = mx.random if group == "random" else mx
        assert callable(getattr(module, name)), name
        assert doc, f"{name} has no docstring"
        # Every signature is valid Python and ends with stream=.
        ast.parse(f"def f{signature}: ...")
        assert "stream: StreamLike = None" in signature, name
        if method is not None:
            assert callable(getattr(mx.array, name)), f"array.{name}"
            ast.parse(f"def f{method}: ...")
    assert {(False, n) for n in ("sum", "where", "pad", "cumsum", "abs", "conv2d", "einsum")} <= set(names)
    assert {(True, "split"), (True, "normal")} <= set(names)
