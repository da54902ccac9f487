// Shared by every rmlx kernel: element types, conversions with the CPU
// backend's exact rules, and the arithmetic of each dtype. No CUDA headers
// are needed (NVRTC finds none by itself): float16 and bfloat16 are plain
// 16-bit structs converted with PTX instructions.

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char i8;
typedef short i16;
typedef int i32;
typedef long long i64;

struct __align__(2) f16 { u16 x; };
struct __align__(2) bf16 { u16 x; };
struct __align__(8) c64 { float re, im; };

#define DEV __device__ __forceinline__

template <class A, class B> constexpr bool same = false;
template <class A> constexpr bool same<A, A> = true;

// ---------------------------------------------------------------- traits
template <class T> struct kind { static constexpr int v = 0; };  // 0 bool
template <> struct kind<u8> { static constexpr int v = 1; };      // 1 unsigned
template <> struct kind<u16> { static constexpr int v = 1; };
template <> struct kind<u32> { static constexpr int v = 1; };
template <> struct kind<u64> { static constexpr int v = 1; };
template <> struct kind<i8> { static constexpr int v = 2; };      // 2 signed
template <> struct kind<i16> { static constexpr int v = 2; };
template <> struct kind<i32> { static constexpr int v = 2; };
template <> struct kind<i64> { static constexpr int v = 2; };
template <> struct kind<f16> { static constexpr int v = 3; };     // 3 float16/bfloat16
template <> struct kind<bf16> { static constexpr int v = 3; };
template <> struct kind<float> { static constexpr int v = 4; };   // 4 float32
template <> struct kind<double> { static constexpr int v = 5; };  // 5 float64
template <> struct kind<c64> { static constexpr int v = 6; };     // 6 complex64

template <class T> constexpr bool is_bool = kind<T>::v == 0;
template <class T> constexpr bool is_uint = kind<T>::v == 1;
template <class T> constexpr bool is_sint = kind<T>::v == 2;
template <class T> constexpr bool is_int = kind<T>::v == 1 || kind<T>::v == 2;
template <class T> constexpr bool is_real = kind<T>::v >= 3 && kind<T>::v <= 5;
template <class T> constexpr bool is_cplx = kind<T>::v == 6;

template <class T> struct unsigned_of { typedef T t; };
template <> struct unsigned_of<i8> { typedef u8 t; };
template <> struct unsigned_of<i16> { typedef u16 t; };
template <> struct unsigned_of<i32> { typedef u32 t; };
template <> struct unsigned_of<i64> { typedef u64 t; };

// The precision real math runs in: float for 16-bit floats and float32.
template <class T> struct compute_of { typedef float t; };
template <> struct compute_of<double> { typedef double t; };

// ---------------------------------------------------------------- conversions
DEV float h2f(f16 h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h.x)); return f; }
DEV f16 f2h(float f) { f16 h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.x) : "f"(f)); return h; }
DEV f16 d2h(double d) { f16 h; asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h.x) : "d"(d)); return h; }
DEV float b2f(bf16 b) { return __uint_as_float(((u32)b.x) << 16); }
DEV bf16 f2b(float f) { bf16 b; asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(b.x) : "f"(f)); return b; }
// f64 -> f32 rounded to odd: a second rounding to a narrower float is then correct.
DEV float d2f_odd(double d) {
  float f = __double2float_rz(d);
  if (d != d) return (float)d;
  if (isinf(d)) return (float)d;
  if ((double)f != d) f = __uint_as_float(__float_as_uint(f) | 1u);
  return f;
}
DEV bf16 d2b(double d) { return f2b(d2f_odd(d)); }
DEV float ll2f_odd(i64 v) {
  float f = __ll2float_rz(v);
  if (__float2ll_rz(f) != v) f = __uint_as_float(__float_as_uint(f) | 1u);
  return f;
}
DEV float ull2f_odd(u64 v) {
  float f = __ull2float_rz(v);
  if (__float2ull_rz(f) != v) f = __uint_as_float(__float_as_uint(f) | 1u);
  return f;
}
// The low 64 bits of (i128)v, with Rust's saturating float -> i128 cast (NaN handled by the caller).
DEV u64 d2i128_low(double v) {
  double a = fabs(v);
  if (a < 9223372036854775808.0) return (u64)(i64)v;
  if (a >= 1.7014118346046923e38) return v > 0 ? ~0ull : 0ull;  // 2^127: saturated
  u64 bits = __double_as_longlong(a);
  int e = (int)((bits >> 52) & 0x7ff) - 1075;  // a = m * 2^e with integer m
  u64 m = (bits & 0xfffffffffffffull) | (1ull << 52);
  u64 low = e >= 64 ? 0ull : (m << e);
  return v < 0 ? (u64)(0ull - low) : low;
}

