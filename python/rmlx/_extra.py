"""Functions of ``mlx.core`` written over rmlx's own ops (lazy, on any
device, differentiable): ``masked_scatter``, ``as_strided``, ``depends``
and ``hadamard_transform``."""

import contextlib
import math
import operator

from . import core

# The transform matrices of sizes 12, 20 and 28 that MLX uses (rows of +/-1;
# y = x @ T, and for n = m * 2**k the matrix is kron(T_m, H_(2**k)) with the
# Sylvester H), recorded from MLX 0.32.4's hadamard_transform of the identity.
_HADAMARD = {
    12: (
        "+-++++++++++",
        "--+-+-+-+-+-",
        "+++-++----++",
        "+---+--+-++-",
        "+++++-++----",
        "+-+---+--+-+",
        "++--+++-++--",
        "+--++---+--+",
        "++----+++-++",
        "+--+-++---+-",
        "++++----+++-",
        "+-+--+-++---",
    ),
    20: (
        "+-----++++--++--+--+",
        "-+---+-+++---+++-+--",
        "--+--++-+++---+-+-+-",
        "---+-+++-+++-----+-+",
        "----+++++--++--+--+-",
        "+----+----+-++---++-",
        "-+----+----+-++---++",
        "--+----+--+-+-++---+",
        "---+----+-++-+-++---",
        "----+----+-++-+-++--",
        "++--+-+--++----+----",
        "+++--+-+---+----+---",
        "-+++--+-+---+----+--",
        "--+++--+-+---+----+-",
        "+--+++--+-----+----+",
        "+-++-++--+-+++++----",
        "-+-+++++--+-+++-+---",
        "+-+-+-+++-++-++--+--",
        "++-+---++++++-+---+-",
        "-++-++--++++++-----+",
    ),
    28: (
        "+--------++++--+-++-+-++--++",
        "-+--------+++++-+-++-+-++--+",
        "--+----+---+++-+-+-++++-++--",
        "---+---++---+++-+-+-+-++-++-",
        "----+--+++---+++-+-+---++-++",
        "-----+-++++----++-+-++--++-+",
        "------+-++++--+-++-+-++--++-",
        "++----++------+--++---+-++-+",
        "+++-----+------+--++-+-+-++-",
        "-+++-----+------+--++-+-+-++",
        "--+++-----+---+--+--++-+-+-+",
        "---+++-----+--++--+--++-+-+-",
        "----+++-----+--++--+--++-+-+",
        "+----++------+--++--++-++-+-",
        "+-+--+--++--+++------++----+",
        "-+-+--++-++--+-+-----+++----",
        "+-+-+--++-++----+-----+++---",
        "-+-+-+--++-++----+-----+++--",
        "--+-+-+--++-++----+-----+++-",
        "+--+-+-+--++-+-----+-----+++",
        "-+--+-+++--++-------++----++",
        "+--++--+-+--+---++++-+------",
        "-+--++--+-+--+---++++-+-----",
        "--+--+++-+-+--+---+++--+----",
        "+--+--+-+-+-+-++---++---+---",
        "++--+----+-+-++++---+----+--",
        "-++--+-+--+-+-++++--------+-",
        "--++--+-+--+-+-++++--------+",
    ),
}


def _split_hadamard(n):
    for m in (1, 12, 20, 28):
        if n % m == 0:
            p = n // m
            if p & (p - 1) == 0:
                return m, p
    raise ValueError(
        f"[hadamard_transform] the last axis must have n = m * 2**k elements with m in (1, 12, 20, 28), got n = {n}"
    )


