"""NumPy both ways (np.asarray is a zero-copy view), and DLPack with NumPy,
PyTorch and JAX, on the CPU and, where there is one, on the GPU."""

import gc
import sys
import importlib.util

import numpy as np
import pytest

import rmlx.core as mx

NP_DTYPES = [
    (mx.bool_, np.bool_),
    (mx.uint8, np.uint8),
    (mx.uint16, np.uint16),
    (mx.uint32, np.uint32),
    (mx.uint64, np.uint64),
    (mx.int8, np.int8),
    (mx.int16, np.int16),
    (mx.int32, np.int32),
    (mx.int64, np.int64),
    (mx.float16, np.float16),
    (mx.float32, np.float32),
    (mx.float64, np.float64),
    (mx.complex64, np.complex64),
]


def sample(np_dtype, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 10
    if np_dtype == np.bool_:
        return x > 0
    if np_dtype == np.complex64:
        return (x + 1j * rng.standard_normal(shape)).astype(np.complex64)
    if np.issubdtype(np_dtype, np.unsignedinteger):
        return np.abs(x).astype(np_dtype)
    return x.astype(np_dtype)


def address(v):
    return v.__array_interface__["data"][0]


# ---------------------------------------------------------------- NumPy


@pytest.mark.parametrize("mx_dtype,np_dtype", NP_DTYPES)
def test_numpy_round_trip_every_dtype(mx_dtype, np_dtype):
    x = sample(np_dtype)
    a = mx.array(x, dtype=mx_dtype)
    assert a.dtype == mx_dtype
    for y in (np.array(a), np.asarray(a)):
        assert y.dtype == np_dtype and y.shape == x.shape
        np.testing.assert_array_equal(y, x)


def test_asarray_is_a_read_only_view_that_keeps_the_array_alive():
    a = mx.arange(12, dtype=mx.float32).reshape(3, 4) * 2
    v = np.asarray(a)
    w = np.asarray(a)
    assert np.shares_memory(v, w), "np.asarray does not copy"
    assert not v.flags.writeable
    with pytest.raises(ValueError):
        v[0, 0] = 1
    del a
    gc.collect()
    np.testing.assert_array_equal(v, np.arange(12).reshape(3, 4) * 2)


def test_array_copies_and_is_writable():
    a = mx.arange(6)
    c = np.array(a)
    assert c.flags.writeable and not np.shares_memory(c, np.asarray(a))
    c[0] = 100
    assert a[0].item() == 0
    # __array__ with dtype and copy
    np.testing.assert_array_equal(np.array(a, dtype=np.float64), np.arange(6.0))
    assert np.array(a, dtype=np.float64).dtype == np.float64
    assert np.asarray(a, dtype=np.int32).dtype == np.int32
    with pytest.raises(ValueError):
        a.__array__(dtype=np.float64, copy=False)


def test_views_of_strided_arrays_carry_strides():
    a = mx.arange(12, dtype=mx.int32).reshape(3, 4)
    t = a.T
    v = np.asarray(t)
    np.testing.assert_array_equal(v, np.arange(12).reshape(3, 4).T)
    s = a[::2, ::-1]
    np.testing.assert_array_equal(np.asarray(s), np.arange(12).reshape(3, 4)[::2, ::-1])
    b = mx.broadcast_to(mx.array([1.0, 2.0]), (3, 2))
    np.testing.assert_array_equal(np.asarray(b), np.broadcast_to([1.0, 2.0], (3, 2)))


def test_setitem_does_not_change_an_earlier_view():
    a = mx.zeros((4,))
    v = np.asarray(a)
    a[1] = 5
    np.testing.assert_array_equal(v, [0, 0, 0, 0])
    np.testing.assert_array_equal(np.asarray(a), [0, 5, 0, 0])


def test_numpy_inputs_any_layout_and_byte_order():
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    for y in (x[:, ::2, ::-1], x.transpose(2, 0, 1), x[..., 1], np.asfortranarray(x)):
        np.testing.assert_array_equal(np.array(mx.array(y)), y)
    be = np.arange(5, dtype=">i4")
    np.testing.assert_array_equal(np.array(mx.array(be)), np.arange(5))
    assert mx.array(np.zeros((0, 3), np.float32)).shape == (0, 3)
    # The array holds a copy: changing the NumPy array later changes nothing.
    z = np.ones(3, np.float32)
    a = mx.array(z)
    z[:] = 7
    assert a.tolist() == [1, 1, 1]


def test_empty_and_scalar_views():
    assert np.asarray(mx.zeros((0, 3))).shape == (0, 3)
    s = np.asarray(mx.array(2.5))
    assert s.shape == () and s == 2.5
    assert np.asarray(mx.array(1 + 2j)).dtype == np.complex64


def test_bfloat16_to_numpy_is_an_error_as_in_mlx():
    with pytest.raises(ValueError, match="bfloat16"):
        np.array(mx.ones(3, dtype=mx.bfloat16))
    np.testing.assert_array_equal(np.array(mx.ones(3, dtype=mx.bfloat16).astype(mx.float32)), [1, 1, 1])


# ---------------------------------------------------------------- DLPack with NumPy


def cpu_array(x):
    with mx.stream(mx.cpu):
        return mx.array(x, dtype=mx.float64) if getattr(x, "dtype", None) == np.float64 else mx.array(x)


@pytest.mark.parametrize("mx_dtype,np_dtype", NP_DTYPES)
def test_dlpack_to_numpy_every_dtype_without_a_copy(mx_dtype, np_dtype):
    x = sample(np_dtype)
    a = cpu_array(x)
    assert a.__dlpack_device__() == (1, 0)
    y = np.from_dlpack(a)
    assert y.dtype == np_dtype
    np.testing.assert_array_equal(y, x)
    assert address(y) == address(np.asarray(a))


@pytest.mark.parametrize("mx_dtype,np_dtype", NP_DTYPES)
def test_dlpack_from_numpy_every_dtype_without_a_copy(mx_dtype, np_dtype):
    x = sample(np_dtype)
    a = mx.from_dlpack(x)
    assert a.dtype == mx_dtype and a.shape == x.shape
    np.testing.assert_array_equal(np.array(a), x)
    if x.dtype != np.bool_:
        # The array reads NumPy's memory: a change shows through.
        x[0, 0] = x[1, 1]
        np.testing.assert_array_equal(np.array(a), x)


def test_from_dlpack_copy_and_lifetime():
    x = np.arange(6, dtype=np.float32)
    c = mx.from_dlpack(x, copy=True)
    a = mx.from_dlpack(x)
    x[0] = 42
    assert c[0].item() == 0 and a[0].item() == 42
    del x
    gc.collect()
    assert (a * 2).tolist() == [84, 2, 4, 6, 8, 10], "the array keeps NumPy's memory alive"


def test_dlpack_strided_both_ways():
    x = np.arange(24, dtype=np.int64).reshape(4, 6)[::-1, 1::2]
    a = mx.from_dlpack(x)
    np.testing.assert_array_equal(np.array(a), x)
    np.testing.assert_array_equal(np.array(a.sum(axis=0)), x.sum(axis=0))
    with mx.stream(mx.cpu):
        b = mx.array(np.arange(24).reshape(4, 6)).T
    np.testing.assert_array_equal(np.from_dlpack(b), np.arange(24).reshape(4, 6).T)


def test_versioned_and_legacy_capsules():
    a = cpu_array(np.arange(4, dtype=np.float32))
    cap = a.__dlpack__(max_version=(1, 0))
    assert "dltensor_versioned" in repr(cap)
    b = mx.from_dlpack(cap)
    assert b.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="already consumed"):
        mx.from_dlpack(cap)
    legacy = a.__dlpack__()
    assert '"dltensor"' in repr(legacy)
    assert mx.from_dlpack(legacy).tolist() == [0, 1, 2, 3]
    del cap, legacy, b
    gc.collect()
    # Capsules nobody consumed free their tensors.
    for _ in range(100):
        a.__dlpack__()
        a.__dlpack__(max_version=(1, 1))
    assert (a + 1).tolist() == [1, 2, 3, 4]