// Widening reads: to f64, to i64, to complex.
template <class T> DEV double to_f64(T x) {
  if constexpr (is_bool<T>) return x ? 1.0 : 0.0;
  else if constexpr (kind<T>::v == 3) {
    if constexpr (same<T, f16>) return (double)h2f(x);
    else return (double)b2f(x);
  } else if constexpr (is_cplx<T>) return (double)x.re;
  else return (double)x;
}
template <class T> DEV c64 to_c64(T x) {
  if constexpr (is_cplx<T>) return x;
  else if constexpr (is_bool<T>) return c64{x ? 1.f : 0.f, 0.f};
  else if constexpr (is_int<T>) return c64{(float)x, 0.f};
  else return c64{(float)to_f64(x), 0.f};
}
template <class T> DEV i64 to_i64(T x) { return (i64)x; }

// Narrowing writes from f64.
template <class U> DEV U from_f64(double v) {
  if constexpr (is_bool<U>) return v != 0.0;
  else if constexpr (same<U, f16>) return d2h(v);
  else if constexpr (same<U, bf16>) return d2b(v);
  else if constexpr (same<U, float>) return (float)v;
  else if constexpr (same<U, double>) return v;
  else if constexpr (is_cplx<U>) return c64{(float)v, 0.f};
  else {
    if (v != v) return (U)0;
    return (U)d2i128_low(v);
  }
}

// astype: the CPU backend's `cast` rule for rule.
template <class T, class U> DEV U cast(T x) {
  if constexpr (same<T, U>) return x;
  else if constexpr (is_cplx<U> || is_cplx<T>) {
    c64 z = to_c64(x);
    if constexpr (is_cplx<U>) return z;
    else if constexpr (is_bool<U>) return z.re != 0.f || z.im != 0.f;
    else return from_f64<U>((double)z.re);
  } else if constexpr ((kind<U>::v == 3 || kind<U>::v == 4) && (same<T, i64> || same<T, u64>)) {
    // Round to odd in f32 first: the final rounding is then the correctly rounded one.
    if constexpr (same<U, float>) return (float)x;
    else {
      float f;
      if constexpr (same<T, i64>) f = ll2f_odd(x); else f = ull2f_odd(x);
      if constexpr (same<U, f16>) return f2h(f); else return f2b(f);
    }
  } else if constexpr (is_real<T> || is_real<U> || is_bool<U>) {
    return from_f64<U>(to_f64(x));
  } else {
    return (U)(i64)x;
  }
}

// Real math precision: up to float (16-bit floats, float32) or double; down with rounding.
template <class T> DEV typename compute_of<T>::t up(T x) {
  if constexpr (same<T, f16>) return h2f(x);
  else if constexpr (same<T, bf16>) return b2f(x);
  else return x;
}
template <class T> DEV T down(float x) {
  if constexpr (same<T, f16>) return f2h(x);
  else if constexpr (same<T, bf16>) return f2b(x);
  else return (T)x;
}
template <class T> DEV T down(double x) {
  if constexpr (same<T, f16>) return d2h(x);
  else if constexpr (same<T, bf16>) return d2b(x);
  else return (T)x;
}

