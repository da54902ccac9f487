//! Dtypes, their categories, MLX's type-promotion table, and the Rust element
//! types that back each dtype (`half` for float16/bfloat16, `num-complex` for complex64).

use crate::error::{Error, Result};
use half::{bf16, f16};
use num_complex::Complex32;
use std::fmt;

/// The element type of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dtype {
    Bool,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Int8,
    Int16,
    Int32,
    Int64,
    Float16,
    Bfloat16,
    Float32,
    Float64,
    Complex64,
}

/// Every dtype, in table order.
pub const ALL_DTYPES: [Dtype; 14] = [
    Dtype::Bool,
    Dtype::Uint8,
    Dtype::Uint16,
    Dtype::Uint32,
    Dtype::Uint64,
    Dtype::Int8,
    Dtype::Int16,
    Dtype::Int32,
    Dtype::Int64,
    Dtype::Float16,
    Dtype::Bfloat16,
    Dtype::Float32,
    Dtype::Float64,
    Dtype::Complex64,
];

/// The abstract categories of `issubdtype` (MLX's `generic`, `number`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtypeCategory {
    Generic,
    Number,
    Integer,
    SignedInteger,
    UnsignedInteger,
    Inexact,
    Floating,
    ComplexFloating,
}

/// Either a concrete dtype or a category, the two things `issubdtype` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtypeLike {
    Dtype(Dtype),
    Category(DtypeCategory),
}

impl From<Dtype> for DtypeLike {
    fn from(d: Dtype) -> Self {
        DtypeLike::Dtype(d)
    }
}
impl From<DtypeCategory> for DtypeLike {
    fn from(c: DtypeCategory) -> Self {
        DtypeLike::Category(c)
    }
}

impl Dtype {
    /// Bytes per element.
    pub fn size(self) -> usize {
        use Dtype::*;
        match self {
            Bool | Uint8 | Int8 => 1,
            Uint16 | Int16 | Float16 | Bfloat16 => 2,
            Uint32 | Int32 | Float32 => 4,
            Uint64 | Int64 | Float64 | Complex64 => 8,
        }
    }
    /// The name MLX prints (`float32`, `bool`, ...).
    pub fn name(self) -> &'static str {
        use Dtype::*;
        match self {
            Bool => "bool",
            Uint8 => "uint8",
            Uint16 => "uint16",
            Uint32 => "uint32",
            Uint64 => "uint64",
            Int8 => "int8",
            Int16 => "int16",
            Int32 => "int32",
            Int64 => "int64",
            Float16 => "float16",
            Bfloat16 => "bfloat16",
            Float32 => "float32",
            Float64 => "float64",
            Complex64 => "complex64",
        }
    }
    /// Parses a dtype name (`"float32"`, `"bool"`, ...).
    pub fn from_name(name: &str) -> Result<Dtype> {
        ALL_DTYPES
            .iter()
            .copied()
            .find(|d| d.name() == name)
            .ok_or_else(|| Error::Dtype(format!("unknown dtype name {name:?}")))
    }
    pub fn is_bool(self) -> bool {
        self == Dtype::Bool
    }
    pub fn is_unsigned(self) -> bool {
        use Dtype::*;
        matches!(self, Uint8 | Uint16 | Uint32 | Uint64)
    }
    pub fn is_signed_int(self) -> bool {
        use Dtype::*;
        matches!(self, Int8 | Int16 | Int32 | Int64)
    }
    /// Signed or unsigned integer (not bool).
    pub fn is_integer(self) -> bool {
        self.is_unsigned() || self.is_signed_int()
    }
    /// A real floating-point dtype.
    pub fn is_float(self) -> bool {
        use Dtype::*;
        matches!(self, Float16 | Bfloat16 | Float32 | Float64)
    }
    pub fn is_complex(self) -> bool {
        self == Dtype::Complex64
    }
    /// Floating or complex.
    pub fn is_inexact(self) -> bool {
        self.is_float() || self.is_complex()
    }
    /// Which category this dtype sits in directly.
    pub fn category(self) -> DtypeCategory {
        if self.is_bool() {
            DtypeCategory::Generic
        } else if self.is_unsigned() {
            DtypeCategory::UnsignedInteger
        } else if self.is_signed_int() {
            DtypeCategory::SignedInteger
        } else if self.is_float() {
            DtypeCategory::Floating
        } else {
            DtypeCategory::ComplexFloating
        }
    }
    /// The dtype that inexact results of this dtype take (ints and bool give float32).
    pub fn to_inexact(self) -> Dtype {
        if self.is_inexact() {
            self
        } else {
            Dtype::Float32
        }
    }
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl DtypeCategory {
    fn parent(self) -> Option<DtypeCategory> {
        use DtypeCategory::*;
        match self {
            Generic => None,
            Number => Some(Generic),
            Integer | Inexact => Some(Number),
            SignedInteger | UnsignedInteger => Some(Integer),
            Floating | ComplexFloating => Some(Inexact),
        }
    }
}

