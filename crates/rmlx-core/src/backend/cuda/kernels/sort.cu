// Sorting the last axis, stably, in the order of backend/cpu/sort.rs: each
// element becomes an unsigned key (NaN last, -0.0 equal to 0.0, complex by
// real then imaginary part). Sorting values (not indices) carries no index:
// its keys are one-to-one (value_key: -0.0 just before 0.0, every NaN one
// key) and turn back into the values at the end. Rows of up to TILE elements are sorted by one
// block each (a bitonic network over (key, index) pairs in shared memory,
// which is stable because the index breaks ties). Longer rows take
// least-significant-digit radix passes of 8 bits over 4096-element tiles:
// a histogram per tile, a scan of each digit's counts over the tiles of a
// row, and a stable scatter ranked within each warp by __match_any_sync.
// The including program defines T and KEYBYTES (the key's size).

#if KEYBYTES == 8
typedef u64 K;
#define KEY_MAX 0xffffffffffffffffull
#else
typedef u32 K;
#define KEY_MAX ((K)((KEYBYTES == 4) ? 0xffffffffu : ((1u << (8 * KEYBYTES)) - 1)))
#endif

DEV u32 key16(u32 b, u32 exp_mask) {
  if ((b & 0x7fffu) > exp_mask) return 0xffffu;
  if ((b & 0x7fffu) == 0) b = 0;
  return (b & 0x8000u) ? (~b & 0xffffu) : (b | 0x8000u);
}
DEV u32 key32(float v) {
  u32 b = __float_as_uint(v);
  if ((b & 0x7fffffffu) > 0x7f800000u) return 0xffffffffu;
  if ((b & 0x7fffffffu) == 0) b = 0;
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
DEV u64 key64(double v) {
  u64 b = (u64)__double_as_longlong(v);
  if ((b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) return 0xffffffffffffffffull;
  if ((b & 0x7fffffffffffffffull) == 0) b = 0;
  return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
}

template <class X> DEV K sort_key(X v) {
  if constexpr (is_bool<X>) return (K)(v ? 1 : 0);
  else if constexpr (is_uint<X>) return (K)v;
  else if constexpr (is_sint<X>) {
    typedef typename unsigned_of<X>::t U;
    return (K)(U)((U)v ^ (U)((U)1 << (sizeof(X) * 8 - 1)));
  } else if constexpr (same<X, f16>) return key16(v.x, 0x7c00u);
  else if constexpr (same<X, bf16>) return key16(v.x, 0x7f80u);
  else if constexpr (same<X, float>) return key32(v);
  else if constexpr (same<X, double>) return key64(v);
  else return (K)(((u64)key32(v.re) << 32) | (u64)key32(v.im));
}

// The value sort's key: as sort_key but one-to-one on everything but NaN
// (every NaN is KEY_MAX and comes back as the default NaN), so the sorted
// values are the keys turned back (-0.0 sorts just before 0.0).
DEV u32 vkey16(u32 b, u32 exp_mask) {
  if ((b & 0x7fffu) > exp_mask) return 0xffffu;
  return (b & 0x8000u) ? (~b & 0xffffu) : (b | 0x8000u);
}
DEV u32 vkey32(float v) {
  u32 b = __float_as_uint(v);
  if ((b & 0x7fffffffu) > 0x7f800000u) return 0xffffffffu;
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
DEV u64 vkey64(double v) {
  u64 b = (u64)__double_as_longlong(v);
  if ((b & 0x7fffffffffffffffull) > 0x7ff0000000000000ull) return 0xffffffffffffffffull;
  return (b & 0x8000000000000000ull) ? ~b : (b | 0x8000000000000000ull);
}
DEV u32 unkey16(u32 k, u32 nan) {
  if (k == 0xffffu) return nan;
  return (k & 0x8000u) ? (k & 0x7fffu) : (~k & 0xffffu);
}
DEV float unkey32(u32 k) {
  if (k == 0xffffffffu) return __uint_as_float(0x7fc00000u);
  return __uint_as_float((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
}
DEV double unkey64(u64 k) {
  if (k == 0xffffffffffffffffull) return __longlong_as_double(0x7ff8000000000000ll);
  return __longlong_as_double((long long)((k & 0x8000000000000000ull) ? (k & 0x7fffffffffffffffull) : ~k));
}

template <class X> DEV K value_key(X v) {
  if constexpr (same<X, f16>) return vkey16(v.x, 0x7c00u);
  else if constexpr (same<X, bf16>) return vkey16(v.x, 0x7f80u);
  else if constexpr (same<X, float>) return vkey32(v);
  else if constexpr (same<X, double>) return vkey64(v);
  else if constexpr (same<X, c64>) return (K)(((u64)vkey32(v.re) << 32) | (u64)vkey32(v.im));
  else return sort_key(v);
}

template <class X> DEV X of_value_key(K k) {
  if constexpr (is_bool<X>) return k != 0;
  else if constexpr (is_uint<X>) return (X)k;
  else if constexpr (is_sint<X>) {
    typedef typename unsigned_of<X>::t U;
    return (X)(U)((U)k ^ (U)((U)1 << (sizeof(X) * 8 - 1)));
  } else if constexpr (same<X, f16>) return f16{(u16)unkey16((u32)k, 0x7e00u)};
  else if constexpr (same<X, bf16>) return bf16{(u16)unkey16((u32)k, 0x7fc0u)};
  else if constexpr (same<X, float>) return unkey32((u32)k);
  else if constexpr (same<X, double>) return unkey64(k);
  else return c64{unkey32((u32)(k >> 32)), unkey32((u32)k)};
}

DEV bool pair_gt(K ka, u32 ia, K kb, u32 ib) { return ka > kb || (ka == kb && ia > ib); }

// One block per row of len <= tile (a power of two); out is u32 indices
// (arg) or the sorted elements.
extern "C" __global__ void sort_block(void* __restrict__ out, const T* __restrict__ in, i64 rows, i64 len, int tile,
                                      int arg) {
  extern __shared__ unsigned char smem[];
  K* sk = (K*)smem;
  u32* si = (u32*)(smem + sizeof(K) * tile);
  for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* x = in + r * len;
    for (int i = threadIdx.x; i < tile; i += blockDim.x) {
      bool ok = i < len;
      sk[i] = ok ? (arg ? sort_key(x[i]) : value_key(x[i])) : (K)KEY_MAX;
      si[i] = ok ? (u32)i : 0xffffffffu;
    }
    __syncthreads();
    for (int k = 2; k <= tile; k <<= 1) {
      for (int j = k >> 1; j > 0; j >>= 1) {
        for (int t = threadIdx.x; t < tile / 2; t += blockDim.x) {
          int i = 2 * j * (t / j) + (t % j), p = i + j;
          bool up = (i & k) == 0;
          K ka = sk[i], kb = sk[p];
          u32 ia = si[i], ib = si[p];
          if (pair_gt(ka, ia, kb, ib) == up) {
            sk[i] = kb; sk[p] = ka;
            si[i] = ib; si[p] = ia;
          }
        }
        __syncthreads();
      }
    }
    for (int i = threadIdx.x; i < len; i += blockDim.x) {
      if (arg) ((u32*)out)[r * len + i] = si[i];
      else ((T*)out)[r * len + i] = of_value_key<T>(sk[i]);
    }
    __syncthreads();
  }
}

#define RWARPS 8     // warps a radix block
#if KEYBYTES == 8
#define RITEMS 8     // elements a lane
#else
#define RITEMS 16
#endif
#define RT (32 * RWARPS * RITEMS)  // elements a radix tile (4096; 2048 for 8-byte keys)

// Digit counts of each tile: hist[(row * 256 + digit) * tiles + tile].
extern "C" __global__ void __launch_bounds__(256) radix_hist(const T* __restrict__ in, const K* __restrict__ kin,
                                                             u32* __restrict__ hist, i64 len, i64 tiles, int shift,
                                                             int first, int arg) {
  __shared__ u32 h[256];
  i64 row = blockIdx.x / tiles, t = blockIdx.x % tiles;
  h[threadIdx.x] = 0;
  __syncthreads();
  i64 lo = t * RT, hi = lo + RT < len ? lo + RT : len;
  for (i64 i = lo + threadIdx.x; i < hi; i += 256) {
    K k = first ? (arg ? sort_key(in[row * len + i]) : value_key(in[row * len + i])) : kin[row * len + i];
    atomicAdd(&h[(u32)(k >> shift) & 255u], 1u);
  }
  __syncthreads();
  hist[(row * 256 + threadIdx.x) * tiles + t] = h[threadIdx.x];
}

DEV u32 block_excl_scan(u32 v, u32* sh, u32* total) {
  int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
  u32 inc = v;
  for (int d = 1; d < 32; d <<= 1) {
    u32 o = __shfl_up_sync(0xffffffffu, inc, d);
    if (lane >= d) inc += o;
  }
  if (lane == 31) sh[w] = inc;
  __syncthreads();
  u32 before = 0, all = 0;
  for (int q = 0; q < (int)(blockDim.x >> 5); q++) {
    if (q < w) before += sh[q];
    all += sh[q];
  }
  __syncthreads();
  *total = all;
  return before + inc - v;
}

// Exclusive scan of each (row, digit)'s tile counts in place; dtot gets the digit's total.
extern "C" __global__ void __launch_bounds__(256) radix_scan(u32* __restrict__ hist, u32* __restrict__ dtot, i64 tiles) {
  __shared__ u32 sh[8];
  u32* h = hist + (i64)blockIdx.x * tiles;
  u32 carry = 0;
  for (i64 b = 0; b < tiles; b += 256) {
    i64 i = b + threadIdx.x;
    u32 v = i < tiles ? h[i] : 0, tot;
    u32 e = block_excl_scan(v, sh, &tot);
    if (i < tiles) h[i] = carry + e;
    carry += tot;
  }
  if (threadIdx.x == 0) dtot[blockIdx.x] = carry;
}

// Ranks each tile's elements by digit (stably: by warp, then chunk, then
// lane), stages them in shared memory in digit order, and writes each
// digit's run of the tile to its place in the output with consecutive
// threads on consecutive elements.
extern "C" __global__ void __launch_bounds__(256) radix_scatter(const T* __restrict__ in, const K* __restrict__ kin,
                                                                const u32* __restrict__ iin, K* __restrict__ kout,
                                                                u32* __restrict__ iout, void* __restrict__ fin,
                                                                const u32* __restrict__ hist,
                                                                const u32* __restrict__ dtot, i64 len, i64 tiles,
                                                                int shift, int first, int last, int arg) {
  __shared__ u32 wcnt[RWARPS][257];
  __shared__ u32 sh[8];
  __shared__ u32 gbase[256];
  __shared__ u32 tpre[256];
  // Dynamic: RT keys, then (argsort only) RT indices.
  extern __shared__ __align__(16) unsigned char rsm[];
  K* sk = (K*)rsm;
  u32* si = (u32*)(rsm + sizeof(K) * RT);
  i64 row = blockIdx.x / tiles, t = blockIdx.x % tiles;
  int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
  for (int q = 0; q < RWARPS; q++) wcnt[q][threadIdx.x] = 0;
  if (threadIdx.x < RWARPS) wcnt[threadIdx.x][256] = 0;
  __syncthreads();
  K kk[RITEMS];
  u32 ii[RITEMS], rr[RITEMS];
  int dd[RITEMS];
  u32 lt = (1u << lane) - 1u;
  i64 lo = t * RT;
  i64 wbase = lo + (i64)w * (RT / RWARPS);
#pragma unroll
  for (int c = 0; c < RITEMS; c++) {
    i64 i = wbase + c * 32 + lane;
    bool ok = i < len;
    K k = 0;
    u32 id = 0;
    if (ok) {
      if (arg) {
        k = first ? sort_key(in[row * len + i]) : kin[row * len + i];
        id = first ? (u32)i : iin[row * len + i];
      } else {
        k = first ? value_key(in[row * len + i]) : kin[row * len + i];
      }
    }
    int d = ok ? (int)((u32)(k >> shift) & 255u) : 256;
    u32 peers = __match_any_sync(0xffffffffu, d);
    u32 before = wcnt[w][d];
    __syncwarp();
    if (lane == __ffs(peers) - 1) wcnt[w][d] = before + __popc(peers);
    __syncwarp();
    kk[c] = k;
    ii[c] = id;
    rr[c] = before + __popc(peers & lt);
    dd[c] = d;
  }
  __syncthreads();
  {
    // Thread d: each warp's first slot within digit d, the tile's count of d,
    // the digit's first slot in the tile and its first place in the output.
    u32 run = 0;
    for (int q = 0; q < RWARPS; q++) {
      u32 c = wcnt[q][threadIdx.x];
      wcnt[q][threadIdx.x] = run;
      run += c;
    }
    u32 tot;
    u32 e = block_excl_scan(run, sh, &tot);
    tpre[threadIdx.x] = e;
    u32 g = block_excl_scan(dtot[row * 256 + threadIdx.x], sh, &tot);
    gbase[threadIdx.x] = g + hist[(row * 256 + threadIdx.x) * tiles + t];
  }
  __syncthreads();
#pragma unroll
  for (int c = 0; c < RITEMS; c++) {
    if (dd[c] == 256) continue;
    u32 p = tpre[dd[c]] + wcnt[w][dd[c]] + rr[c];
    sk[p] = kk[c];
    if (arg) si[p] = ii[c];
  }
  __syncthreads();
  int count = (int)((len - lo) < RT ? (len - lo) : RT);
  for (int s = threadIdx.x; s < count; s += 256) {
    K k = sk[s];
    u32 d = (u32)(k >> shift) & 255u;
    i64 dest = row * len + gbase[d] + (s - tpre[d]);
    if (last) {
      if (arg) ((u32*)fin)[dest] = si[s];
      else ((T*)fin)[dest] = of_value_key<T>(k);
    } else {
      kout[dest] = k;
      if (arg) iout[dest] = si[s];
    }
  }
}

// For each v[i], the first (or, with right, the last) insertion index into
// the sorted a[0..n) in key order.
extern "C" __global__ void search_sorted(u32* __restrict__ out, const T* __restrict__ a, const T* __restrict__ v,
                                         i64 n, i64 m, int right) {
  for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < m; i += (i64)gridDim.x * blockDim.x) {
    K k = sort_key(v[i]);
    i64 lo = 0, hi = n;
    while (lo < hi) {
      i64 mid = lo + ((hi - lo) >> 1);
      K e = sort_key(a[mid]);
      bool go_right = right ? (e <= k) : (e < k);
      if (go_right) lo = mid + 1;
      else hi = mid;
    }
    out[i] = (u32)lo;
  }
}
