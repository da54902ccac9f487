"""A first look at rmlx from Python: lazy arrays, NumPy interop, devices."""

import numpy as np

import rmlx.core as mx

print("default device:", mx.default_device(), "| GPU available:", mx.cuda.is_available())

a = mx.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
b = mx.exp(a) * 2 + 1  # builds a graph; nothing has run yet
print("b =", b)  # printing evaluates
print("sum over rows:", mx.sum(b, axis=1).tolist())

x = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
w = mx.array(x)
logits = w @ w.T
probs = mx.softmax(logits, axis=-1)
mx.eval(probs)
print("softmax rows sum to one:", np.allclose(np.array(probs).sum(axis=-1), 1.0))
print("first column, every other row:", w[::2, 0])

with mx.stream(mx.cpu):
    c = mx.arange(6).reshape(2, 3).astype(mx.float16)
print("on the CPU stream:", c, c.dtype)
