// Counter-based random numbers: Threefry-2x32 bits in MLX's layout and
// float32 normals from them, equal to the CPU's (backend/cpu/random.rs).

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