def hadamard_transform(a, /, scale=None, *, stream=None):
    """The Walsh-Hadamard transform of ``a`` along its last axis, times
    ``scale`` (1/sqrt(n) by default); integer inputs give float32."""
    a = core.asarray(a)
    if a.size == 0:
        raise ValueError("[hadamard_transform] the array must not be empty")
    if not core.issubdtype(a.dtype, core.inexact):
        a = a.astype(core.float32)
    if a.ndim == 0:
        return a * (1.0 if scale is None else scale)
    n = a.shape[-1]
    m, p = _split_hadamard(n)
    scale = 1.0 / math.sqrt(n) if scale is None else float(scale)
    lead = a.shape[:-1]
    x = a.reshape(*lead, m, p)
    # The power-of-two part: butterflies over the last axis (Sylvester order).
    h = 1
    while h < p:
        y = x.reshape(*lead, m, p // (2 * h), 2, h)
        u, v = y[..., 0, :], y[..., 1, :]
        x = core.stack([u + v, u - v], axis=-2).reshape(*lead, m, p)
        h *= 2
    if m > 1:
        t = core.array([[1.0 if c == "+" else -1.0 for c in row] for row in _HADAMARD[m]], dtype=a.dtype)
        x = core.matmul(t.T, x)
    return (x * scale).astype(a.dtype).reshape(*lead, n)


def masked_scatter(a, mask, src, *, stream=None):
    """``a`` with the positions where ``mask`` (broadcast to ``a``'s shape)
    is true filled, in row-major order, from the leading elements of
    ``src`` (flattened); lazy, so it works under every transformation."""
    a = core.asarray(a)
    mask = core.broadcast_to(core.asarray(mask), a.shape)
    if mask.dtype != core.bool_:
        raise ValueError(f"[masked_scatter] the mask must be boolean, got {mask.dtype}")
    src = core.asarray(src).astype(a.dtype).reshape(-1)
    if src.size == 0:
        if a.size == 0:
            return a
        src = core.zeros((1,), dtype=a.dtype)
    flat = mask.reshape(-1)
    pos = core.cumsum(flat.astype(core.int32)) - 1
    pos = core.clip(pos, 0, src.size - 1)
    return core.where(flat, core.take(src, pos), a.reshape(-1)).reshape(a.shape)


def as_strided(a, /, shape=None, strides=None, offset=0, *, stream=None):
    """A view of ``a``'s elements (in row-major order, whatever its layout)
    with ``shape``, ``strides`` (in elements) and ``offset``; positions
    outside the array are an error."""
    a = core.asarray(a)
    shape = tuple(a.shape) if shape is None else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"[as_strided] negative dimensions are not allowed, got {shape}")
    if strides is None:
        strides, acc = [], 1
        for s in reversed(shape):
            strides.insert(0, acc)
            acc *= s
    strides = tuple(int(s) for s in strides)
    if len(strides) != len(shape):
        raise ValueError(f"[as_strided] {len(shape)} dimensions but {len(strides)} strides")
    offset = int(offset)
    if math.prod(shape) == 0:
        return core.zeros(shape, dtype=a.dtype)
    lo = offset + sum((s - 1) * st for s, st in zip(shape, strides) if st < 0)
    hi = offset + sum((s - 1) * st for s, st in zip(shape, strides) if st > 0)
    if lo < 0 or hi >= a.size:
        raise ValueError(
            f"[as_strided] shape {shape}, strides {strides} and offset {offset} reach element {lo if lo < 0 else hi}, "
            f"outside an array of {a.size} elements"
        )
    idx = core.full(shape, offset, dtype=core.int64)
    for ax, (s, st) in enumerate(zip(shape, strides)):
        view = [1] * len(shape)
        view[ax] = s
        idx = idx + (core.arange(s, dtype=core.int64) * st).reshape(view)
    return core.take(a.reshape(-1), idx)


def depends(inputs, dependencies, /):
    """``inputs`` (an array or a list), unchanged, but evaluated only after
    ``dependencies``: each output is a select whose condition reads one
    element of every dependency and is always true."""
    single = isinstance(inputs, core.array)
    ins = [inputs] if single else list(inputs)
    deps = [dependencies] if isinstance(dependencies, core.array) else list(dependencies)
    cond = core.array(True)
    for d in deps:
        first = core.asarray(d).reshape(-1)[:1]
        cond = core.logical_or(cond, core.any(core.isnan(first.astype(core.float32))))
    outs = [core.where(cond, x, x) for x in ins]
    return outs


def cumulative_sum(a, /, axis=None, *, reverse=False, inclusive=True, dtype=None, stream=None):
    """The array API's name for ``cumsum`` (in ``dtype`` when given)."""
    a = core.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    return core.cumsum(a, axis=axis, reverse=reverse, inclusive=inclusive, stream=stream)


def cumulative_prod(a, /, axis=None, *, reverse=False, inclusive=True, dtype=None, stream=None):
    """The array API's name for ``cumprod`` (in ``dtype`` when given)."""
    a = core.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    return core.cumprod(a, axis=axis, reverse=reverse, inclusive=inclusive, stream=stream)


def _bytes(self):
    """The array's elements in row-major order, as bytes (a copy)."""
    return self.__array__().tobytes()


class PrintOptions:
    """How arrays print: ``precision`` significant digits (-1: the default, 6)."""

    def __init__(self, precision=-1):
        self._precision = int(precision)

    @property
    def precision(self):
        return self._precision

    def __repr__(self):
        return f"PrintOptions(precision={self._precision})"