/// NumPy/MLX `issubdtype`: is `a` the same as, or a kind of, `b`?
pub fn issubdtype(a: impl Into<DtypeLike>, b: impl Into<DtypeLike>) -> bool {
    match (a.into(), b.into()) {
        (DtypeLike::Dtype(x), DtypeLike::Dtype(y)) => x == y,
        (DtypeLike::Category(_), DtypeLike::Dtype(_)) => false,
        (a, DtypeLike::Category(target)) => {
            let mut cat = match a {
                DtypeLike::Dtype(d) => Some(d.category()),
                DtypeLike::Category(c) => Some(c),
            };
            while let Some(c) = cat {
                if c == target {
                    return true;
                }
                cat = c.parent();
            }
            false
        }
    }
}

/// MLX's promotion of two dtypes (its table, which differs from NumPy's in a
/// few places: uint64 with a signed integer gives float32, float64 with
/// complex64 gives complex64, float16 with bfloat16 gives float32).
pub fn promote_types(a: Dtype, b: Dtype) -> Dtype {
    use Dtype::*;
    if a == b {
        return a;
    }
    if a == Bool {
        return b;
    }
    if b == Bool {
        return a;
    }
    if a == Complex64 || b == Complex64 {
        return Complex64;
    }
    match (a.is_float(), b.is_float()) {
        (true, true) => {
            if a == Float64 || b == Float64 {
                Float64
            } else if a == Float32 || b == Float32 {
                Float32
            } else {
                // float16 with bfloat16
                Float32
            }
        }
        (true, false) => a,
        (false, true) => b,
        (false, false) => promote_integers(a, b),
    }
}

fn promote_integers(a: Dtype, b: Dtype) -> Dtype {
    use Dtype::*;
    let (sa, sb) = (a.is_signed_int(), b.is_signed_int());
    if sa == sb {
        return if a.size() >= b.size() { a } else { b };
    }
    let (u, s) = if sa { (b, a) } else { (a, b) };
    match u {
        Uint64 => Float32,
        _ => {
            // the smallest signed type that holds both
            let need = (u.size() * 2).max(s.size());
            match need {
                1 => Int8,
                2 => Int16,
                4 => Int32,
                _ => Int64,
            }
        }
    }
}

/// The dtype of an operation over several dtypes (MLX's `result_type`).
pub fn result_type(dtypes: &[Dtype]) -> Result<Dtype> {
    let mut it = dtypes.iter().copied();
    let first = it.next().ok_or_else(|| Error::value("result_type: needs at least one dtype"))?;
    Ok(it.fold(first, promote_types))
}

/// Limits of a floating-point dtype (`finfo`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FInfo {
    pub dtype: Dtype,
    pub bits: usize,
    pub min: f64,
    pub max: f64,
    pub eps: f64,
    /// Smallest positive normal number.
    pub tiny: f64,
}

/// Limits of an integer dtype (`iinfo`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IInfo {
    pub dtype: Dtype,
    pub bits: usize,
    pub min: i128,
    pub max: i128,
}

