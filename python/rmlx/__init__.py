"""rmlx: lazy arrays for machine learning, on CPUs and NVIDIA GPUs.

``import rmlx.core as mx`` gives the array library; it follows ``mlx.core``
so that MLX programs run after changing their imports.
"""

from . import core

__all__ = ["core"]
__version__ = "0.1.0"
