//! Helpers shared by the integration tests: dtype lists, exact integer and
//! correctly rounded float references, building arrays of any dtype from
//! f64/i128 values and reading them back without rmlx conversions,
//! tolerances and comparisons, and n-d index arithmetic.
//!
//! Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use half::{bf16, f16};
use num_complex::{Complex32, Complex64};
use rmlx_core::{Array, Dtype, Element, Error};
use Dtype::{
    Bfloat16 as BF16, Bool as B, Complex64 as C64, Float16 as F16, Float32 as F32, Float64 as F64, Int16 as I16,
    Int32 as I32, Int64 as I64, Int8 as I8, Uint16 as U16, Uint32 as U32, Uint64 as U64, Uint8 as U8,
};

pub type R = rmlx_core::Result<Array>;
/// Builds an array from values and a shape.
pub type Build<'a, V> = &'a dyn Fn(&[V], &[usize]) -> Array;

/// Every dtype, in MLX's table order (written out here, independently of
/// `rmlx_core::dtype::ALL_DTYPES`, which dtype.rs checks against it).
pub const ALL: [Dtype; 14] = [B, U8, U16, U32, U64, I8, I16, I32, I64, F16, BF16, F32, F64, C64];
pub const FLOATS: [Dtype; 4] = [F16, BF16, F32, F64];

// ------------------------------------------------- deterministic values

/// The tests' one pseudo-random generator: a 64-bit linear congruential
/// generator (Knuth's MMIX constants), seeded by a number.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0
    }
    /// Uniform in [0, 1), 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in 0..n (n small: from the high bits).
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next_u64() >> 33) % n
    }
}

/// `n` values uniform in [lo, hi).
pub fn uniform(n: usize, seed: u64, lo: f64, hi: f64) -> Vec<f64> {
    let mut r = Lcg::new(seed);
    (0..n).map(|_| lo + (hi - lo) * r.unit()).collect()
}

// ------------------------------------------------- integer and float values

/// Smallest and largest value of an integer (or bool) dtype.
pub fn int_range(dt: Dtype) -> (i128, i128) {
    let bits = dt.size() as u32 * 8;
    match dt {
        Dtype::Bool => (0, 1),
        d if d.is_unsigned() => (0, (1i128 << bits) - 1),
        _ => (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1),
    }
}

/// `v` reduced modulo 2^bits as the integer dtype reads it (bool: non-zero).
pub fn wrap(v: i128, dt: Dtype) -> i128 {
    if dt == Dtype::Bool {
        return (v != 0) as i128;
    }
    let m = 1i128 << (dt.size() * 8);
    let r = v.rem_euclid(m);
    if dt.is_signed_int() && r >= m / 2 {
        r - m
    } else {
        r
    }
}

/// f64 -> f32 rounding to odd: one more rounding to a narrower format then
/// gives the correctly rounded value (no double-rounding error).
pub fn f32_odd(v: f64) -> f32 {
    let f = v as f32;
    if !f.is_finite() || f as f64 == v || f.to_bits() & 1 == 1 {
        return f;
    }
    let shrink = (f as f64).abs() > v.abs();
    f32::from_bits(if shrink { f.to_bits() - 1 } else { f.to_bits() + 1 })
}

/// The value `v` takes when correctly rounded to the float dtype `dt`.
pub fn q(v: f64, dt: Dtype) -> f64 {
    match dt {
        Dtype::Float16 => f16::from_f32(f32_odd(v)).to_f64(),
        Dtype::Bfloat16 => bf16::from_f32(f32_odd(v)).to_f64(),
        Dtype::Float32 | Dtype::Complex64 => v as f32 as f64,
        Dtype::Float64 => v,
        d => panic!("q: {d} is not a float dtype"),
    }
}

/// An array of `dt` holding `vals` (already representable in `dt`).
pub fn make_f(vals: &[f64], shape: &[usize], dt: Dtype) -> Array {
    let r = match dt {
        Dtype::Float16 => Array::from_slice(&vals.iter().map(|&v| f16::from_f64(v)).collect::<Vec<_>>(), shape),
        Dtype::Bfloat16 => Array::from_slice(&vals.iter().map(|&v| bf16::from_f64(v)).collect::<Vec<_>>(), shape),
        Dtype::Float32 => Array::from_slice(&vals.iter().map(|&v| v as f32).collect::<Vec<_>>(), shape),
        Dtype::Float64 => Array::from_slice(vals, shape),
        Dtype::Complex64 => {
            Array::from_slice(&vals.iter().map(|&v| Complex32::new(v as f32, 0.0)).collect::<Vec<_>>(), shape)
        }
        d => return make_i(&vals.iter().map(|&v| v as i128).collect::<Vec<_>>(), shape, d),
    };
    r.unwrap()
}

