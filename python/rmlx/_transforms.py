"""``grad``, ``value_and_grad``, ``vjp`` and ``jvp`` with MLX's signatures,
over functions of trees (nested lists, tuples, dicts) of arrays. The work is
done by ``core._vjp`` (reverse mode in the Rust core); ``jvp`` is the
transpose of the vector-Jacobian product (the vjp is linear in its
cotangent, so its own vjp is the Jacobian-vector product)."""

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
    f = lambda *xs: _as_list(fun(*xs), "the function's result")  # noqa: E731
    outputs = f(*primals)
    seeds = [core.zeros(o.shape, o.dtype) for o in outputs]
    _, jvps = core._vjp(lambda *us: core._vjp(f, primals, list(us))[1], seeds, tangents)
    return outputs, jvps


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

        n_out_axes = [out_axes] if isinstance(out_axes, int) else list(out_axes)
        outs = core._vmap(flat, leaves, norm, n_out_axes)
        return _unflatten(box["spec"], iter(outs))

    return wrapped
