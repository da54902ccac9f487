"""Every name of mlx.core 0.32 is in rmlx.core, taking its arguments the way
MLX does, or is a placeholder that raises NotImplementedError naming the
issue that builds it.

The names and signatures are in data/mlx_core_names.json (written from MLX
0.32.4 by scripts/mlx_names.py; see there for the format). One test per name:
it exists (as a function, class, module, property or value of the same kind);
a callable accepts MLX's parameters (each positional one at its position, by
keyword where MLX takes a keyword, with a default where MLX has one, and the
same default); a placeholder raises NotImplementedError naming its issue.
"""

import ast
import inspect
import json
import os
import re
import types

import pytest

import rmlx.core as mx

DATA = json.load(open(os.path.join(os.path.dirname(__file__), "data", "mlx_core_names.json")))

# What rmlx still lacks or takes differently from MLX, so that this test runs
# green while it is built. Each entry is a name as the tests below are
# called ("core.unique", "array.__bytes__", "classes.Device.__init__") and
# why. A listed name whose check fails is reported as xfail; one whose check
# passes fails the run, so that its entry is deleted. The list is to shrink to
# empty: names that later issues build belong in rmlx/_pending.py, not here.
KNOWN_MISSING = {}

# Dunder methods are called by Python's operators with positional arguments,
# so the names MLX gives their parameters do not matter, except for these,
# which callers pass by keyword.
KEYWORD_DUNDERS = {"__init__", "__array__", "__array_namespace__", "__dlpack__"}

SUBMODULES = [k for k, v in DATA["core"].items() if v == "module"]


# ----------------------------------------------------------------- the names


def names():
    for section in ["core", "array"] + SUBMODULES:
        for name, spec in DATA[section].items():
            yield f"{section}.{name}", spec
    for cls, members in DATA["classes"].items():
        for name, spec in members.items():
            yield f"classes.{cls}.{name}", spec


NAMES = dict(names())


def mlx_owner(qual):
    """(the rmlx object that should hold the name, the name, whether it is a class)."""
    parts = qual.split(".")
    if parts[0] == "core":
        return mx, parts[1], False
    if parts[0] == "array":
        return mx.array, parts[1], True
    if parts[0] == "classes":
        *path, name = parts[1:]
        owner = mx
        for p in path:
            owner = getattr(owner, p, None)
            if owner is None:
                return None, name, True
        if path == ["ArrayAt"] and name != "__getitem__":
            # MLX's x.at[idx] is an ArrayAt again, with add/multiply/...;
            # rmlx's is another class: look where x.at[idx] has them.
            owner = type(mx.array([0.0]).at[0])
        return owner, name, True
    return getattr(mx, parts[0], None), parts[1], False


def class_attr(cls, name):
    """The attribute as a class (not object) defines it, else None."""
    for klass in cls.__mro__:
        if klass is object:
            break
        if name in vars(klass):
            return vars(klass)[name]
    return None


# ----------------------------------------------------------------- parameters


NO_DEFAULT = inspect.Parameter.empty


class Param:
    """A parameter: MLX's with its default as source text, rmlx's with its
    default value; NO_DEFAULT where it has none."""

    def __init__(self, name, kind, default=NO_DEFAULT):
        self.name, self.kind, self.default = name, kind, default

    def __repr__(self):
        return f"{self.name}:{self.kind}" + (f"={self.default}" if self.default is not NO_DEFAULT else "")


def parse_params(text):
    """MLX's "params" text, as a list of Param."""
    args = ast.parse(f"def f{text}: pass").body[0].args
    out = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + args.defaults
    for i, (a, d) in enumerate(zip(positional, defaults)):
        kind = "pos" if i < len(args.posonlyargs) else "pos_or_kw"
        out.append(Param(a.arg, kind, ast.unparse(d) if d is not None else NO_DEFAULT))
    if args.vararg:
        out.append(Param(args.vararg.arg, "var_pos"))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append(Param(a.arg, "kw", ast.unparse(d) if d is not None else NO_DEFAULT))
    if args.kwarg:
        out.append(Param(args.kwarg.arg, "var_kw"))
    return out


KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos_or_kw",
    inspect.Parameter.VAR_POSITIONAL: "var_pos",
    inspect.Parameter.KEYWORD_ONLY: "kw",
    inspect.Parameter.VAR_KEYWORD: "var_kw",
}


