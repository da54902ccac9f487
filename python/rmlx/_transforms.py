"""``grad``, ``value_and_grad``, ``vjp``, ``jvp``, ``vmap``,
``custom_function`` and ``checkpoint`` with MLX's signatures, over functions
of trees (nested lists, tuples, dicts) of arrays. The work is done in the
Rust core (``core._vjp``: reverse mode, ``core._jvp``: forward mode,
``core._vmap``, ``core._custom_call``), a rule per primitive."""

from . import core


def _flatten(tree):
    leaves = []

    def spec(node):
        if isinstance(node, core.array):
            leaves.append(node)
            return None
        if isinstance(node, dict):
            return (dict, [(k, spec(v)) for k, v in node.items()])
        if isinstance(node, (list, tuple)):
            return (type(node), [spec(c) for c in node])
        raise ValueError(f"[tree_flatten] The argument should contain only arrays, got {type(node).__name__}")

    return leaves, spec(tree)


def _unflatten(spec, it):
    if spec is None:
        return next(it)
    kind, children = spec
    if kind is dict:
        return {k: _unflatten(c, it) for k, c in children}
    items = [_unflatten(c, it) for c in children]
    if kind in (list, tuple):
        return kind(items)
    return kind(*items)  # a named tuple


def _as_list(out, what):
    if isinstance(out, core.array):
        return [out]
    if isinstance(out, (list, tuple)) and all(isinstance(o, core.array) for o in out):
        return list(out)
    raise ValueError(f"{what} must be an array or a list of arrays, got {type(out).__name__}")


def value_and_grad(fun, argnums=None, argnames=()):
    """A function returning ``(fun(*args, **kwargs), gradient)``: the gradient
    of ``fun``'s scalar result (its first element if it returns a tuple or
    list) with respect to the positional arguments ``argnums`` (default 0)
    and the keyword arguments ``argnames``, each a tree of arrays. One
    argument gives its gradient, several a tuple; with ``argnames`` the
    gradient is ``(positional, {name: gradient})``."""
    if not callable(fun):
        raise TypeError("value_and_grad: fun must be callable")
    names = [argnames] if isinstance(argnames, str) else list(argnames)
    if argnums is None and not names:
        argnums = 0
    nums = [] if argnums is None else ([argnums] if isinstance(argnums, int) else list(argnums))
    if not nums and not names:
        raise ValueError("[grad] Gradient wrt no argument requested")

    def wrapped(*args, **kwargs):
        for i in nums:
            if not -len(args) <= i < len(args):
                raise ValueError(
                    f"[grad] Can't compute the gradient of argument index {i} because the function is "
                    f"called with only {len(args)} positional arguments."
                )
        for n in names:
            if n not in kwargs:
                raise ValueError(f"[grad] Can't compute the gradient of keyword argument {n!r}: it was not passed")
        selected = [args[i] for i in nums] + [kwargs[n] for n in names]
        leaves, spec = _flatten(selected)
        for leaf in leaves:
            if not core.issubdtype(leaf.dtype, core.inexact):
                raise ValueError(f"[grad] gradients are for floating-point or complex arrays, got {leaf.dtype}")
        box = {}

        def flat(*new):
            sel = _unflatten(spec, iter(new))
            a, kw = list(args), dict(kwargs)
            for j, i in enumerate(nums):
                a[i] = sel[j]
            for j, n in enumerate(names):
                kw[n] = sel[len(nums) + j]
            out = fun(*a, **kw)
            box["value"] = out
            loss = out[0] if isinstance(out, (list, tuple)) and out else out
            if not isinstance(loss, core.array):
                raise ValueError(
                    "[grad] The return value of the function whose gradient we want to compute should be "
                    f"a scalar array; but {type(loss).__name__} was returned."
                )
            return [loss]

        _, grads = core._vjp(flat, leaves)
        g = _unflatten(spec, iter(grads))
        pos, named = g[: len(nums)], {n: g[len(nums) + j] for j, n in enumerate(names)}
        pos_out = None if not nums else (pos[0] if len(nums) == 1 else tuple(pos))
        return box["value"], ((pos_out, named) if names else pos_out)

    return wrapped


def grad(fun, argnums=None, argnames=()):
    """A function returning the gradient of ``fun`` (see ``value_and_grad``)."""
    vg = value_and_grad(fun, argnums, argnames)

    def wrapped(*args, **kwargs):
        return vg(*args, **kwargs)[1]

    return wrapped


def vjp(fun, primals, cotangents):
    """``(outputs, vjps)``: ``fun(*primals)`` as a list, and the products of
    ``cotangents`` (one per output) with its Jacobian, one per primal."""
    primals = _as_list(primals, "vjp: primals")
    cotangents = _as_list(cotangents, "vjp: cotangents")
    return core._vjp(lambda *xs: _as_list(fun(*xs), "the function's result"), primals, cotangents)