def test_dlpack_bad_input():
    with pytest.raises(TypeError, match="__dlpack__"):
        mx.from_dlpack([1, 2, 3])
    a = cpu_array(np.arange(3))
    with pytest.raises(BufferError):
        a.__dlpack__(dl_device=(8, 0))
    with pytest.raises(TypeError):
        a.__dlpack__(stream="s")
    if not mx.is_available(mx.gpu):
        with pytest.raises(RuntimeError):
            a.__dlpack__(dl_device=(2, 0))


# ---------------------------------------------------------------- PyTorch

HAS_TORCH = importlib.util.find_spec("torch") is not None
HAS_JAX = importlib.util.find_spec("jax") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed here (it is on the GPU machine)")
needs_jax = pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed here")


def gpu_both(torch):
    return torch.cuda.is_available() and mx.is_available(mx.gpu)


@needs_torch
def test_torch_cpu_both_ways_every_dtype():
    import torch

    pairs = [(d, getattr(torch, n)) for d, n in [
        (mx.bool_, "bool"), (mx.uint8, "uint8"), (mx.int8, "int8"), (mx.int16, "int16"),
        (mx.int32, "int32"), (mx.int64, "int64"), (mx.float16, "float16"), (mx.bfloat16, "bfloat16"),
        (mx.float32, "float32"), (mx.float64, "float64"), (mx.complex64, "complex64")]]
    for mx_dtype, t_dtype in pairs:
        t = (torch.randn(3, 5) * 10).to(t_dtype)
        a = mx.from_dlpack(t)
        assert a.dtype == mx_dtype and a.shape == (3, 5)
        back = torch.from_dlpack(a)
        assert back.dtype == t_dtype and torch.equal(back, t)
        assert back.data_ptr() == t.data_ptr(), "no copy either way"
    # Strided tensors, and arrays computed by rmlx.
    t = torch.arange(20.0).reshape(4, 5)[:, 1::2].t()
    a = mx.from_dlpack(t)
    assert np.array_equal(np.array(a), t.numpy())
    with mx.stream(mx.cpu):
        c = mx.array(np.arange(6, dtype=np.float32)).reshape(2, 3) * 3
    assert torch.equal(torch.from_dlpack(c), torch.arange(6.0).reshape(2, 3) * 3)
    # mx.array(tensor) copies.
    t = torch.ones(3)
    a = mx.array(t)
    t += 1
    assert a.tolist() == [1, 1, 1]


