//! Unary and binary ops dispatched to the elementwise loops, per dtype. The op
//! builders in `ops` have already checked dtypes, so a combination that
//! reaches the end of a match here is an internal error, not a panic.

use super::elementwise::{binary_map, unary_map};
use super::scalar::{Arith, FloatMath, RealElem};
use crate::array::{Array, Data};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{BinaryOp, UnaryOp};
use half::{bf16, f16};
use num_complex::Complex32;
use num_traits::{Float, One};

fn unsupported(op: impl std::fmt::Debug, d: Dtype) -> Error {
    Error::Dtype(format!("{op:?}: dtype {d} is not supported"))
}

/// Real-valued math of float dtypes, computed in the dtype's compute precision.
fn real_unary<T: RealElem>(op: UnaryOp, a: &Array, shape: &[usize]) -> Result<Data> {
    macro_rules! m {
        (|$x:ident| $e:expr) => {
            unary_map::<T, T>(a, shape, |v: T| {
                let $x = v.up();
                T::down($e)
            })
        };
    }
    type C<T> = <T as RealElem>::C;
    let one = C::<T>::one();
    match op {
        UnaryOp::Exp => m!(|x| x.fast_exp()),
        UnaryOp::Expm1 => m!(|x| x.exp_m1()),
        UnaryOp::Log => m!(|x| x.ln()),
        UnaryOp::Log2 => m!(|x| x.log2()),
        UnaryOp::Log10 => m!(|x| x.log10()),
        UnaryOp::Log1p => m!(|x| x.ln_1p()),
        UnaryOp::Sqrt => m!(|x| x.sqrt()),
        UnaryOp::Rsqrt => m!(|x| one / x.sqrt()),
        UnaryOp::Reciprocal => m!(|x| one / x),
        UnaryOp::Sin => m!(|x| x.sin()),
        UnaryOp::Cos => m!(|x| x.cos()),
        UnaryOp::Tan => m!(|x| x.tan()),
        UnaryOp::Arcsin => m!(|x| x.asin()),
        UnaryOp::Arccos => m!(|x| x.acos()),
        UnaryOp::Arctan => m!(|x| x.atan()),
        UnaryOp::Sinh => m!(|x| x.sinh()),
        UnaryOp::Cosh => m!(|x| x.cosh()),
        UnaryOp::Tanh => m!(|x| x.tanh()),
        UnaryOp::Arcsinh => m!(|x| x.asinh()),
        UnaryOp::Arccosh => m!(|x| x.acosh()),
        UnaryOp::Arctanh => m!(|x| x.atanh()),
        UnaryOp::Erf => m!(|x| x.erf()),
        UnaryOp::Erfinv => m!(|x| x.erfinv()),
        UnaryOp::Sigmoid => m!(|x| one / (one + (-x).fast_exp())),
        UnaryOp::Floor => m!(|x| x.floor()),
        UnaryOp::Ceil => m!(|x| x.ceil()),
        UnaryOp::Trunc => m!(|x| x.trunc()),
        UnaryOp::Round => m!(|x| {
            // Half to even, as NumPy rounds: a tie goes to 2 * round(x / 2).
            let two = C::<T>::from_f64c(2.0);
            if (x - x.trunc()).abs() == C::<T>::from_f64c(0.5) {
                (x / two).round() * two
            } else {
                x.round()
            }
        }),
        UnaryOp::IsNan => unary_map::<T, bool>(a, shape, |v: T| v.up().is_nan()),
        UnaryOp::IsInf => unary_map::<T, bool>(a, shape, |v: T| v.up().is_infinite()),
        UnaryOp::IsPosInf => unary_map::<T, bool>(a, shape, |v: T| v.up() == C::<T>::infinity()),
        UnaryOp::IsNegInf => unary_map::<T, bool>(a, shape, |v: T| v.up() == C::<T>::neg_infinity()),
        UnaryOp::IsFinite => unary_map::<T, bool>(a, shape, |v: T| v.up().is_finite()),
        // Run by `unary` for every dtype, or not for real floats.
        UnaryOp::Abs
        | UnaryOp::Sign
        | UnaryOp::Negative
        | UnaryOp::Square
        | UnaryOp::Real
        | UnaryOp::Imag
        | UnaryOp::Conj
        | UnaryOp::LogicalNot
        | UnaryOp::BitwiseInvert => Err(unsupported(op, T::DTYPE)),
    }
}

