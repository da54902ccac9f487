#!/usr/bin/env python3
"""Writes python/tests/data/mlx_core_names.json: every public name of mlx.core,
of its submodules, of mlx.core.array and of mlx.core's other classes, with
MLX's signature for each callable. It runs under an interpreter that has MLX;
the JSON is committed, so the tests need no MLX:

    .venv-mlx/bin/python scripts/mlx_names.py

Each value is a kind or, for a callable, an object (a list of them where MLX
overloads the name):

    "module" | "class" | "property" | the value's type name ("Dtype", "float")
    {"signature": MLX's documented signature, with types,
     "params":    how the binding really takes its arguments, as a Python
                  parameter list such as "(a, b, /, *, stream=None)"}

MLX's documented signatures (nanobind's nb::sig text) often leave out `/` and
`*`, and once in a while name a parameter differently from the binding, so
"params" is read from nanobind's function records instead: which arguments
have names (an unnamed one is positional-only), how many may be given by
position (the rest are keyword-only), *args/**kwargs, and the default values.
Where the documented signature marks parameters positional-only with `/`,
"params" keeps that. This reads nanobind's internal layout (checked against
MLX 0.32.4's extension) and refuses to run on any other MLX.
"""

import ctypes
import inspect
import json
import os
import re
import struct
import sys
import types

import mlx.core as mx

OUT = os.path.join(os.path.dirname(__file__), "..", "python", "tests", "data", "mlx_core_names.json")
EXPECTED_VERSION = "0.32.4"

# Module-level dunders of mlx.core that belong to its API.
CORE_DUNDERS = {"__array_namespace_info__"}

# nanobind's runtime function record, as laid out in MLX 0.32.4's extension:
# the records of a function's overloads follow its object (type's basicsize,
# one itemsize apart); in each, u32 flags, u16 nargs, u16 nargs_pos at 56 and
# the arg_data array at 80; an arg_data is 40 bytes with the name (char*) at 0
# and the default value (PyObject*) at 24. Flag bits: 0x10 *args, 0x20
# **kwargs, 0x40 method, 0x80 constructor.
FD_FLAGS, FD_ARGS, ARG_SIZE, ARG_NAME, ARG_VALUE = 56, 80, 40, 0, 24
HAS_VAR_ARGS, HAS_VAR_KWARGS, IS_METHOD, IS_CONSTRUCTOR = 0x10, 0x20, 0x40, 0x80


def _read(addr, fmt):
    return struct.unpack(fmt, ctypes.string_at(addr, struct.calcsize(fmt)))


def nb_records(fn):
    """[(flags, [(name or None, default repr or None), ...], nargs_pos)] per overload."""
    t = type(fn)
    count = _read(id(fn) + 16, "<q")[0]
    assert count == len(fn.__nb_signature__), fn
    out = []
    for k in range(count):
        rec = id(fn) + t.__basicsize__ + t.__itemsize__ * k
        flags, nargs, nargs_pos = _read(rec + FD_FLAGS, "<IHH")
        args_ptr = _read(rec + FD_ARGS, "<Q")[0]
        # Without nb::arg annotations there is no arg_data: every argument is
        # then unnamed, without a default.
        args = [] if args_ptr else [(None, None)] * nargs
        for i in range(nargs if args_ptr else 0):
            a = args_ptr + ARG_SIZE * i
            name_p = _read(a + ARG_NAME, "<Q")[0]
            value_p = _read(a + ARG_VALUE, "<Q")[0]
            name = ctypes.string_at(name_p).decode() if name_p else None
            name = name or None  # unnamed (nb::arg() or an empty name): positional-only
            default = repr(ctypes.cast(value_p, ctypes.py_object).value) if value_p else None
            args.append((name, default))
        out.append((flags, args, nargs_pos))
    return out


def split_top(text, sep=","):
    """Splits at `sep` outside brackets and quotes."""
    parts, depth, cur, quote = [], 0, "", None
    for ch in text:
        if quote:
            cur += ch
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def doc_params(sig):
    """The parameter entries of a documented signature "(a: T = d, /, *, ...) -> R"."""
    depth = 0
    for i, ch in enumerate(sig):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return split_top(sig[1:i])
    raise ValueError(sig)


def doc_name(entry):
    return re.split(r"[:=]", entry, maxsplit=1)[0].strip()


def fill_defaults(text, defaults):
    if not defaults:
        return text
    return re.sub(r"\\(\d+)", lambda m: repr(defaults[int(m.group(1))]), text)


def clean_default(text):
    return text.replace("mlx.core.", "") if text is not None else None


