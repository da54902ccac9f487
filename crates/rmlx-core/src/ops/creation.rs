//! Arrays made from nothing but a shape and values: zeros, ones, full,
//! arange, linspace, eye, identity, tri and the `_like` forms.

use super::{arrays_of, broadcast_to, node, Operand, Scalar};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::Primitive;
use crate::shape::checked_size;

/// An array of `shape` filled with `value` in `dtype` (None: the value's own dtype).
pub fn full(shape: &[usize], value: impl Into<Operand>, dtype: Option<Dtype>) -> Result<Array> {
    checked_size(shape)?;
    let value = value.into();
    let dt = match (&value, dtype) {
        (_, Some(d)) => d,
        (Operand::Array(a), None) => a.dtype(),
        (Operand::Scalar(s), None) => s.default_dtype(),
    };
    let v = arrays_of(&[&value], dt)?.remove(0);
    broadcast_to(&v, shape)
}

/// Zeros of `shape` and `dtype`.
pub fn zeros(shape: &[usize], dtype: Dtype) -> Result<Array> {
    full(shape, Scalar::Int(0), Some(dtype))
}

/// Ones of `shape` and `dtype`.
pub fn ones(shape: &[usize], dtype: Dtype) -> Result<Array> {
    full(shape, Scalar::Int(1), Some(dtype))
}

/// Zeros with the shape and dtype of `a`.
pub fn zeros_like(a: &Array) -> Result<Array> {
    zeros(a.shape(), a.dtype())
}

/// Ones with the shape and dtype of `a`.
pub fn ones_like(a: &Array) -> Result<Array> {
    ones(a.shape(), a.dtype())
}

/// `value` with the shape of `a`, in `a`'s dtype unless `dtype` says otherwise.
pub fn full_like(a: &Array, value: impl Into<Operand>, dtype: Option<Dtype>) -> Result<Array> {
    full(a.shape(), value, Some(dtype.unwrap_or(a.dtype())))
}

/// Values from `start` up to (not including) `stop` by `step`.
pub fn arange(start: f64, stop: f64, step: f64, dtype: Dtype) -> Result<Array> {
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !stop.is_finite() {
        return Err(Error::value(format!(
            "arange: start, stop and step must be finite and step non-zero, got start={start}, stop={stop}, step={step}"
        )));
    }
    if dtype == Dtype::Bool {
        return Err(Error::Dtype("arange: bool is not a valid dtype for a range".into()));
    }
    let n = ((stop - start) / step).ceil().max(0.0);
    if n > (isize::MAX as f64) / 16.0 {
        return Err(Error::value(format!("arange: {n} elements is too many")));
    }
    // An integer range counts in the dtype from its first two values, as
    // NumPy and MLX do: `arange(0.5, 5, 1.5, int32)` is [0, 2, 4] (the
    // length still comes from the float arguments).
    let (start, step) =
        if dtype.is_integer() { (start.trunc(), (start + step).trunc() - start.trunc()) } else { (start, step) };
    node(vec![n as usize], dtype, Primitive::Arange { start, step }, vec![])
}

/// `num` evenly spaced values from `start` to `stop` (inclusive).
pub fn linspace(start: f64, stop: f64, num: usize, dtype: Dtype) -> Result<Array> {
    if !dtype.is_inexact() && !dtype.is_integer() {
        return Err(Error::Dtype(format!("linspace: dtype {dtype} is not numeric")));
    }
    let step = if num > 1 { (stop - start) / (num - 1) as f64 } else { 0.0 };
    let a = node(vec![num], Dtype::Float64, Primitive::Arange { start, step }, vec![])?;
    // The last value is exactly `stop`, as NumPy makes it.
    let a = if num > 1 {
        let idx = arange(0.0, num as f64, 1.0, Dtype::Int32)?;
        let last = super::equal(&idx, (num - 1) as i64)?;
        super::where_(&last, stop, &a)?
    } else {
        a
    };
    super::astype(&a, dtype)
}

/// Diagonal `k` of an `n` x `m` matrix moved into `[-n, m]`: the same mask,
/// and `row + k` cannot overflow int64.
fn clamp_diagonal(k: i64, n: usize, m: usize) -> i64 {
    let lim = |d: usize| i64::try_from(d).unwrap_or(i64::MAX);
    k.clamp(-lim(n), lim(m))
}

/// `n` x `m` with ones on diagonal `k` (0 the main one, > 0 above it).
pub fn eye(n: usize, m: Option<usize>, k: i64, dtype: Dtype) -> Result<Array> {
    let m = m.unwrap_or(n);
    let k = clamp_diagonal(k, n, m);
    let rows = super::reshape(&arange(0.0, n as f64, 1.0, Dtype::Int64)?, &[n as i64, 1])?;
    let cols = super::reshape(&arange(0.0, m as f64, 1.0, Dtype::Int64)?, &[1, m as i64])?;
    let mask = super::equal(&super::add(&rows, k)?, &cols)?;
    super::astype(&mask, dtype)
}

/// The `n` x `n` identity matrix.
pub fn identity(n: usize, dtype: Dtype) -> Result<Array> {
    eye(n, None, 0, dtype)
}

/// `n` x `m` with ones on and below diagonal `k`.
pub fn tri(n: usize, m: Option<usize>, k: i64, dtype: Dtype) -> Result<Array> {
    let m = m.unwrap_or(n);
    let k = clamp_diagonal(k, n, m);
    let rows = super::reshape(&arange(0.0, n as f64, 1.0, Dtype::Int64)?, &[n as i64, 1])?;
    let cols = super::reshape(&arange(0.0, m as f64, 1.0, Dtype::Int64)?, &[1, m as i64])?;
    let mask = super::greater_equal(&super::add(&rows, k)?, &cols)?;
    super::astype(&mask, dtype)
}
