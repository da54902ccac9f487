// Scans along one axis, in the order of backend/cpu/scan.rs: 16-bit floats
// accumulate in float32, each output rounded once. Rows (the axis
// innermost) go a block per chunk of a row, tile by tile through shared
// memory with a block-wide scan and a running carry; when a few long rows
// would leave the GPU idle, each row is cut into chunks whose totals are
// reduced first (scan_totals) and summed into each chunk's carry. An axis
// with elements after it runs one thread per column, coalesced across the
// columns. The including program defines T and OP (0 sum, 1 prod, 2 max,
// 3 min, 4 logaddexp).

template <class X> struct acc_of { typedef X t; };
template <> struct acc_of<f16> { typedef float t; };
template <> struct acc_of<bf16> { typedef float t; };
typedef typename acc_of<T>::t A;

template <class X> DEV A to_acc(X x) {
  if constexpr (same<X, f16> || same<X, bf16>) return up(x);
  else return x;
}
template <class X, class Y> DEV X from_acc_t(Y x) {
  if constexpr (same<X, f16> || same<X, bf16>) return down<X>(x);
  else return x;
}
DEV T from_acc(A x) { return from_acc_t<T>(x); }

DEV A ident() {
#if OP == 0
  return zero_v<A>();
#elif OP == 1
  return one_v<A>();
#elif OP == 2
  return lowest_v<A>();
#elif OP == 3
  return highest_v<A>();
#else
  return lowest_v<A>();
#endif
}
DEV A comb(A a, A b) {
#if OP == 0
  return op_add(a, b);
#elif OP == 1
  return op_mul(a, b);
#elif OP == 2
  return op_max(a, b);
#elif OP == 3
  return op_min(a, b);
#else
  return op_logaddexp(a, b);
#endif
}

template <class V> DEV V shfl_up_any(V v, int d) {
  if constexpr (sizeof(V) <= 4) {
    union { V v; u32 w; } u;
    u.w = 0;
    u.v = v;
    u.w = __shfl_up_sync(0xffffffffu, u.w, d);
    return u.v;
  } else {
    union { V v; unsigned long long w; } u;
    u.v = v;
    u.w = __shfl_up_sync(0xffffffffu, u.w, d);
    return u.v;
  }
}

#define SCAN_THREADS 256
#define SCAN_ITEMS 8
#define SCAN_TILE (SCAN_THREADS * SCAN_ITEMS)

// The exclusive block-wide scan of one value a thread (the combination of
// the values of the threads before it); *total gets the block's.
DEV A block_excl(A v, A* wsum, A* total) {
  int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
  for (int d = 1; d < 32; d <<= 1) {
    A o = shfl_up_any(v, d);
    if (lane >= d) v = comb(o, v);
  }
  A in_warp = shfl_up_any(v, 1);
  if (lane == 31) wsum[w] = v;
  __syncthreads();
  A before = ident(), all = ident();
  for (int q = 0; q < SCAN_THREADS / 32; q++) {
    if (q < w) before = comb(before, wsum[q]);
    all = comb(all, wsum[q]);
  }
  __syncthreads();
  *total = all;
  return lane == 0 ? before : comb(before, in_warp);
}

// Element j of a row in scan order.
DEV i64 phys(i64 j, i64 len, int reverse) { return reverse ? len - 1 - j : j; }

// The combined value of each chunk: totals[row * chunks + c].
extern "C" __global__ void __launch_bounds__(SCAN_THREADS) scan_totals(A* __restrict__ totals, const T* __restrict__ in,
                                                                       i64 len, i64 chunks, i64 chunk_len,
                                                                       int reverse) {
  __shared__ A wsum[SCAN_THREADS / 32];
  i64 row = blockIdx.x / chunks, c = blockIdx.x % chunks;
  i64 lo = c * chunk_len, hi = lo + chunk_len < len ? lo + chunk_len : len;
  A acc = ident();
  for (i64 j = lo + threadIdx.x; j < hi; j += SCAN_THREADS) acc = comb(acc, to_acc(in[row * len + phys(j, len, reverse)]));
  A tot;
  block_excl(acc, wsum, &tot);
  if (threadIdx.x == 0) totals[blockIdx.x] = tot;
}

extern "C" __global__ void __launch_bounds__(SCAN_THREADS) scan_rows(T* __restrict__ out, const T* __restrict__ in,
                                                                     const A* __restrict__ totals, i64 rows, i64 len,
                                                                     i64 chunks, i64 chunk_len, int reverse,
                                                                     int inclusive) {
  __shared__ A tile[SCAN_TILE + SCAN_TILE / 32];
  __shared__ A wsum[SCAN_THREADS / 32];
  for (i64 b = blockIdx.x; b < rows * chunks; b += gridDim.x) {
    i64 row = b / chunks, c = b % chunks;
    A carry = ident();
    if (chunks > 1)
      for (i64 q = 0; q < c; q++) carry = comb(carry, totals[row * chunks + q]);
    i64 lo = c * chunk_len, hi = lo + chunk_len < len ? lo + chunk_len : len;
    const T* x = in + row * len;
    T* y = out + row * len;
    for (i64 t0 = lo; t0 < hi; t0 += SCAN_TILE) {
      // Coalesced loads into shared memory (padded against bank conflicts).
#pragma unroll
      for (int k = 0; k < SCAN_ITEMS; k++) {
        int s = k * SCAN_THREADS + threadIdx.x;
        i64 j = t0 + s;
        tile[s + (s >> 5)] = j < hi ? to_acc(x[phys(j, len, reverse)]) : ident();
      }
      __syncthreads();
      A v[SCAN_ITEMS];
      A run = ident();
#pragma unroll
      for (int k = 0; k < SCAN_ITEMS; k++) {
        int s = threadIdx.x * SCAN_ITEMS + k;
        v[k] = tile[s + (s >> 5)];
        run = comb(run, v[k]);
      }
      A tot;
      A p = comb(carry, block_excl(run, wsum, &tot));
      __syncthreads();
#pragma unroll
      for (int k = 0; k < SCAN_ITEMS; k++) {
        int s = threadIdx.x * SCAN_ITEMS + k;
        A nx = comb(p, v[k]);
        tile[s + (s >> 5)] = inclusive ? nx : p;
        p = nx;
      }
      __syncthreads();
#pragma unroll
      for (int k = 0; k < SCAN_ITEMS; k++) {
        int s = k * SCAN_THREADS + threadIdx.x;
        i64 j = t0 + s;
        if (j < hi) y[phys(j, len, reverse)] = from_acc(tile[s + (s >> 5)]);
      }
      carry = comb(carry, tot);
      __syncthreads();
    }
  }
}

// Axis with `inner` elements after it: one thread per (outer, inner) column.
extern "C" __global__ void scan_cols(T* __restrict__ out, const T* __restrict__ in, i64 outer, i64 n, i64 inner,
                                     int reverse, int inclusive) {
  i64 cols = outer * inner;
  for (i64 q = (i64)blockIdx.x * blockDim.x + threadIdx.x; q < cols; q += (i64)gridDim.x * blockDim.x) {
    i64 o = q / inner, j = q % inner;
    const T* x = in + o * n * inner + j;
    T* y = out + o * n * inner + j;
    A acc = ident();
    for (i64 s = 0; s < n; s++) {
      i64 i = reverse ? n - 1 - s : s;
      A v = to_acc(x[i * inner]);
      if (inclusive) {
        acc = comb(acc, v);
        y[i * inner] = from_acc(acc);
      } else {
        y[i * inner] = from_acc(acc);
        acc = comb(acc, v);
      }
    }
  }
}
