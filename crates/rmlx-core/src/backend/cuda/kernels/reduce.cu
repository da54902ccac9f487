// Reductions over any set of axes. The including program defines TI (input),
// TACC (accumulator), TO (output), INIT, LOAD(x), COMB(a, b), FIN(a).
// red_row: one block per output, threads stride over the reduced elements
// (coalesced when the innermost reduced axis is contiguous). red_col: one
// thread per output (coalesced when the innermost kept axis is contiguous),
// the reduced range split over blockIdx.y, partials combined by red_final.

#define MAXD 8
struct Dims { i64 n[MAXD]; };

template <class T> DEV T shfl_down(T v, int d) {
  static_assert(sizeof(T) <= 8, "shuffle of at most 8 bytes");
  u32 w[2] = {0u, 0u};
  memcpy(w, &v, sizeof(T));
  w[0] = __shfl_down_sync(0xffffffffu, w[0], d);
  if (sizeof(T) > 4) w[1] = __shfl_down_sync(0xffffffffu, w[1], d);
  T r;
  memcpy(&r, w, sizeof(T));
  return r;
}

// Folds `v` over the block; the result is valid in thread 0.
// The shuffle is taken before COMB: `&&` and `||` would skip it in some lanes,
// and a full-mask shuffle that not every lane reaches never completes.
DEV TACC block_fold(TACC v) {
  __shared__ TACC warp_part[32];
  for (int d = 16; d > 0; d >>= 1) {
    TACC o = shfl_down(v, d);
    v = COMB(v, o);
  }
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (blockDim.x <= 32) return v;
  if (lane == 0) warp_part[warp] = v;
  __syncthreads();
  int nw = (blockDim.x + 31) >> 5;
  v = threadIdx.x < nw ? warp_part[threadIdx.x] : INIT;
  if (warp == 0)
    for (int d = 16; d > 0; d >>= 1) {
      TACC o = shfl_down(v, d);
      v = COMB(v, o);
    }
  return v;
}

DEV i64 offset_of(i64 i, int nd, const Dims& shape, const Dims& strides) {
  i64 off = 0;
  for (int d = nd - 1; d >= 0; d--) {
    i64 k = i % shape.n[d];
    i /= shape.n[d];
    off += k * strides.n[d];
  }
  return off;
}

// With split > 1 each output's reduced range is cut into `split` chunks of
// `chunk` elements, one block each, and partials go to `part` ([split, n_out]).
extern "C" __global__ void red_row(TO* __restrict__ out, TACC* __restrict__ part, const TI* __restrict__ in,
                                   i64 n_out, i64 R_all, i64 chunk, int split, int kd, Dims kshape, Dims kstrides,
                                   int rd, Dims rshape, Dims rstrides) {
  for (i64 vo = blockIdx.x; vo < n_out * split; vo += gridDim.x) {
    i64 o = vo / split, p = vo % split;
    i64 j0 = p * chunk, j1 = j0 + chunk < R_all ? j0 + chunk : R_all;
    i64 R = j1 > j0 ? j1 - j0 : 0;
    const TI* base = in + offset_of(o, kd, kshape, kstrides);
    TACC acc = INIT;
    if (rd == 1 && rstrides.n[0] == 1) {
      base += j0;
      constexpr int V = 16 / sizeof(TI) > 0 ? 16 / sizeof(TI) : 1;
      i64 head = 0;
      if (V > 1) {
        u64 mis = ((u64)base) & 15;
        head = mis == 0 ? 0 : (16 - (i64)mis) / (i64)sizeof(TI);
        if (((u64)base) % sizeof(TI) != 0) head = R;
        if (head > R) head = R;
      }
      for (i64 j = threadIdx.x; j < head; j += blockDim.x) acc = COMB(acc, LOAD(base[j]));
      const vec<TI, V>* vb = reinterpret_cast<const vec<TI, V>*>(base + head);
      i64 nv = (R - head) / V;
      i64 j = threadIdx.x;
      // Four independent loads in flight per thread.
      for (; j + 3 * (i64)blockDim.x < nv; j += 4 * (i64)blockDim.x) {
        vec<TI, V> x0 = vb[j], x1 = vb[j + blockDim.x], x2 = vb[j + 2 * blockDim.x], x3 = vb[j + 3 * blockDim.x];
        TACC a1 = INIT, a2 = INIT, a3 = INIT;
#pragma unroll
        for (int k = 0; k < V; k++) {
          acc = COMB(acc, LOAD(x0.v[k]));
          a1 = COMB(a1, LOAD(x1.v[k]));
          a2 = COMB(a2, LOAD(x2.v[k]));
          a3 = COMB(a3, LOAD(x3.v[k]));
        }
        acc = COMB(acc, COMB(COMB(a1, a2), a3));
      }
      for (; j < nv; j += blockDim.x) {
        vec<TI, V> x = vb[j];
#pragma unroll
        for (int k = 0; k < V; k++) acc = COMB(acc, LOAD(x.v[k]));
      }
      for (i64 j = head + nv * V + threadIdx.x; j < R; j += blockDim.x) acc = COMB(acc, LOAD(base[j]));
    } else {
      for (i64 j = j0 + threadIdx.x; j < j1; j += blockDim.x) acc = COMB(acc, LOAD(base[offset_of(j, rd, rshape, rstrides)]));
    }
    acc = block_fold(acc);
    if (threadIdx.x == 0) {
      if (split == 1) out[o] = FIN(acc);
      else part[p * n_out + o] = acc;
    }
    __syncthreads();
  }
}