/// An array of `dt` holding integer `vals` (in range for `dt`).
pub fn make_i(vals: &[i128], shape: &[usize], dt: Dtype) -> Array {
    macro_rules! mk {
        ($t:ty) => {
            Array::from_slice(&vals.iter().map(|&v| v as $t).collect::<Vec<$t>>(), shape)
        };
    }
    let r = match dt {
        Dtype::Bool => Array::from_slice(&vals.iter().map(|&v| v != 0).collect::<Vec<_>>(), shape),
        Dtype::Uint8 => mk!(u8),
        Dtype::Uint16 => mk!(u16),
        Dtype::Uint32 => mk!(u32),
        Dtype::Uint64 => mk!(u64),
        Dtype::Int8 => mk!(i8),
        Dtype::Int16 => mk!(i16),
        Dtype::Int32 => mk!(i32),
        Dtype::Int64 => mk!(i64),
        d => return make_f(&vals.iter().map(|&v| v as f64).collect::<Vec<_>>(), shape, d),
    };
    r.unwrap()
}

pub fn make_c(vals: &[Complex32], shape: &[usize]) -> Array {
    Array::from_slice(vals, shape).unwrap()
}

// ------------------------------------------------------ reading back

/// Elements as f64, read in the array's own dtype (no rmlx conversion).
pub fn read_f(a: &Array) -> Vec<f64> {
    macro_rules! rd {
        ($t:ty) => {
            a.to_vec::<$t>().unwrap().into_iter().map(|v| v as f64).collect()
        };
    }
    match a.dtype() {
        Dtype::Bool => a.to_vec::<bool>().unwrap().into_iter().map(|v| v as u8 as f64).collect(),
        Dtype::Uint8 => rd!(u8),
        Dtype::Uint16 => rd!(u16),
        Dtype::Uint32 => rd!(u32),
        Dtype::Uint64 => rd!(u64),
        Dtype::Int8 => rd!(i8),
        Dtype::Int16 => rd!(i16),
        Dtype::Int32 => rd!(i32),
        Dtype::Int64 => rd!(i64),
        Dtype::Float16 => a.to_vec::<f16>().unwrap().into_iter().map(|v| v.to_f64()).collect(),
        Dtype::Bfloat16 => a.to_vec::<bf16>().unwrap().into_iter().map(|v| v.to_f64()).collect(),
        Dtype::Float32 => rd!(f32),
        Dtype::Float64 => a.to_vec::<f64>().unwrap(),
        Dtype::Complex64 => panic!("read_f of a complex array"),
    }
}

/// Elements of an integer or bool array as i128, exactly.
pub fn read_i(a: &Array) -> Vec<i128> {
    macro_rules! rd {
        ($t:ty) => {
            a.to_vec::<$t>().unwrap().into_iter().map(|v| v as i128).collect()
        };
    }
    match a.dtype() {
        Dtype::Bool => a.to_vec::<bool>().unwrap().into_iter().map(|v| v as i128).collect(),
        Dtype::Uint8 => rd!(u8),
        Dtype::Uint16 => rd!(u16),
        Dtype::Uint32 => rd!(u32),
        Dtype::Uint64 => rd!(u64),
        Dtype::Int8 => rd!(i8),
        Dtype::Int16 => rd!(i16),
        Dtype::Int32 => rd!(i32),
        Dtype::Int64 => rd!(i64),
        d => panic!("read_i of a {d} array"),
    }
}

pub fn read_c(a: &Array) -> Vec<Complex64> {
    assert_eq!(a.dtype(), Dtype::Complex64);
    a.to_vec::<Complex32>().unwrap().into_iter().map(|z| Complex64::new(z.re as f64, z.im as f64)).collect()
}

pub fn read_b(a: &Array) -> Vec<bool> {
    assert_eq!(a.dtype(), Dtype::Bool);
    a.to_vec::<bool>().unwrap()
}

pub fn c64(z: Complex32) -> Complex64 {
    Complex64::new(z.re as f64, z.im as f64)
}

// ------------------------------------------------ tolerances and checks

/// Relative and absolute tolerance of results in `dt` (a couple of ulps).
pub fn tol(dt: Dtype) -> (f64, f64) {
    match dt {
        Dtype::Float16 => (2e-3, 1e-7),
        Dtype::Bfloat16 => (1.6e-2, 1e-38),
        Dtype::Float32 | Dtype::Complex64 => (2e-6, 1e-40),
        _ => (1e-13, 1e-300),
    }
}

pub fn close(g: f64, e: f64, dt: Dtype) -> bool {
    if e.is_nan() {
        return g.is_nan();
    }
    if e.is_infinite() {
        return g == e;
    }
    let (rel, abs) = tol(dt);
    (g - e).abs() <= rel * e.abs() + abs
}

