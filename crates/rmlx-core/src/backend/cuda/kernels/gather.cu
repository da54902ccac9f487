// Row gathers as byte vectors: `take` along an axis whose trailing block (a
// row of `inner` elements) is a whole number of TV-sized words, a block per
// gathered row, the row copied with wide loads and stores. The including
// program defines TV as one of the word types below.

struct __align__(16) w16 { u32 a, b, c, d; };
struct __align__(8) w8 { u32 a, b; };
typedef u32 w4;

// Row r of the (outer, m) gathered rows is row idx[r % m] (wrapped once,
// then clamped) of block r / m of the (outer, n) source rows.
extern "C" __global__ void take_rows(TV* __restrict__ out, const TV* __restrict__ in, const i64* __restrict__ idx,
                                     i64 rows, i64 m, i64 n, i64 inner) {
  for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
    i64 o = r / m, j = r % m;
    i64 k = idx[j];
    if (k < 0) k += n;
    k = k < 0 ? 0 : (k >= n ? n - 1 : k);
    const TV* src = in + (o * n + k) * inner;
    TV* dst = out + r * inner;
    for (i64 i = threadIdx.x; i < inner; i += blockDim.x) dst[i] = src[i];
  }
}
