// Elementwise maps of one to three inputs (unary ops, binary ops, select,
// astype, copies). The including program defines TO, TI0, TI1, TI2 and
// OP(x0, x1, x2). Each input is read in one of three modes: 0 dense (index i
// of the output's row-major order, or strided in ew_strided), 1 one element
// broadcast from device memory, 2 an immediate value passed by value.

#define MAXD 8
struct Dims { i64 n[MAXD]; };
struct Imm { u64 w[2]; };

template <class T> DEV T read_imm(const Imm& v) {
  T x;
  memcpy(&x, &v.w[0], sizeof(T));
  return x;
}

template <class T> DEV T load_at(const T* p, int mode, const Imm& imm, i64 i) {
  if (mode == 2) return read_imm<T>(imm);
  if (mode == 1) return p[0];
  return p[i];
}

// Dense or broadcast inputs, row-major output.
extern "C" __global__ void ew_contig(TO* __restrict__ out, const TI0* __restrict__ a, int ma, Imm ia,
                                     const TI1* __restrict__ b, int mb, Imm ib, const TI2* __restrict__ c, int mc,
                                     Imm ic, i64 n) {
  i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  TI0 x0 = load_at(a, ma, ia, i);
  TI1 x1 = load_at(b, mb, ib, i);
  TI2 x2 = load_at(c, mc, ic, i);
  out[i] = OP(x0, x1, x2);
}

// The same with VW elements per thread through aligned vector accesses
// (the host checks alignment); the last partial vector goes element by element.
#ifndef VW
#define VW 4
#endif
extern "C" __global__ void ew_vec(TO* __restrict__ out, const TI0* __restrict__ a, int ma, Imm ia,
                                  const TI1* __restrict__ b, int mb, Imm ib, const TI2* __restrict__ c, int mc,
                                  Imm ic, i64 n) {
  // EW_U vectors per thread, all loaded before any is used.
#ifndef EW_U
#define EW_U 1
#endif
  constexpr int U = EW_U;
  i64 base = ((i64)blockIdx.x * blockDim.x + threadIdx.x) * (VW * U);
  if (base >= n) return;
  TI0 sa = ma == 0 ? TI0() : load_at(a, ma, ia, 0);
  TI1 sb = mb == 0 ? TI1() : load_at(b, mb, ib, 0);
  TI2 sc = mc == 0 ? TI2() : load_at(c, mc, ic, 0);
  if (base + VW * U <= n) {
    vec<TI0, VW> va[U] = {};
    vec<TI1, VW> vb[U] = {};
    vec<TI2, VW> vc[U] = {};
#pragma unroll
    for (int u = 0; u < U; u++) {
      if (ma == 0) va[u] = *reinterpret_cast<const vec<TI0, VW>*>(a + base + u * VW);
      if (mb == 0) vb[u] = *reinterpret_cast<const vec<TI1, VW>*>(b + base + u * VW);
      if (mc == 0) vc[u] = *reinterpret_cast<const vec<TI2, VW>*>(c + base + u * VW);
    }
#pragma unroll
    for (int u = 0; u < U; u++) {
      vec<TO, VW> vo;
#pragma unroll
      for (int k = 0; k < VW; k++) {
        TI0 e0 = ma == 0 ? va[u].v[k] : sa;
        TI1 e1 = mb == 0 ? vb[u].v[k] : sb;
        TI2 e2 = mc == 0 ? vc[u].v[k] : sc;
        vo.v[k] = OP(e0, e1, e2);
      }
      *reinterpret_cast<vec<TO, VW>*>(out + base + u * VW) = vo;
    }
  } else {
    for (i64 i = base; i < n; i++) {
      TI0 e0 = load_at(a, ma, ia, i);
      TI1 e1 = load_at(b, mb, ib, i);
      TI2 e2 = load_at(c, mc, ic, i);
      out[i] = OP(e0, e1, e2);
    }
  }
}