def jvp(fun, primals, tangents):
    """``(outputs, jvps)``: ``fun(*primals)`` as a list, and the products of
    its Jacobian with ``tangents`` (one per primal), one per output."""
    primals = _as_list(primals, "jvp: primals")
    tangents = _as_list(tangents, "jvp: tangents")
    if len(tangents) != len(primals):
        raise ValueError(f"[jvp] {len(primals)} primals but {len(tangents)} tangents")
    for p, t in zip(primals, tangents):
        if p.shape != t.shape:
            raise ValueError(f"[jvp] a tangent of shape {t.shape} for a primal of shape {p.shape}")
    return core._jvp(lambda *xs: _as_list(fun(*xs), "the function's result"), primals, tangents)


class custom_function:
    """A function whose transformations may be given by hand: decorate it,
    then give any of ``@f.vjp`` (``(primals, cotangents, outputs) ->
    cotangents of the primals``), ``@f.jvp`` (``(primals, tangents) ->
    tangents of the outputs``) and ``@f.vmap`` (``(inputs, axes) ->
    (outputs, axes)``). As in MLX, a lone primal, cotangent, output or
    tangent is passed as an array and several as a tuple; a rule may return
    an array for one result or a tuple/list. Transformations without a rule
    are derived from the function. The arguments are arrays; arrays the
    function captures are constants."""

    def __init__(self, f):
        if not callable(f):
            raise TypeError("custom_function: f must be callable")
        self.fun = f
        self._vjp = None
        self._jvp = None
        self._vmap = None
        self.__doc__ = getattr(f, "__doc__", None)
        self.__name__ = getattr(f, "__name__", "custom_function")

    def vjp(self, f):
        """Sets the vector-Jacobian product ``f(primals, cotangents, outputs, **kwargs)``."""
        self._vjp = f
        return f

    def jvp(self, f):
        """Sets the Jacobian-vector product ``f(primals, tangents)``."""
        self._jvp = f
        return f

    def vmap(self, f):
        """Sets the batching rule ``f(inputs, axes, **kwargs) -> (outputs, axes)``."""
        self._vmap = f
        return f

    def __call__(self, *args, **kwargs):
        for a in args:
            if not isinstance(a, core.array):
                raise ValueError(f"[custom_function] The arguments must be arrays, got {type(a).__name__}")
        if kwargs and self._jvp is not None:
            # MLX refuses keyword arguments with a jvp rule; so does rmlx.
            raise ValueError("[custom jvp] Function should only accept positional arguments")
        # As in MLX, keyword arguments go to the function and to the vjp and
        # vmap rules; their arrays are inputs too, so the derived transforms
        # differentiate through them (a vjp rule gives them zero cotangents).
        names = [k for k, v in kwargs.items() if isinstance(v, core.array)]
        n = len(args)
        single = {}

        def one_or_tuple(xs):
            return xs[0] if len(xs) == 1 else tuple(xs)

        def keywords(xs):
            kw = dict(kwargs)
            kw.update(zip(names, xs[n:]))
            return kw

        def fwd(xs):
            out = self.fun(*xs[:n], **keywords(xs))
            single["out"] = isinstance(out, core.array)
            return _as_list(out, "[custom_function] the function's result")

        def rule_result(r, what):
            return _as_list(list(r) if isinstance(r, tuple) else r, f"[custom_function] the {what}'s result")

        def as_outputs(xs):
            return xs[0] if single.get("out", True) else tuple(xs)

        vjp = jvp = vmap = None
        if self._vjp is not None:
            user = self._vjp

            def vjp(primals, cts, outs):
                r = user(one_or_tuple(primals[:n]), as_outputs(cts), as_outputs(outs), **keywords(primals))
                return rule_result(r, "vjp") + [core.zeros_like(p) for p in primals[n:]]

        if self._jvp is not None:
            user_j = self._jvp

            def jvp(primals, tangents):
                return rule_result(user_j(one_or_tuple(primals), one_or_tuple(tangents)), "jvp")

        if self._vmap is not None:
            user_v = self._vmap

            def vmap(inputs, axes):
                if any(a is not None for a in list(axes)[n:]):
                    raise ValueError("[custom_function] a vmap rule cannot map over keyword arguments")
                r = user_v(tuple(inputs[:n]), tuple(axes[:n]), **keywords(inputs))
                if not isinstance(r, (tuple, list)) or len(r) != 2:
                    raise ValueError("[custom_function] the vmap rule must return (outputs, axes)")
                outs, out_axes = r
                outs = rule_result(outs, "vmap")
                if out_axes is None or isinstance(out_axes, int):
                    out_axes = [out_axes] * len(outs)
                return outs, list(out_axes)

        outs = core._custom_call(fwd, list(args) + [kwargs[k] for k in names], vjp, jvp, vmap)
        return as_outputs(outs)


