// Scatters into a row-major copy (the host made it): flat positions
// (ew_scatter) or rows along an axis (ew_scatter_axis). The including
// program defines TO, the element type.

// Atomic combine of v into *p: mode 1 add, 2 multiply, 3 max, 4 min.
// Native atomics where the hardware has them (float/double/32- and 64-bit
// integer adds, bfloat16/float16 adds on sm_90), else a compare-and-swap
// loop on the aligned word holding the element.
template <class V> DEV V combine_mode(V a, V b, int mode) {
  switch (mode) {
    case 1: return op_add(a, b);
    case 2: return op_mul(a, b);
    case 3: return op_max(a, b);
    default: return op_min(a, b);
  }
}
template <class V> DEV void atomic_combine(V* p, V v, int mode) {
  if (mode == 1) {
    if constexpr (same<V, float> || same<V, double>) { atomicAdd(p, v); return; }
    if constexpr (same<V, i32> || same<V, u32>) { atomicAdd((u32*)p, (u32)v); return; }
    if constexpr (same<V, i64> || same<V, u64>) {
      atomicAdd((unsigned long long*)p, (unsigned long long)v);
      return;
    }
#if __CUDA_ARCH__ >= 900
    if constexpr (same<V, bf16>) { asm volatile("red.global.add.noftz.bf16 [%0], %1;" ::"l"(p), "h"(v.x) : "memory"); return; }
    if constexpr (same<V, f16>) { asm volatile("red.global.add.noftz.f16 [%0], %1;" ::"l"(p), "h"(v.x) : "memory"); return; }
#endif
  }
  if constexpr (sizeof(V) == 8) {
    union { V v; unsigned long long w; } cur, nv;
    unsigned long long* w = (unsigned long long*)p;
    cur.w = *w;
    while (true) {
      nv.v = combine_mode(cur.v, v, mode);
      unsigned long long old = atomicCAS(w, cur.w, nv.w);
      if (old == cur.w) break;
      cur.w = old;
    }
  } else if constexpr (sizeof(V) == 4) {
    union { V v; u32 w; } cur, nv;
    u32* w = (u32*)p;
    cur.w = *w;
    while (true) {
      nv.v = combine_mode(cur.v, v, mode);
      u32 old = atomicCAS(w, cur.w, nv.w);
      if (old == cur.w) break;
      cur.w = old;
    }
  } else {
    // 1- and 2-byte elements: the 4-byte word around them.
    u64 addr = (u64)p;
    u32* w = (u32*)(addr & ~(u64)3);
    int shift = (int)(addr & 3) * 8;
    u32 mask = (sizeof(V) == 1 ? 0xffu : 0xffffu) << shift;
    u32 old = *w;
    while (true) {
      union { V v; u32 w; } cur, nv;
      cur.w = (old & mask) >> shift;
      nv.w = 0;
      nv.v = combine_mode(cur.v, v, mode);
      u32 repl = (old & ~mask) | ((nv.w << shift) & mask);
      u32 got = atomicCAS(w, old, repl);
      if (got == old) break;
      old = got;
    }
  }
}

DEV i64 clamp_index(i64 k, i64 n) {
  if (k < 0) k += n;
  return k < 0 ? 0 : (k >= n ? n - 1 : k);
}

// scatter into a row-major copy, a thread per update: mode 0 sets (with
// repeated positions one of them wins), modes 1-4 (add, multiply, max, min)
// combine atomically, so repeated positions accumulate (in some order).
extern "C" __global__ void ew_scatter(TO* __restrict__ out, const i64* __restrict__ idx,
                                      const TO* __restrict__ upd, i64 m, i64 size, int mode) {
  for (i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x; t < m; t += (i64)gridDim.x * blockDim.x) {
    i64 p = clamp_index(idx[t], size);
    if (mode == 0) out[p] = upd[t];
    else atomic_combine(out + p, upd[t], mode);
  }
}

// scatter_axis: update element t of shape (outer, m, inner) goes to row
// idx[j] of axis n of the (outer, n, inner) copy.
extern "C" __global__ void ew_scatter_axis(TO* __restrict__ out, const i64* __restrict__ idx,
                                           const TO* __restrict__ upd, i64 total, i64 m, i64 n, i64 inner, int mode) {
  for (i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x; t < total; t += (i64)gridDim.x * blockDim.x) {
    i64 i = t % inner, r = t / inner;
    i64 j = r % m, o = r / m;
    i64 dest = (o * n + clamp_index(idx[j], n)) * inner + i;
    if (mode == 0) out[dest] = upd[t];
    else atomic_combine(out + dest, upd[t], mode);
  }
}

#if __CUDA_ARCH__ >= 900
// bfloat16 adds of row pairs: two elements a thread with one bf16x2 atomic
// (inner even, rows 4-byte aligned).
extern "C" __global__ void ew_scatter_axis_add_bf16x2(u32* __restrict__ out, const i64* __restrict__ idx,
                                                      const u32* __restrict__ upd, i64 total2, i64 m, i64 n,
                                                      i64 inner2) {
  for (i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x; t < total2; t += (i64)gridDim.x * blockDim.x) {
    i64 i = t % inner2, r = t / inner2;
    i64 j = r % m, o = r / m;
    i64 dest = (o * n + clamp_index(idx[j], n)) * inner2 + i;
    u32 v = upd[t];
    asm volatile("red.global.add.noftz.bf16x2 [%0], %1;" ::"l"(out + dest), "r"(v) : "memory");
  }
}
#endif