// Any strides (in elements) for the inputs and the output, over `nd` merged dimensions.
extern "C" __global__ void ew_strided(TO* __restrict__ out, const TI0* __restrict__ a, int ma, Imm ia,
                                      const TI1* __restrict__ b, int mb, Imm ib, const TI2* __restrict__ c, int mc,
                                      Imm ic, i64 n, int nd, Dims shape, Dims so, Dims sa, Dims sb, Dims sc) {
  i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  i64 r = i, oo = 0, oa = 0, ob = 0, oc = 0;
  for (int d = nd - 1; d >= 0; d--) {
    i64 k = r % shape.n[d];
    r /= shape.n[d];
    oo += k * so.n[d];
    oa += k * sa.n[d];
    ob += k * sb.n[d];
    oc += k * sc.n[d];
  }
  out[oo] = OP(load_at(a, ma, ia, oa), load_at(b, mb, ib, ob), load_at(c, mc, ic, oc));
}

// Two merged dimensions (rows x cols) into a row-major output: input k reads
// element (r, c) at r * rs + c * cs with cs 0 (one value per row) or 1
// (contiguous along the row), which covers a bias or mask broadcast along
// rows or columns. A thread does VW columns of one row, through vector
// accesses when `vec_ok` (the host checks cols % VW, the row strides and the
// alignment), one element at a time otherwise.
template <class T> DEV void load_row(vec<T, VW>& v, const T* p, int mode, const Imm& imm, i64 rs, i64 cs, i64 r,
                                     i64 col, int cnt, bool vec_ok) {
  if (mode == 2 || mode == 1 || cs == 0) {
    T x = mode == 2 ? read_imm<T>(imm) : (mode == 1 ? p[0] : p[r * rs]);
#pragma unroll
    for (int k = 0; k < VW; k++) v.v[k] = x;
    return;
  }
  const T* q = p + r * rs + col;
  if (vec_ok) {
    v = *reinterpret_cast<const vec<T, VW>*>(q);
    return;
  }
#pragma unroll
  for (int k = 0; k < VW; k++) v.v[k] = k < cnt ? q[k] : T();
}

extern "C" __global__ void ew_rows(TO* __restrict__ out, const TI0* __restrict__ a, int ma, Imm ia,
                                   const TI1* __restrict__ b, int mb, Imm ib, const TI2* __restrict__ c, int mc,
                                   Imm ic, i64 n, i64 cols, i64 ra, i64 ca, i64 rb, i64 cb, i64 rc, i64 cc,
                                   int vec_ok) {
  i64 rows = n / cols;
  i64 vpr = (cols + VW - 1) / VW;
  i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= rows * vpr) return;
  i64 r = rows * vpr <= 0x7fffffff ? (i64)((unsigned)t / (unsigned)vpr) : t / vpr;
  i64 col = (t - r * vpr) * VW;
  int cnt = cols - col < VW ? (int)(cols - col) : VW;
  vec<TI0, VW> va;
  vec<TI1, VW> vb;
  vec<TI2, VW> vc;
  load_row(va, a, ma, ia, ra, ca, r, col, cnt, vec_ok);
  load_row(vb, b, mb, ib, rb, cb, r, col, cnt, vec_ok);
  load_row(vc, c, mc, ic, rc, cc, r, col, cnt, vec_ok);
  vec<TO, VW> vo;
#pragma unroll
  for (int k = 0; k < VW; k++) vo.v[k] = OP(va.v[k], vb.v[k], vc.v[k]);
  TO* o = out + r * cols + col;
  if (vec_ok) {
    *reinterpret_cast<vec<TO, VW>*>(o) = vo;
  } else {
    for (int k = 0; k < cnt; k++) o[k] = vo.v[k];
  }
}

// start + i * step in f64, converted as astype converts.
extern "C" __global__ void ew_arange(TO* __restrict__ out, double start, double step, i64 n) {
  i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = from_f64<TO>(start + (double)i * step);
}