fn complex_unary(op: UnaryOp, a: &Array, shape: &[usize]) -> Result<Data> {
    type Z = Complex32;
    macro_rules! m {
        (|$x:ident| $e:expr) => {
            unary_map::<Z, Z>(a, shape, |$x: Z| $e)
        };
    }
    let one = Z::new(1.0, 0.0);
    match op {
        UnaryOp::Exp => m!(|x| x.exp()),
        UnaryOp::Expm1 => m!(|x| x.exp() - one),
        UnaryOp::Log => m!(|x| x.ln()),
        UnaryOp::Log2 => m!(|x| x.ln() / std::f32::consts::LN_2),
        UnaryOp::Log10 => m!(|x| x.ln() / std::f32::consts::LN_10),
        UnaryOp::Log1p => m!(|x| (x + one).ln()),
        UnaryOp::Sqrt => m!(|x| x.sqrt()),
        UnaryOp::Rsqrt => m!(|x| one / x.sqrt()),
        UnaryOp::Reciprocal => m!(|x| one / x),
        UnaryOp::Sin => m!(|x| x.sin()),
        UnaryOp::Cos => m!(|x| x.cos()),
        UnaryOp::Tan => m!(|x| x.tan()),
        UnaryOp::Arcsin => m!(|x| x.asin()),
        UnaryOp::Arccos => m!(|x| x.acos()),
        UnaryOp::Arctan => m!(|x| x.atan()),
        UnaryOp::Sinh => m!(|x| x.sinh()),
        UnaryOp::Cosh => m!(|x| x.cosh()),
        UnaryOp::Tanh => m!(|x| x.tanh()),
        UnaryOp::Arcsinh => m!(|x| x.asinh()),
        UnaryOp::Arccosh => m!(|x| x.acosh()),
        UnaryOp::Arctanh => m!(|x| x.atanh()),
        UnaryOp::Sigmoid => m!(|x| one / (one + (-x).exp())),
        UnaryOp::Conj => m!(|x| x.conj()),
        UnaryOp::Abs => unary_map::<Z, f32>(a, shape, |x: Z| x.norm()),
        UnaryOp::Real => unary_map::<Z, f32>(a, shape, |x: Z| x.re),
        UnaryOp::Imag => unary_map::<Z, f32>(a, shape, |x: Z| x.im),
        UnaryOp::IsNan => unary_map::<Z, bool>(a, shape, |x: Z| x.re.is_nan() || x.im.is_nan()),
        UnaryOp::IsInf => unary_map::<Z, bool>(a, shape, |x: Z| x.re.is_infinite() || x.im.is_infinite()),
        UnaryOp::IsFinite => unary_map::<Z, bool>(a, shape, |x: Z| x.re.is_finite() && x.im.is_finite()),
        // Run by `unary` (negative, sign, square), built from parts by the
        // op builders (is+inf, is-inf), or not defined for complex.
        UnaryOp::Negative
        | UnaryOp::Sign
        | UnaryOp::Square
        | UnaryOp::IsPosInf
        | UnaryOp::IsNegInf
        | UnaryOp::Erf
        | UnaryOp::Erfinv
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Trunc
        | UnaryOp::LogicalNot
        | UnaryOp::BitwiseInvert => Err(unsupported(op, Dtype::Complex64)),
    }
}

/// Runs a unary op; the output dtype was fixed when the op was built.
pub(crate) fn unary(op: UnaryOp, a: &Array, shape: &[usize]) -> Result<Data> {
    let dt = a.dtype();
    match op {
        UnaryOp::Abs | UnaryOp::Negative | UnaryOp::Sign | UnaryOp::Square if dt != Dtype::Complex64 => {
            crate::dispatch_dtype!(dt, T => match op {
                UnaryOp::Abs => unary_map::<T, T>(a, shape, |x: T| Arith::abs(x)),
                UnaryOp::Negative => unary_map::<T, T>(a, shape, |x: T| Arith::neg(x)),
                UnaryOp::Sign => unary_map::<T, T>(a, shape, |x: T| Arith::sign(x)),
                _ => unary_map::<T, T>(a, shape, |x: T| Arith::mul(x, x)),
            })
        }
        UnaryOp::Negative => unary_map::<Complex32, Complex32>(a, shape, |x| -x),
        UnaryOp::Sign => unary_map::<Complex32, Complex32>(a, shape, |x| x.sign()),
        UnaryOp::Square => unary_map::<Complex32, Complex32>(a, shape, |x| x * x),
        UnaryOp::LogicalNot => unary_map::<bool, bool>(a, shape, |x| !x),
        UnaryOp::BitwiseInvert => crate::dispatch_dtype!(dt, T => unary_map::<T, T>(a, shape, |x: T| Arith::not(x))),
        _ => match dt {
            Dtype::Float32 => real_unary::<f32>(op, a, shape),
            Dtype::Float64 => real_unary::<f64>(op, a, shape),
            Dtype::Float16 => real_unary::<f16>(op, a, shape),
            Dtype::Bfloat16 => real_unary::<bf16>(op, a, shape),
            Dtype::Complex64 => complex_unary(op, a, shape),
            d => Err(unsupported(op, d)),
        },
    }
}