def rmlx_params(obj, is_method):
    sig = inspect.signature(obj)
    params = list(sig.parameters.values())
    if is_method and params and params[0].kind in (inspect.Parameter.POSITIONAL_ONLY,
                                                   inspect.Parameter.POSITIONAL_OR_KEYWORD):
        params = params[1:]
    return [Param(p.name, KINDS[p.kind], p.default) for p in params]


UNSPECIFIED = object()


def mlx_default_value(text):
    """MLX's default as a value; UNSPECIFIED where it cannot be read."""
    if re.fullmatch(r"[a-z_]\w*", text) and text not in ("None", "True", "False"):
        return getattr(mx, text, UNSPECIFIED)  # a dtype such as float32
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return UNSPECIFIED


def same_default(mlx_text, ours):
    if ours is Ellipsis:
        return True  # pyo3 writes defaults it cannot show as `...`
    theirs = mlx_default_value(mlx_text)
    if theirs is UNSPECIFIED:
        return True
    if ours is None and (isinstance(theirs, type(mx.float32)) or theirs in ((), [])):
        return True  # None standing for "the default dtype" or "no shape"
    if isinstance(theirs, (list, tuple)) and isinstance(ours, (list, tuple)):
        return list(theirs) == list(ours)
    if type(theirs) is type(ours):
        return theirs == ours
    numbers = (int, float)  # 1 and 1.0 are the same default; False and 0 are not
    return (isinstance(theirs, numbers) and isinstance(ours, numbers) and not isinstance(theirs, bool)
            and not isinstance(ours, bool) and theirs == ours)


def compare(theirs, ours, names_matter=True):
    """What keeps `ours` (rmlx's parameters) from taking every call that MLX's
    `theirs` takes; empty when nothing does."""
    problems = []
    positional = [p for p in ours if p.kind in ("pos", "pos_or_kw")]
    by_name = {p.name: p for p in ours if p.kind in ("pos_or_kw", "kw")}
    any_name = {p.name: p for p in ours}
    var_pos = any(p.kind == "var_pos" for p in ours)
    var_kw = any(p.kind == "var_kw" for p in ours)
    used = set()
    index = 0
    for p in theirs:
        kind = p.kind
        if kind == "pos_or_kw" and not names_matter:
            kind = "pos"
        match = None
        if kind == "var_pos":
            if not var_pos:
                problems.append(f"*{p.name}: rmlx takes no *args")
            continue
        if kind == "var_kw":
            if not var_kw:
                problems.append(f"**{p.name}: rmlx takes no **kwargs")
            continue
        if kind in ("pos", "pos_or_kw"):
            if index < len(positional):
                match = positional[index]
            elif not var_pos:
                other = any_name.get(p.name) if kind == "pos_or_kw" else None
                if other is not None and other.kind == "kw":
                    problems.append(f"{p.name}: keyword-only in rmlx, MLX also takes it at position {index}")
                else:
                    problems.append(f"{p.name}: rmlx takes no argument at position {index}")
            index += 1
        if kind == "pos_or_kw":
            if match is not None and match.name != p.name:
                other = any_name.get(p.name)
                if other is None:
                    problems.append(f"{p.name}: rmlx has {match.name!r} at position {index - 1} and no {p.name!r}")
                elif other.kind == "kw":
                    problems.append(f"{p.name}: keyword-only in rmlx, MLX also takes it at position {index - 1}")
                else:
                    problems.append(f"{p.name}: at position {positional.index(other)} in rmlx, {index - 1} in MLX")
                match = None
            elif match is not None and match.kind == "pos":
                problems.append(f"{p.name}: positional-only in rmlx, MLX takes {p.name}= too")
        if kind == "kw":
            match = by_name.get(p.name)
            if match is None:
                other = any_name.get(p.name)
                if other is not None and other.kind == "pos":
                    problems.append(f"{p.name}: positional-only in rmlx, MLX takes it by keyword only")
                elif not var_kw:
                    problems.append(f"{p.name}: rmlx does not take {p.name}=")
        if match is None:
            continue
        used.add(match.name)
        if p.default is not NO_DEFAULT and match.default is NO_DEFAULT:
            problems.append(f"{p.name}: rmlx requires it, MLX has default {p.default}")
        elif p.default is not NO_DEFAULT and not same_default(p.default, match.default):
            problems.append(f"{p.name}: default {match.default!r} in rmlx, {p.default} in MLX")
    for q in ours:
        if q.name not in used and q.kind in ("pos", "pos_or_kw", "kw") and q.default is NO_DEFAULT:
            if q.kind == "kw" or positional.index(q) >= index:
                problems.append(f"{q.name}: rmlx requires it, MLX has no such parameter")
    return problems


