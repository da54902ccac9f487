"""The smaller parts of mlx.core's surface: streams per thread, iteration,
pickled state, the array API namespace, ArrayLike, the graph as DOT, the
size of buffers, and mx.metal's captures. Expected values were read off
MLX 0.32.4 (CPU build) unless a test says where rmlx differs and why."""

import io
import os
import pickle
import re
import threading

import numpy as np
import pytest

import rmlx.core as mx


def in_thread(fn):
    out = []
    t = threading.Thread(target=lambda: out.append(fn()))
    t.start()
    t.join()
    return out[0]


# ---------------------------------------------------------------- streams


@pytest.fixture
def fresh_streams():
    yield
    mx.clear_streams()


def test_set_default_stream_is_per_thread(fresh_streams):
    dev = mx.default_device()
    before = mx.default_stream(dev)
    s = mx.new_stream(dev)
    mx.set_default_stream(s)
    assert mx.default_stream(dev) == s
    assert mx.default_device() == dev, "the default device does not change"
    # Ops built on this thread go to it; another thread keeps the program's default.
    y = mx.add(mx.array(1), mx.array(2))
    assert y.item() == 3
    assert in_thread(lambda: mx.default_stream(dev)) == before
    mx.clear_streams()
    assert mx.default_stream(dev) == before


def test_set_default_stream_takes_only_streams(fresh_streams):
    for bad in (mx.cpu, mx.Device(mx.cpu), 3, mx.new_thread_local_stream(mx.cpu)):
        with pytest.raises(TypeError, match="Stream"):
            mx.set_default_stream(bad)


def test_thread_local_streams(fresh_streams):
    dev = mx.default_device()
    t1, t2 = mx.new_thread_local_stream(dev), mx.new_thread_local_stream(dev)
    assert t1 == t1 and t1 != t2 and t1 != mx.default_stream(dev)
    assert len({t1, t2}) == 2
    assert t1.device == dev
    assert re.fullmatch(r"ThreadLocalStream\(Device\((cpu|gpu), 0\), \d+\)", repr(t1))
    # Usable as stream= and in mx.stream, on any thread.
    assert mx.add(mx.array(1), mx.array(2), stream=t1).item() == 3
    with mx.stream(t1):
        assert mx.multiply(mx.array(2), 3).item() == 6
    assert in_thread(lambda: mx.add(mx.array(1), mx.array(2), stream=t1).item()) == 3
    # A context made on one thread and entered on another is the entering thread's stream.
    ctx = mx.stream(t2)

    def enter():
        with ctx:
            return mx.subtract(mx.array(5), 1).item()

    assert in_thread(enter) == 4


def test_thread_unsafe_streams_work_anywhere(fresh_streams):
    s = mx.new_thread_unsafe_stream(mx.cpu)
    assert isinstance(s, mx.Stream) and s.device == mx.cpu
    # MLX 0.32.4 refuses a new_stream stream on another thread ("There is no
    # Stream(cpu, 4) in current thread"); rmlx's streams are not tied to
    # threads, so both kinds work everywhere.
    assert in_thread(lambda: mx.add(mx.array(1), mx.array(2), stream=s).item()) == 3
    t = mx.new_stream(mx.cpu)
    assert in_thread(lambda: mx.add(mx.array(1), mx.array(2), stream=t).item()) == 3


def test_streams_on_a_missing_gpu():
    if mx.is_available(mx.gpu):
        pytest.skip("this machine has a GPU")
    for f in (mx.new_thread_local_stream, mx.new_thread_unsafe_stream):
        with pytest.raises(ValueError, match="not available"):
            f(mx.gpu)


# ---------------------------------------------------------------- iteration


def test_array_iterator():
    a = mx.array([[1, 2], [3, 4], [5, 6]])
    it = iter(a)
    assert type(it) is mx.ArrayIterator
    assert iter(it) is it, "an iterator is its own iterator (MLX's gives a fresh one)"
    assert next(it).tolist() == [1, 2]
    assert [r.tolist() for r in it] == [[3, 4], [5, 6]]
    with pytest.raises(StopIteration):
        next(it)
    assert list(iter(mx.zeros((0, 3)))) == []
    with pytest.raises(TypeError, match="0-d"):
        iter(mx.array(1))
    with pytest.raises(TypeError):
        mx.ArrayIterator(a)
    # Rows are made as they are asked for: a long first axis costs nothing up front.
    big = iter(mx.zeros((10**7, 1), dtype=mx.uint8))
    assert next(big).shape == (1,)


# ---------------------------------------------------------------- pickled state


