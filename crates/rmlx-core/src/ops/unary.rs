//! Elementwise functions of one array, with MLX's dtype rules: math on
//! integers and bool computes in float32; rounding leaves integers as they are.

use super::{full, node, Operand, Scalar};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{Primitive, UnaryOp};

/// The node of `op` on `a`; its dtype is the op's rule (`UnaryOp::kernel_dtype`),
/// the one place that rule is kept.
fn unary_node(a: &Array, op: UnaryOp) -> Result<Array> {
    node(a.shape().to_vec(), op.kernel_dtype(a.dtype()), Primitive::Unary(op), vec![a.clone()])
}

/// Casts to `dtype` (a no-op that returns `a` itself when the dtype is the same).
pub fn astype(a: &Array, dtype: Dtype) -> Result<Array> {
    if a.dtype() == dtype {
        return Ok(a.clone());
    }
    node(a.shape().to_vec(), dtype, Primitive::AsType(dtype), vec![a.clone()])
}

/// Float math: integers and bool are computed in float32.
fn float_math(a: &Array, op: UnaryOp, complex_ok: bool) -> Result<Array> {
    if a.dtype().is_complex() && !complex_ok {
        return Err(Error::Dtype(format!("{}: complex64 is not supported", name(op))));
    }
    unary_node(&astype(a, a.dtype().to_inexact())?, op)
}

fn name(op: UnaryOp) -> String {
    format!("{op:?}").to_lowercase()
}