/// Limits of a floating-point (or complex, for its parts) dtype.
pub fn finfo(dtype: Dtype) -> Result<FInfo> {
    let (max, eps, tiny) = match dtype {
        Dtype::Float16 => (f16::MAX.to_f64(), f16::EPSILON.to_f64(), f16::MIN_POSITIVE.to_f64()),
        Dtype::Bfloat16 => (bf16::MAX.to_f64(), bf16::EPSILON.to_f64(), bf16::MIN_POSITIVE.to_f64()),
        Dtype::Float32 | Dtype::Complex64 => (f32::MAX as f64, f32::EPSILON as f64, f32::MIN_POSITIVE as f64),
        Dtype::Float64 => (f64::MAX, f64::EPSILON, f64::MIN_POSITIVE),
        d => return Err(Error::Dtype(format!("finfo: expected a floating-point dtype, got {d}"))),
    };
    let bits = if dtype == Dtype::Complex64 { 32 } else { dtype.size() * 8 };
    // complex64 reports the limits of its float32 parts as float32 (MLX, NumPy).
    let dtype = if dtype == Dtype::Complex64 { Dtype::Float32 } else { dtype };
    Ok(FInfo { dtype, bits, min: -max, max, eps, tiny })
}

/// Limits of an integer dtype.
pub fn iinfo(dtype: Dtype) -> Result<IInfo> {
    if !dtype.is_integer() {
        return Err(Error::Dtype(format!("iinfo: expected an integer dtype, got {dtype}")));
    }
    let bits = dtype.size() * 8;
    let (min, max) = if dtype.is_unsigned() {
        (0i128, (1i128 << bits) - 1)
    } else {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    };
    Ok(IInfo { dtype, bits, min, max })
}

/// A Rust type that backs a dtype: how kernels see elements.
pub trait Element: Copy + Send + Sync + 'static + Default + PartialEq + fmt::Debug {
    const DTYPE: Dtype;
    /// Lossy conversion used by `astype` and scalars (NumPy's C casts).
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn from_i64(v: i64) -> Self;
    fn to_i64(self) -> i64;
    fn from_c64(v: Complex32) -> Self;
    fn to_c64(self) -> Complex32;
}

macro_rules! int_element {
    ($t:ty, $d:ident) => {
        impl Element for $t {
            const DTYPE: Dtype = Dtype::$d;
            #[inline]
            fn from_f64(v: f64) -> Self {
                // NumPy casts through the widest integer: NaN and inf give the
                // same value as C's truncation would on x86 for 64-bit ints.
                if v.is_nan() {
                    0
                } else {
                    (v as i128) as $t
                }
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline]
            fn from_c64(v: Complex32) -> Self {
                Self::from_f64(v.re as f64)
            }
            #[inline]
            fn to_c64(self) -> Complex32 {
                Complex32::new(self as f32, 0.0)
            }
        }
    };
}
int_element!(u8, Uint8);
int_element!(u16, Uint16);
int_element!(u32, Uint32);
int_element!(u64, Uint64);
int_element!(i8, Int8);
int_element!(i16, Int16);
int_element!(i32, Int32);
int_element!(i64, Int64);

impl Element for bool {
    const DTYPE: Dtype = Dtype::Bool;
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
    fn from_c64(v: Complex32) -> Self {
        v.re != 0.0 || v.im != 0.0
    }
    fn to_c64(self) -> Complex32 {
        Complex32::new(self as u8 as f32, 0.0)
    }
}

/// `v` as f64, rounded to odd when inexact: one more rounding to a narrower
/// float (f32, f16, bf16) then gives the correctly rounded value of `v`, where
/// rounding to nearest twice can land on the wrong side of a tie.
#[inline]
pub(crate) fn i128_to_f64_odd(v: i128) -> f64 {
    let f = v as f64;
    if f as i128 == v || f.to_bits() & 1 == 1 {
        return f;
    }
    let shrink = (f as i128).abs() > v.abs();
    f64::from_bits(if shrink { f.to_bits() - 1 } else { f.to_bits() + 1 })
}

/// `v` as f32, rounded to odd when inexact (see `i128_to_f64_odd`).
#[inline]
pub(crate) fn f64_to_f32_odd(v: f64) -> f32 {
    let f = v as f32;
    if !f.is_finite() || f as f64 == v || f.to_bits() & 1 == 1 {
        return f;
    }
    let shrink = (f as f64).abs() > v.abs();
    f32::from_bits(if shrink { f.to_bits() - 1 } else { f.to_bits() + 1 })
}

/// Correctly rounded f64 -> f16 (`half`'s conversion rounds twice, through f32).
#[inline]
fn f64_to_f16(v: f64) -> f16 {
    f16::from_f32(f64_to_f32_odd(v))
}