def test_getstate_as_mlx_gives_it():
    a = mx.array([[1, 2], [3, 4]], dtype=mx.bfloat16)
    data, code = a.__getstate__()
    assert code == 12 and data.dtype == np.uint16
    assert data.tolist() == [[16256, 16384], [16448, 16512]]  # MLX 0.32.4's bits
    h = mx.array([1, 2], dtype=mx.float16).__getstate__()
    assert h[1] == 9 and h[0].dtype == np.float16
    codes = {mx.bool_: 0, mx.uint8: 1, mx.uint16: 2, mx.uint32: 3, mx.uint64: 4, mx.int8: 5, mx.int16: 6,
             mx.int32: 7, mx.int64: 8, mx.float16: 9, mx.float32: 10, mx.float64: 11, mx.bfloat16: 12,
             mx.complex64: 13}
    for dt, code in codes.items():
        x = mx.array([1, 0, 1]).astype(dt)
        state = x.__getstate__()
        assert state[1] == code
        y = mx.array(0)
        y.__setstate__(state)
        assert y.dtype == dt and mx.array_equal(x, y)


def test_setstate_refuses_bad_state():
    y = mx.array(0)
    with pytest.raises(ValueError, match="0 to 13"):
        y.__setstate__((np.zeros(2), 14))
    with pytest.raises(ValueError, match="a tuple of 1"):
        y.__setstate__((np.zeros(2),))
    with pytest.raises(TypeError, match="int"):
        y.__setstate__((np.zeros(2), "float32"))
    assert y.item() == 0, "a refused state leaves the array as it was"
    assert pickle.loads(pickle.dumps(mx.array([1.5], dtype=mx.bfloat16))).tolist() == [1.5]


# ---------------------------------------------------------------- the array API


def test_array_namespace():
    a = mx.array([1.0])
    assert a.__array_namespace__() is mx
    with pytest.raises(ValueError, match="api_version"):
        a.__array_namespace__(api_version="2023.12")
    with pytest.raises(TypeError):
        a.__array_namespace__(api_version=3)


def test_array_namespace_info():
    info = mx.__array_namespace_info__()
    caps = info.capabilities()
    assert caps["max dimensions"] >= 10
    # MLX says False: rmlx's a[mask] gives the selected elements.
    assert caps["boolean indexing"] is True and mx.arange(4)[mx.arange(4) > 1].tolist() == [2, 3]
    assert info.default_device() == mx.default_device()
    assert mx.Device(mx.cpu) in info.devices()
    assert info.default_dtypes() == {"real floating": mx.float32, "complex floating": mx.complex64,
                                     "integral": mx.int32, "indexing": mx.int32}
    assert info.default_dtypes(device=mx.cpu)["integral"] == mx.int32
    with pytest.raises(TypeError, match="Device"):
        info.default_dtypes(device="foo")
    # The lists MLX 0.32.4 gives, in its order.
    assert list(info.dtypes()) == ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                   "uint64", "float32", "complex64", "float64"]
    assert list(info.dtypes(kind="real floating")) == ["float32", "float64"]
    assert list(info.dtypes(kind=("integral", "bool"))) == ["bool", "int8", "int16", "int32", "int64",
                                                            "uint8", "uint16", "uint32", "uint64"]
    assert info.dtypes(kind="complex floating") == {"complex64": mx.complex64}
    with pytest.raises(ValueError, match="Unsupported dtype kind"):
        info.dtypes(kind="foo")


def test_array_like():
    class Thing:
        def __mlx_array__(self):
            return mx.array([1, 2])

    like = mx.ArrayLike(Thing())
    # MLX 0.32.4 refuses its own ArrayLike in mx.array and in ops; rmlx converts it.
    assert mx.array(like).tolist() == [1, 2]
    assert mx.add(like, 1).tolist() == [2, 3]
    assert mx.array(mx.ArrayLike([3, 4])).tolist() == [3, 4]


# ---------------------------------------------------------------- the graph as DOT


def parse_dot(text):
    assert text.startswith("digraph {\n") and text.endswith("}\n")
    sources = re.findall(r'\{ rank=source; "([^"]+)"; \}', text)
    sinks = re.findall(r'\{ rank=sink; "([^"]+)"; \}', text)
    boxes = dict(re.findall(r'\{ (\w+) \[label ="(\w+)", shape=rectangle\]; \}', text))
    edges = re.findall(r'^("?[\w]+"?) -> ("?[\w]+"?)$', text, re.M)
    return sources, sinks, boxes, edges