macro_rules! float_unary {
    ($($(#[$doc:meta])* $fn:ident => $op:ident, $complex:expr;)*) => {$(
        $(#[$doc])*
        pub fn $fn(a: &Array) -> Result<Array> {
            float_math(a, UnaryOp::$op, $complex)
        }
    )*};
}

float_unary! {
    /// e^x.
    exp => Exp, true;
    /// e^x - 1, accurate near 0.
    expm1 => Expm1, true;
    /// Natural logarithm.
    log => Log, true;
    /// Base-2 logarithm.
    log2 => Log2, true;
    /// Base-10 logarithm.
    log10 => Log10, true;
    /// log(1 + x), accurate near 0.
    log1p => Log1p, true;
    /// Square root.
    sqrt => Sqrt, true;
    /// 1 / sqrt(x).
    rsqrt => Rsqrt, true;
    /// Sine.
    sin => Sin, true;
    /// Cosine.
    cos => Cos, true;
    /// Tangent.
    tan => Tan, true;
    /// Inverse sine.
    arcsin => Arcsin, true;
    /// Inverse cosine.
    arccos => Arccos, true;
    /// Inverse tangent.
    arctan => Arctan, true;
    /// Hyperbolic sine.
    sinh => Sinh, true;
    /// Hyperbolic cosine.
    cosh => Cosh, true;
    /// Hyperbolic tangent.
    tanh => Tanh, true;
    /// Inverse hyperbolic sine.
    arcsinh => Arcsinh, true;
    /// Inverse hyperbolic cosine.
    arccosh => Arccosh, true;
    /// Inverse hyperbolic tangent.
    arctanh => Arctanh, true;
    /// The error function.
    erf => Erf, false;
    /// The inverse of the error function.
    erfinv => Erfinv, false;
    /// 1 / (1 + e^-x).
    sigmoid => Sigmoid, true;
}

/// 1 / x (integers give float32).
pub fn reciprocal(a: &Array) -> Result<Array> {
    float_math(a, UnaryOp::Reciprocal, true)
}

/// Absolute value (the magnitude, as float32, for complex64).
pub fn abs(a: &Array) -> Result<Array> {
    if a.dtype() == Dtype::Bool || a.dtype().is_unsigned() {
        return Ok(a.clone());
    }
    unary_node(a, UnaryOp::Abs)
}

/// -1, 0 or 1 by sign (NaN stays NaN; z/|z| for complex).
pub fn sign(a: &Array) -> Result<Array> {
    if a.dtype() == Dtype::Bool {
        return Ok(a.clone());
    }
    unary_node(a, UnaryOp::Sign)
}

/// -x (bool is rejected, as NumPy rejects it).
pub fn negative(a: &Array) -> Result<Array> {
    if a.dtype() == Dtype::Bool {
        return Err(Error::Dtype("negative: not supported for bool; use logical_not".into()));
    }
    unary_node(a, UnaryOp::Negative)
}

/// x * x.
pub fn square(a: &Array) -> Result<Array> {
    unary_node(a, UnaryOp::Square)
}

fn rounding(a: &Array, op: UnaryOp) -> Result<Array> {
    let dt = a.dtype();
    if dt.is_complex() {
        return Err(Error::Dtype(format!("{}: complex64 is not supported", name(op))));
    }
    if !dt.is_float() {
        return Ok(a.clone());
    }
    unary_node(a, op)
}

/// Largest integer not above x.
pub fn floor(a: &Array) -> Result<Array> {
    rounding(a, UnaryOp::Floor)
}
/// Smallest integer not below x.
pub fn ceil(a: &Array) -> Result<Array> {
    rounding(a, UnaryOp::Ceil)
}
/// Rounds toward zero.
pub fn trunc(a: &Array) -> Result<Array> {
    rounding(a, UnaryOp::Trunc)
}

/// Rounds to `decimals` places, halves to even (as NumPy does).
pub fn round(a: &Array, decimals: i32) -> Result<Array> {
    let dt = a.dtype();
    if dt.is_complex() {
        // The real and imaginary parts, each rounded (as NumPy and MLX).
        return complex_of(&round(&real(a)?, decimals)?, &round(&imag(a)?, decimals)?);
    }
    if decimals == 0 || (decimals > 0 && !dt.is_inexact()) {
        return rounding(a, UnaryOp::Round);
    }
    if dt.is_complex() {
        return Err(Error::Dtype("round: complex64 is not supported".into()));
    }
    let work = if dt.is_float() { a.clone() } else { astype(a, Dtype::Float64)? };
    // As NumPy: scale by the exact power of ten (x * 10^d, or x / 10^-d for d < 0).
    let r = if decimals > 0 {
        let scale = 10f64.powi(decimals);
        super::divide(&rounding(&super::multiply(&work, scale)?, UnaryOp::Round)?, scale)?
    } else {
        let scale = 10f64.powi(-decimals);
        super::multiply(&rounding(&super::divide(&work, scale)?, UnaryOp::Round)?, scale)?
    };
    astype(&r, dt)
}

/// `re + i im` as complex64 (the parts real arrays of one shape, or broadcastable).
pub fn complex_of(re: &Array, im: &Array) -> Result<Array> {
    let i = super::Scalar::Complex(num_complex::Complex32::new(0.0, 1.0));
    super::add(&astype(re, Dtype::Complex64)?, &super::multiply(&astype(im, Dtype::Complex64)?, i)?)
}

/// Radians to degrees.
pub fn degrees(a: &Array) -> Result<Array> {
    super::multiply(&astype(a, a.dtype().to_inexact())?, 180.0 / std::f64::consts::PI)
}
/// Degrees to radians.
pub fn radians(a: &Array) -> Result<Array> {
    super::multiply(&astype(a, a.dtype().to_inexact())?, std::f64::consts::PI / 180.0)
}

/// Real part (the array itself for real dtypes).
pub fn real(a: &Array) -> Result<Array> {
    if !a.dtype().is_complex() {
        return Ok(a.clone());
    }
    unary_node(a, UnaryOp::Real)
}
/// Imaginary part (zeros for real dtypes).
pub fn imag(a: &Array) -> Result<Array> {
    if !a.dtype().is_complex() {
        return super::zeros_like(a);
    }
    unary_node(a, UnaryOp::Imag)
}
/// Complex conjugate (the array itself for real dtypes).
pub fn conj(a: &Array) -> Result<Array> {
    if !a.dtype().is_complex() {
        return Ok(a.clone());
    }
    unary_node(a, UnaryOp::Conj)
}

fn float_test(a: &Array, op: UnaryOp, for_ints: bool) -> Result<Array> {
    if !a.dtype().is_inexact() {
        return full(a.shape(), for_ints, Some(Dtype::Bool));
    }
    if a.dtype().is_complex() && matches!(op, UnaryOp::IsPosInf | UnaryOp::IsNegInf) {
        // As MLX (a comparison with the infinity): z is +inf when it equals +inf + 0j.
        let inf = if op == UnaryOp::IsPosInf { f64::INFINITY } else { f64::NEG_INFINITY };
        return super::logical_and(&super::equal(&real(a)?, inf)?, &super::equal(&imag(a)?, 0.0)?);
    }
    unary_node(a, op)
}

/// Is x NaN?
pub fn isnan(a: &Array) -> Result<Array> {
    float_test(a, UnaryOp::IsNan, false)
}
/// Is x +inf or -inf?
pub fn isinf(a: &Array) -> Result<Array> {
    float_test(a, UnaryOp::IsInf, false)
}
/// Is x +inf?
pub fn isposinf(a: &Array) -> Result<Array> {
    float_test(a, UnaryOp::IsPosInf, false)
}
/// Is x -inf?
pub fn isneginf(a: &Array) -> Result<Array> {
    float_test(a, UnaryOp::IsNegInf, false)
}
/// Is x neither NaN nor infinite?
pub fn isfinite(a: &Array) -> Result<Array> {
    float_test(a, UnaryOp::IsFinite, true)
}

/// Replaces NaN by `nan`, +inf by `posinf` and -inf by `neginf` (the
/// dtype's largest and smallest finite values when None).
pub fn nan_to_num(a: &Array, nan: f64, posinf: Option<f64>, neginf: Option<f64>) -> Result<Array> {
    let dt = a.dtype();
    if !dt.is_float() {
        if dt.is_complex() {
            return Err(Error::Dtype("nan_to_num: complex64 is not supported".into()));
        }
        return Ok(a.clone());
    }
    let info = crate::dtype::finfo(dt)?;
    let hi = posinf.unwrap_or(info.max);
    let lo = neginf.unwrap_or(info.min);
    let r = super::where_(&isnan(a)?, Operand::Scalar(Scalar::Float(nan)), a)?;
    let r = super::where_(&isposinf(a)?, Operand::Scalar(Scalar::Float(hi)), &r)?;
    super::where_(&isneginf(a)?, Operand::Scalar(Scalar::Float(lo)), &r)
}

/// Logical not (any dtype, read as "is non-zero").
pub fn logical_not(a: &Array) -> Result<Array> {
    let b = astype(a, Dtype::Bool)?;
    unary_node(&b, UnaryOp::LogicalNot)
}

/// Bitwise not of integers and bool.
pub fn bitwise_invert(a: &Array) -> Result<Array> {
    let dt = a.dtype();
    if !(dt.is_integer() || dt.is_bool()) {
        return Err(Error::Dtype(format!("bitwise_invert: expected an integer or bool array, got {dt}")));
    }
    unary_node(a, UnaryOp::BitwiseInvert)
}
