//! What one element of each dtype does under every elementwise op, with
//! NumPy's semantics: wrapping integer arithmetic, division and remainder by
//! zero give 0, floor division and remainder follow the divisor's sign, and
//! float max/min propagate NaN. Kernels never trap.

use crate::dtype::Element;
use half::{bf16, f16};
use num_complex::Complex32;

/// Arithmetic, comparison and bit operations of one element type.
pub(crate) trait Arith: Element {
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn div(self, b: Self) -> Self;
    fn floor_div(self, b: Self) -> Self;
    fn rem(self, b: Self) -> Self;
    fn pow(self, b: Self) -> Self;
    fn max(self, b: Self) -> Self;
    fn min(self, b: Self) -> Self;
    fn lt(self, b: Self) -> bool;
    fn eq(self, b: Self) -> bool;
    fn bitand(self, b: Self) -> Self;
    fn bitor(self, b: Self) -> Self;
    fn bitxor(self, b: Self) -> Self;
    fn shl(self, b: Self) -> Self;
    fn shr(self, b: Self) -> Self;
    fn abs(self) -> Self;
    fn neg(self) -> Self;
    fn sign(self) -> Self;
    fn not(self) -> Self;
    fn is_nonzero(self) -> bool;
    /// Is this a NaN (ordering ops let NaN win, as NumPy's do).
    fn is_nan_val(self) -> bool {
        false
    }
    fn zero_val() -> Self {
        Self::default()
    }
    fn one_val() -> Self;
    /// The largest and smallest values (identities of min and max).
    fn highest() -> Self;
    fn lowest() -> Self;
}

macro_rules! int_common {
    ($t:ty) => {
        #[inline(always)]
        fn add(self, b: Self) -> Self {
            self.wrapping_add(b)
        }
        #[inline(always)]
        fn sub(self, b: Self) -> Self {
            self.wrapping_sub(b)
        }
        #[inline(always)]
        fn mul(self, b: Self) -> Self {
            self.wrapping_mul(b)
        }
        #[inline(always)]
        fn div(self, b: Self) -> Self {
            if b == 0 {
                0
            } else {
                self.wrapping_div(b)
            }
        }
        #[inline(always)]
        fn max(self, b: Self) -> Self {
            if self > b {
                self
            } else {
                b
            }
        }
        #[inline(always)]
        fn min(self, b: Self) -> Self {
            if self < b {
                self
            } else {
                b
            }
        }
        #[inline(always)]
        fn lt(self, b: Self) -> bool {
            self < b
        }
        #[inline(always)]
        fn eq(self, b: Self) -> bool {
            self == b
        }
        #[inline(always)]
        fn bitand(self, b: Self) -> Self {
            self & b
        }
        #[inline(always)]
        fn bitor(self, b: Self) -> Self {
            self | b
        }
        #[inline(always)]
        fn bitxor(self, b: Self) -> Self {
            self ^ b
        }
        #[inline(always)]
        fn not(self) -> Self {
            !self
        }
        #[inline(always)]
        fn is_nonzero(self) -> bool {
            self != 0
        }
        fn one_val() -> Self {
            1
        }
        fn highest() -> Self {
            <$t>::MAX
        }
        fn lowest() -> Self {
            <$t>::MIN
        }
        fn pow(self, b: Self) -> Self {
            #[allow(unused_comparisons)]
            if b < 0 {
                // Integer to a negative power: the truncated true value.
                return match self as i64 {
                    1 => 1,
                    -1 => (if (b as i64) % 2 == 0 { 1i64 } else { -1i64 }) as $t,
                    _ => 0,
                };
            }
            let mut base = self;
            let mut e = b as u64;
            let mut acc: $t = 1;
            while e > 0 {
                if e & 1 == 1 {
                    acc = acc.wrapping_mul(base);
                }
                base = base.wrapping_mul(base);
                e >>= 1;
            }
            acc
        }
        fn shl(self, b: Self) -> Self {
            #[allow(unused_comparisons)]
            let out_of_range = b < 0 || (b as u64) >= <$t>::BITS as u64;
            if out_of_range {
                0
            } else {
                self.wrapping_shl(b as u32)
            }
        }
        fn shr(self, b: Self) -> Self {
            #[allow(unused_comparisons)]
            let out_of_range = b < 0 || (b as u64) >= <$t>::BITS as u64;
            if out_of_range {
                #[allow(unused_comparisons)]
                if self < 0 {
                    self.wrapping_shr(<$t>::BITS - 1)
                } else {
                    0
                }
            } else {
                self.wrapping_shr(b as u32)
            }
        }
    };
}

