# Sourced by the GPU scripts: puts the pip NVIDIA libraries (and
# /usr/local/cuda) on LD_LIBRARY_PATH and points rmlx at the GPU and at the
# kernels precompiled into .gpu/kernels.
NV=$(python3 -c "import nvidia; print(list(nvidia.__path__)[0])" 2>/dev/null || true)
LIBS=""
if [ -n "$NV" ]; then LIBS=$(find "$NV" -maxdepth 3 -type d -name lib | tr '\n' ':'); fi
export LD_LIBRARY_PATH="${LIBS}/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export RMLX_DEVICE=gpu
export RMLX_KERNEL_CACHE="$PWD/.gpu/kernels"
