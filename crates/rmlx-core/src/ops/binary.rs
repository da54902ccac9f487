//! Elementwise functions of two or three arrays with NumPy broadcasting and
//! MLX's promotion (weak scalars keep the array's dtype).

use super::{arrays_of, astype, node, operands_dtype, Operand};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{BinaryOp, Primitive};
use crate::shape::broadcast_shapes;

fn name(op: BinaryOp) -> String {
    format!("{op:?}").to_lowercase()
}

/// Builds a binary node on operands cast to `compute`, giving `out`.
fn binary_node(op: BinaryOp, a: &Operand, b: &Operand, compute: Dtype, out: Dtype) -> Result<Array> {
    let v = arrays_of(&[a, b], compute)?;
    let shape = broadcast_shapes(&[v[0].shape(), v[1].shape()])?;
    node(shape, out, Primitive::Binary(op), v)
}

/// Arithmetic in the promoted dtype.
fn arith(op: BinaryOp, a: Operand, b: Operand) -> Result<Array> {
    let dt = operands_dtype(&[&a, &b]);
    binary_node(op, &a, &b, dt, dt)
}

/// Add.
pub fn add(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    arith(BinaryOp::Add, a.into(), b.into())
}

/// Subtract (bool - bool is rejected, as NumPy rejects it).
pub fn subtract(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    let (a, b) = (a.into(), b.into());
    if operands_dtype(&[&a, &b]) == Dtype::Bool {
        return Err(Error::Dtype("subtract: not supported for bool; use logical_xor".into()));
    }
    arith(BinaryOp::Subtract, a, b)
}

/// Multiply.
pub fn multiply(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    arith(BinaryOp::Multiply, a.into(), b.into())
}

/// True division: integers give float32.
pub fn divide(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    let (a, b) = (a.into(), b.into());
    let dt = operands_dtype(&[&a, &b]).to_inexact();
    binary_node(BinaryOp::Divide, &a, &b, dt, dt)
}

fn no_complex(op: BinaryOp, a: &Operand, b: &Operand) -> Result<Dtype> {
    let dt = operands_dtype(&[a, b]);
    if dt.is_complex() {
        return Err(Error::Dtype(format!("{}: complex64 is not supported", name(op))));
    }
    Ok(dt)
}

/// Floor of the quotient (integer division by zero gives 0).
pub fn floor_divide(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    let (a, b) = (a.into(), b.into());
    let dt = no_complex(BinaryOp::FloorDivide, &a, &b)?;
    binary_node(BinaryOp::FloorDivide, &a, &b, dt, dt)
}

/// Remainder with the sign of the divisor (Python's `%`).
pub fn remainder(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    let (a, b) = (a.into(), b.into());
    let dt = no_complex(BinaryOp::Remainder, &a, &b)?;
    binary_node(BinaryOp::Remainder, &a, &b, dt, dt)
}