macro_rules! signed_int {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            int_common!($t);
            #[inline(always)]
            fn floor_div(self, b: Self) -> Self {
                if b == 0 {
                    return 0;
                }
                let q = self.wrapping_div(b);
                if self.wrapping_rem(b) != 0 && ((self < 0) != (b < 0)) { q.wrapping_sub(1) } else { q }
            }
            #[inline(always)]
            fn rem(self, b: Self) -> Self {
                if b == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(b);
                if r != 0 && ((r < 0) != (b < 0)) { r.wrapping_add(b) } else { r }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.wrapping_abs()
            }
            #[inline(always)]
            fn neg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn sign(self) -> Self {
                self.signum()
            }
        }
    )*};
}
signed_int!(i8, i16, i32, i64);

macro_rules! unsigned_int {
    ($($t:ty),*) => {$(
        impl Arith for $t {
            int_common!($t);
            #[inline(always)]
            fn floor_div(self, b: Self) -> Self {
                if b == 0 { 0 } else { self / b }
            }
            #[inline(always)]
            fn rem(self, b: Self) -> Self {
                if b == 0 { 0 } else { self % b }
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self
            }
            #[inline(always)]
            fn neg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline(always)]
            fn sign(self) -> Self {
                (self != 0) as $t
            }
        }
    )*};
}
unsigned_int!(u8, u16, u32, u64);

/// NumPy's float divmod (`npy_divmod`): the floor quotient and the remainder
/// with the sign of the divisor (`-1.0 // inf == -1.0`, `-1.0 % inf == inf`).
#[inline(always)]
fn float_divmod(a: f64, b: f64) -> (f64, f64) {
    let mut m = a % b;
    if b == 0.0 {
        return (a / b, m);
    }
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0f64.copysign(b);
    }
    let q = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0f64.copysign(a / b)
    };
    (q, m)
}