// Thread per output; blockIdx.y takes reduced elements [y * chunk, (y + 1) * chunk).
// With gridDim.y == 1 the result is final, else partials go to `part` ([gridDim.y, n_out]).
extern "C" __global__ void red_col(TO* __restrict__ out, TACC* __restrict__ part, const TI* __restrict__ in,
                                   i64 n_out, i64 R, i64 chunk, int kd, Dims kshape, Dims kstrides, int rd,
                                   Dims rshape, Dims rstrides) {
  i64 o = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (o >= n_out) return;
  const TI* base = in + offset_of(o, kd, kshape, kstrides);
  i64 j0 = (i64)blockIdx.y * chunk, j1 = j0 + chunk < R ? j0 + chunk : R;
  TACC acc = INIT;
  if (rd == 1) {
    i64 s = rstrides.n[0];
    i64 j = j0;
    for (; j + 4 <= j1; j += 4) {
      TI x0 = base[j * s], x1 = base[(j + 1) * s], x2 = base[(j + 2) * s], x3 = base[(j + 3) * s];
      acc = COMB(acc, LOAD(x0));
      acc = COMB(acc, LOAD(x1));
      acc = COMB(acc, LOAD(x2));
      acc = COMB(acc, LOAD(x3));
    }
    for (; j < j1; j++) acc = COMB(acc, LOAD(base[j * s]));
  } else {
    for (i64 j = j0; j < j1; j++) acc = COMB(acc, LOAD(base[offset_of(j, rd, rshape, rstrides)]));
  }
  if (gridDim.y == 1) out[o] = FIN(acc);
  else part[(i64)blockIdx.y * n_out + o] = acc;
}

extern "C" __global__ void red_final(TO* __restrict__ out, const TACC* __restrict__ part, i64 n_out, int parts) {
  i64 o = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (o >= n_out) return;
  TACC acc = INIT;
  for (int p = 0; p < parts; p++) acc = COMB(acc, part[(i64)p * n_out + o]);
  out[o] = FIN(acc);
}

// One warp per output over a contiguous reduced range (many outputs): no block
// barriers, eight 16-byte loads in flight per lane, so every SM keeps plenty
// of bytes on the way however short each warp's life is.
extern "C" __global__ void __launch_bounds__(256) red_row_warp(TO* __restrict__ out, const TI* __restrict__ in,
                                                               i64 n_out, i64 R, int kd, Dims kshape,
                                                               Dims kstrides) {
  constexpr int V = 16 / sizeof(TI) > 0 ? 16 / sizeof(TI) : 1;
#ifndef RW_U
#define RW_U 4
#endif
  constexpr int U = RW_U;
  const i64 warps = (i64)gridDim.x * (blockDim.x >> 5);
  const int lane = threadIdx.x & 31;
  for (i64 o = ((i64)blockIdx.x * blockDim.x + threadIdx.x) >> 5; o < n_out; o += warps) {
    const TI* base = in + offset_of(o, kd, kshape, kstrides);
    TACC acc = INIT;
    i64 head = 0;
    if (V > 1) {
      u64 mis = ((u64)base) & 15;
      head = mis == 0 ? 0 : (16 - (i64)mis) / (i64)sizeof(TI);
      if (((u64)base) % sizeof(TI) != 0) head = R;
      if (head > R) head = R;
    }
    for (i64 j = lane; j < head; j += 32) acc = COMB(acc, LOAD(base[j]));
    const vec<TI, V>* vb = reinterpret_cast<const vec<TI, V>*>(base + head);
    const i64 nv = (R - head) / V;
    i64 j = lane;
    for (; j + (U - 1) * 32 < nv; j += U * 32) {
      vec<TI, V> x[U];
#pragma unroll
      for (int u = 0; u < U; u++) x[u] = vb[j + u * 32];
      TACC a[U];
#pragma unroll
      for (int u = 0; u < U; u++) {
        a[u] = INIT;
#pragma unroll
        for (int k = 0; k < V; k++) a[u] = COMB(a[u], LOAD(x[u].v[k]));
      }
#pragma unroll
      for (int u = 1; u < U; u++) a[0] = COMB(a[0], a[u]);
      acc = COMB(acc, a[0]);
    }
    for (; j < nv; j += 32) {
      vec<TI, V> x = vb[j];
#pragma unroll
      for (int k = 0; k < V; k++) acc = COMB(acc, LOAD(x.v[k]));
    }
    for (i64 t = head + nv * V + lane; t < R; t += 32) acc = COMB(acc, LOAD(base[t]));
    for (int d = 16; d > 0; d >>= 1) {
      TACC other = shfl_down(acc, d);
      acc = COMB(acc, other);
    }
    if (lane == 0) out[o] = FIN(acc);
  }
}

