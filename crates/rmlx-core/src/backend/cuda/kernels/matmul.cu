// Matrix products of the dtypes cuBLASLt does not take (integers, bool),
// with the CPU's wrapping arithmetic. The including program defines T.
// Row-major batched C[b] = A[b] @ B[b] with element strides for A and B.

#define TILE 16
extern "C" __global__ void mm_tiled(T* __restrict__ c, const T* __restrict__ a, const T* __restrict__ b, i64 m, i64 n,
                                    i64 k, i64 sa_b, i64 sa_m, i64 sa_k, i64 sb_b, i64 sb_k, i64 sb_n) {
  __shared__ T ta[TILE][TILE + 1];
  __shared__ T tb[TILE][TILE + 1];
  i64 bz = blockIdx.z;
  i64 row = (i64)blockIdx.y * TILE + threadIdx.y, col = (i64)blockIdx.x * TILE + threadIdx.x;
  const T* A = a + bz * sa_b;
  const T* B = b + bz * sb_b;
  T acc = zero_v<T>();
  for (i64 k0 = 0; k0 < k; k0 += TILE) {
    i64 ka = k0 + threadIdx.x, kb = k0 + threadIdx.y;
    ta[threadIdx.y][threadIdx.x] = (row < m && ka < k) ? A[row * sa_m + ka * sa_k] : zero_v<T>();
    tb[threadIdx.y][threadIdx.x] = (kb < k && col < n) ? B[kb * sb_k + col * sb_n] : zero_v<T>();
    __syncthreads();
#pragma unroll
    for (int q = 0; q < TILE; q++) acc = op_add(acc, op_mul(ta[threadIdx.y][q], tb[q][threadIdx.x]));
    __syncthreads();
  }
  if (row < m && col < n) c[bz * m * n + row * n + col] = acc;
}

#ifdef GEMV
// ---------------------------------------------------------------- vector times matrix
// Decode-shaped products y = x @ W for one row x (float16, bfloat16,
// float32), accumulated in float32, deterministic (no atomics). C is the
// accumulator type.

// W row-major (K x N, rows ldw apart, N contiguous). A block covers GX * VW
// columns with GX x GY threads: thread (tx, ty) reads 16-byte vectors of
// rows ty, ty + GY, ... and the GY partial sums meet in shared memory.
#define GX 8
#define GY 64
extern "C" __global__ void __launch_bounds__(GX * GY) gemv_n(T* __restrict__ y, const T* __restrict__ x,
                                                             const T* __restrict__ w, i64 K, i64 N, i64 ldw) {
  constexpr int VW = 16 / sizeof(T);
  constexpr int U = 8;
  __shared__ float part[GY][GX * VW + 1];
  const int tx = threadIdx.x % GX, ty = threadIdx.x / GX;
  const i64 col = ((i64)blockIdx.x * GX + tx) * VW;
  float acc[VW];
#pragma unroll
  for (int q = 0; q < VW; q++) acc[q] = 0.f;
  if (col + VW <= N) {
    i64 k = ty;
    for (; k + (U - 1) * GY < K; k += U * GY) {
      vec<T, VW> v[U];
      float xs[U];
#pragma unroll
      for (int u = 0; u < U; u++) {
        v[u] = *reinterpret_cast<const vec<T, VW>*>(w + (k + u * GY) * ldw + col);
        xs[u] = (float)up(x[k + u * GY]);
      }
#pragma unroll
      for (int u = 0; u < U; u++)
#pragma unroll
        for (int q = 0; q < VW; q++) acc[q] = fmaf(xs[u], (float)up(v[u].v[q]), acc[q]);
    }
    for (; k < K; k += GY) {
      vec<T, VW> v = *reinterpret_cast<const vec<T, VW>*>(w + k * ldw + col);
      float xv = (float)up(x[k]);
#pragma unroll
      for (int q = 0; q < VW; q++) acc[q] = fmaf(xv, (float)up(v.v[q]), acc[q]);
    }
  } else {
    for (i64 k = ty; k < K; k += GY) {
      float xv = (float)up(x[k]);
      for (int q = 0; q < VW && col + q < N; q++) acc[q] = fmaf(xv, (float)up(w[k * ldw + col + q]), acc[q]);
    }
  }
#pragma unroll
  for (int q = 0; q < VW; q++) part[ty][tx * VW + q] = acc[q];
  __syncthreads();
  // GX * VW columns, GY partials each: a thread per column sums them in order.
  for (int c = threadIdx.x; c < GX * VW; c += GX * GY) {
    float s = 0.f;
    for (int r = 0; r < GY; r++) s += part[r][c];
    i64 oc = (i64)blockIdx.x * GX * VW + c;
    if (oc < N) y[oc] = down<T>(s);
  }
}

// W^T: W row-major N x K (rows ldw apart): y[n] = dot(x, W[n, :]); a warp per
// output, 16-byte vectors when the rows are aligned (the host checks).
extern "C" __global__ void __launch_bounds__(256) gemv_t(T* __restrict__ y, const T* __restrict__ x,
                                                         const T* __restrict__ w, i64 K, i64 N, i64 ldw, int vec_ok) {
  constexpr int VW = 16 / sizeof(T);
  constexpr int U = 4;
  const int lane = threadIdx.x & 31;
  const i64 n = ((i64)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
  if (n >= N) return;
  const T* row = w + n * ldw;
  float acc = 0.f;
  i64 done = 0;
  if (vec_ok) {
    const i64 nv = K / VW;
    const vec<T, VW>* rv = reinterpret_cast<const vec<T, VW>*>(row);
    const vec<T, VW>* xv = reinterpret_cast<const vec<T, VW>*>(x);
    i64 j = lane;
    for (; j + (U - 1) * 32 < nv; j += U * 32) {
      vec<T, VW> a[U], b[U];
#pragma unroll
      for (int u = 0; u < U; u++) {
        a[u] = rv[j + u * 32];
        b[u] = xv[j + u * 32];
      }
#pragma unroll
      for (int u = 0; u < U; u++)
#pragma unroll
        for (int q = 0; q < VW; q++) acc = fmaf((float)up(b[u].v[q]), (float)up(a[u].v[q]), acc);
    }
    for (; j < nv; j += 32) {
      vec<T, VW> a = rv[j], b = xv[j];
#pragma unroll
      for (int q = 0; q < VW; q++) acc = fmaf((float)up(b.v[q]), (float)up(a.v[q]), acc);
    }
    done = nv * VW;
  }
  for (i64 k = done + lane; k < K; k += 32) acc = fmaf((float)up(x[k]), (float)up(row[k]), acc);
  for (int d = 16; d > 0; d >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, d);
  if (lane == 0) y[n] = down<T>(acc);
}
#endif
