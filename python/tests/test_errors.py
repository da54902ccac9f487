"""Bad input raises the exception MLX raises, with a message that says what was wrong."""

import numpy as np
import pytest

import rmlx.core as mx


def test_ragged_lists():
    with pytest.raises(ValueError, match="ragged"):
        mx.array([[1, 2], [3]])
    with pytest.raises(ValueError, match="ragged"):
        mx.array([[1, 2], 3])
    with pytest.raises(ValueError, match="ragged"):
        mx.array([mx.array([1, 2]), mx.array([1, 2, 3])])


def test_unsupported_objects():
    # As MLX: an object of a type arrays cannot hold is a ValueError.
    with pytest.raises(ValueError, match="dict"):
        mx.array({"a": 1})
    with pytest.raises(ValueError, match="str"):
        mx.array(["a", "b"])
    with pytest.raises(ValueError):
        mx.array(np.array(["a"]))
    with pytest.raises(ValueError, match="str"):
        mx.array([1, 2]) + "x"
    # A dtype argument that is not a dtype is a TypeError.
    with pytest.raises(TypeError):
        mx.array([1, 2], dtype="float32")


def test_out_of_range_integers():
    # OverflowError, as NumPy raises (MLX: RuntimeError for 2**70).
    with pytest.raises(OverflowError, match="out of range"):
        mx.array(2**70)
    with pytest.raises(OverflowError, match="out of range"):
        mx.array([300], dtype=mx.uint8)
    with pytest.raises(OverflowError, match="out of range"):
        mx.array(-1, dtype=mx.uint32)


def test_shapes_axes_values():
    a = mx.ones((2, 3))
    with pytest.raises(ValueError, match=r"\(2, 3\)|2, 3|broadcast"):
        a + mx.ones((4,))
    with pytest.raises(ValueError, match="axis"):
        mx.sum(a, axis=2)
    with pytest.raises(IndexError):  # NumPy's AxisError is both
        mx.sum(a, axis=-3)
    with pytest.raises(ValueError):
        a.reshape(4, 2)
    with pytest.raises(ValueError):
        mx.matmul(a, a)
    with pytest.raises(ValueError):
        mx.concatenate([a, mx.ones((2, 2))], axis=0)
    with pytest.raises(ValueError):
        mx.array([1, 2, 3]).item()
    with pytest.raises(ValueError):
        mx.split(mx.ones((5,)), 2)


def test_dtype_errors():
    with pytest.raises(ValueError, match="complex64"):
        mx.erf(mx.array([1 + 1j]))
    with pytest.raises(TypeError):
        mx.zeros((2,), dtype=int)


def test_devices():
    with pytest.raises((ValueError, RuntimeError)):
        mx.set_default_device(mx.Device(mx.gpu, 99))
    with pytest.raises(ValueError):
        mx.Device(mx.cpu, 1)
    with pytest.raises(TypeError):
        mx.sum(mx.ones(2), stream="gpu")


def test_a_failed_op_leaves_the_library_working():
    with pytest.raises(ValueError):
        mx.ones((2, 3)) @ mx.ones((2, 3))
    assert (mx.ones((2, 3)) @ mx.ones((3, 2))).tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_bad_indices_raise_what_mlx_and_numpy_raise():
    # MLX raises ValueError for these, NumPy IndexError: IndexingError is both.
    x = mx.arange(12).reshape(3, 4)
    assert issubclass(mx.IndexingError, ValueError) and issubclass(mx.IndexingError, IndexError)
    cases = (
        (lambda: x[0, 0, 0], "too many indices"),
        (lambda: x[1.5], "got float"),
        (lambda: x["a"], "got str"),
        (lambda: x[..., ...], "single ellipsis"),
        (lambda: x[mx.array([True, False])], "boolean index of shape"),
        (lambda: x[mx.array([1.0])], "must be integers, got float32"),
        (lambda: x[{}], "got dict"),
        (lambda: x.at[1.5].add(1), "got float"),
        (lambda: x.__setitem__((0, 0, 0), 1), "too many indices"),
    )
    for bad, message in cases:
        with pytest.raises(ValueError, match=message):
            bad()
        with pytest.raises(IndexError, match=message):
            bad()
    with pytest.raises(mx.IndexingError, match="out of bounds"):
        x[5]