macro_rules! float_arith {
    ($t:ty, $up:expr, $down:expr) => {
        impl Arith for $t {
            #[inline(always)]
            fn add(self, b: Self) -> Self {
                self + b
            }
            #[inline(always)]
            fn sub(self, b: Self) -> Self {
                self - b
            }
            #[inline(always)]
            fn mul(self, b: Self) -> Self {
                self * b
            }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                self / b
            }
            #[inline(always)]
            fn floor_div(self, b: Self) -> Self {
                $down(float_divmod($up(self), $up(b)).0)
            }
            #[inline(always)]
            fn rem(self, b: Self) -> Self {
                $down(float_divmod($up(self), $up(b)).1)
            }
            #[inline(always)]
            fn pow(self, b: Self) -> Self {
                $down($up(self).powf($up(b)))
            }
            #[inline(always)]
            fn max(self, b: Self) -> Self {
                if self.is_nan() || self > b {
                    self
                } else {
                    b
                }
            }
            #[inline(always)]
            fn min(self, b: Self) -> Self {
                if self.is_nan() || self < b {
                    self
                } else {
                    b
                }
            }
            #[inline(always)]
            fn lt(self, b: Self) -> bool {
                self < b
            }
            #[inline(always)]
            fn eq(self, b: Self) -> bool {
                self == b
            }
            fn bitand(self, _: Self) -> Self {
                self
            }
            fn bitor(self, _: Self) -> Self {
                self
            }
            fn bitxor(self, _: Self) -> Self {
                self
            }
            fn shl(self, _: Self) -> Self {
                self
            }
            fn shr(self, _: Self) -> Self {
                self
            }
            fn not(self) -> Self {
                self
            }
            #[inline(always)]
            fn abs(self) -> Self {
                $down($up(self).abs())
            }
            #[inline(always)]
            fn neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn sign(self) -> Self {
                let x = $up(self);
                $down(if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    x
                })
            }
            #[inline(always)]
            fn is_nonzero(self) -> bool {
                self != Self::default()
            }
            #[inline(always)]
            fn is_nan_val(self) -> bool {
                self.is_nan()
            }
            fn one_val() -> Self {
                $down(1.0)
            }
            fn highest() -> Self {
                $down(f64::INFINITY)
            }
            fn lowest() -> Self {
                $down(f64::NEG_INFINITY)
            }
        }
    };
}
float_arith!(f32, |x: f32| x as f64, |x: f64| x as f32);
float_arith!(f64, |x: f64| x, |x: f64| x);
float_arith!(f16, |x: f16| x.to_f64(), f16::from_f64);
float_arith!(bf16, |x: bf16| x.to_f64(), bf16::from_f64);

impl Arith for bool {
    fn add(self, b: Self) -> Self {
        self | b
    }
    fn sub(self, b: Self) -> Self {
        self ^ b
    }
    fn mul(self, b: Self) -> Self {
        self & b
    }
    fn div(self, b: Self) -> Self {
        self & b
    }
    fn floor_div(self, b: Self) -> Self {
        self & b
    }
    fn rem(self, _: Self) -> Self {
        false
    }
    fn pow(self, b: Self) -> Self {
        self | !b
    }
    fn max(self, b: Self) -> Self {
        self | b
    }
    fn min(self, b: Self) -> Self {
        self & b
    }
    fn lt(self, b: Self) -> bool {
        !self & b
    }
    fn eq(self, b: Self) -> bool {
        self == b
    }
    fn bitand(self, b: Self) -> Self {
        self & b
    }
    fn bitor(self, b: Self) -> Self {
        self | b
    }
    fn bitxor(self, b: Self) -> Self {
        self ^ b
    }
    fn shl(self, b: Self) -> Self {
        self & !b
    }
    fn shr(self, b: Self) -> Self {
        self & !b
    }
    fn abs(self) -> Self {
        self
    }
    fn neg(self) -> Self {
        self
    }
    fn sign(self) -> Self {
        self
    }
    fn not(self) -> Self {
        !self
    }
    fn is_nonzero(self) -> bool {
        self
    }
    fn one_val() -> Self {
        true
    }
    fn highest() -> Self {
        true
    }
    fn lowest() -> Self {
        false
    }
}