// ---------------------------------------------------------------- complex
DEV c64 cadd(c64 a, c64 b) { return c64{a.re + b.re, a.im + b.im}; }
DEV c64 csub(c64 a, c64 b) { return c64{a.re - b.re, a.im - b.im}; }
DEV c64 cmul(c64 a, c64 b) { return c64{a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
DEV c64 cdiv(c64 a, c64 b) {
  float n = b.re * b.re + b.im * b.im;
  return c64{(a.re * b.re + a.im * b.im) / n, (a.im * b.re - a.re * b.im) / n};
}
DEV c64 cscale(c64 a, float s) { return c64{a.re * s, a.im * s}; }
DEV float cnorm(c64 a) { return hypotf(a.re, a.im); }
DEV c64 cpolar(float r, float t) { return c64{r * cosf(t), r * sinf(t)}; }
DEV c64 cexp(c64 z) {
  float re = z.re, im = z.im;
  if (isinf(re)) {
    if (re < 0) { if (!isfinite(im)) return c64{0.f, 0.f}; }
    else if (im == 0.f || !isfinite(im)) { if (isinf(im)) im = __int_as_float(0x7fc00000); return c64{re, im}; }
  } else if (isnan(re) && im == 0.f) return z;
  return cpolar(expf(re), im);
}
DEV c64 clog(c64 z) { return c64{logf(cnorm(z)), atan2f(z.im, z.re)}; }
DEV c64 csqrt(c64 z) {
  if (z.im == 0.f) {
    if (!signbit(z.re)) return c64{sqrtf(z.re), z.im};
    float im = sqrtf(-z.re);
    return signbit(z.im) ? c64{0.f, -im} : c64{0.f, im};
  }
  if (z.re == 0.f) {
    float x = sqrtf(fabsf(z.im) / 2.f);
    return signbit(z.im) ? c64{x, -x} : c64{x, x};
  }
  return cpolar(sqrtf(cnorm(z)), atan2f(z.im, z.re) / 2.f);
}
DEV c64 cone() { return c64{1.f, 0.f}; }
DEV c64 ci() { return c64{0.f, 1.f}; }
DEV c64 cneg(c64 z) { return c64{-z.re, -z.im}; }
DEV bool ceq(c64 a, c64 b) { return a.re == b.re && a.im == b.im; }
DEV c64 csin(c64 z) { return c64{sinf(z.re) * coshf(z.im), cosf(z.re) * sinhf(z.im)}; }
DEV c64 ccos(c64 z) { return c64{cosf(z.re) * coshf(z.im), -sinf(z.re) * sinhf(z.im)}; }
DEV c64 ctan(c64 z) {
  float a = z.re + z.re, b = z.im + z.im, d = cosf(a) + coshf(b);
  return c64{sinf(a) / d, sinhf(b) / d};
}
DEV c64 csinh(c64 z) { return c64{sinhf(z.re) * cosf(z.im), coshf(z.re) * sinf(z.im)}; }
DEV c64 ccosh(c64 z) { return c64{coshf(z.re) * cosf(z.im), sinhf(z.re) * sinf(z.im)}; }
DEV c64 ctanh(c64 z) {
  float a = z.re + z.re, b = z.im + z.im, d = coshf(a) + cosf(b);
  return c64{sinhf(a) / d, sinf(b) / d};
}
DEV c64 casin(c64 z) { return cmul(cneg(ci()), clog(cadd(csqrt(csub(cone(), cmul(z, z))), cmul(ci(), z)))); }
DEV c64 cacos(c64 z) { return cmul(cneg(ci()), clog(cadd(cmul(ci(), csqrt(csub(cone(), cmul(z, z)))), z))); }
DEV c64 catan(c64 z) {
  float inf = __int_as_float(0x7f800000);
  if (ceq(z, ci())) return c64{0.f, inf};
  if (ceq(z, cneg(ci()))) return c64{0.f, -inf};
  c64 iz = cmul(ci(), z);
  return cdiv(csub(clog(cadd(cone(), iz)), clog(csub(cone(), iz))), c64{0.f, 2.f});
}
DEV c64 casinh(c64 z) { return clog(cadd(z, csqrt(cadd(cone(), cmul(z, z))))); }
DEV c64 cacosh(c64 z) {
  c64 two = c64{2.f, 0.f};
  return cmul(two, clog(cadd(csqrt(cdiv(cadd(z, cone()), two)), csqrt(cdiv(csub(z, cone()), two)))));
}
DEV c64 catanh(c64 z) {
  float inf = __int_as_float(0x7f800000);
  if (ceq(z, cone())) return c64{inf, 0.f};
  if (ceq(z, cneg(cone()))) return c64{-inf, 0.f};
  return cdiv(csub(clog(cadd(cone(), z)), clog(csub(cone(), z))), c64{2.f, 0.f});
}
DEV bool cisnan(c64 a) { return isnan(a.re) || isnan(a.im); }
DEV bool clt(c64 a, c64 b) { return a.re < b.re || (a.re == b.re && a.im < b.im); }

// ---------------------------------------------------------------- arithmetic
// NumPy's float divmod in f64: floor quotient, remainder with the divisor's sign.
DEV void float_divmod(double a, double b, double& q, double& m) {
  m = fmod(a, b);
  if (b == 0.0) { q = a / b; return; }
  double div = (a - m) / b;
  if (m != 0.0) {
    if ((b < 0.0) != (m < 0.0)) { m += b; div -= 1.0; }
  } else {
    m = copysign(0.0, b);
  }
  if (div != 0.0) {
    double f = floor(div);
    q = (div - f > 0.5) ? f + 1.0 : f;
  } else {
    q = copysign(0.0, a / b);
  }
}

template <class T> DEV bool is_nan_v(T x) {
  if constexpr (is_real<T>) return isnan(up(x));
  else if constexpr (is_cplx<T>) return cisnan(x);
  else return false;
}
template <class T> DEV bool lt(T a, T b) {
  if constexpr (is_bool<T>) return !a && b;
  else if constexpr (is_real<T>) return up(a) < up(b);
  else if constexpr (is_cplx<T>) return clt(a, b);
  else return a < b;
}
template <class T> DEV bool eq(T a, T b) {
  if constexpr (is_real<T>) return up(a) == up(b);
  else if constexpr (is_cplx<T>) return ceq(a, b);
  else return a == b;
}
template <class T> DEV bool nonzero(T a) {
  if constexpr (is_real<T>) return up(a) != 0;
  else if constexpr (is_cplx<T>) return a.re != 0.f || a.im != 0.f;
  else return a != 0;
}
template <class T> DEV T zero_v() {
  if constexpr (is_cplx<T>) return c64{0.f, 0.f};
  else if constexpr (is_real<T>) return down<T>(0.0f);
  else return (T)0;
}
template <class T> DEV T one_v() {
  if constexpr (is_cplx<T>) return c64{1.f, 0.f};
  else if constexpr (is_real<T>) return down<T>(1.0f);
  else return (T)1;
}
// Identities of max and min.
template <class T> DEV T lowest_v() {
  float ninf = __int_as_float(0xff800000);
  if constexpr (is_bool<T>) return false;
  else if constexpr (is_cplx<T>) return c64{ninf, ninf};
  else if constexpr (is_real<T>) return down<T>(ninf);
  else if constexpr (is_uint<T>) return (T)0;
  else return (T)((typename unsigned_of<T>::t)1 << (sizeof(T) * 8 - 1));
}
template <class T> DEV T highest_v() {
  float inf = __int_as_float(0x7f800000);
  if constexpr (is_bool<T>) return true;
  else if constexpr (is_cplx<T>) return c64{inf, inf};
  else if constexpr (is_real<T>) return down<T>(inf);
  else if constexpr (is_uint<T>) return (T)~(T)0;
  else return (T)(((typename unsigned_of<T>::t)1 << (sizeof(T) * 8 - 1)) - 1);
}

template <class T> DEV T op_add(T a, T b) {
  if constexpr (is_bool<T>) return a || b;
  else if constexpr (is_cplx<T>) return cadd(a, b);
  else if constexpr (is_real<T>) return down<T>(up(a) + up(b));
  else { typedef typename unsigned_of<T>::t U; return (T)(U)((U)a + (U)b); }
}
template <class T> DEV T op_sub(T a, T b) {
  if constexpr (is_bool<T>) return a != b;
  else if constexpr (is_cplx<T>) return csub(a, b);
  else if constexpr (is_real<T>) return down<T>(up(a) - up(b));
  else { typedef typename unsigned_of<T>::t U; return (T)(U)((U)a - (U)b); }
}
template <class T> DEV T op_mul(T a, T b) {
  if constexpr (is_bool<T>) return a && b;
  else if constexpr (is_cplx<T>) return cmul(a, b);
  else if constexpr (is_real<T>) return down<T>(up(a) * up(b));
  else { typedef typename unsigned_of<T>::t U; return (T)(U)((U)a * (U)b); }
}
template <class T> DEV T op_div(T a, T b) {
  if constexpr (is_bool<T>) return a && b;
  else if constexpr (is_cplx<T>) return cdiv(a, b);
  else if constexpr (is_real<T>) return down<T>(up(a) / up(b));
  else {
    if (b == 0) return (T)0;
    if constexpr (is_sint<T>) { if (b == (T)-1) return (T)(typename unsigned_of<T>::t)(0 - (typename unsigned_of<T>::t)a); }
    return (T)(a / b);
  }
}
template <class T> DEV T op_floordiv(T a, T b) {
  if constexpr (is_bool<T>) return a && b;
  else if constexpr (is_cplx<T>) { c64 q = cdiv(a, b); return c64{floorf(q.re), 0.f}; }
  else if constexpr (is_real<T>) { double q, m; float_divmod(to_f64(a), to_f64(b), q, m); return down<T>(q); }
  else if constexpr (is_uint<T>) { return b == 0 ? (T)0 : (T)(a / b); }
  else {
    if (b == 0) return (T)0;
    T q = op_div(a, b);
    T r = (b == (T)-1) ? (T)0 : (T)(a % b);
    return (r != 0 && ((a < 0) != (b < 0))) ? op_sub(q, (T)1) : q;
  }
}
template <class T> DEV T op_rem(T a, T b) {
  if constexpr (is_bool<T>) return false;
  else if constexpr (is_cplx<T>) return csub(a, cmul(b, op_floordiv(a, b)));
  else if constexpr (is_real<T>) { double q, m; float_divmod(to_f64(a), to_f64(b), q, m); return down<T>(m); }
  else if constexpr (is_uint<T>) { return b == 0 ? (T)0 : (T)(a % b); }
  else {
    if (b == 0 || b == (T)-1) return (T)0;
    T r = (T)(a % b);
    return (r != 0 && ((r < 0) != (b < 0))) ? op_add(r, b) : r;
  }
}
template <class T> DEV T op_pow(T a, T b) {
  if constexpr (is_bool<T>) return a || !b;
  else if constexpr (is_cplx<T>) {
    if (b.re == 0.f && b.im == 0.f) return cone();
    if (a.re == 0.f && a.im == 0.f) return c64{0.f, 0.f};
    return cexp(cmul(b, clog(a)));
  } else if constexpr (is_real<T>) return down<T>(pow(to_f64(a), to_f64(b)));
  else {
    if constexpr (is_sint<T>) {
      if (b < 0) {
        i64 x = (i64)a;
        if (x == 1) return (T)1;
        if (x == -1) return (((i64)b) % 2 == 0) ? (T)1 : (T)-1;
        return (T)0;
      }
    }
    typedef typename unsigned_of<T>::t U;
    U base = (U)a, acc = 1;
    u64 e = (u64)b;
    while (e > 0) {
      if (e & 1) acc = (U)(acc * base);
      base = (U)(base * base);
      e >>= 1;
    }
    return (T)acc;
  }
}
template <class T> DEV T op_max(T a, T b) {
  if constexpr (is_bool<T>) return a || b;
  else if constexpr (is_cplx<T>) return (cisnan(a) || !clt(a, b)) ? a : b;
  else if constexpr (is_real<T>) return (isnan(up(a)) || up(a) > up(b)) ? a : b;
  else return a > b ? a : b;
}
template <class T> DEV T op_min(T a, T b) {
  if constexpr (is_bool<T>) return a && b;
  else if constexpr (is_cplx<T>) return (cisnan(a) || clt(a, b) || ceq(a, b)) ? a : b;
  else if constexpr (is_real<T>) return (isnan(up(a)) || up(a) < up(b)) ? a : b;
  else return a < b ? a : b;
}
template <class T> DEV T op_band(T a, T b) { if constexpr (is_int<T>) return (T)(a & b); else if constexpr (is_bool<T>) return a && b; else return a; }
template <class T> DEV T op_bor(T a, T b) { if constexpr (is_int<T>) return (T)(a | b); else if constexpr (is_bool<T>) return a || b; else return a; }
template <class T> DEV T op_bxor(T a, T b) { if constexpr (is_int<T>) return (T)(a ^ b); else if constexpr (is_bool<T>) return a != b; else return a; }
template <class T> DEV T op_shl(T a, T b) {
  if constexpr (is_bool<T>) return a && !b;
  else if constexpr (is_int<T>) {
    bool out = (is_sint<T> && b < 0) || (u64)b >= sizeof(T) * 8;
    typedef typename unsigned_of<T>::t U;
    return out ? (T)0 : (T)(U)((U)a << (int)b);
  } else return a;
}
template <class T> DEV T op_shr(T a, T b) {
  if constexpr (is_bool<T>) return a && !b;
  else if constexpr (is_int<T>) {
    bool out = (is_sint<T> && b < 0) || (u64)b >= sizeof(T) * 8;
    if (out) { if constexpr (is_sint<T>) return a < 0 ? (T)-1 : (T)0; else return (T)0; }
    return (T)(a >> (int)b);
  } else return a;
}
template <class T> DEV T op_logaddexp(T a, T b) {
  typedef typename compute_of<T>::t C;
  C x = up(a), y = up(b);
  if (isnan(x) || isnan(y)) return down<T>(x + y);
  C hi = x > y ? x : y, lo = x > y ? y : x;
  if (isinf(hi)) return down<T>(hi);
  return down<T>(hi + log1p(exp(lo - hi)));
}
template <class T> DEV T op_atan2(T a, T b) { return down<T>(atan2(up(a), up(b))); }

template <class T> DEV T op_abs(T a) {
  if constexpr (is_bool<T> || is_uint<T>) return a;
  else if constexpr (is_real<T>) return down<T>(fabs(up(a)));
  else if constexpr (is_cplx<T>) return c64{cnorm(a), 0.f};
  else { typedef typename unsigned_of<T>::t U; return a < 0 ? (T)(U)(0 - (U)a) : a; }
}
template <class T> DEV T op_neg(T a) {
  if constexpr (is_bool<T>) return a;
  else if constexpr (is_real<T>) return down<T>(-up(a));
  else if constexpr (is_cplx<T>) return cneg(a);
  else { typedef typename unsigned_of<T>::t U; return (T)(U)(0 - (U)a); }
}
template <class T> DEV T op_sign(T a) {
  if constexpr (is_bool<T>) return a;
  else if constexpr (is_uint<T>) return (T)(a != 0);
  else if constexpr (is_sint<T>) return (T)((a > 0) - (a < 0));
  else if constexpr (is_cplx<T>) { float n = cnorm(a); return n == 0.f ? a : c64{a.re / n, a.im / n}; }
  else { auto x = up(a); return down<T>(x > 0 ? 1.0f : (x < 0 ? -1.0f : (float)x)); }
}
template <class T> DEV T op_square(T a) { return op_mul(a, a); }
template <class T> DEV T op_invert(T a) { if constexpr (is_bool<T>) return !a; else if constexpr (is_int<T>) return (T)~a; else return a; }

// exp for float32 as the CPU computes it (range reduction and a degree-6 polynomial).
DEV float exp_f32(float x) {
  const float LOG2E = 1.44269504088896341f, LN2_HI = 0.693145751953125f, LN2_LO = 1.428606765330187e-06f;
  float xc = fminf(fmaxf(x, -104.0f), 89.0f);
  const float MAGIC = 12582912.0f;
  float t = __fadd_rn(__fmul_rn(xc, LOG2E), MAGIC);
  float n = __fsub_rn(t, MAGIC);
  int ni = __float_as_int(t) - __float_as_int(MAGIC);
  float r = __fsub_rn(__fsub_rn(xc, __fmul_rn(n, LN2_HI)), __fmul_rn(n, LN2_LO));
  float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.16666667f + r * (0.041666660f + r * (0.008333452f + r * 0.0013886956f)))));
  int n1 = ni >> 1, n2 = ni - n1;
  float y = p * __int_as_float((n1 + 127) << 23) * __int_as_float((n2 + 127) << 23);
  if (x > 88.72284f) y = __int_as_float(0x7f800000);
  if (x < -103.97208f) y = 0.0f;
  return isnan(x) ? x : y;
}
// exp (float), fast: Cody-Waite reduction to |r| <= ln2/2, then the
// hardware 2^x on r * log2(e); within a few ulp of exp_f32 at half its cost.
DEV float exp_fast_f32(float x) {
  const float LOG2E = 1.44269504088896341f, LN2_HI = 0.693145751953125f, LN2_LO = 1.428606765330187e-06f;
  if (isnan(x)) return x;
  float xc = fminf(fmaxf(x, -104.0f), 89.0f);
  float n = rintf(xc * LOG2E);
  float r = fmaf(-n, LN2_LO, fmaf(-n, LN2_HI, xc));
  float e;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(e) : "f"(r * LOG2E));
  int ni = (int)n, n1 = ni >> 1, n2 = ni - n1;
  float y = e * __int_as_float((n1 + 127) << 23) * __int_as_float((n2 + 127) << 23);
  if (x > 88.72284f) y = __int_as_float(0x7f800000);
  if (x < -103.97208f) y = 0.0f;
  return y;
}
// exp for results rounded to 16 bits: the hardware 2^x of x * log2(e), no
// reduction (its error, below 1e-5 relative, is far under half a 16-bit ulp
// except at rounding ties); subnormal results kept, inf and NaN propagate.
DEV float exp_fast16(float x) {
  float y;
  asm("ex2.approx.f32 %0, %1;" : "=f"(y) : "f"(x * 1.44269504088896341f));
  return y;
}
#ifdef FAST_EXP
DEV float fexp(float x) { return exp_fast_f32(x); }
#else
DEV float fexp(float x) { return exp_f32(x); }
#endif
DEV double fexp(double x) { return exp(x); }