def test_export_to_dot(tmp_path):
    x = mx.array(1.0)
    y = x + mx.array(2.0) * mx.array(3.0)
    path = tmp_path / "graph.dot"
    mx.export_to_dot(str(path), y, x=x)
    sources, sinks, boxes, edges = parse_dot(path.read_text())
    # As MLX draws it: three sources (one named), Multiply then Add, one sink.
    assert len(sources) == 3 and "x" in sources
    assert sorted(boxes.values()) == ["Add", "Multiply"]
    assert len(sinks) == 1
    add = next(k for k, v in boxes.items() if v == "Add")
    assert ('"x"', add) in edges
    assert [f for f in os.listdir(tmp_path)] == ["graph.dot"], "no temporary file is left"
    # To a file-like object, with trees of outputs.
    buf = io.StringIO()
    mx.export_to_dot(buf, [y, {"k": y * 2}])
    sources, sinks, boxes, _ = parse_dot(buf.getvalue())
    assert sorted(boxes.values()) == ["Add", "Multiply", "Multiply"]
    assert len(sinks) == 1, "y feeds y * 2, so only y * 2 is a sink"
    # Every output of a primitive with several is drawn.
    q, _ = mx.divmod(mx.array([7]), mx.array([2]))
    buf = io.StringIO()
    mx.export_to_dot(buf, q)
    _, sinks, boxes, _ = parse_dot(buf.getvalue())
    assert list(boxes.values()) == ["DivMod"] and len(sinks) == 2
    # Nothing pending: only the sources.
    buf = io.StringIO()
    mx.export_to_dot(buf)
    assert buf.getvalue() == "digraph {\n}\n"


def test_export_to_dot_refuses_bad_arguments(tmp_path):
    y = mx.array(1.0) + 1
    with pytest.raises(ValueError, match="arrays"):
        mx.export_to_dot(str(tmp_path / "a.dot"), 3)
    with pytest.raises(ValueError, match="'z'"):
        mx.export_to_dot(str(tmp_path / "a.dot"), y, z=3)
    with pytest.raises(ValueError, match="file-like"):
        mx.export_to_dot(3, y)
    with pytest.raises(FileNotFoundError):
        mx.export_to_dot(str(tmp_path / "missing" / "a.dot"), y)
    assert not os.listdir(tmp_path)


def test_export_to_dot_of_a_deep_graph():
    y = mx.array(0.0)
    for _ in range(20_000):
        y = y + 1
    buf = io.StringIO()
    mx.export_to_dot(buf, y)
    assert buf.getvalue().count('label ="Add"') == 20_000


# ---------------------------------------------------------------- buffer sizes


def test_get_array_buffer_size():
    a = mx.array([[1, 2], [3, 4]], dtype=mx.bfloat16)
    o = mx.array([1.0, 2.0, 3.0])
    # Arrays from Python values are computed at once, as in MLX.
    assert mx.get_array_buffer_size(a, {"x": a, "y": [o], "z": 3}) == 20
    b = mx.arange(1000, dtype=mx.float32)
    c = b[1:]
    mx.eval(b, c)
    # The values MLX 0.32.4 gives: each buffer once, non-arrays ignored.
    assert mx.get_array_buffer_size() == 0
    assert mx.get_array_buffer_size(b) == 4000
    assert mx.get_array_buffer_size(b, c) == 4000
    assert mx.get_array_buffer_size(c) == 4000
    assert mx.get_array_buffer_size(3) == 0
    # mx.ones broadcasts one element here (MLX: 4000 bytes).
    ones = mx.ones((1000,))
    mx.eval(ones)
    assert mx.get_array_buffer_size(ones) == 4
    with pytest.raises(ValueError, match="evaluated"):
        mx.get_array_buffer_size(mx.ones(3) + 1)


def test_tree_depth_is_bounded():
    deep = [mx.array(1.0)]
    for _ in range(20_000):
        deep = [deep]
    with pytest.raises(ValueError, match="deeper"):
        mx.get_array_buffer_size(deep)


# ---------------------------------------------------------------- mx.metal


def test_metal_capture_warns_and_does_nothing(tmp_path):
    # MLX's builds without Metal do nothing silently; rmlx says so.
    path = tmp_path / "x.gputrace"
    with pytest.warns(RuntimeWarning, match="nothing is captured"):
        mx.metal.start_capture(str(path))
    with pytest.warns(RuntimeWarning, match="nothing is captured"):
        mx.metal.stop_capture()
    assert not path.exists()
    with pytest.raises(TypeError):
        mx.metal.start_capture(3)