pub fn assert_close(ctx: &str, got: &[f64], exp: &[f64], dt: Dtype) {
    assert_eq!(got.len(), exp.len(), "{ctx}: length");
    for (i, (&g, &e)) in got.iter().zip(exp).enumerate() {
        assert!(close(g, e, dt), "{ctx}: element {i}: got {g:e}, expected {e:e}");
    }
}

/// Bit-for-bit equal up to the sign of zero, NaN equal to NaN.
pub fn assert_same(ctx: &str, got: &[f64], exp: &[f64]) {
    assert_eq!(got.len(), exp.len(), "{ctx}: length");
    for (i, (&g, &e)) in got.iter().zip(exp).enumerate() {
        assert!((g.is_nan() && e.is_nan()) || g == e, "{ctx}: element {i}: got {g:e}, expected {e:e}");
    }
}

pub fn assert_close_c(ctx: &str, got: &[Complex64], exp: &[Complex64], rel: f64) {
    assert_eq!(got.len(), exp.len(), "{ctx}: length");
    let part = |g: f64, e: f64, scale: f64| {
        if e.is_nan() || e.is_infinite() {
            (g.is_nan() && e.is_nan()) || g == e
        } else {
            (g - e).abs() <= rel * scale + 1e-6
        }
    };
    for (i, (g, e)) in got.iter().zip(exp).enumerate() {
        let scale = if e.norm().is_finite() { e.norm() } else { 0.0 };
        let ok = part(g.re, e.re, scale) && part(g.im, e.im, scale);
        assert!(ok, "{ctx}: element {i}: got {g}, expected {e}");
    }
}

pub fn expect_err(ctx: &str, r: R) -> Error {
    match r {
        Err(e) => e,
        Ok(a) => panic!("{ctx}: expected an error, got an array of {} {:?}", a.dtype(), a.shape()),
    }
}

pub fn expect_dtype_err(ctx: &str, r: R) {
    let e = expect_err(ctx, r);
    assert!(matches!(e, Error::Dtype(_)), "{ctx}: expected a dtype error, got {e:?}");
}

// ------------------------------------------- arrays via Element::from_f64

pub fn mk<T: Element>(v: &[f64], shape: &[usize]) -> Array {
    let data: Vec<T> = v.iter().map(|&x| T::from_f64(x)).collect();
    Array::from_slice(&data, shape).unwrap()
}

/// An array of `dtype` holding `v`, converted by `Element::from_f64` (values
/// chosen to be exact in every dtype).
pub fn arr(v: &[f64], shape: &[usize], dtype: Dtype) -> Array {
    match dtype {
        Dtype::Bool => mk::<bool>(v, shape),
        Dtype::Uint8 => mk::<u8>(v, shape),
        Dtype::Uint16 => mk::<u16>(v, shape),
        Dtype::Uint32 => mk::<u32>(v, shape),
        Dtype::Uint64 => mk::<u64>(v, shape),
        Dtype::Int8 => mk::<i8>(v, shape),
        Dtype::Int16 => mk::<i16>(v, shape),
        Dtype::Int32 => mk::<i32>(v, shape),
        Dtype::Int64 => mk::<i64>(v, shape),
        Dtype::Float16 => mk::<f16>(v, shape),
        Dtype::Bfloat16 => mk::<bf16>(v, shape),
        Dtype::Float32 => mk::<f32>(v, shape),
        Dtype::Float64 => mk::<f64>(v, shape),
        Dtype::Complex64 => mk::<Complex32>(v, shape),
    }
}

// ------------------------------------------------------- n-d indices

/// Row-major flat index `i` as an index into `shape`.
pub fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for k in (0..shape.len()).rev() {
        if shape[k] > 0 {
            idx[k] = i % shape[k];
            i /= shape[k];
        }
    }
    idx
}

/// The row-major flat index of `idx` in `shape`.
pub fn ravel(idx: &[usize], shape: &[usize]) -> usize {
    idx.iter().zip(shape).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// CPython's `slice.indices` followed by `range`.
pub fn py_slice(start: Option<i64>, stop: Option<i64>, step: i64, n: usize) -> Vec<usize> {
    let n = n as i64;
    let (lower, upper) = if step < 0 { (-1, n - 1) } else { (0, n) };
    let fix = |v: i64| {
        if v < 0 {
            (v + n).max(lower)
        } else {
            v.min(upper)
        }
    };
    let start = start.map_or(if step < 0 { upper } else { lower }, fix);
    let stop = stop.map_or(if step < 0 { lower } else { upper }, fix);
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    out
}

/// Tests that watch process-wide state (memory counters, the default device) take this lock.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}
