"""rmlx: lazy arrays for machine learning, on CPUs and NVIDIA GPUs.

``import rmlx.core as mx`` gives the array library; it follows ``mlx.core``
so that MLX programs run after changing their imports.
"""

import sys

from . import core
from . import _transforms

for _name in ("grad", "value_and_grad", "vjp", "jvp", "vmap", "custom_function", "checkpoint"):
    setattr(core, _name, getattr(_transforms, _name))

# Names of mlx.core that later issues build (fft, linalg, fast, distributed,
# compile, quantization, file formats): placeholders with MLX's signatures
# that raise NotImplementedError naming the issue, only where core lacks them.
from . import _extra, _pending

_extra.install(core)
_pending.install(core)

if sys.version_info >= (3, 12):
    # The buffer protocol (memoryview(a), bytes(a)): the extension is built
    # for the stable ABI of Python 3.9, whose limited API has no buffer
    # slots, so the protocol comes through PEP 688's __buffer__ where the
    # interpreter has it. The view is read-only and shares the array's memory.
    def _buffer(self, flags, /):
        return memoryview(self.__array__())

    core.array.__buffer__ = _buffer

__all__ = ["core", "utils"]
__version__ = "0.1.0"