def check_callable(qual, obj, spec, is_method):
    name = qual.rsplit(".", 1)[1]
    names_matter = not (name.startswith("__") and name.endswith("__")) or name in KEYWORD_DUNDERS
    try:
        ours = rmlx_params(obj, is_method and name != "__init__")
    except (TypeError, ValueError):
        return ["rmlx gives no signature to check (pyo3: add text_signature)"]
    overloads = spec if isinstance(spec, list) else [spec]
    results = [compare(parse_params(o["params"]), ours, names_matter) for o in overloads]
    best = min(results, key=len)
    if not best:
        return []
    shown = " | ".join(o["signature"] for o in overloads)
    return [f"MLX {name}{shown}", f"rmlx {name}{inspect.signature(obj)}"] + best


# ----------------------------------------------------------------- the check


def problems_of(qual, spec):
    owner, name, owner_is_class = mlx_owner(qual)
    if owner is None:
        return [f"rmlx has no {qual.split('.')[-2]}"]
    if owner_is_class:
        if name == "__init__":
            obj = owner  # the constructor: the class's own signature
        else:
            obj = class_attr(owner, name)
            if obj is None:
                return [f"rmlx {owner.__name__} has no {name}"]
    else:
        if not hasattr(owner, name):
            return ["absent from rmlx"]
        obj = getattr(owner, name)
    if spec == "module":
        return [] if isinstance(obj, types.ModuleType) else [f"not a module: {obj!r}"]
    if spec == "class":
        return [] if isinstance(obj, type) else [f"not a class: {obj!r}"]
    if spec == "property":
        ok = inspect.isdatadescriptor(obj) and not callable(obj)
        return [] if ok else [f"not a property: {obj!r}"]
    if isinstance(spec, str):  # a value: its type's name
        got = type(obj).__name__
        return [] if got == spec else [f"a {got}, MLX's is a {spec}"]
    if not callable(obj) and not isinstance(obj, (staticmethod, classmethod)):
        return [f"not callable: {obj!r}"]
    problems = check_callable(qual, obj, spec, owner_is_class)
    issue = getattr(obj, "__rmlx_pending__", None)
    if issue is not None:
        problems += check_pending(obj, issue, name)
    return problems


def dummy_call(fn):
    """Calls fn with None for each required parameter."""
    args, kwargs = [], {}
    for p in inspect.signature(fn).parameters.values():
        if p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = None
        else:
            args.append(None)
    return fn(*args, **kwargs)


def check_pending(obj, issue, name):
    try:
        if isinstance(obj, type):
            obj()
        elif name == "__init__":
            return []
        else:
            dummy_call(obj)
    except NotImplementedError as e:
        if f"issue {issue}" not in str(e):
            return [f"placeholder's message names no issue {issue}: {e}"]
        return []
    except Exception as e:  # noqa: BLE001
        return [f"placeholder raised {type(e).__name__}: {e}"]
    return ["placeholder returned instead of raising NotImplementedError"]


@pytest.mark.parametrize("qual", list(NAMES))
def test_name(qual):
    problems = problems_of(qual, NAMES[qual])
    if qual in KNOWN_MISSING:
        if not problems:
            pytest.fail(f"{qual} passes now: delete it from KNOWN_MISSING")
        pytest.xfail(f"{KNOWN_MISSING[qual]}: " + "; ".join(problems))
    assert not problems, f"{qual}:\n  " + "\n  ".join(problems)


# ----------------------------------------------------------------- the lists themselves


def test_known_missing_names_are_mlx_names():
    stale = sorted(set(KNOWN_MISSING) - set(NAMES))
    assert not stale, f"not names of mlx.core: {stale}"


def test_placeholders_are_mlx_names_that_rmlx_lacks():
    from rmlx import _pending

    for module, stubs in _pending.REGISTRY.items():
        for name in stubs:
            assert name in DATA[module], f"{module}.{name} is not a name of mlx.core {DATA['version']}"
            target = mx if module == "core" else getattr(mx, module)
            real = getattr(target, name)
            if real is not stubs[name]:
                # the extension has it now: the placeholder is dead and should go
                pytest.fail(f"rmlx has {module}.{name} itself: delete its placeholder from rmlx/_pending.py")


def test_pending_submodules_import():
    import importlib

    for name in SUBMODULES:
        assert importlib.import_module(f"rmlx.core.{name}") is getattr(mx, name)