// Constant or edge padding: each output element reads its input element or the fill.
extern "C" __global__ void ew_pad(TO* __restrict__ out, const TO* __restrict__ in, const TO* __restrict__ fill,
                                  int edge, i64 n, int nd, Dims oshape, Dims ishape, Dims istrides, Dims low) {
  i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  i64 r = i, off = 0;
  bool inside = true;
  for (int d = nd - 1; d >= 0; d--) {
    i64 k = r % oshape.n[d];
    r /= oshape.n[d];
    i64 j = k - low.n[d];
    if (j < 0) { inside = false; j = 0; }
    if (j >= ishape.n[d]) { inside = false; j = ishape.n[d] - 1; }
    off += j * istrides.n[d];
  }
  out[i] = (inside || edge) ? in[off] : fill[0];
}

// take along an axis of a row-major input: out[o, j, i] = in[o, idx[j], i],
// negative indices from the end, the rest clamped into [0, n).
extern "C" __global__ void ew_take(TO* __restrict__ out, const TO* __restrict__ in, const i64* __restrict__ idx,
                                   i64 total, i64 m, i64 n, i64 inner) {
  i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= total) return;
  i64 i = t % inner, r = t / inner;
  i64 j = r % m, o = r / m;
  i64 k = idx[j];
  if (k < 0) k += n;
  k = k < 0 ? 0 : (k >= n ? n - 1 : k);
  out[t] = in[(o * n + k) * inner + i];
}

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

// Threefry-2x32 (20 rounds) of the counter pair (c0, c1) under the key (k0, k1).
DEV uint2 threefry2x32(u32 k0, u32 k1, u32 c0, u32 c1) {
  const u32 ks[3] = {k0, k1, 0x1BD11BDAu ^ k0 ^ k1};
  const int rot[2][4] = {{13, 15, 26, 6}, {17, 29, 16, 24}};
  u32 x0 = c0 + ks[0], x1 = c1 + ks[1];
#pragma unroll
  for (int i = 0; i < 5; i++) {
#pragma unroll
    for (int j = 0; j < 4; j++) {
      x0 += x1;
      x1 = __funnelshift_l(x1, x1, rot[i % 2][j]) ^ x0;
    }
    x0 += ks[(i + 1) % 3];
    x1 += ks[(i + 2) % 3] + (u32)(i + 1);
  }
  return make_uint2(x0, x1);
}

// Word w of one key's `per_key` bytes: whole when the keys' blocks are
// word-aligned, else its low bytes up to the end of the block.
DEV void put_word(u8* base, i64 per_key, i64 w, u32 v, bool aligned) {
  if (aligned) {
    reinterpret_cast<u32*>(base)[w] = v;
    return;
  }
  for (int b = 0; b < 4 && 4 * w + b < per_key; b++) base[4 * w + b] = (u8)(v >> (8 * b));
}

// Random bits in MLX's layout (backend/cpu/random.rs says it in full): a
// thread per counter pair of one key; `keys` holds nkeys pairs of words.
// Splits thread t into (key k, counter i): 64-bit division costs more than
// the rest of the index math, so one key or 32-bit extents avoid it.
DEV void key_split(i64 t, i64 counters, i64 nkeys, i64& k, i64& i) {
  if (nkeys == 1) {
    k = 0;
    i = t;
  } else if (nkeys * counters <= 0xffffffffll) {
    u32 q = (u32)t / (u32)counters;
    k = q;
    i = t - (i64)q * counters;
  } else {
    k = t / counters;
    i = t - k * counters;
  }
}

extern "C" __global__ void ew_random_bits(u8* __restrict__ out, const u32* __restrict__ keys, i64 nkeys, i64 per_key,
                                          i64 half, i64 odd) {
  i64 counters = half + odd;
  i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= nkeys * counters) return;
  i64 k, i;
  key_split(t, counters, nkeys, k, i);
  u32 k0 = keys[2 * k], k1 = keys[2 * k + 1];
  u8* base = out + k * per_key;
  bool aligned = per_key % 4 == 0;
  if (i < half) {
    uint2 x = threefry2x32(k0, k1, (u32)i, (u32)(half + odd + i));
    put_word(base, per_key, i, x.x, aligned);
    put_word(base, per_key, half + odd + i, x.y, aligned);
  } else {
    put_word(base, per_key, half, threefry2x32(k0, k1, (u32)half, 0u).x, aligned);
  }
}