// red_col with V adjacent outputs per thread read as one 16-byte vector: the
// kept axis is contiguous (outputs o .. o + V - 1 are adjacent in memory) and
// every reduced stride keeps the vectors aligned (the host checks).
extern "C" __global__ void red_col_vec(TO* __restrict__ out, TACC* __restrict__ part, const TI* __restrict__ in,
                                       i64 n_out, i64 R, i64 chunk, int rd, Dims rshape, Dims rstrides) {
  constexpr int V = 16 / sizeof(TI) > 0 ? 16 / sizeof(TI) : 1;
  i64 ov = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (ov * V >= n_out) return;
  const TI* base = in + ov * V;
  i64 j0 = (i64)blockIdx.y * chunk, j1 = j0 + chunk < R ? j0 + chunk : R;
  TACC acc[V];
#pragma unroll
  for (int k = 0; k < V; k++) acc[k] = INIT;
  if (rd == 1) {
    const i64 s = rstrides.n[0];
    i64 j = j0;
    // COL_U 16-byte loads in flight per thread.
#ifndef COL_U
#define COL_U 16
#endif
#ifndef COL_PIPE
#define COL_PIPE 0
#endif
#if COL_PIPE
    // Software-pipelined: the next COL_U rows are requested before the
    // current ones are added, so loads stay in flight while the thread adds
    // (same order of additions as below, so the same result).
    if (j + COL_U <= j1) {
      vec<TI, V> x[COL_U];
#pragma unroll
      for (int u = 0; u < COL_U; u++) x[u] = *reinterpret_cast<const vec<TI, V>*>(base + (j + u) * s);
      j += COL_U;
      for (; j + COL_U <= j1; j += COL_U) {
        vec<TI, V> y[COL_U];
#pragma unroll
        for (int u = 0; u < COL_U; u++) y[u] = *reinterpret_cast<const vec<TI, V>*>(base + (j + u) * s);
#pragma unroll
        for (int u = 0; u < COL_U; u++)
#pragma unroll
          for (int k = 0; k < V; k++) acc[k] = COMB(acc[k], LOAD(x[u].v[k]));
#pragma unroll
        for (int u = 0; u < COL_U; u++) x[u] = y[u];
      }
#pragma unroll
      for (int u = 0; u < COL_U; u++)
#pragma unroll
        for (int k = 0; k < V; k++) acc[k] = COMB(acc[k], LOAD(x[u].v[k]));
    }
#else
    for (; j + COL_U <= j1; j += COL_U) {
      vec<TI, V> x[COL_U];
#pragma unroll
      for (int u = 0; u < COL_U; u++) x[u] = *reinterpret_cast<const vec<TI, V>*>(base + (j + u) * s);
#pragma unroll
      for (int u = 0; u < COL_U; u++)
#pragma unroll
        for (int k = 0; k < V; k++) acc[k] = COMB(acc[k], LOAD(x[u].v[k]));
    }
#endif
    for (; j < j1; j++) {
      vec<TI, V> x = *reinterpret_cast<const vec<TI, V>*>(base + j * s);
#pragma unroll
      for (int k = 0; k < V; k++) acc[k] = COMB(acc[k], LOAD(x.v[k]));
    }
  } else {
    for (i64 j = j0; j < j1; j++) {
      vec<TI, V> x = *reinterpret_cast<const vec<TI, V>*>(base + offset_of(j, rd, rshape, rstrides));
#pragma unroll
      for (int k = 0; k < V; k++) acc[k] = COMB(acc[k], LOAD(x.v[k]));
    }
  }
#pragma unroll
  for (int k = 0; k < V; k++) {
    if (gridDim.y == 1) out[ov * V + k] = FIN(acc[k]);
    else part[(i64)blockIdx.y * n_out + ov * V + k] = acc[k];
  }
}
