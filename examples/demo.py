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

# Training with value_and_grad: a two-layer MLP classifying points of two
# interleaved spirals (made here), by plain gradient descent, on the default
# device (the GPU when there is one).
rng = np.random.default_rng(1)
n = 512
t = rng.uniform(0.5, 2.0 * np.pi, n)
label = rng.integers(0, 2, n)
r = t / (2.0 * np.pi)
pts = np.stack([r * np.cos(t + np.pi * label), r * np.sin(t + np.pi * label)], axis=1)
pts += rng.normal(0.0, 0.02, pts.shape)
X, Y = mx.array(pts.astype(np.float32)), mx.array(label.astype(np.float32))

params = {
    "w1": mx.array(rng.normal(0, 3.0, (2, 64)).astype(np.float32)),
    "b1": mx.zeros((64,)),
    "w2": mx.array(rng.normal(0, 0.1, (64, 1)).astype(np.float32)),
    "b2": mx.zeros((1,)),
}


def logits(p, x):
    h = mx.tanh(x @ p["w1"] + p["b1"])
    return (h @ p["w2"] + p["b2"]).reshape(-1)


def loss_fn(p):
    z = logits(p, X)
    # binary cross-entropy with logits, written stably
    return mx.mean(mx.maximum(z, 0) - z * Y + mx.log1p(mx.exp(-mx.abs(z))))


step = mx.value_and_grad(loss_fn)
lr = 0.5
for it in range(1001):
    loss, grads = step(params)
    params = {k: params[k] - lr * grads[k] for k in params}
    mx.eval(params)
    if it % 100 == 0:
        print(f"step {it:3d}  loss {loss.item():.4f}")
accuracy = mx.mean((logits(params, X) > 0) == (Y > 0.5)).item()
print(f"training accuracy: {accuracy:.3f}")
