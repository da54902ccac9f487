"""Placeholders for the parts of mlx.core that later issues build.

Each function here has MLX's parameters (names, kinds and defaults, as in
python/tests/data/mlx_core_names.json) and raises NotImplementedError naming
the issue that brings it; submodules that rmlx.core does not have yet (fft,
linalg, fast, distributed) are made here as modules of such functions.
``install(core)`` puts a placeholder only where rmlx.core lacks the name, so
a real implementation, once the extension has it, replaces its placeholder
without any change here (and the placeholder should then be deleted).
"""

import functools
import inspect
import sys
import types

from . import core

ISSUES = {
    26: "file formats",
    28: "compile",
    29: "mx.fast",
    30: "quantization",
    33: "linear algebra and FFT",
    34: "distributed",
}

# module ("core" or a submodule's name) -> {name: placeholder}
REGISTRY = {}


def message(module, name, issue):
    where = name if module == "core" else f"{module}.{name}"
    return f"rmlx: mx.{where} arrives with issue {issue} ({ISSUES[issue]})"


def _placeholder(fn, issue, module, msg):
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def placeholder(*args, **kwargs):
        sig.bind(*args, **kwargs)  # a TypeError for arguments MLX would refuse
        raise NotImplementedError(msg)

    placeholder.__doc__ = msg
    placeholder.__rmlx_pending__ = issue
    return placeholder


def _module_name(module):
    return "rmlx.core" if module == "core" else f"rmlx.core.{module}"


def pending(issue, module="core"):
    """Registers the decorated function as a placeholder: called with
    arguments its signature accepts, it raises NotImplementedError."""

    def wrap(fn):
        placeholder = _placeholder(fn, issue, module, message(module, fn.__name__, issue))
        placeholder.__module__ = _module_name(module)
        REGISTRY.setdefault(module, {})[fn.__name__] = placeholder
        return placeholder

    return wrap


def pending_class(issue, module="core"):
    """Registers the decorated class as a placeholder: making one raises
    NotImplementedError (MLX hands these objects out itself), and so do its
    methods."""

    def wrap(cls):
        msg = message(module, cls.__name__, issue)
        for name, member in list(vars(cls).items()):
            if inspect.isfunction(member):
                setattr(cls, name, _placeholder(member, issue, module, msg))

        def refuse(cls_, *args, **kwargs):
            raise NotImplementedError(msg)

        cls.__new__ = refuse
        cls.__doc__ = msg
        cls.__rmlx_pending__ = issue
        cls.__module__ = _module_name(module)
        REGISTRY.setdefault(module, {})[cls.__name__] = cls
        return cls

    return wrap


# --------------------------------------------------------------------- issue 26: file formats


@pending(26)
def load(file, /, format=None, return_metadata=False, *, stream=None): ...


@pending(26)
def save(file, arr): ...


@pending(26)
def savez(file, *args, **kwargs): ...


@pending(26)
def savez_compressed(file, /, *args, **kwargs): ...


@pending(26)
def save_safetensors(file, arrays, metadata=None): ...


@pending(26)
def save_gguf(file, arrays, metadata=None): ...


# --------------------------------------------------------------------- issue 28: compile and export


@pending(28)
def compile(fun, inputs=None, outputs=None, shapeless=False): ...


@pending(28)
def disable_compile(): ...


@pending(28)
def enable_compile(): ...


@pending(28)
def export_function(file_or_callback, /, fun, *args, shapeless=False, metadata=None, **kwargs): ...


@pending(28)
def import_function(file, return_metadata=False): ...


@pending(28)
def exporter(file, fun, *, shapeless=False, metadata=None): ...


@pending_class(28)
class FunctionExporter:
    def __call__(self, *args, **kwargs): ...

    def __enter__(self): ...

    def __exit__(self, exc_type=None, exc_value=None, traceback=None): ...

    def close(self): ...


# --------------------------------------------------------------------- issue 29: mx.fast


@pending(29, "fast")
def cross_entropy(logits, targets, *, stream=None): ...


@pending(29, "fast")
def cuda_kernel(name, input_names, output_names, source, header="", ensure_row_contiguous=True, shared_memory=0): ...


