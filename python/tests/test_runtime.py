"""eval, async_eval, memory, devices, streams, threads."""

import threading

import numpy as np
import pytest

import rmlx.core as mx


def test_eval_of_nested_structures():
    a = mx.ones((3,)) * 2
    b = mx.arange(3) + 1
    tree = {"x": [a, (b, 5)], "y": None}
    mx.eval(tree)
    mx.eval(a, [b])
    mx.async_eval(a + 1, {"k": b * 2})
    mx.synchronize()
    assert a.tolist() == [2.0, 2.0, 2.0]


def test_memory_functions():
    mx.reset_peak_memory()
    x = mx.arange(1 << 20, dtype=mx.float32)  # a real buffer (ones would be a broadcast scalar)
    mx.eval(x)
    assert mx.get_active_memory() >= 4 * 1024 * 1024
    assert mx.get_peak_memory() >= mx.get_active_memory() or mx.get_peak_memory() > 0
    assert mx.get_cache_memory() >= 0
    old = mx.set_cache_limit(0)
    mx.set_cache_limit(old)
    limit = mx.get_memory_limit()
    assert limit > 0
    mx.clear_cache()


def test_devices_and_streams():
    d = mx.default_device()
    assert d.type in (mx.cpu, mx.gpu)
    assert mx.is_available(mx.cpu)
    assert mx.cuda.is_available() == mx.is_available(mx.gpu)
    assert mx.metal.is_available() is False
    s = mx.new_stream(mx.cpu)
    assert s.device == mx.Device(mx.cpu)
    with mx.stream(s):
        x = mx.ones(3) + 1
    assert x.tolist() == [2.0, 2.0, 2.0]
    y = mx.add(mx.ones(2), 1, stream=mx.cpu)
    assert y.tolist() == [2.0, 2.0]
    assert mx.default_stream(mx.cpu).device == mx.Device(mx.cpu, 0)


def test_dtypes_and_constants():
    assert mx.float32.size == 4 and mx.bfloat16.size == 2
    assert mx.issubdtype(mx.float16, mx.floating)
    assert mx.issubdtype(mx.int8, mx.signedinteger)
    assert not mx.issubdtype(mx.uint8, mx.signedinteger)
    assert mx.issubdtype(mx.complex64, mx.inexact)
    assert mx.promote_types(mx.int8, mx.float16) == mx.float16
    assert mx.pi == np.pi and mx.e == np.e and mx.inf == np.inf
    assert np.isnan(mx.nan)
    assert mx.newaxis is None
    assert mx.finfo(mx.float16).max == 65504.0
    assert mx.finfo(mx.float32).eps == np.finfo(np.float32).eps
    assert mx.iinfo(mx.int8).min == -128 and mx.iinfo(mx.uint16).max == 65535


def test_threads_share_arrays_without_crashing():
    base = mx.arange(1000).astype(mx.float32)
    results = [None] * 8
    errors = []

    def work(i):
        try:
            x = base
            for _ in range(50):
                x = x * 1.0 + i
            results[i] = mx.sum(x).item()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i, r in enumerate(results):
        assert r == float(sum(range(1000)) + 50 * i * 1000)


def test_out_of_memory_is_memory_error_and_later_work_runs():
    old = mx.set_memory_limit(1 << 20)
    try:
        x = mx.arange(1 << 22, dtype=mx.float32) * 2  # 16 MiB, over the 1 MiB limit
        with pytest.raises(MemoryError):
            mx.eval(x)
    finally:
        mx.set_memory_limit(old)
    y = mx.arange(1 << 22, dtype=mx.float32) * 2
    assert y[3].item() == 6.0


def test_synchronize_waits_for_async_eval():
    xs = [mx.arange(1 << 16, dtype=mx.float32) * float(i) for i in range(4)]
    mx.async_eval(xs)
    mx.synchronize()
    assert all(x[5].item() == 5.0 * i for i, x in enumerate(xs))