@needs_torch
def test_torch_gpu_both_ways():
    import torch

    if not gpu_both(torch):
        pytest.skip("no CUDA GPU here (the GPU machine runs this)")
    with mx.stream(mx.gpu):
        # rmlx computes, PyTorch reads on its current stream: ordered, no copy.
        a = mx.arange(1 << 22, dtype=mx.float32)
        b = mx.sqrt(a * a + 1.0)
        assert b.__dlpack_device__() == (2, 0)
        t = torch.from_dlpack(b)
        assert t.is_cuda and t.dtype == torch.float32
        ref = torch.sqrt(torch.arange(1 << 22, dtype=torch.float32, device="cuda") ** 2 + 1)
        assert torch.allclose(t, ref)
        t2 = torch.from_dlpack(b)
        assert t2.data_ptr() == t.data_ptr()
        # Arrays made from host values (cast on the CPU when made) belong to the GPU stream too.
        for v in (mx.array([1.0, 2.0]), mx.array([1, 2], dtype=mx.float16), mx.array(np.ones(3)), mx.array(2.5)):
            assert v.__dlpack_device__() == (2, 0)
            assert torch.from_dlpack(v).is_cuda
    # PyTorch computes, rmlx reads on its own stream: ordered, no copy.
    for dtype in (torch.float32, torch.bfloat16, torch.float16, torch.int64, torch.bool, torch.float64):
        u = (torch.randn(1000, 300, device="cuda") * 5).to(dtype)
        v = u @ u.T if dtype in (torch.float32, torch.float64) else u
        a = mx.from_dlpack(v)
        assert a.dtype == {torch.float32: mx.float32, torch.bfloat16: mx.bfloat16, torch.float16: mx.float16,
                           torch.int64: mx.int64, torch.bool: mx.bool_, torch.float64: mx.float64}[dtype]
        assert a.__dlpack_device__() == (2, 0)
        got = np.array(a.astype(mx.float32) if dtype == torch.bfloat16 else a)
        want = (v.float() if dtype == torch.bfloat16 else v).cpu().numpy()
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
        if dtype == torch.float32:
            s = mx.sum(a, axis=1)
            np.testing.assert_allclose(np.array(s), v.sum(dim=1).cpu().numpy(), rtol=1e-3, atol=1e-2)
    # Strided CUDA tensors, and a tensor freed by PyTorch while rmlx holds it.
    u = torch.arange(60.0, device="cuda").reshape(6, 10)[::2, 1::3]
    a = mx.from_dlpack(u)
    np.testing.assert_array_equal(np.array(a), u.cpu().numpy())
    w = torch.full((1 << 20,), 3.0, device="cuda")
    a = mx.from_dlpack(w)
    del w
    torch.cuda.empty_cache()
    junk = torch.zeros(1 << 20, device="cuda")  # noqa: F841 (may reuse freed memory: it must not be ours)
    assert mx.sum(a).item() == 3.0 * (1 << 20)
    # A CPU array asked for on the GPU, and a GPU array on the CPU (dl_device).
    class On:
        def __init__(self, a, dev):
            self.a, self.dev = a, dev

        def __dlpack_device__(self):
            return self.dev

        def __dlpack__(self, **kw):
            kw.pop("dl_device", None)
            return self.a.__dlpack__(dl_device=self.dev, **kw)

    c = cpu_array(np.arange(4, dtype=np.float32))
    assert torch.equal(torch.from_dlpack(On(c, (2, 0))), torch.arange(4.0, device="cuda"))
    with mx.stream(mx.gpu):
        g = mx.array([1.0, 2.0]) + 0
    assert np.array_equal(np.from_dlpack(On(g, (1, 0))), [1.0, 2.0])
    with pytest.raises(BufferError):
        g.__dlpack__(dl_device=(1, 0), copy=False)