def call_params(flags, args, nargs_pos, documented):
    """The Python parameter list by which the binding takes its arguments."""
    entries = doc_params(documented)
    names = [doc_name(e).lstrip("*") for e in entries if e not in ("/", "*")]
    doc_slash = entries.index("/") if "/" in entries else -1
    if flags & (IS_METHOD | IS_CONSTRUCTOR):
        args, nargs_pos = args[1:], nargs_pos - 1
        if names and names[0] == "self":
            names = names[1:]
            doc_slash -= 1
    var_args = bool(flags & HAS_VAR_ARGS)
    var_kwargs = bool(flags & HAS_VAR_KWARGS)
    params = []  # (name, kind, default)
    for i, (name, default) in enumerate(args):
        documented_name = names[i] if i < len(names) and names[i].isidentifier() else None
        if i < nargs_pos:
            kind = "pos" if name is None or i < doc_slash else "pos_or_kw"
            if kind == "pos":  # the name is only for reading: take the documented one
                name = documented_name or name
        elif var_args and i == nargs_pos:
            kind = "var_pos"
            name = name or documented_name
        elif var_kwargs and i == len(args) - 1:
            kind = "var_kw"
            name = name or documented_name
        else:
            kind = "kw"
        params.append((name or f"arg{i}", kind, clean_default(default)))
    # Python cannot write a positional-only parameter after one that takes a
    # keyword: such a named one before an unnamed one is positional-only too.
    last_pos = max((i for i, p in enumerate(params) if p[1] == "pos"), default=-1)
    params = [(n, "pos" if i < last_pos and k == "pos_or_kw" else k, d) for i, (n, k, d) in enumerate(params)]
    out, star = [], False
    for i, (name, kind, default) in enumerate(params):
        if kind == "kw" and not star:
            out.append("*")
            star = True
        text = {"var_pos": "*" + name, "var_kw": "**" + name}.get(kind, name)
        if default is not None and kind in ("pos", "pos_or_kw", "kw"):
            text += "=" + default
        out.append(text)
        if kind == "var_pos":
            star = True
        if kind == "pos" and (i + 1 == len(params) or params[i + 1][1] != "pos"):
            out.append("/")
    return "(" + ", ".join(out) + ")"


def describe_callable(fn):
    sigs = fn.__nb_signature__
    recs = nb_records(fn)
    out = []
    for (text, _doc, defaults), (flags, args, nargs_pos) in zip(sigs, recs):
        text = fill_defaults(text, defaults)
        m = re.match(r"def\s+\w+\s*(\(.*)$", text, re.S)
        documented = m.group(1) if m else text
        out.append({"signature": documented, "params": call_params(flags, args, nargs_pos, documented)})
    return out[0] if len(out) == 1 else out


def describe(obj):
    if isinstance(obj, types.ModuleType):
        return "module"
    if isinstance(obj, type):
        return "class"
    if isinstance(obj, property):
        return "property"
    if hasattr(obj, "__nb_signature__"):
        return describe_callable(obj)
    if isinstance(obj, types.FunctionType):  # written in Python
        sig = inspect.signature(obj)
        bare = sig.replace(parameters=[q.replace(annotation=q.empty) for q in sig.parameters.values()],
                           return_annotation=sig.empty)
        return {"signature": str(sig), "params": str(bare)}
    if callable(obj):
        raise TypeError(f"not a nanobind callable: {obj!r}")
    return type(obj).__name__


def class_members(cls):
    """The members a class defines itself (public names and dunders); its
    constructor only where Python code can call one."""
    out = {}
    for n in sorted(cls.__dict__):
        if n in ("__module__", "__new__", "__doc__", "__dict__", "__weakref__"):
            continue
        if n.startswith("_") and not n.startswith("__"):
            continue
        raw = cls.__dict__[n]
        if not isinstance(raw, (property, types.ModuleType, type)) and not hasattr(raw, "__nb_signature__"):
            continue  # a slot wrapper nanobind fills in, such as a no-constructor __init__
        out[n] = describe(raw)
    return out


def main():
    if mx.__version__ != EXPECTED_VERSION:
        sys.exit(f"mlx {mx.__version__}: the record layout is checked for {EXPECTED_VERSION} only")
    data = {"version": mx.__version__, "core": {}}
    classes = {}
    for n in sorted(dir(mx)):
        if n.startswith("_") and n not in CORE_DUNDERS:
            continue
        obj = getattr(mx, n)
        data["core"][n] = describe(obj)
        if isinstance(obj, type) and n != "array":
            if hasattr(obj, "__members__"):  # an enum
                classes[n] = {m: type(v).__name__ for m, v in obj.__members__.items()}
            else:
                classes[n] = class_members(obj)
    data["array"] = class_members(mx.array)
    for n in sorted(dir(mx)):
        obj = getattr(mx, n)
        if isinstance(obj, types.ModuleType):
            data[n] = {m: describe(getattr(obj, m)) for m in sorted(dir(obj)) if not m.startswith("_")}
            for m in data[n]:
                if isinstance(getattr(obj, m), type):
                    classes[f"{n}.{m}"] = class_members(getattr(obj, m))
    data["classes"] = classes
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    counts = {k: len(v) for k, v in data.items() if isinstance(v, dict)}
    print(os.path.normpath(OUT), counts, file=sys.stderr)


if __name__ == "__main__":
    main()