fn float_binary<T: RealElem + Arith>(op: BinaryOp, a: &Array, b: &Array, shape: &[usize]) -> Result<Data> {
    match op {
        BinaryOp::LogAddExp => binary_map::<T, T>(a, b, shape, |x: T, y: T| {
            let (x, y) = (x.up(), y.up());
            if x.is_nan() || y.is_nan() {
                return T::down(x + y);
            }
            let (hi, lo) = if x > y { (x, y) } else { (y, x) };
            if hi.is_infinite() {
                return T::down(hi);
            }
            // log1p keeps the precision that ln(1 + small) would lose.
            T::down(hi + (lo - hi).exp().ln_1p())
        }),
        BinaryOp::Arctan2 => binary_map::<T, T>(a, b, shape, |x: T, y: T| T::down(x.up().atan2(y.up()))),
        _ => generic_binary::<T>(op, a, b, shape),
    }
}

fn generic_binary<T: Arith>(op: BinaryOp, a: &Array, b: &Array, shape: &[usize]) -> Result<Data> {
    macro_rules! m {
        (|$x:ident, $y:ident| $e:expr) => {
            binary_map::<T, T>(a, b, shape, |$x: T, $y: T| $e)
        };
    }
    macro_rules! c {
        (|$x:ident, $y:ident| $e:expr) => {
            binary_map::<T, bool>(a, b, shape, |$x: T, $y: T| $e)
        };
    }
    match op {
        BinaryOp::Add => m!(|x, y| x.add(y)),
        BinaryOp::Subtract => m!(|x, y| x.sub(y)),
        BinaryOp::Multiply => m!(|x, y| x.mul(y)),
        BinaryOp::Divide => m!(|x, y| x.div(y)),
        BinaryOp::FloorDivide => m!(|x, y| x.floor_div(y)),
        BinaryOp::Remainder => m!(|x, y| x.rem(y)),
        BinaryOp::Power => m!(|x, y| x.pow(y)),
        BinaryOp::Maximum => m!(|x, y| x.max(y)),
        BinaryOp::Minimum => m!(|x, y| x.min(y)),
        BinaryOp::BitwiseAnd => m!(|x, y| x.bitand(y)),
        BinaryOp::BitwiseOr => m!(|x, y| x.bitor(y)),
        BinaryOp::BitwiseXor => m!(|x, y| x.bitxor(y)),
        BinaryOp::LeftShift => m!(|x, y| x.shl(y)),
        BinaryOp::RightShift => m!(|x, y| x.shr(y)),
        BinaryOp::Equal => c!(|x, y| x.eq(y)),
        BinaryOp::NotEqual => c!(|x, y| !x.eq(y)),
        BinaryOp::Less => c!(|x, y| x.lt(y)),
        BinaryOp::LessEqual => c!(|x, y| x.lt(y) || x.eq(y)),
        BinaryOp::Greater => c!(|x, y| y.lt(x)),
        BinaryOp::GreaterEqual => c!(|x, y| y.lt(x) || x.eq(y)),
        BinaryOp::LogicalAnd => c!(|x, y| x.is_nonzero() && y.is_nonzero()),
        BinaryOp::LogicalOr => c!(|x, y| x.is_nonzero() || y.is_nonzero()),
        BinaryOp::LogAddExp | BinaryOp::Arctan2 => Err(unsupported(op, T::DTYPE)),
    }
}

/// Runs a binary op on two inputs of one dtype.
pub(crate) fn binary(op: BinaryOp, a: &Array, b: &Array, shape: &[usize]) -> Result<Data> {
    match a.dtype() {
        Dtype::Float32 => float_binary::<f32>(op, a, b, shape),
        Dtype::Float64 => float_binary::<f64>(op, a, b, shape),
        Dtype::Float16 => float_binary::<f16>(op, a, b, shape),
        Dtype::Bfloat16 => float_binary::<bf16>(op, a, b, shape),
        dt => crate::dispatch_dtype!(dt, T => generic_binary::<T>(op, a, b, shape)),
    }
}
