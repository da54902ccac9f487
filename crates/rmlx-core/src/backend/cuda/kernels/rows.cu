// Row kernels over a last axis: arg-reductions (any strides), softmax,
// logsumexp and median (contiguous rows). The including program defines T.

#define MAXD 8
struct Dims { i64 n[MAXD]; };
typedef compute_of<T>::t C;

DEV i64 offset_of(i64 i, int nd, const Dims& shape, const Dims& strides) {
  i64 off = 0;
  for (int d = nd - 1; d >= 0; d--) {
    i64 k = i % shape.n[d];
    i /= shape.n[d];
    off += k * strides.n[d];
  }
  return off;
}

template <class V> DEV V shfl_xor_any(V v, int d) {
  u32 w[2] = {0u, 0u};
  memcpy(w, &v, sizeof(V));
  w[0] = __shfl_xor_sync(0xffffffffu, w[0], d);
  if (sizeof(V) > 4) w[1] = __shfl_xor_sync(0xffffffffu, w[1], d);
  V r;
  memcpy(&r, w, sizeof(V));
  return r;
}

#ifdef ROWS_ARG
// ---------------------------------------------------------------- argmin / argmax
struct Best { T v; i64 i; };
DEV Best better_of(Best a, Best b, int is_max) {
  if (a.i < 0) return b;
  if (b.i < 0) return a;
  bool an = is_nan_v(a.v), bn = is_nan_v(b.v);
  if (an && bn) return a.i < b.i ? a : b;
  if (an) return a;
  if (bn) return b;
  bool b_better = is_max ? lt(a.v, b.v) : lt(b.v, a.v);
  bool a_better = is_max ? lt(b.v, a.v) : lt(a.v, b.v);
  if (b_better) return b;
  if (a_better) return a;
  return a.i < b.i ? a : b;
}

extern "C" __global__ void arg_reduce(u32* __restrict__ out, const T* __restrict__ in, i64 rows, i64 len, i64 astride,
                                      int is_max, int od, Dims oshape, Dims ostrides) {
  __shared__ Best part[32];
  for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* base = in + offset_of(r, od, oshape, ostrides);
    Best b;
    b.i = -1;
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
      Best c;
      c.v = base[j * astride];
      c.i = j;
      b = better_of(b, c, is_max);
    }
    for (int d = 16; d > 0; d >>= 1) {
      Best o;
      o.v = shfl_xor_any(b.v, d);
      o.i = (i64)shfl_xor_any((u64)b.i, d);
      b = better_of(b, o, is_max);
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    if (lane == 0) part[warp] = b;
    __syncthreads();
    if (threadIdx.x == 0) {
      Best f = part[0];
      for (int w = 1; w < nw; w++) f = better_of(f, part[w], is_max);
      out[r] = f.i < 0 ? 0u : (u32)f.i;
    }
    __syncthreads();
  }
}

#else
// ---------------------------------------------------------------- block helpers for C
DEV C warp_max(C v) {
  for (int d = 16; d > 0; d >>= 1) {
    C o = shfl_xor_any(v, d);
    v = (isnan(v) || o < v) ? v : o;
    if (isnan(o)) v = o;
  }
  return v;
}
DEV C warp_sum(C v) {
  for (int d = 16; d > 0; d >>= 1) v += shfl_xor_any(v, d);
  return v;
}
// Block-wide max (NaN wins) and sum, result in every thread.
DEV C block_max(C v, C* sh) {
  v = warp_max(v);
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
  __syncthreads();
  if (lane == 0) sh[warp] = v;
  __syncthreads();
  C r = sh[0];
  for (int w = 1; w < nw; w++) {
    C o = sh[w];
    r = (isnan(r) || o < r) ? r : o;
    if (isnan(o)) r = o;
  }
  return r;
}
DEV C block_sum(C v, C* sh) {
  v = warp_sum(v);
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
  __syncthreads();
  if (lane == 0) sh[warp] = v;
  __syncthreads();
  C r = 0;
  for (int w = 0; w < nw; w++) r += sh[w];
  return r;
}

