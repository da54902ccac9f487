"""The suite runs on the device named by DEVICE=cpu|gpu (default: cpu)."""

import os

import pytest

import rmlx.core as mx

DEVICE = os.environ.get("DEVICE", "cpu")


def pytest_configure(config):
    if DEVICE == "gpu":
        if not mx.is_available(mx.gpu):
            raise pytest.UsageError("DEVICE=gpu but rmlx sees no GPU")
        mx.set_default_device(mx.gpu)
    elif DEVICE == "cpu":
        mx.set_default_device(mx.cpu)
    else:
        raise pytest.UsageError(f"DEVICE must be cpu or gpu, got {DEVICE!r}")