DEV double erfinv_d(double y) {
  if (isnan(y) || y < -1.0 || y > 1.0) return __longlong_as_double(0x7ff8000000000000ll);
  if (y == 1.0) return __longlong_as_double(0x7ff0000000000000ll);
  if (y == -1.0) return -__longlong_as_double(0x7ff0000000000000ll);
  double w = -log((1.0 - y) * (1.0 + y));
  double x;
  if (w < 5.0) {
    w = w - 2.5;
    double p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w; p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = sqrt(w) - 3.0;
    double p = -0.000200214257;
    p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w; p = 2.83297682 + p * w;
    x = p * y;
  }
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int i = 0; i < 3; i++) {
    double err = erf(x) - y;
    double d = two_over_sqrt_pi * exp(-x * x);
    if (d == 0.0 || !isfinite(d)) break;
    x -= err / d;
  }
  return x;
}

// ---------------------------------------------------------------- vectors
template <class T, int N> struct __align__(sizeof(T) * N) vec { T v[N]; };
template <int N> struct std_int_of_size;
template <> struct std_int_of_size<4> { typedef i32 t; };
template <> struct std_int_of_size<8> { typedef i64 t; };
template <class C> DEV C round_he(C x) {
  C t = trunc(x);
  if (fabs(x - t) == (C)0.5) return round(x / (C)2) * (C)2;
  return round(x);
}
DEV c64 cdivs(c64 a, float s) { return c64{a.re / s, a.im / s}; }