# ---------------------------------------------------------------- JAX


@needs_jax
def test_jax_cpu_both_ways():
    import jax
    import jax.numpy as jnp

    cpu = jax.devices("cpu")[0]
    for dtype, mx_dtype in [(jnp.float32, mx.float32), (jnp.int32, mx.int32), (jnp.bfloat16, mx.bfloat16),
                            (jnp.float16, mx.float16), (jnp.bool_, mx.bool_), (jnp.uint8, mx.uint8)]:
        j = jax.device_put(jnp.arange(12).reshape(3, 4).astype(dtype), cpu)
        a = mx.from_dlpack(j)
        assert a.dtype == mx_dtype
        np.testing.assert_array_equal(np.array(a.astype(mx.float32)), np.asarray(j.astype(jnp.float32)))
        back = jax.dlpack.from_dlpack(cpu_array(np.asarray(j.astype(jnp.float32))))
        np.testing.assert_array_equal(np.asarray(back), np.asarray(j.astype(jnp.float32)))
    a = mx.array(jnp.ones(3))
    assert a.tolist() == [1, 1, 1]


@needs_jax
def test_jax_gpu_both_ways():
    import jax
    import jax.numpy as jnp

    try:
        gpus = jax.devices("gpu")
    except RuntimeError:
        gpus = []
    if not gpus or not mx.is_available(mx.gpu):
        pytest.skip("JAX sees no GPU here")
    j = jax.device_put(jnp.arange(1 << 16, dtype=jnp.float32) * 2, gpus[0])
    a = mx.from_dlpack(j)
    assert a.__dlpack_device__() == (2, 0)
    assert mx.sum(a).item() == float(jnp.sum(j))
    with mx.stream(mx.gpu):
        b = mx.arange(1000, dtype=mx.float32) * 3
    k = jax.dlpack.from_dlpack(b)
    assert list(k.devices())[0].platform == "gpu"
    np.testing.assert_array_equal(np.asarray(k), np.arange(1000) * 3)


# ---------------------------------------------------------------- buffer protocol


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the buffer protocol of a stable-ABI (3.9) extension needs PEP 688 (Python 3.12+)")
def test_buffer_protocol_is_a_read_only_zero_copy_view():
    a = mx.arange(6, dtype=mx.float32).reshape(2, 3) + 1
    m = memoryview(a)
    assert m.readonly and m.shape == (2, 3) and m.format == "f"
    assert bytes(a) == np.arange(1, 7, dtype=np.float32).tobytes()
    assert np.shares_memory(np.asarray(m), np.asarray(a))
    assert memoryview(mx.array([True, False])).format == "?"
    assert memoryview(mx.array([1 + 2j])).format == "Zf"


def test_buffer_fallback_on_every_python():
    # The documented route where the interpreter lacks PEP 688 (3.9-3.11):
    # memoryview(np.asarray(a)) is the same read-only view of the array's
    # memory, and bytes(a) works on every version.
    a = mx.arange(6, dtype=mx.int32).reshape(2, 3) * 2
    m = memoryview(np.asarray(a))
    assert m.readonly and m.shape == (2, 3) and m.format in ("i", "l")
    assert np.shares_memory(np.asarray(m), np.asarray(a))
    assert bytes(a) == (np.arange(6, dtype=np.int32) * 2).tobytes()
    if sys.version_info < (3, 12):
        with pytest.raises(TypeError):
            memoryview(a)
    else:
        assert memoryview(a).tobytes() == bytes(a)


def test_arrays_from_memoryviews():
    m = memoryview(np.arange(6, dtype=np.int16).reshape(2, 3))
    a = mx.array(m)
    assert a.dtype == mx.int16 and a.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert mx.array(memoryview(bytearray(b"\x01\x02"))).tolist() == [1, 2]


def test_array_of_a_dlpack_producer_copies_at_once():
    class Producer:  # a DLPack producer that is not a NumPy array
        def __init__(self, x):
            self.x = x

        def __dlpack_device__(self):
            return (1, 0)

        def __dlpack__(self, **kw):
            return self.x.__dlpack__(**kw)

    x = np.ones(3, np.float32)
    a = mx.array(Producer(x))
    b = mx.from_dlpack(Producer(x), copy=True)
    v = mx.from_dlpack(Producer(x))
    x[:] = 7
    assert a.tolist() == [1, 1, 1] and b.tolist() == [1, 1, 1]
    assert v.tolist() == [7, 7, 7], "from_dlpack without copy shares the memory"
