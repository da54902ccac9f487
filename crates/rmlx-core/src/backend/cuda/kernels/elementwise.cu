// Elementwise maps of one to three inputs (unary ops, binary ops, select,
// astype, copies, arange, pad, take). The including program defines TO,
// TI0, TI1, TI2 and OP(x0, x1, x2). Each input is read in one of three
// modes: 0 dense (index i of the output's row-major order, or strided in
// ew_strided), 1 one element broadcast from device memory, 2 an immediate
// value passed by value.

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