/// `(floor_divide(a, b), remainder(a, b))`, computed by one multi-output node.
pub fn divmod(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<(Array, Array)> {
    let (a, b) = (a.into(), b.into());
    let dt = no_complex(BinaryOp::FloorDivide, &a, &b)?;
    let v = arrays_of(&[&a, &b], dt)?;
    let shape = broadcast_shapes(&[v[0].shape(), v[1].shape()])?;
    super::check_bytes(&shape, dt)?;
    let mut outs = Array::pending_multi(
        vec![(shape.clone(), dt), (shape, dt)],
        crate::device::current_stream()?,
        Primitive::DivMod,
        v,
    );
    let r = outs.pop().ok_or_else(|| Error::Runtime("divmod: missing output".into()))?;
    let q = outs.pop().ok_or_else(|| Error::Runtime("divmod: missing output".into()))?;
    Ok((q, r))
}

/// a to the power b.
pub fn power(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    arith(BinaryOp::Power, a.into(), b.into())
}

/// Elementwise maximum (NaN wins).
pub fn maximum(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    arith(BinaryOp::Maximum, a.into(), b.into())
}

/// Elementwise minimum (NaN wins).
pub fn minimum(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    arith(BinaryOp::Minimum, a.into(), b.into())
}

fn float_binary(op: BinaryOp, a: Operand, b: Operand) -> Result<Array> {
    let dt = no_complex(op, &a, &b)?.to_inexact();
    binary_node(op, &a, &b, dt, dt)
}

/// log(exp(a) + exp(b)), without overflow.
pub fn logaddexp(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    let (a, b) = (a.into(), b.into());
    if operands_dtype(&[&a, &b]).is_complex() {
        // The principal log(exp(a) + exp(b)) as m + log(1 + exp(o - m)), m
        // the operand of larger real part (MLX's complex logaddexp).
        let c64 = |o: Operand| -> Result<Array> {
            match o {
                Operand::Array(x) => super::astype(&x, Dtype::Complex64),
                Operand::Scalar(s) => s.to_array(Dtype::Complex64),
            }
        };
        let (a, b) = (c64(a)?, c64(b)?);
        let first = super::greater_equal(&super::real(&a)?, &super::real(&b)?)?;
        let m = super::where_(&first, &a, &b)?;
        let o = super::where_(&first, &b, &a)?;
        return super::add(&m, &super::log(&super::add(&super::exp(&super::subtract(&o, &m)?)?, 1.0)?)?);
    }
    float_binary(BinaryOp::LogAddExp, a, b)
}

/// The angle of the point (b, a): arctan(a / b) in the right quadrant.
pub fn arctan2(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    float_binary(BinaryOp::Arctan2, a.into(), b.into())
}

fn compare(op: BinaryOp, a: Operand, b: Operand) -> Result<Array> {
    let dt = operands_dtype(&[&a, &b]);
    binary_node(op, &a, &b, dt, Dtype::Bool)
}

macro_rules! comparisons {
    ($($(#[$doc:meta])* $fn:ident => $op:ident;)*) => {$(
        $(#[$doc])*
        pub fn $fn(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
            compare(BinaryOp::$op, a.into(), b.into())
        }
    )*};
}
comparisons! {
    /// a == b.
    equal => Equal;
    /// a != b.
    not_equal => NotEqual;
    /// a < b.
    less => Less;
    /// a <= b.
    less_equal => LessEqual;
    /// a > b.
    greater => Greater;
    /// a >= b.
    greater_equal => GreaterEqual;
}

fn logical(op: BinaryOp, a: Operand, b: Operand) -> Result<Array> {
    binary_node(op, &a, &b, Dtype::Bool, Dtype::Bool)
}

/// Logical and (inputs read as "is non-zero").
pub fn logical_and(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    logical(BinaryOp::LogicalAnd, a.into(), b.into())
}
/// Logical or.
pub fn logical_or(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    logical(BinaryOp::LogicalOr, a.into(), b.into())
}
/// Logical exclusive or.
pub fn logical_xor(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    logical(BinaryOp::NotEqual, a.into(), b.into())
}

fn bitwise(op: BinaryOp, a: Operand, b: Operand, bool_ok: bool) -> Result<Array> {
    let mut dt = operands_dtype(&[&a, &b]);
    if dt.is_bool() && matches!(op, BinaryOp::LeftShift | BinaryOp::RightShift) {
        // MLX shifts bools as uint8 (True << True == 2).
        dt = Dtype::Uint8;
    }
    if !(dt.is_integer() || (bool_ok && dt.is_bool())) {
        return Err(Error::Dtype(format!(
            "{}: expected integer{} operands, got {dt}",
            name(op),
            if bool_ok { " or bool" } else { "" }
        )));
    }
    binary_node(op, &a, &b, dt, dt)
}

/// Bitwise and of integers or bools.
pub fn bitwise_and(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    bitwise(BinaryOp::BitwiseAnd, a.into(), b.into(), true)
}
/// Bitwise or of integers or bools.
pub fn bitwise_or(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    bitwise(BinaryOp::BitwiseOr, a.into(), b.into(), true)
}
/// Bitwise xor of integers or bools.
pub fn bitwise_xor(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    bitwise(BinaryOp::BitwiseXor, a.into(), b.into(), true)
}
/// a << b (shifts of the width or more give 0; bools shift as uint8).
pub fn left_shift(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    bitwise(BinaryOp::LeftShift, a.into(), b.into(), false)
}
/// a >> b, arithmetic for signed integers (bools shift as uint8).
pub fn right_shift(a: impl Into<Operand>, b: impl Into<Operand>) -> Result<Array> {
    bitwise(BinaryOp::RightShift, a.into(), b.into(), false)
}

/// `x` where `cond` is true, else `y` (all three broadcast together).
pub fn where_(cond: impl Into<Operand>, x: impl Into<Operand>, y: impl Into<Operand>) -> Result<Array> {
    let (cond, x, y) = (cond.into(), x.into(), y.into());
    let dt = operands_dtype(&[&x, &y]);
    let c = arrays_of(&[&cond], Dtype::Bool)?.remove(0);
    let v = arrays_of(&[&x, &y], dt)?;
    let shape = broadcast_shapes(&[c.shape(), v[0].shape(), v[1].shape()])?;
    node(shape, dt, Primitive::Select, vec![c, v[0].clone(), v[1].clone()])
}

/// Limits values to `[min, max]`; either bound may be None, not both.
pub fn clip(a: &Array, min: Option<Operand>, max: Option<Operand>) -> Result<Array> {
    if min.is_none() && max.is_none() {
        return Err(Error::value("clip: at least one of min and max must be given"));
    }
    let mut r = a.clone();
    if let Some(lo) = min {
        r = maximum(&r, lo)?;
    }
    if let Some(hi) = max {
        r = minimum(&r, hi)?;
    }
    Ok(r)
}

/// |a - b| <= atol + rtol * |b| elementwise (equal infinities are close;
/// NaNs are close to each other only with `equal_nan`).
pub fn isclose(a: &Array, b: &Array, rtol: f64, atol: f64, equal_nan: bool) -> Result<Array> {
    let dt = crate::dtype::promote_types(a.dtype(), b.dtype()).to_inexact();
    let (a, b) = (astype(a, dt)?, astype(b, dt)?);
    let diff = super::abs(&subtract(&a, &b)?)?;
    let tol = add(multiply(super::abs(&b)?, rtol)?, atol)?;
    // A finite value is never close to an infinity (NumPy, MLX).
    let close = logical_and(less_equal(&diff, &tol)?, super::isfinite(&b)?)?;
    let close = logical_or(&close, equal(&a, &b)?)?;
    if equal_nan {
        let both = logical_and(super::isnan(&a)?, super::isnan(&b)?)?;
        logical_or(&close, &both)
    } else {
        Ok(close)
    }
}

/// All elements close (see `isclose`); a 0-d bool array.
pub fn allclose(a: &Array, b: &Array, rtol: f64, atol: f64, equal_nan: bool) -> Result<Array> {
    super::all(&isclose(a, b, rtol, atol, equal_nan)?, super::Axes::All, false)
}

/// Same shape and equal values; a 0-d bool array (false for different shapes).
pub fn array_equal(a: &Array, b: &Array, equal_nan: bool) -> Result<Array> {
    if a.shape() != b.shape() {
        return super::full(&[], false, Some(Dtype::Bool));
    }
    let eq = equal(a, b)?;
    let eq = if equal_nan && (a.dtype().is_inexact() || b.dtype().is_inexact()) {
        logical_or(&eq, logical_and(super::isnan(a)?, super::isnan(b)?)?)?
    } else {
        eq
    };
    super::all(&eq, super::Axes::All, false)
}