def get_printoptions():
    """The current ``PrintOptions``."""
    return PrintOptions(core._get_print_precision())


def set_printoptions(precision=-1):
    """Sets how arrays print (``precision`` significant digits; -1 restores the default)."""
    if not isinstance(precision, int) or isinstance(precision, bool):
        raise TypeError(f"set_printoptions: precision must be an int, got {type(precision).__name__}")
    core._set_print_precision(precision)


class _PrintOptionsContext:
    def __init__(self, precision):
        self._new = precision
        self._old = None

    def __enter__(self):
        self._old = core._get_print_precision()
        set_printoptions(self._new)
        return get_printoptions()

    def __exit__(self, *exc):
        core._set_print_precision(self._old)
        return False


def printoptions(precision=-1):
    """A context manager: arrays print with ``precision`` inside it."""
    return _PrintOptionsContext(precision)


def unique(a, /, size, return_index=False, return_inverse=False, return_counts=False, fill_value=None, *, stream=None):
    """The sorted unique elements of the flattened ``a``, ``size`` of them
    (MLX's static-size form: truncated to the smallest ``size``, padded with
    ``fill_value``, by default the first unique element). With
    ``return_index``/``return_inverse``/``return_counts`` also the index of
    each one's first occurrence (uint32), the indices rebuilding ``a``
    (uint32, clamped to the last entry when truncated) and the counts (int32,
    0 past the last unique element). Nothing is evaluated."""
    size = operator.index(size)
    if size < 0:
        raise ValueError(f"[unique] Received negative size {size}.")
    a = core.asarray(a)
    with contextlib.nullcontext() if stream is None else core.stream(stream):
        flat = core.reshape(a, (-1,))
        n = flat.size
        dt = a.dtype
        if fill_value is not None:
            fill = core.asarray(fill_value)
            if fill.size != 1:
                raise ValueError(f"[unique] Fill value must have one element, but got shape {fill.shape}.")
            fill = core.reshape(fill, ()).astype(dt)
        elif n == 0 and size > 0:
            raise ValueError("[unique] A fill value is required for an empty input with a non-zero size.")
        if n == 0:
            vals = core.full((size,), fill, dtype=dt) if size else core.zeros((0,), dtype=dt)
            index = core.zeros((size,), dtype=core.uint32)
            inverse = core.zeros(a.shape, dtype=core.uint32)
            counts = core.zeros((size,), dtype=core.int32)
        else:
            work = flat.astype(core.uint8) if dt == core.bool_ else flat
            perm = core.argsort(work)
            srt = core.take(work, perm)
            new = core.concatenate([core.array([True]), core.not_equal(srt[1:], srt[:-1])])
            group = core.cumsum(new.astype(core.int32)) - 1
            live = core.arange(size) < group[-1] + 1

            def slots(at, values, dtype):
                # A spare slot at the end takes what falls past ``size``.
                return core.zeros((size + 1,), dtype=dtype).at[at].add(values)[:size]

            # Each unique element goes to its run's slot; the rest to the spare.
            first_of_run = core.where(core.logical_and(new, group < size), group, size)
            vals = slots(first_of_run, core.where(new, srt, 0), work.dtype)
            index = slots(first_of_run, core.where(new, perm.astype(core.uint32), 0), core.uint32)
            if size:
                vals = core.where(live, vals, vals[0] if fill_value is None else fill.astype(work.dtype))
                index = core.where(live, index, index[0])
            vals = vals.astype(dt)
            clamped = core.minimum(group, max(size - 1, 0)).astype(core.uint32)
            inverse = core.reshape(core.zeros((n,), dtype=core.uint32).at[perm].add(clamped), a.shape)
            counts = slots(core.minimum(group, size), 1, core.int32)
    outs = [vals] + [x for x, want in ((index, return_index), (inverse, return_inverse), (counts, return_counts)) if want]
    return outs[0] if len(outs) == 1 else tuple(outs)


def install(module):
    for name in ("PrintOptions", "get_printoptions", "set_printoptions", "printoptions"):
        if not hasattr(module, name):
            setattr(module, name, globals()[name])
    for name in ("hadamard_transform", "masked_scatter", "as_strided", "depends", "cumulative_sum", "cumulative_prod", "unique"):
        if not hasattr(module, name):
            setattr(module, name, globals()[name])
    arr = module.array
    # MLX's aliases of true division and the bytes of the buffer.
    for name, fn in (("__div__", arr.__truediv__), ("__rdiv__", arr.__rtruediv__), ("__bytes__", _bytes)):
        if name not in vars(arr):
            setattr(arr, name, fn)