@pending(29, "fast")
def gated_delta_update(q, k, v, gamma, beta, initial_state=None, mask=None, stream=None): ...


@pending(29, "fast")
def layer_norm(x, weight, bias, eps, *, stream=None): ...


@pending(29, "fast")
def metal_kernel(name, input_names, output_names, source, header="", ensure_row_contiguous=True,
                 atomic_outputs=False, compile_options=None): ...


@pending(29, "fast")
def precompiled_cuda_kernel(*, name, compiled_source, inputs, output_shapes, output_dtypes, scalars, grid,
                            threadgroup, shared_memory=0, init_value=None, ensure_row_contiguous=False,
                            stream=None): ...


@pending(29, "fast")
def rms_norm(x, weight, eps, *, stream=None): ...


@pending(29, "fast")
def rope(a, dims, *, traditional, base, scale, offset, freqs=None, stream=None): ...


@pending(29, "fast")
def scaled_dot_product_attention(q, k, v, *, scale, mask=None, sinks=None, force_fused=False, stream=None): ...


# --------------------------------------------------------------------- issue 30: quantization


@pending(30)
def quantize(w, /, group_size=None, bits=None, mode="affine", global_scale=None, *, stream=None): ...


@pending(30)
def dequantize(w, /, scales, biases=None, group_size=None, bits=None, mode="affine", global_scale=None,
               dtype=None, *, stream=None): ...


@pending(30)
def quantized_matmul(x, w, /, scales, biases=None, transpose=True, group_size=None, bits=None, mode="affine",
                     *, stream=None): ...


@pending(30)
def gather_qmm(x, w, /, scales, biases=None, lhs_indices=None, rhs_indices=None, transpose=True, group_size=None,
               bits=None, mode="affine", global_scale=None, *, sorted_indices=False, stream=None): ...


@pending(30)
def gather_qqmm(x, w, /, scales=None, lhs_indices=None, rhs_indices=None, group_size=None, bits=None,
                mode="nvfp4", global_scale_x=None, global_scale_w=None, *, sorted_indices=False, stream=None): ...


@pending(30)
def qqmm(x, w, /, scales=None, group_size=None, bits=None, mode="nvfp4", global_scale_x=None,
         global_scale_w=None, *, stream=None): ...


@pending(30)
def to_fp8(x, /, *, stream=None): ...


@pending(30)
def from_fp8(x, /, dtype=core.bfloat16, *, stream=None): ...


# --------------------------------------------------------------------- issue 33: linear algebra and FFT


@pending(33)
def matrix_norm(a, /, ord=None, axis=None, keepdims=False, *, stream=None): ...


@pending(33, "fft")
def fft(a, n=None, axis=-1, norm="backward", stream=None): ...


@pending(33, "fft")
def ifft(a, n=None, axis=-1, norm="backward", stream=None): ...


@pending(33, "fft")
def rfft(a, n=None, axis=-1, norm="backward", stream=None): ...


@pending(33, "fft")
def irfft(a, n=None, axis=-1, norm="backward", stream=None): ...


@pending(33, "fft")
def fft2(a, s=None, axes=(-2, -1), norm="backward", stream=None): ...


@pending(33, "fft")
def ifft2(a, s=None, axes=(-2, -1), norm="backward", stream=None): ...


@pending(33, "fft")
def rfft2(a, s=None, axes=(-2, -1), norm="backward", stream=None): ...


@pending(33, "fft")
def irfft2(a, s=None, axes=(-2, -1), norm="backward", stream=None): ...


@pending(33, "fft")
def fftn(a, s=None, axes=None, norm="backward", stream=None): ...


@pending(33, "fft")
def ifftn(a, s=None, axes=None, norm="backward", stream=None): ...


@pending(33, "fft")
def rfftn(a, s=None, axes=None, norm="backward", stream=None): ...


@pending(33, "fft")
def irfftn(a, s=None, axes=None, norm="backward", stream=None): ...


@pending(33, "fft")
def fftfreq(n, d=1.0, stream=None): ...


@pending(33, "fft")
def rfftfreq(n, d=1.0, stream=None): ...