/// Complex numbers order lexicographically (real part, then imaginary), as NumPy's do.
impl Arith for Complex32 {
    fn add(self, b: Self) -> Self {
        self + b
    }
    fn sub(self, b: Self) -> Self {
        self - b
    }
    fn mul(self, b: Self) -> Self {
        self * b
    }
    fn div(self, b: Self) -> Self {
        self / b
    }
    fn floor_div(self, b: Self) -> Self {
        let q = self / b;
        Complex32::new(q.re.floor(), 0.0)
    }
    fn rem(self, b: Self) -> Self {
        self - b * self.floor_div(b)
    }
    fn pow(self, b: Self) -> Self {
        if b.im == 0.0 && b.re == 0.0 {
            return Complex32::new(1.0, 0.0);
        }
        if self.re == 0.0 && self.im == 0.0 {
            return Complex32::new(0.0, 0.0);
        }
        self.powc(b)
    }
    fn max(self, b: Self) -> Self {
        if self.is_nan_val() || !self.lt(b) {
            self
        } else {
            b
        }
    }
    fn min(self, b: Self) -> Self {
        if self.is_nan_val() || self.lt(b) || self == b {
            self
        } else {
            b
        }
    }
    fn lt(self, b: Self) -> bool {
        self.re < b.re || (self.re == b.re && self.im < b.im)
    }
    fn eq(self, b: Self) -> bool {
        self == b
    }
    fn bitand(self, _: Self) -> Self {
        self
    }
    fn bitor(self, _: Self) -> Self {
        self
    }
    fn bitxor(self, _: Self) -> Self {
        self
    }
    fn shl(self, _: Self) -> Self {
        self
    }
    fn shr(self, _: Self) -> Self {
        self
    }
    fn abs(self) -> Self {
        Complex32::new(self.norm(), 0.0)
    }
    fn neg(self) -> Self {
        -self
    }
    fn sign(self) -> Self {
        let n = self.norm();
        if n == 0.0 {
            self
        } else {
            self / n
        }
    }
    fn not(self) -> Self {
        self
    }
    fn is_nonzero(self) -> bool {
        self.re != 0.0 || self.im != 0.0
    }
    fn is_nan_val(self) -> bool {
        self.re.is_nan() || self.im.is_nan()
    }
    fn one_val() -> Self {
        Complex32::new(1.0, 0.0)
    }
    fn highest() -> Self {
        Complex32::new(f32::INFINITY, f32::INFINITY)
    }
    fn lowest() -> Self {
        Complex32::new(f32::NEG_INFINITY, f32::NEG_INFINITY)
    }
}

/// Real floating-point math, generic over the precision it is computed in
/// (float16 and bfloat16 are computed in float32).
pub(crate) trait FloatMath: num_traits::Float + Send + Sync + 'static {
    fn erf(self) -> Self;
    fn erfinv(self) -> Self;
    /// exp written so that the compiler vectorises it (no libm call).
    fn fast_exp(self) -> Self;
    fn from_f64c(v: f64) -> Self;
}

impl FloatMath for f32 {
    #[inline(always)]
    fn erf(self) -> Self {
        libm::erff(self)
    }
    fn erfinv(self) -> Self {
        erfinv_f64(self as f64) as f32
    }
    #[inline(always)]
    fn fast_exp(self) -> Self {
        exp_f32(self)
    }
    fn from_f64c(v: f64) -> Self {
        v as f32
    }
}

impl FloatMath for f64 {
    fn erf(self) -> Self {
        libm::erf(self)
    }
    fn erfinv(self) -> Self {
        erfinv_f64(self)
    }
    fn fast_exp(self) -> Self {
        self.exp()
    }
    fn from_f64c(v: f64) -> Self {
        v
    }
}

/// exp(x) for float32 by range reduction `x = n ln2 + r` and a degree-6
/// polynomial; within 2 ulp of the exact value, branch-free so it vectorises.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    let xc = x.clamp(-104.0, 89.0);
    // Round to nearest with the 1.5 * 2^23 trick (no SSE4.1 rounding needed);
    // the integer then sits in the low mantissa bits, read without a
    // float-to-int conversion (whose saturation would not vectorise).
    const MAGIC: f32 = 12_582_912.0;
    let t = xc * LOG2E + MAGIC;
    let n = t - MAGIC;
    let ni = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    let r = xc - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0 + r * (0.5 + r * (0.166_666_67 + r * (0.041_666_66 + r * (0.008_333_452 + r * 0.001_388_695_6)))));
    // 2^n in two halves so that n down to -150 stays representable (denormals).
    let n1 = ni >> 1;
    let n2 = ni.wrapping_sub(n1);
    let s1 = f32::from_bits((n1.wrapping_add(127) as u32) << 23);
    let s2 = f32::from_bits((n2.wrapping_add(127) as u32) << 23);
    let y = p * s1 * s2;
    let y = if x > 88.72284 { f32::INFINITY } else { y };
    let y = if x < -103.97208 { 0.0 } else { y };
    if x.is_nan() {
        x
    } else {
        y
    }
}

