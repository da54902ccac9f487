// Eager fusion: a chain of elementwise ops of one dtype run by one kernel that
// interprets a short program, so a chain costs one launch however long it is
// and needs no compile of its own. The including program defines T and
// chain_apply<V>(acc, y, code, swap), a switch over the fusable ops built from
// the same expressions as the single-op kernels (so results are identical).
//
// Each step reads an operand y (the accumulator itself, an immediate, one
// element broadcast from device memory, or element i of a dense array), then
// code 0 loads it into the accumulator and any other code applies an op:
// acc = op(acc) for unary ops, op(acc, y) or, with swap, op(y, acc).

#define CHAIN_STEPS 240
#define CHAIN_ARRAYS 8
#ifndef CHAIN_PRE
#define CHAIN_PRE 3
#endif

struct ChainStep {
  u8 code, mode, slot, swap;
  u32 pad;
  u64 imm;
};

struct ChainProg {
  int n, vec;
  int pre[4];  // slots of the first dense steps, in step order (-1: none)
  const T* arr[CHAIN_ARRAYS];
  ChainStep steps[CHAIN_STEPS];
};

// V elements a thread, read and written as U vectors of V / U elements (or
// one by one when U is 1 and V is 1); each step issues its U loads together.
template <int V, int U> DEV void chain_run(T* __restrict__ out, const ChainProg& p, i64 i0) {
  constexpr int W = V / U;
  T acc[V], y[V];
#pragma unroll
  for (int k = 0; k < V; k++) acc[k] = T();
  // The first CHAIN_PRE dense operands are loaded before the first step, so
  // their loads are in flight together rather than one step after another.
  vec<T, W> pre[CHAIN_PRE > 0 ? CHAIN_PRE : 1][U];
  if (V > 1) {
#pragma unroll
    for (int q = 0; q < CHAIN_PRE; q++)
      if (p.pre[q] >= 0) {
        const T* src = p.arr[p.pre[q]] + i0;
#pragma unroll
        for (int u = 0; u < U; u++) pre[q][u] = *reinterpret_cast<const vec<T, W>*>(src + u * W);
      }
  }
  int seen = 0;
  for (int s = 0; s < p.n; s++) {
    const ChainStep& st = p.steps[s];
    if (st.mode == 0) {
#pragma unroll
      for (int k = 0; k < V; k++) y[k] = acc[k];
    } else if (st.mode == 1) {
      T v;
      memcpy(&v, &st.imm, sizeof(T));
#pragma unroll
      for (int k = 0; k < V; k++) y[k] = v;
    } else if (st.mode == 2) {
      T v = p.arr[st.slot][0];
#pragma unroll
      for (int k = 0; k < V; k++) y[k] = v;
    } else if (V > 1) {
      vec<T, W> t[U];
      if (seen < CHAIN_PRE) {
#pragma unroll
        for (int q = 0; q < CHAIN_PRE; q++)
          if (q == seen)
#pragma unroll
            for (int u = 0; u < U; u++) t[u] = pre[q][u];
      } else {
        const T* src = p.arr[st.slot] + i0;
#pragma unroll
        for (int u = 0; u < U; u++) t[u] = *reinterpret_cast<const vec<T, W>*>(src + u * W);
      }
      seen++;
#pragma unroll
      for (int u = 0; u < U; u++)
#pragma unroll
        for (int k = 0; k < W; k++) y[u * W + k] = t[u].v[k];
    } else {
      y[0] = p.arr[st.slot][i0];
    }
    if (st.code == 0) {
#pragma unroll
      for (int k = 0; k < V; k++) acc[k] = y[k];
    } else {
      chain_apply<V>(acc, y, st.code, st.swap != 0);
    }
  }
  if (V > 1) {
#pragma unroll
    for (int u = 0; u < U; u++) {
      vec<T, W> t;
#pragma unroll
      for (int k = 0; k < W; k++) t.v[k] = acc[u * W + k];
      *reinterpret_cast<vec<T, W>*>(out + i0 + u * W) = t;
    }
  } else {
    out[i0] = acc[0];
  }
}

// CHAIN_U vectors of 16 bytes a thread when the host found every dense
// pointer aligned (p.vec), else element by element.
#ifndef CHAIN_U
#define CHAIN_U 2
#endif
#ifndef CHAIN_MINB
#define CHAIN_MINB 1
#endif
extern "C" __global__ void __launch_bounds__(256, CHAIN_MINB) ew_chain(T* __restrict__ out, i64 n,
                                                           const __grid_constant__ ChainProg p) {
  constexpr int VW = 16 / sizeof(T) > 0 ? 16 / sizeof(T) : 1;
  constexpr int E = VW * CHAIN_U;
  i64 base = ((i64)blockIdx.x * blockDim.x + threadIdx.x) * E;
  if (base >= n) return;
  if (p.vec && base + E <= n) {
    chain_run<E, CHAIN_U>(out, p, base);
  } else {
    for (i64 i = base; i < n && i < base + E; i++) chain_run<1, 1>(out, p, i);
  }
}
