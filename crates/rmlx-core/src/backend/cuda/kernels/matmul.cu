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
