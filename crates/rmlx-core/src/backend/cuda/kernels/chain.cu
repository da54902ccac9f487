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

struct ChainStep {
  u8 code, mode, slot, swap;
  u32 pad;
  u64 imm;
};

struct ChainProg {
  int n, vec;
  const T* arr[CHAIN_ARRAYS];
  ChainStep steps[CHAIN_STEPS];
};

template <int V> DEV void chain_run(T* __restrict__ out, const ChainProg& p, i64 i0) {
  T acc[V], y[V];
#pragma unroll
  for (int k = 0; k < V; k++) acc[k] = T();
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
      vec<T, V> t = *reinterpret_cast<const vec<T, V>*>(p.arr[st.slot] + i0);
#pragma unroll
      for (int k = 0; k < V; k++) y[k] = t.v[k];
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
    vec<T, V> t;
#pragma unroll
    for (int k = 0; k < V; k++) t.v[k] = acc[k];
    *reinterpret_cast<vec<T, V>*>(out + i0) = t;
  } else {
    out[i0] = acc[0];
  }
}

// One thread per VW elements; vector accesses when the host found every dense
// pointer aligned (p.vec), else element by element.
extern "C" __global__ void __launch_bounds__(256) ew_chain(T* __restrict__ out, i64 n,
                                                           const __grid_constant__ ChainProg p) {
  constexpr int VW = 16 / sizeof(T) > 0 ? 16 / sizeof(T) : 1;
  i64 base = ((i64)blockIdx.x * blockDim.x + threadIdx.x) * VW;
  if (base >= n) return;
  if (p.vec && base + VW <= n) {
    chain_run<VW>(out, p, base);
  } else {
    for (i64 i = base; i < n && i < base + VW; i++) chain_run<1>(out, p, i);
  }
}
