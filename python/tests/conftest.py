"""The suite runs on the device RMLX_DEVICE names (cpu, gpu or gpu:N, as for
the Rust suite; DEVICE is an alias), cpu by default."""

import os

import pytest

import rmlx.core as mx

DEVICE = os.environ.get("DEVICE") or os.environ.get("RMLX_DEVICE") or "cpu"


def pytest_configure(config):
    kind, _, index = DEVICE.strip().lower().partition(":")
    if kind in ("gpu", "cuda"):
        n = int(index) if index.isdigit() else 0
        if index and not index.isdigit():
            raise pytest.UsageError(f"RMLX_DEVICE must be cpu, gpu or gpu:N, got {DEVICE!r}")
        if not mx.is_available(mx.Device(mx.gpu, n)):
            raise pytest.UsageError(f"RMLX_DEVICE={DEVICE} but rmlx sees no such GPU")
        mx.set_default_device(mx.Device(mx.gpu, n))
    elif kind == "cpu" and not index:
        mx.set_default_device(mx.cpu)
    else:
        raise pytest.UsageError(f"RMLX_DEVICE must be cpu, gpu or gpu:N, got {DEVICE!r}")