// Float32 steps rounded once each, fused only where written (__fmaf_rn), as the CPU computes them
// (backend/cpu/random.rs), so both devices give the same normals.
DEV float log_f32(float y) {
  u32 bits = __float_as_uint(y);
  int e = (int)((bits >> 23) & 0xffu) - 127;
  float m = __uint_as_float((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421354f) {
    m = __fmul_rn(m, 0.5f);
    e += 1;
  }
  float s = __fdiv_rn(__fadd_rn(m, -1.0f), __fadd_rn(m, 1.0f));
  float z = __fmul_rn(s, s);
  float p = 1.0f / 11.0f;
  p = __fmaf_rn(p, z, 1.0f / 9.0f);
  p = __fmaf_rn(p, z, 1.0f / 7.0f);
  p = __fmaf_rn(p, z, 1.0f / 5.0f);
  p = __fmaf_rn(p, z, 1.0f / 3.0f);
  float t = __fmul_rn(2.0f, s);
  float lm = __fmaf_rn(t, __fmul_rn(z, p), t);
  float ef = (float)e;
  float ln2_hi = __uint_as_float(0x3f317200u), ln2_lo = __uint_as_float(0x35bfbe8eu);
  return __fmaf_rn(ef, ln2_hi, __fmaf_rn(ef, ln2_lo, lm));
}

// erfinv in float32: M. Giles' single-precision polynomials (2010).
DEV float erfinv_f32(float x) {
  float w = -log_f32(__fmaf_rn(-x, x, 1.0f));
  float p;
  if (w < 5.0f) {
    w = __fadd_rn(w, -2.5f);
    const float c[8] = {3.43273939e-07f, -3.5233877e-06f, -4.39150654e-06f, 0.00021858087f,
                        -0.00125372503f, -0.00417768164f, 0.246640727f,     1.50140941f};
    p = 2.81022636e-08f;
#pragma unroll
    for (int i = 0; i < 8; i++) p = __fmaf_rn(p, w, c[i]);
  } else {
    w = __fadd_rn(__fsqrt_rn(w), -3.0f);
    const float c[8] = {0.000100950558f, 0.00134934322f, -0.00367342844f, 0.00573950773f,
                        -0.0076224613f,  0.00943887047f, 1.00167406f,     2.83297682f};
    p = -0.000200214257f;
#pragma unroll
    for (int i = 0; i < 8; i++) p = __fmaf_rn(p, w, c[i]);
  }
  return __fmul_rn(p, x);
}

DEV float normal_of_bits(u32 b) {
  float u = fminf(__fmul_rn(__uint2float_rn(b), 2.3283064365386963e-10f), 0.99999994f);
  float v = __fadd_rn(__fmul_rn(2.0f, u), -0.99999994f);
  return __fmul_rn(1.41421354f, erfinv_f32(v));
}

// Standard normals from the words ew_random_bits would write (per_key is a
// multiple of 4 bytes): a thread per counter pair of one key.
extern "C" __global__ void ew_random_normal(float* __restrict__ out, const u32* __restrict__ keys, i64 nkeys,
                                            i64 per_key, i64 half, i64 odd) {
  i64 counters = half + odd;
  i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= nkeys * counters) return;
  i64 k, i;
  key_split(t, counters, nkeys, k, i);
  u32 k0 = keys[2 * k], k1 = keys[2 * k + 1];
  float* base = out + k * (per_key / 4);
  if (i < half) {
    uint2 x = threefry2x32(k0, k1, (u32)i, (u32)(half + odd + i));
    base[i] = normal_of_bits(x.x);
    base[half + odd + i] = normal_of_bits(x.y);
  } else {
    base[half] = normal_of_bits(threefry2x32(k0, k1, (u32)half, 0u).x);
  }
}