def _split_arrays(tree):
    """The arrays of ``tree`` (nested lists, tuples, dicts; other leaves are
    kept as they are) and a function rebuilding it over new arrays."""
    arrays = []

    def spec(node):
        if isinstance(node, core.array):
            arrays.append(node)
            return ("a",)
        if isinstance(node, dict):
            return ("d", [(k, spec(v)) for k, v in node.items()])
        if isinstance(node, (list, tuple)):
            return ("s", type(node), [spec(c) for c in node])
        return ("c", node)

    def build(sp, it):
        if sp[0] == "a":
            return next(it)
        if sp[0] == "d":
            return {k: build(c, it) for k, c in sp[1]}
        if sp[0] == "s":
            items = [build(c, it) for c in sp[2]]
            return sp[1](items) if sp[1] in (list, tuple) else sp[1](*items)
        return sp[1]

    top = spec(tree)
    return arrays, lambda xs: build(top, iter(xs))


def checkpoint(fun):
    """``fun``, recomputed during the backward pass instead of keeping its
    intermediate results: gradients are the same, memory is traded for
    compute. ``fun`` takes trees of arrays (other leaves, such as numbers,
    are passed as they are) and returns a tree of arrays."""
    if not callable(fun):
        raise TypeError("checkpoint: fun must be callable")

    def wrapped(*args, **kwargs):
        leaves, rebuild = _split_arrays(list(args))
        box = {}

        def flat(xs):
            out = fun(*rebuild(xs), **kwargs)
            out_leaves, out_spec = _flatten(out)
            box["spec"] = out_spec
            return out_leaves

        outs = core._custom_call(flat, leaves)
        return _unflatten(box["spec"], iter(outs))

    return wrapped


def _broadcast_axes(axes, tree, what):
    """One axis (or None) per leaf of ``tree``: ``axes`` is an int or None
    for the whole tree, or a tree of them with the same structure."""
    if axes is None or isinstance(axes, int):
        leaves, _ = _flatten(tree)
        return [axes] * len(leaves)
    if isinstance(tree, core.array):
        raise ValueError(f"[vmap] {what}: expected an int or None for an array, got {axes!r}")
    if isinstance(tree, dict):
        if not isinstance(axes, dict) or set(axes) != set(tree):
            raise ValueError(f"[vmap] {what} do not match the structure of the arguments")
        return [a for k in tree for a in _broadcast_axes(axes[k], tree[k], what)]
    if not isinstance(axes, (list, tuple)) or len(axes) != len(tree):
        raise ValueError(f"[vmap] {what} do not match the structure of the arguments")
    return [a for ax, t in zip(axes, tree) for a in _broadcast_axes(ax, t, what)]


def vmap(fun, in_axes=0, out_axes=0):
    """A function mapping ``fun`` over axis ``in_axes`` of its arguments (an
    int, None for an argument passed whole, or a tuple with one entry per
    argument, each possibly a tree), returning outputs with the mapped axis
    at ``out_axes``."""
    if not callable(fun):
        raise TypeError("vmap: fun must be callable")

    def wrapped(*args):
        ax = in_axes if not isinstance(in_axes, (list, tuple)) else tuple(in_axes)
        if isinstance(ax, tuple) and len(ax) != len(args):
            raise ValueError(f"[vmap] in_axes has {len(ax)} entries but the function got {len(args)} arguments")
        leaves, spec = _flatten(list(args))
        axes = _broadcast_axes(list(ax) if isinstance(ax, tuple) else ax, list(args), "in_axes")
        norm = []
        for leaf, a in zip(leaves, axes):
            if a is not None and a < 0:
                a += leaf.ndim
            if a is not None and not 0 <= a < leaf.ndim:
                raise ValueError(f"[vmap] in_axes {a} is out of range for an argument of shape {leaf.shape}")
            norm.append(a)
        box = {}

        def flat(*new):
            out = fun(*_unflatten(spec, iter(new)))
            out_leaves, out_spec = _flatten(out)
            box["spec"] = out_spec
            return out_leaves

        outs = core._vmap(flat, leaves, norm, [0])
        tree = _unflatten(box["spec"], iter(outs))
        if out_axes is None:
            raise ValueError("[vmap] out_axes must be an int or a tree of ints, got None")
        oaxes = _broadcast_axes(out_axes, tree, "out_axes")
        moved = []
        for leaf, a in zip(outs, oaxes):
            if a is None:
                raise ValueError("[vmap] out_axes entries must be ints, got None")
            b = a + leaf.ndim if a < 0 else a
            if not 0 <= b < leaf.ndim:
                raise ValueError(f"[vmap] out_axes {a} is out of range for an output of shape {leaf.shape}")
            moved.append(leaf if b == 0 else core.moveaxis(leaf, 0, b))
        return _unflatten(box["spec"], iter(moved))

    return wrapped
