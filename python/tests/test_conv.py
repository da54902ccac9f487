"""Convolutions against a NumPy reference (a direct sum over the kernel),
in MLX's channels-last layout, with strides, padding, dilations, groups,
flips and transposed convolutions; gradients; and bad shapes."""

import itertools

import numpy as np
import pytest

import rmlx.core as mx

RNG = np.random.default_rng(11)


def ref_conv(x, w, stride, pad_lo, pad_hi, kdil, idil, groups, flip):
    """Direct N-D correlation (convolution with flip) of x (N, S..., C) and w (O, K..., C/g)."""
    d = x.ndim - 2
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    if flip:
        w = np.flip(w, axis=tuple(range(1, d + 1)))
    for i in range(d):
        if idil[i] > 1:
            n = x.shape[1 + i]
            shape = list(x.shape)
            shape[1 + i] = (n - 1) * idil[i] + 1
            y = np.zeros(shape)
            idx = [slice(None)] * x.ndim
            idx[1 + i] = slice(None, None, idil[i])
            y[tuple(idx)] = x
            x = y
    x = np.pad(x, [(0, 0)] + [(pad_lo[i], pad_hi[i]) for i in range(d)] + [(0, 0)])
    n, c = x.shape[0], x.shape[-1]
    o, ks = w.shape[0], w.shape[1:-1]
    cg, og = c // groups, o // groups
    out_sp = [(x.shape[1 + i] - (ks[i] - 1) * kdil[i] - 1) // stride[i] + 1 for i in range(d)]
    out = np.zeros([n] + out_sp + [o])
    for pos in itertools.product(*[range(s) for s in out_sp]):
        for kpos in itertools.product(*[range(k) for k in ks]):
            src = tuple(pos[i] * stride[i] + kpos[i] * kdil[i] for i in range(d))
            patch = x[(slice(None),) + src]  # (N, C)
            for g in range(groups):
                wg = w[(slice(g * og, (g + 1) * og),) + kpos]  # (og, cg)
                out[(slice(None),) + pos + (slice(g * og, (g + 1) * og),)] += patch[:, g * cg:(g + 1) * cg] @ wg.T
    return out


@pytest.mark.parametrize("stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (2, 1, 1, 2),
                                                           (1, 1, 1, 4)])