@pending(33, "fft")
def fftshift(a, axes=None, stream=None): ...


@pending(33, "fft")
def ifftshift(a, axes=None, stream=None): ...


@pending(33, "fft")
def stft(x, n_fft=2048, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         norm="backward", onesided=None, stream=None): ...


@pending(33, "fft")
def istft(stft_matrix, n_fft=None, hop_length=None, win_length=None, window=None, center=True, norm="backward",
          onesided=None, length=None, stream=None): ...


@pending(33, "linalg")
def norm(a, /, ord=None, axis=None, keepdims=False, *, stream=None): ...


@pending(33, "linalg")
def cross(a, b, axis=-1, *, stream=None): ...


@pending(33, "linalg")
def inv(a, *, stream=None): ...


@pending(33, "linalg")
def pinv(a, *, stream=None): ...


@pending(33, "linalg")
def tri_inv(a, upper=False, *, stream=None): ...


@pending(33, "linalg")
def det(a, *, stream=None): ...


@pending(33, "linalg")
def slogdet(a, *, stream=None): ...


@pending(33, "linalg")
def solve(a, b, *, stream=None): ...


@pending(33, "linalg")
def solve_triangular(a, b, *, upper=False, stream=None): ...


@pending(33, "linalg")
def cholesky(a, upper=False, *, stream=None): ...


@pending(33, "linalg")
def cholesky_inv(a, upper=False, *, stream=None): ...


@pending(33, "linalg")
def lu(a, *, stream=None): ...


@pending(33, "linalg")
def lu_factor(a, *, stream=None): ...


@pending(33, "linalg")
def qr(a, *, stream=None): ...


@pending(33, "linalg")
def svd(a, compute_uv=True, *, stream=None): ...


@pending(33, "linalg")
def eig(a, *, stream=None): ...


@pending(33, "linalg")
def eigvals(a, *, stream=None): ...


@pending(33, "linalg")
def eigh(a, UPLO="L", *, stream=None): ...


@pending(33, "linalg")
def eigvalsh(a, UPLO="L", *, stream=None): ...


# --------------------------------------------------------------------- issue 34: distributed


@pending_class(34, "distributed")
class Group:
    def rank(self): ...

    def size(self): ...

    def split(self, color, key=-1): ...


@pending(34, "distributed")
def is_available(backend="any"): ...


@pending(34, "distributed")
def init(strict=False, backend="any", *, all_gather_factory=None): ...


@pending(34, "distributed")
def all_sum(x, *, group=None, stream=None): ...


@pending(34, "distributed")
def all_max(x, *, group=None, stream=None): ...


@pending(34, "distributed")
def all_min(x, *, group=None, stream=None): ...


@pending(34, "distributed")
def all_gather(x, *, group=None, stream=None): ...


@pending(34, "distributed")
def sum_scatter(x, *, group=None, stream=None): ...


@pending(34, "distributed")
def send(x, dst, *, group=None, stream=None): ...


@pending(34, "distributed")
def recv(shape, dtype, src, *, group=None, stream=None): ...


@pending(34, "distributed")
def recv_like(x, src, *, group=None, stream=None): ...


SUBMODULE_DOCS = {
    "fft": "Fast Fourier transforms (placeholders until issue 33).",
    "linalg": "Linear algebra (placeholders until issue 33).",
    "fast": "Fused operations (placeholders until issue 29).",
    "distributed": "Communication between processes (placeholders until issue 34).",
}


def install(core):
    """Puts each placeholder on `core` (or its submodule) where that has no
    such name, making the submodules `core` lacks; every submodule of `core`
    is also entered in sys.modules, so that `import rmlx.core.fft` works."""
    for module, stubs in REGISTRY.items():
        if module == "core":
            target = core
        else:
            target = getattr(core, module, None)
            if target is None:
                target = types.ModuleType(f"rmlx.core.{module}", SUBMODULE_DOCS.get(module))
                setattr(core, module, target)
        for name, stub in stubs.items():
            if not hasattr(target, name):
                setattr(target, name, stub)
    for name, value in vars(core).items():
        if isinstance(value, types.ModuleType):
            sys.modules.setdefault(f"{core.__name__}.{name}", value)