// ---------------------------------------------------------------- softmax
// One block per row. A row of at most blockDim * NV * VW elements stays in
// registers, so the input is read from memory once; longer rows read it twice.
#define VW (16 / sizeof(T))
#ifndef NV
#define NV 8
#endif
extern "C" __global__ void __launch_bounds__(512) softmax_rows(T* __restrict__ out, const T* __restrict__ in, i64 rows, i64 len, int log_,
                                        int round_) {
  __shared__ C sh[32];
  const C ninf = -__int_as_float(0x7f800000);
  for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* x = in + r * len;
    T* o = out + r * len;
    bool cached = (len % VW == 0) && ((u64)x % 16 == 0) && ((u64)o % 16 == 0) && len <= (i64)blockDim.x * NV * VW;
    C v[NV * VW];
    C m = ninf;
    if (cached) {
#pragma unroll
      for (int k = 0; k < NV; k++) {
        i64 j = ((i64)k * blockDim.x + threadIdx.x) * VW;
        if (j < len) {
          vec<T, VW> t = *reinterpret_cast<const vec<T, VW>*>(x + j);
#pragma unroll
          for (int q = 0; q < VW; q++) {
            v[k * VW + q] = up(t.v[q]);
            C e = v[k * VW + q];
            m = (isnan(m) || e < m) ? m : e;
            if (isnan(e)) m = e;
          }
        }
      }
    } else {
      for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
        C e = up(x[j]);
        m = (isnan(m) || e < m) ? m : e;
        if (isnan(e)) m = e;
      }
    }
    m = block_max(m, sh);
    if (isinf(m)) m = 0;
    C s = 0;
    if (cached) {
#pragma unroll
      for (int k = 0; k < NV; k++) {
        i64 j = ((i64)k * blockDim.x + threadIdx.x) * VW;
        if (j < len) {
#pragma unroll
          for (int q = 0; q < VW; q++) {
            C e = fexp(v[k * VW + q] - m);
            if (round_) e = up(down<T>(e));
            s += e;
            if (!log_) v[k * VW + q] = e;
          }
        }
      }
    } else {
      for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
        C e = fexp(up(x[j]) - m);
        s += round_ ? up(down<T>(e)) : e;
      }
    }
    s = block_sum(s, sh);
    C lse = m + log(s);
    C inv = (C)1 / s;
    if (cached) {
#pragma unroll
      for (int k = 0; k < NV; k++) {
        i64 j = ((i64)k * blockDim.x + threadIdx.x) * VW;
        if (j < len) {
          vec<T, VW> t;
#pragma unroll
          for (int q = 0; q < VW; q++) {
            C xv = v[k * VW + q];
            t.v[q] = log_ ? down<T>(xv - lse) : down<T>(xv * inv);
          }
          *reinterpret_cast<vec<T, VW>*>(o + j) = t;
        }
      }
    } else {
      for (i64 j = threadIdx.x; j < len; j += blockDim.x) {
        C xv = up(x[j]);
        if (log_) o[j] = down<T>(xv - lse);
        else if (round_) o[j] = down<T>(up(down<T>(fexp(xv - m))) * inv);
        else o[j] = down<T>(fexp(xv - m) * inv);
      }
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------- softmax, a row per cluster
// Long rows (float32, float16, bfloat16): a row is cut into P pieces, one per
// block of a thread-block cluster (sm_90), each piece held in registers (32
// elements a thread). The blocks exchange their max and sum through
// distributed shared memory. Smaller blocks let several rows be in flight on
// an SM at once, so loads of one overlap the reductions and stores of another.
DEV u32 smem_addr(const void* p) {
  u32 a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
  return a;
}
DEV void cluster_sync_all() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}
DEV float ld_cluster(u32 local, u32 rank) {
  u32 r;
  float v;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(r) : "r"(local), "r"(rank));
  asm volatile("ld.shared::cluster.f32 %0, [%1];" : "=f"(v) : "r"(r) : "memory");
  return v;
}

// (max, sum of exp(x - max)) pairs: combine two, rescaling the smaller side.
DEV void lse_comb(C& m, C& s, C m2, C s2) {
  const C inf = __int_as_float(0x7f800000);
  if (isnan(m) || isnan(m2)) {
    m = m + m2;  // NaN
    return;
  }
  if (m2 > m) {
    C t = m;
    m = m2;
    m2 = t;
    t = s;
    s = s2;
    s2 = t;
  }
  if (m2 == -inf || m == inf) return;  // nothing to add, or +inf wins
  s = s + s2 * fexp(m2 - m);
}

