// The im2col step of a convolution (channels last). The including program
// defines T, the element type.
//
// Rows r0 .. r0 + rows of the unfolded input, laid out (G, rows, K, Cg):
// element (g, r, k, c) is x[n, p_1, ..., p_d, g * Cg + c], where row r0 + r
// is (n, o_1, ..., o_d) of the output and k is (k_1, ..., k_d) of the kernel
// (its reverse when flipping), with q_i = o_i * stride_i + k_i * kdil_i - lo_i
// a position of the input dilated by idil_i: p_i = q_i / idil_i where that
// divides and lands inside the input, else the element is zero (padding, or
// a hole of the dilation).
struct CDims { i64 n[8]; };

extern "C" __global__ void conv_unfold(T* __restrict__ out, const T* __restrict__ x, CDims in_sp, CDims out_sp,
                                       CDims ks, CDims stride, CDims kdil, CDims idil, CDims lo, int d, i64 r0,
                                       i64 rows, i64 kk, i64 groups, i64 cg, int flip, i64 total) {
  const i64 c_in = groups * cg;
  for (i64 t = (i64)blockIdx.x * blockDim.x + threadIdx.x; t < total; t += (i64)gridDim.x * blockDim.x) {
    i64 u = t;
    const i64 c = u % cg;
    u /= cg;
    i64 k = u % kk;
    u /= kk;
    i64 r = r0 + u % rows;
    const i64 g = u / rows;
    // The kernel position, last dimension first; then the output position.
    i64 kpos[8], opos[8];
    for (int i = d - 1; i >= 0; --i) {
      kpos[i] = k % ks.n[i];
      k /= ks.n[i];
      opos[i] = r % out_sp.n[i];
      r /= out_sp.n[i];
    }
    i64 src = r;  // the batch index n
    bool inside = true;
    for (int i = 0; i < d; ++i) {
      const i64 ki = flip ? ks.n[i] - 1 - kpos[i] : kpos[i];
      const i64 q = opos[i] * stride.n[i] + ki * kdil.n[i] - lo.n[i];
      const i64 p = q / idil.n[i];
      inside = inside && q >= 0 && q % idil.n[i] == 0 && p < in_sp.n[i];
      src = src * in_sp.n[i] + (inside ? p : 0);
    }
    out[t] = inside ? x[src * c_in + g * cg + c] : from_f64<T>(0.0);
  }
}