/// Inverse error function: a rational first guess refined by Newton steps on erf.
pub(crate) fn erfinv_f64(y: f64) -> f64 {
    if y.is_nan() || !(-1.0..=1.0).contains(&y) {
        return f64::NAN;
    }
    if y == 1.0 {
        return f64::INFINITY;
    }
    if y == -1.0 {
        return f64::NEG_INFINITY;
    }
    // Giles' single-precision approximation as the start.
    let w = -((1.0 - y) * (1.0 + y)).ln();
    let mut x = if w < 5.0 {
        let w = w - 2.5;
        let mut p = 2.810_226_36e-08;
        for c in [
            3.432_739_39e-07,
            -3.523_387_7e-06,
            -4.391_506_54e-06,
            0.000_218_580_87,
            -0.001_253_725_03,
            -0.004_177_681_64,
            0.246_640_727,
            1.501_409_41,
        ] {
            p = c + p * w;
        }
        p * y
    } else {
        let w = w.sqrt() - 3.0;
        let mut p = -0.000_200_214_257;
        for c in [
            0.000_100_950_558,
            0.001_349_343_22,
            -0.003_673_428_44,
            0.005_739_507_73,
            -0.007_622_461_3,
            0.009_438_870_47,
            1.001_674_06,
            2.832_976_82,
        ] {
            p = c + p * w;
        }
        p * y
    };
    let two_over_sqrt_pi = std::f64::consts::FRAC_2_SQRT_PI;
    for _ in 0..3 {
        let err = libm::erf(x) - y;
        let d = two_over_sqrt_pi * (-x * x).exp();
        if d == 0.0 || !d.is_finite() {
            break;
        }
        x -= err / d;
    }
    x
}

/// Element types whose math runs in a `FloatMath` precision.
pub(crate) trait RealElem: Element {
    type C: FloatMath;
    fn up(self) -> Self::C;
    fn down(c: Self::C) -> Self;
}
macro_rules! real_elem {
    ($t:ty, $c:ty, $up:expr, $down:expr) => {
        impl RealElem for $t {
            type C = $c;
            #[inline(always)]
            fn up(self) -> $c {
                ($up)(self)
            }
            #[inline(always)]
            fn down(c: $c) -> Self {
                ($down)(c)
            }
        }
    };
}
real_elem!(f32, f32, |x: f32| x, |x: f32| x);
real_elem!(f64, f64, |x: f64| x, |x: f64| x);
real_elem!(f16, f32, |x: f16| x.to_f32(), f16::from_f32);
real_elem!(bf16, f32, |x: bf16| x.to_f32(), bf16::from_f32);

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn fast_exp_is_close() {
        let mut x = -110.0f32;
        while x < 95.0 {
            let exact = (x as f64).exp();
            let got = exp_f32(x) as f64;
            if exact > 1e-37 && exact < 3e38 {
                assert!(((got - exact) / exact).abs() < 3e-7, "{x}: {got} vs {exact}");
            }
            x += 0.0137;
        }
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert!(exp_f32(f32::NAN).is_nan());
    }
    #[test]
    fn erfinv_inverts_erf() {
        for y in [-0.999, -0.5, 0.0, 0.1, 0.7, 0.99999] {
            assert!((libm::erf(erfinv_f64(y)) - y).abs() < 1e-12);
        }
    }
    #[test]
    fn integer_division_never_traps() {
        assert_eq!(i32::MIN.floor_div(-1), i32::MIN);
        assert_eq!(7i32.floor_div(0), 0);
        assert_eq!((-7i32).floor_div(2), -4);
        assert_eq!((-7i32).rem(2), 1);
        assert_eq!(7i32.rem(-2), -1);
    }
}