def test_conv2d(stride, padding, dilation, groups):
    x = RNG.standard_normal((2, 7, 6, 4)).astype(np.float32)
    w = RNG.standard_normal((8, 3, 3, 4 // groups)).astype(np.float32)
    got = mx.conv2d(mx.array(x), mx.array(w), stride=stride, padding=padding, dilation=dilation, groups=groups)
    want = ref_conv(x, w, [stride] * 2, [padding] * 2, [padding] * 2, [dilation] * 2, [1, 1], groups, False)
    np.testing.assert_allclose(np.array(got), want, rtol=1e-4, atol=1e-4)


def test_conv1d_and_conv3d():
    x = RNG.standard_normal((3, 11, 2)).astype(np.float32)
    w = RNG.standard_normal((5, 4, 2)).astype(np.float32)
    got = mx.conv1d(mx.array(x), mx.array(w), stride=2, padding=1)
    np.testing.assert_allclose(np.array(got), ref_conv(x, w, [2], [1], [1], [1], [1], 1, False), rtol=1e-4, atol=1e-4)
    x3 = RNG.standard_normal((1, 4, 5, 3, 2)).astype(np.float32)
    w3 = RNG.standard_normal((3, 2, 2, 2, 2)).astype(np.float32)
    got = mx.conv3d(mx.array(x3), mx.array(w3), stride=(1, 2, 1), padding=(0, 1, 1))
    want = ref_conv(x3, w3, [1, 2, 1], [0, 1, 1], [0, 1, 1], [1, 1, 1], [1, 1, 1], 1, False)
    np.testing.assert_allclose(np.array(got), want, rtol=1e-4, atol=1e-4)


def test_conv_general_all_options():
    x = RNG.standard_normal((2, 5, 4, 6)).astype(np.float32)
    w = RNG.standard_normal((4, 2, 3, 3)).astype(np.float32)
    got = mx.conv_general(mx.array(x), mx.array(w), stride=[1, 2], padding=([1, 0], [2, 1]), kernel_dilation=[2, 1],
                          input_dilation=[1, 2], groups=2, flip=True)
    want = ref_conv(x, w, [1, 2], [1, 0], [2, 1], [2, 1], [1, 2], 2, True)
    np.testing.assert_allclose(np.array(got), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("stride,padding,dilation,output_padding", [(1, 0, 1, 0), (2, 1, 1, 1), (2, 0, 2, 1)])
def test_conv_transpose2d_is_the_input_gradient(stride, padding, dilation, output_padding):
    x = RNG.standard_normal((2, 4, 5, 3)).astype(np.float32)
    w = RNG.standard_normal((6, 3, 2, 3)).astype(np.float32)  # (C_out, KH, KW, C_in)
    y = mx.conv_transpose2d(mx.array(x), mx.array(w), stride=stride, padding=padding, dilation=dilation,
                            output_padding=output_padding)
    kh, kw = 3, 2
    h = (4 - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1
    ww = (5 - 1) * stride - 2 * padding + dilation * (kw - 1) + output_padding + 1
    assert y.shape == (2, h, ww, 6)
    # <conv_transpose(x), z> == <x, conv(z)> with the weight's channels swapped.
    z = RNG.standard_normal(y.shape).astype(np.float32)
    wt = np.transpose(w, (3, 1, 2, 0))  # (C_in, KH, KW, C_out): conv from C_out channels back to C_in
    cz = ref_conv(z, wt, [stride] * 2, [padding] * 2, [padding] * 2, [dilation] * 2, [1, 1], 1, False)
    cz = cz[:, :4, :5]
    np.testing.assert_allclose(float((np.array(y) * z).sum()), float((x * cz).sum()), rtol=1e-3)


def test_conv_transpose1d_and_3d_shapes():
    y = mx.conv_transpose1d(mx.ones((1, 5, 2)), mx.ones((3, 3, 2)), stride=2)
    assert y.shape == (1, 11, 3)
    np.testing.assert_allclose(np.array(y)[0, :, 0], [2, 2, 4, 2, 4, 2, 4, 2, 4, 2, 2])
    y3 = mx.conv_transpose3d(mx.ones((1, 2, 2, 2, 1)), mx.ones((1, 2, 2, 2, 1)))
    assert y3.shape == (1, 3, 3, 3, 1)
    assert float(np.array(y3).sum()) == 64.0


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve(mode):
    a = RNG.standard_normal(10).astype(np.float32)
    v = RNG.standard_normal(4).astype(np.float32)
    np.testing.assert_allclose(np.array(mx.convolve(mx.array(a), mx.array(v), mode=mode)), np.convolve(a, v, mode=mode),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.array(mx.convolve(mx.array(v), mx.array(a), mode=mode)), np.convolve(v, a, mode=mode),
                               rtol=1e-4, atol=1e-5)


def test_conv_gradients():
    x = RNG.standard_normal((1, 5, 5, 2)).astype(np.float32)
    w = RNG.standard_normal((3, 3, 3, 2)).astype(np.float32)
    cot = RNG.standard_normal((1, 3, 3, 3)).astype(np.float32)

    def f(a, b):
        return (mx.conv2d(a, b, stride=2, padding=1) * mx.array(cot)).sum()

    gx, gw = mx.grad(f, argnums=(0, 1))(mx.array(x), mx.array(w))
    eps = 1e-3

    def fx(xx, ww):
        return float((ref_conv(xx, ww, [2, 2], [1, 1], [1, 1], [1, 1], [1, 1], 1, False) * cot).sum())

    for idx in [(0, 0, 0, 0), (0, 2, 3, 1), (0, 4, 4, 0)]:
        d = np.zeros_like(x)
        d[idx] = eps
        num = (fx(x + d, w) - fx(x - d, w)) / (2 * eps)
        np.testing.assert_allclose(np.array(gx)[idx], num, rtol=1e-2, atol=1e-3)
    for idx in [(0, 0, 0, 0), (2, 1, 2, 1)]:
        d = np.zeros_like(w)
        d[idx] = eps
        num = (fx(x, w + d) - fx(x, w - d)) / (2 * eps)
        np.testing.assert_allclose(np.array(gw)[idx], num, rtol=1e-2, atol=1e-3)


def test_bf16_conv_runs():
    x = mx.array(RNG.standard_normal((2, 6, 6, 8)).astype(np.float32))
    w = mx.array(RNG.standard_normal((4, 3, 3, 8)).astype(np.float32))
    got = mx.conv2d(x.astype(mx.bfloat16), w.astype(mx.bfloat16), padding=1)
    want = mx.conv2d(x, w, padding=1)
    assert got.dtype == mx.bfloat16
    np.testing.assert_allclose(np.array(got.astype(mx.float32)), np.array(want), rtol=5e-2, atol=0.3)


def test_conv_errors():
    x = mx.ones((1, 5, 5, 4))
    with pytest.raises(ValueError, match="groups"):
        mx.conv2d(x, mx.ones((6, 3, 3, 2)), groups=3)
    with pytest.raises(ValueError, match="channels"):
        mx.conv2d(x, mx.ones((6, 3, 3, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        mx.conv2d(x, mx.ones((2, 7, 7, 4)))
    with pytest.raises(ValueError):
        mx.conv2d(mx.ones((5, 5, 4)), mx.ones((2, 3, 3, 4)))
    with pytest.raises(ValueError):
        mx.conv2d(x, mx.ones((2, 3, 3, 4)), stride=0)
    with pytest.raises(ValueError):
        mx.conv2d(x, mx.ones((2, 3, 3, 4)), stride=(1, 2, 3))
    with pytest.raises(ValueError):
        mx.convolve(mx.ones(3), mx.ones(2), mode="middle")
    with pytest.raises(ValueError):
        mx.convolve(mx.ones((2, 2)), mx.ones(2))