template <int P> DEV void softmax_cluster(T* __restrict__ out, const T* __restrict__ in, i64 len, int log_,
                                          int round_) {
  if constexpr (same<C, float>) {
    constexpr int W = 16 / sizeof(T);
    constexpr int K = 32 / W;
    __shared__ C sh[32];
    __shared__ C xch[2];
    const C ninf = -__int_as_float(0x7f800000);
    u32 rank;
    asm("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
    const i64 row = blockIdx.x / P, piece = len / P;
    const T* x = in + row * len + (i64)rank * piece;
    T* o = out + row * len + (i64)rank * piece;
    C v[K * W];
    C m = ninf;
    bool nan = false;
#pragma unroll
    for (int k = 0; k < K; k++) {
      i64 j = ((i64)k * blockDim.x + threadIdx.x) * W;
      if (j < piece) {
        vec<T, W> t = *reinterpret_cast<const vec<T, W>*>(x + j);
#pragma unroll
        for (int q = 0; q < W; q++) {
          C e = up(t.v[q]);
          v[k * W + q] = e;
          m = fmaxf(m, e);
          nan |= isnan(e);
        }
      }
    }
    m = block_max(nan ? __int_as_float(0x7fc00000) : m, sh);
    if (threadIdx.x == 0) xch[0] = m;
    cluster_sync_all();
    C gm = ninf;
    for (int r = 0; r < P; r++) {
      C e = ld_cluster(smem_addr(&xch[0]), r);
      gm = (isnan(gm) || e < gm) ? gm : e;
      if (isnan(e)) gm = e;
    }
    if (isinf(gm)) gm = 0;
    C s = 0;
#pragma unroll
    for (int k = 0; k < K; k++) {
      i64 j = ((i64)k * blockDim.x + threadIdx.x) * W;
      if (j < piece) {
#pragma unroll
        for (int q = 0; q < W; q++) {
          C e = exp_fast_f32(v[k * W + q] - gm);
          if (round_) e = up(down<T>(e));
          s += e;
          if (!log_) v[k * W + q] = e;  // kept: the output needs no second exp
        }
      }
    }
    s = block_sum(s, sh);
    if (threadIdx.x == 0) xch[1] = s;
    cluster_sync_all();
    C gs = 0;
    for (int r = 0; r < P; r++) gs += ld_cluster(smem_addr(&xch[1]), r);
    const C lse = gm + log(gs), inv = (C)1 / gs;
#pragma unroll
    for (int k = 0; k < K; k++) {
      i64 j = ((i64)k * blockDim.x + threadIdx.x) * W;
      if (j < piece) {
        vec<T, W> t;
#pragma unroll
        for (int q = 0; q < W; q++) {
          C xv = v[k * W + q];
          t.v[q] = log_ ? down<T>(xv - lse) : down<T>(xv * inv);
        }
        *reinterpret_cast<vec<T, W>*>(o + j) = t;
      }
    }
    // No block may leave while another still reads its shared memory.
    cluster_sync_all();
  }
}

// Streaming accesses: the row is read once and written once, so neither
// should displace anything from L2 (ld/st .cs, evict first).
template <class V> DEV V ld_stream(const V* p) {
  static_assert(sizeof(V) == 16, "16-byte vectors");
  int4 r = __ldcs(reinterpret_cast<const int4*>(p));
  V v;
  memcpy(&v, &r, 16);
  return v;
}
template <class V> DEV void st_stream(V* p, const V& v) {
  int4 r;
  memcpy(&r, &v, 16);
  __stcs(reinterpret_cast<int4*>(p), r);
}

// The same in one exchange: each thread takes exp against its own max and
// keeps a (max, sum) pair; pairs combine across the warp, then every warp of
// the cluster reads all warps' pairs through distributed shared memory and
// combines them in the same order, so all blocks agree. The output is the
// kept exp times one factor per thread, exp(own max - row max) / row sum.
// One cluster barrier instead of two block reductions and two barriers.
template <int P> DEV void softmax_cluster_online(T* __restrict__ out, const T* __restrict__ in, i64 len, int log_) {
  if constexpr (same<C, float>) {
    constexpr int W = 16 / sizeof(T);
    constexpr int K = 32 / W;
    __shared__ C xm[8], xs[8];
    const C inf = __int_as_float(0x7f800000);
    u32 rank;
    asm("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
    const i64 row = blockIdx.x / P, piece = len / P;
    const T* x = in + row * len + (i64)rank * piece;
    T* o = out + row * len + (i64)rank * piece;
    C v[K * W];
    C mt = -inf;
    bool nan = false;
#pragma unroll
    for (int k = 0; k < K; k++) {
      i64 j = ((i64)k * blockDim.x + threadIdx.x) * W;
      if (j < piece) {
        vec<T, W> t = ld_stream(reinterpret_cast<const vec<T, W>*>(x + j));
#pragma unroll
        for (int q = 0; q < W; q++) {
          C e = up(t.v[q]);
          v[k * W + q] = e;
          mt = fmaxf(mt, e);
          nan |= isnan(e);
        }
      }
    }
    // exp is taken against the thread's max, or 0 when that is infinite;
    // the pair carries the true max (NaN if any), which lse_comb orders.
    const C ref = isinf(mt) ? (C)0 : mt;
    if (nan) mt = __int_as_float(0x7fc00000);
    C s = 0;
#pragma unroll
    for (int k = 0; k < K; k++) {
      i64 j = ((i64)k * blockDim.x + threadIdx.x) * W;
      if (j < piece) {
#pragma unroll
        for (int q = 0; q < W; q++) {
          C e = exp_fast_f32(v[k * W + q] - ref);
          s += e;
          if (!log_) v[k * W + q] = e;
        }
      }
    }
    C m = mt, sum = s;
    for (int d = 16; d > 0; d >>= 1) lse_comb(m, sum, shfl_xor_any(m, d), shfl_xor_any(sum, d));
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    if (lane == 0) {
      xm[warp] = m;
      xs[warp] = sum;
    }
    cluster_sync_all();
    // Pairs lane and lane + 32 of the P * nw (at most 64), in order.
    C gm = -inf, gs = 0;
    if (lane < P * nw) {
      gm = ld_cluster(smem_addr(&xm[lane % nw]), lane / nw);
      gs = ld_cluster(smem_addr(&xs[lane % nw]), lane / nw);
    }
    if (lane + 32 < P * nw) {
      const int l = lane + 32;
      lse_comb(gm, gs, ld_cluster(smem_addr(&xm[l % nw]), l / nw), ld_cluster(smem_addr(&xs[l % nw]), l / nw));
    }
    // Done with the other blocks' shared memory: arrive now, wait at the end.
    asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory");
    for (int d = 16; d > 0; d >>= 1) lse_comb(gm, gs, shfl_xor_any(gm, d), shfl_xor_any(gs, d));
    const C lse = gm + log(gs);
    // A row of -inf gives NaN (as -inf - -inf does); a thread of -inf
    // values outputs zeros.
    const C f = gm == -inf ? __int_as_float(0x7fc00000) : (mt == -inf ? (C)0 : fexp(ref - gm) / gs);
#pragma unroll
    for (int k = 0; k < K; k++) {
      i64 j = ((i64)k * blockDim.x + threadIdx.x) * W;
      if (j < piece) {
        vec<T, W> t;
#pragma unroll
        for (int q = 0; q < W; q++) {
          C xv = v[k * W + q];
          t.v[q] = log_ ? down<T>(xv - lse) : down<T>(xv * f);
        }
        st_stream(reinterpret_cast<vec<T, W>*>(o + j), t);
      }
    }
    asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory");
  }
}

// Rounded exp values (16-bit types, not precise) need the row max first: the
// two-exchange kernel; otherwise the one-exchange kernel.
#ifndef SOFTMAX_TWO
#define SOFTMAX_TWO 0
#endif
#define SOFTMAX_CLUSTER(P)                                                                          \
  extern "C" __global__ void __cluster_dims__(P, 1, 1) __launch_bounds__(256)                       \
      softmax_c##P(T* __restrict__ out, const T* __restrict__ in, i64 len, int log_, int round_) { \
    if (round_ || SOFTMAX_TWO) softmax_cluster<P>(out, in, len, log_, round_);            \
    else softmax_cluster_online<P>(out, in, len, log_);                                             \
  }
SOFTMAX_CLUSTER(2)
SOFTMAX_CLUSTER(4)
SOFTMAX_CLUSTER(8)

// ---------------------------------------------------------------- logsumexp
// One pass: each thread keeps a running max m and the sum s of exp(x - m),
// rescaled when m grows; pairs combine the same way across the block.
extern "C" __global__ void logsumexp_rows(T* __restrict__ out, const T* __restrict__ in, i64 rows, i64 len) {
  __shared__ C shm[32], shs[32];
  const C inf = __int_as_float(0x7f800000);
  for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* x = in + r * len;
    C m = -inf, s = 0;
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) lse_comb(m, s, up(x[j]), (C)1);
    for (int d = 16; d > 0; d >>= 1) {
      C m2 = shfl_xor_any(m, d), s2 = shfl_xor_any(s, d);
      lse_comb(m, s, m2, s2);
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    if (lane == 0) {
      shm[warp] = m;
      shs[warp] = s;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      C fm = shm[0], fs = shs[0];
      for (int w = 1; w < nw; w++) lse_comb(fm, fs, shm[w], shs[w]);
      out[r] = down<T>((isnan(fm) || isinf(fm)) ? fm : fm + log(fs));
    }
    __syncthreads();
  }
}

