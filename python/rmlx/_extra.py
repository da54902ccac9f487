"""Functions of ``mlx.core`` written over rmlx's own ops (lazy, on any
device, differentiable): ``masked_scatter``, ``as_strided``, ``depends``
and ``hadamard_transform``; and the small pieces of MLX's Python surface
that need no kernels: the array API's namespace, ``ArrayLike``,
``export_to_dot``, ``get_array_buffer_size`` and ``mx.metal``'s captures."""

import contextlib
import math
import operator
import os
import tempfile
import warnings

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


# Trees of arguments nested deeper than this are refused (as list
# conversion refuses them) rather than walked.
_MAX_TREE_DEPTH = 10_000


def _array_leaves(tree, where, strict):
    """The arrays of a tree of lists, tuples and dicts, in order, walked
    without recursion. Other leaves are skipped, or with ``strict`` refused."""
    out = []
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > _MAX_TREE_DEPTH:
            raise ValueError(f"[{where}] the arguments nest deeper than {_MAX_TREE_DEPTH} levels")
        if isinstance(node, core.array):
            out.append(node)
        elif isinstance(node, (list, tuple)):
            stack.extend((child, depth + 1) for child in reversed(node))
        elif isinstance(node, dict):
            stack.extend((child, depth + 1) for child in reversed(list(node.values())))
        elif strict:
            raise ValueError(f"[{where}] expected arrays (or lists, tuples and dicts of them), got {type(node).__name__}")
    return out


def get_array_buffer_size(*args):
    """Bytes of the buffers behind the arrays in ``args`` (arrays or trees
    of them; other leaves are ignored), each buffer counted once however
    many arrays view it. The arrays must be evaluated."""
    seen = {}
    for a in _array_leaves(args, "get_array_buffer_size", strict=False):
        buf = core._buffer_of(a)
        if buf is None:
            raise ValueError("[get_array_buffer_size] Arrays must be evaluated before querying buffer size.")
        seen[buf[0]] = buf[1]
    return sum(seen.values())


def export_to_dot(file, *args, **kwargs):
    """Writes the graph of the arrays in ``args`` (arrays or trees of them)
    in Graphviz's DOT to ``file``, a path or an object with ``write``: the
    pending arrays the outputs need, their primitives, and the computed
    arrays they start from. ``kwargs`` name arrays (``x=x``); the others are
    lettered."""
    outputs = _array_leaves(args, "export_to_dot", strict=True)
    names = []
    for name, value in kwargs.items():
        if not isinstance(value, core.array):
            raise ValueError(f"[export_to_dot] the name {name!r} must be given an array, got {type(value).__name__}")
        names.append((name, value))
    if isinstance(file, (str, os.PathLike)):
        path = os.fspath(file)
        text = core._graph_dot(outputs, names)
        # Through a temporary file and a rename: a failed write leaves no half file.
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".rmlx-", suffix=".dot", dir=folder)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    elif hasattr(file, "write"):
        file.write(core._graph_dot(outputs, names))
    else:
        raise ValueError(
            f"[export_to_dot] Accepts file-like objects or strings to be used as filenames, got {type(file).__name__}"
        )


class ArrayLike:
    """Any object with an ``__mlx_array__`` method returning an array.
    ``ArrayLike(obj)`` wraps one (or anything ``mx.array`` takes) so that
    it converts where an array is expected."""

    def __init__(self, arg, /):
        self._obj = arg

    def __mlx_array__(self):
        obj = self._obj
        if hasattr(obj, "__mlx_array__"):
            return obj.__mlx_array__()
        return core.asarray(obj)

    def __repr__(self):
        return f"ArrayLike({self._obj!r})"


def _array_namespace(self, /, api_version=None):
    """The array API namespace of this array: ``rmlx.core``."""
    if api_version is not None:
        if not isinstance(api_version, str):
            raise TypeError(f"__array_namespace__: api_version must be a str or None, got {type(api_version).__name__}")
        raise ValueError("Explicitly specifying api_version is not yet implemented.")
    return core


_KINDS = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64",),
}
_KINDS["integral"] = _KINDS["signed integer"] + _KINDS["unsigned integer"]
_KINDS["numeric"] = _KINDS["integral"] + _KINDS["real floating"] + _KINDS["complex floating"]
_ALL_DTYPES = ("bool",) + _KINDS["integral"] + ("float32", "complex64", "float64")


class ArrayNamespaceInfo:
    """What the array API's ``__array_namespace_info__()`` tells of rmlx."""

    def _check_device(self, device):
        if device is not None and not isinstance(device, (core.Device, core.DeviceType)):
            raise TypeError(f"expected an rmlx Device, got {type(device).__name__}")

    def capabilities(self):
        # a[mask] works (its shape is the mask's count); unique_all and
        # nonzero, the other data-dependent shapes, do not exist.
        return {"boolean indexing": True, "data-dependent shapes": False, "max dimensions": core._MAX_NDIM}

    def default_device(self):
        return core.default_device()

    def devices(self):
        devices = [core.Device(core.cpu)]
        if core.cuda.is_available():
            devices += [core.Device(core.gpu, i) for i in range(core.device_count(core.gpu))]
        return tuple(devices)

    def default_dtypes(self, *, device=None):
        self._check_device(device)
        return {
            "real floating": core.float32,
            "complex floating": core.complex64,
            "integral": core.int32,
            "indexing": core.int32,
        }

    def dtypes(self, *, device=None, kind=None):
        self._check_device(device)
        kinds = () if kind is None else (kind,) if isinstance(kind, str) else tuple(kind)
        unknown = [k for k in kinds if k not in _KINDS]
        if unknown:
            raise ValueError(f"Unsupported dtype kind: {tuple(unknown)}")
        return {n: getattr(core, n) for n in _ALL_DTYPES if not kinds or any(n in _KINDS[k] for k in kinds)}


def __array_namespace_info__():
    """The array API's description of this namespace."""
    return ArrayNamespaceInfo()


def _warn_no_capture(name):
    warnings.warn(
        f"mx.metal.{name}: rmlx has no Metal, so nothing is captured "
        "(profile CUDA work with Nsight Systems: nsys profile python ...)",
        RuntimeWarning,
        stacklevel=3,
    )


def start_capture(path):
    """Metal captures do not exist here: warns and captures nothing (as
    MLX's builds without Metal do nothing)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"start_capture: path must be a str, got {type(path).__name__}")
    _warn_no_capture("start_capture")


def stop_capture():
    """Ends what ``start_capture`` started: nothing here (see ``start_capture``)."""
    _warn_no_capture("stop_capture")


def install(module):
    for name in ("get_array_buffer_size", "export_to_dot", "ArrayLike", "__array_namespace_info__"):
        if not hasattr(module, name):
            setattr(module, name, globals()[name])
    for name in ("start_capture", "stop_capture"):
        if not hasattr(module.metal, name):
            setattr(module.metal, name, globals()[name])
    if "__array_namespace__" not in vars(module.array):
        module.array.__array_namespace__ = _array_namespace
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