/// Correctly rounded f64 -> bf16 (`half`'s conversion drops low bits before rounding).
#[inline]
fn f64_to_bf16(v: f64) -> bf16 {
    bf16::from_f32(f64_to_f32_odd(v))
}

macro_rules! float_element {
    ($t:ty, $d:ident, $from:expr, $to:expr, $int_to_f64:expr) => {
        impl Element for $t {
            const DTYPE: Dtype = Dtype::$d;
            #[inline]
            fn from_f64(v: f64) -> Self {
                ($from)(v)
            }
            #[inline]
            fn to_f64(self) -> f64 {
                ($to)(self)
            }
            #[inline]
            fn from_i64(v: i64) -> Self {
                ($from)(($int_to_f64)(v))
            }
            #[inline]
            fn to_i64(self) -> i64 {
                let v: f64 = ($to)(self);
                if v.is_nan() {
                    i64::MIN
                } else {
                    v as i64
                }
            }
            #[inline]
            fn from_c64(v: Complex32) -> Self {
                ($from)(v.re as f64)
            }
            #[inline]
            fn to_c64(self) -> Complex32 {
                Complex32::new(($to)(self) as f32, 0.0)
            }
        }
    };
}
// Integers go through f64 rounded to odd for the narrower floats (exact below 2^53).
float_element!(f16, Float16, f64_to_f16, f16::to_f64, |v: i64| i128_to_f64_odd(v as i128));
float_element!(bf16, Bfloat16, f64_to_bf16, bf16::to_f64, |v: i64| i128_to_f64_odd(v as i128));
float_element!(f32, Float32, |v: f64| v as f32, |v: f32| v as f64, |v: i64| i128_to_f64_odd(v as i128));
float_element!(f64, Float64, |v: f64| v, |v: f64| v, |v: i64| v as f64);

impl Element for Complex32 {
    const DTYPE: Dtype = Dtype::Complex64;
    fn from_f64(v: f64) -> Self {
        Complex32::new(v as f32, 0.0)
    }
    fn to_f64(self) -> f64 {
        self.re as f64
    }
    fn from_i64(v: i64) -> Self {
        Complex32::new(v as f32, 0.0)
    }
    fn to_i64(self) -> i64 {
        self.re as i64
    }
    fn from_c64(v: Complex32) -> Self {
        v
    }
    fn to_c64(self) -> Complex32 {
        self
    }
}

/// Calls `$body` with `$T` bound to the Rust element type of `$dtype`.
#[macro_export]
macro_rules! dispatch_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::Dtype as __D;
        match $dtype {
            __D::Bool => {
                type $T = bool;
                $body
            }
            __D::Uint8 => {
                type $T = u8;
                $body
            }
            __D::Uint16 => {
                type $T = u16;
                $body
            }
            __D::Uint32 => {
                type $T = u32;
                $body
            }
            __D::Uint64 => {
                type $T = u64;
                $body
            }
            __D::Int8 => {
                type $T = i8;
                $body
            }
            __D::Int16 => {
                type $T = i16;
                $body
            }
            __D::Int32 => {
                type $T = i32;
                $body
            }
            __D::Int64 => {
                type $T = i64;
                $body
            }
            __D::Float16 => {
                type $T = half::f16;
                $body
            }
            __D::Bfloat16 => {
                type $T = half::bf16;
                $body
            }
            __D::Float32 => {
                type $T = f32;
                $body
            }
            __D::Float64 => {
                type $T = f64;
                $body
            }
            __D::Complex64 => {
                type $T = num_complex::Complex32;
                $body
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn promotion_matches_mlx_table() {
        use Dtype::*;
        assert_eq!(promote_types(Uint8, Int8), Int16);
        assert_eq!(promote_types(Uint32, Int32), Int64);
        assert_eq!(promote_types(Uint64, Int8), Float32);
        assert_eq!(promote_types(Float16, Bfloat16), Float32);
        assert_eq!(promote_types(Int64, Float16), Float16);
        assert_eq!(promote_types(Float64, Complex64), Complex64);
        assert_eq!(promote_types(Bool, Uint16), Uint16);
    }
}