// ---------------------------------------------------------------- median
// The k-th smallest of a row by a bitwise search over order-preserving keys:
// one counting pass per key bit, any row length.
template <class K> DEV K key_of(C v) {
  if constexpr (sizeof(C) == 4) {
    u32 b = __float_as_uint(v);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
  } else {
    u64 b = (u64)__double_as_longlong(v);
    return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
  }
}
template <class K> DEV C value_of(K k) {
  if constexpr (sizeof(C) == 4) {
    u32 b = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
    return __uint_as_float(b);
  } else {
    u64 b = (k & 0x8000000000000000ull) ? (k & 0x7fffffffffffffffull) : ~k;
    return __longlong_as_double((i64)b);
  }
}
typedef unsigned_of<std_int_of_size<sizeof(C)>::t>::t KeyT;

DEV i64 block_count(i64 v, i64* sh) {
  for (int d = 16; d > 0; d >>= 1) v += (i64)__shfl_xor_sync(0xffffffffu, (unsigned long long)v, d);
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
  __syncthreads();
  if (lane == 0) sh[warp] = v;
  __syncthreads();
  i64 r = 0;
  for (int w = 0; w < nw; w++) r += sh[w];
  return r;
}

// The smallest key K such that at least k + 1 elements have key <= K.
DEV KeyT kth_key(const T* x, i64 len, i64 k, i64* sh) {
  KeyT prefix = 0;
  for (int bit = (int)sizeof(KeyT) * 8 - 1; bit >= 0; bit--) {
    // Candidate: keep the bit 0; count elements whose key is <= prefix | (all lower bits 1).
    KeyT hi = prefix | ((((KeyT)1) << bit) - 1);
    i64 c = 0;
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) c += key_of<KeyT>(up(x[j])) <= hi;
    c = block_count(c, sh);
    if (c <= k) prefix |= ((KeyT)1) << bit;
  }
  return prefix;
}

extern "C" __global__ void median_rows(T* __restrict__ out, const T* __restrict__ in, i64 rows, i64 len) {
  __shared__ i64 sh[32];
  for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* x = in + r * len;
    i64 nan = 0;
    for (i64 j = threadIdx.x; j < len; j += blockDim.x) nan += isnan(up(x[j])) ? 1 : 0;
    nan = block_count(nan, sh);
    C res;
    if (len == 0 || nan > 0) {
      res = __int_as_float(0x7fc00000);
    } else {
      C hi = value_of<KeyT>(kth_key(x, len, len / 2, sh));
      if (len % 2 == 1) res = hi;
      else {
        C lo = value_of<KeyT>(kth_key(x, len, len / 2 - 1, sh));
        res = lo + (hi - lo) / (C)2;
      }
    }
    if (threadIdx.x == 0) out[r] = down<T>(res);
    __syncthreads();
  }
}
#endif
