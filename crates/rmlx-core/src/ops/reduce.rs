//! Reductions over any set of axes (with keepdims), arg-reductions, and the
//! numerically stable softmax, log_softmax and logsumexp.

use super::{astype, node, reshape_to, Axes};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{ArgReduceOp, Primitive, ReduceOp};
use crate::shape::{fmt_shape, normalize_axis};

/// The output shape with reduced axes kept as 1 (`kept`) and removed (`dropped`).
fn reduced_shapes(shape: &[usize], axes: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let kept = shape.iter().enumerate().map(|(i, &d)| if axes.contains(&i) { 1 } else { d }).collect();
    let dropped = shape.iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, &d)| d).collect();
    (kept, dropped)
}

fn finish(r: Array, shape: &[usize], axes: &[usize], keepdims: bool) -> Result<Array> {
    if keepdims {
        Ok(r)
    } else {
        reshape_to(&r, &reduced_shapes(shape, axes).1)
    }
}

fn reduce_node(a: &Array, op: ReduceOp, axes: Axes, keepdims: bool, dtype: Dtype, name: &'static str) -> Result<Array> {
    let axes = axes.resolve(name, a.ndim())?;
    if matches!(op, ReduceOp::Min | ReduceOp::Max) && axes.iter().any(|&i| a.shape()[i] == 0) {
        return Err(Error::value(format!(
            "{name}: cannot reduce an empty axis of an array of shape {} (there is no identity)",
            fmt_shape(a.shape())
        )));
    }
    let input = astype(a, dtype)?;
    let (kept, _) = reduced_shapes(a.shape(), &axes);
    let out_dtype = if matches!(op, ReduceOp::All | ReduceOp::Any) { Dtype::Bool } else { dtype };
    let r = node(
        kept,
        out_dtype,
        Primitive::Reduce { op, axes: axes.clone() },
        vec![if out_dtype == Dtype::Bool { a.clone() } else { input }],
    )?;
    finish(r, a.shape(), &axes, keepdims)
}

/// MLX's accumulation dtype for sum and prod: small integers widen to 32 bits.
fn sum_dtype(d: Dtype) -> Dtype {
    match d {
        Dtype::Bool | Dtype::Int8 | Dtype::Int16 => Dtype::Int32,
        Dtype::Uint8 | Dtype::Uint16 => Dtype::Uint32,
        d => d,
    }
}

/// Sum over `axes`.
pub fn sum(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    reduce_node(a, ReduceOp::Sum, axes.into(), keepdims, sum_dtype(a.dtype()), "sum")
}
/// Product over `axes`.
pub fn prod(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    reduce_node(a, ReduceOp::Prod, axes.into(), keepdims, sum_dtype(a.dtype()), "prod")
}
/// Minimum over `axes` (NaN wins; an empty axis is an error).
pub fn min(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    reduce_node(a, ReduceOp::Min, axes.into(), keepdims, a.dtype(), "min")
}
/// Maximum over `axes` (NaN wins; an empty axis is an error).
pub fn max(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    reduce_node(a, ReduceOp::Max, axes.into(), keepdims, a.dtype(), "max")
}
/// Are all elements non-zero?
pub fn all(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    reduce_node(a, ReduceOp::All, axes.into(), keepdims, a.dtype(), "all")
}
/// Is any element non-zero?
pub fn any(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    reduce_node(a, ReduceOp::Any, axes.into(), keepdims, a.dtype(), "any")
}

fn count(a: &Array, axes: &Axes, name: &'static str) -> Result<usize> {
    Ok(axes.resolve(name, a.ndim())?.iter().map(|&i| a.shape()[i]).product())
}

/// Mean over `axes` (integers give float32).
pub fn mean(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    let axes = axes.into();
    let n = count(a, &axes, "mean")?;
    let x = astype(a, a.dtype().to_inexact())?;
    super::divide(&sum(&x, axes, keepdims)?, n as f64)
}

/// Variance over `axes` with `ddof` delta degrees of freedom.
pub fn var(a: &Array, axes: impl Into<Axes>, keepdims: bool, ddof: usize) -> Result<Array> {
    let axes = axes.into();
    let n = count(a, &axes, "var")?;
    let x = astype(a, a.dtype().to_inexact())?;
    let m = mean(&x, axes.clone(), true)?;
    let d = super::subtract(&x, &m)?;
    let sq = if x.dtype().is_complex() { super::square(&super::abs(&d)?)? } else { super::square(&d)? };
    let denom = n.saturating_sub(ddof) as f64;
    super::divide(&sum(&sq, axes, keepdims)?, denom)
}

/// Standard deviation over `axes` with `ddof` delta degrees of freedom.
pub fn std(a: &Array, axes: impl Into<Axes>, keepdims: bool, ddof: usize) -> Result<Array> {
    super::sqrt(&var(a, axes, keepdims, ddof)?)
}

/// Number of non-zero elements over `axes` (int32).
pub fn count_nonzero(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    let nz = super::not_equal(a, 0)?;
    sum(&nz, axes, keepdims)
}

fn arg_reduce(a: &Array, op: ArgReduceOp, axis: Option<i64>, keepdims: bool, name: &'static str) -> Result<Array> {
    let (x, axis) = match axis {
        Some(ax) => (a.clone(), normalize_axis(name, ax, a.ndim())?),
        None => (reshape_to(a, &[a.size()])?, 0),
    };
    if x.shape()[axis] == 0 {
        return Err(Error::value(format!(
            "{name}: cannot take the index of an empty axis (shape {})",
            fmt_shape(x.shape())
        )));
    }
    let (kept, _) = reduced_shapes(x.shape(), &[axis]);
    let r = node(kept, Dtype::Uint32, Primitive::ArgReduce { op, axis }, vec![x.clone()])?;
    match keepdims {
        true if a.ndim() == x.ndim() => Ok(r),
        // The flattened case keeps every axis as 1, as NumPy does.
        true => reshape_to(&r, &vec![1; a.ndim()]),
        false => finish(r, x.shape(), &[axis], false),
    }
}

/// Index of the minimum along `axis` (of the flattened array when None); uint32.
pub fn argmin(a: &Array, axis: Option<i64>, keepdims: bool) -> Result<Array> {
    arg_reduce(a, ArgReduceOp::ArgMin, axis, keepdims, "argmin")
}
/// Index of the maximum along `axis` (of the flattened array when None); uint32.
pub fn argmax(a: &Array, axis: Option<i64>, keepdims: bool) -> Result<Array> {
    arg_reduce(a, ArgReduceOp::ArgMax, axis, keepdims, "argmax")
}

/// Moves `axes` to the end and merges them into one: (array, axes).
fn axes_last(a: &Array, axes: &Axes, name: &'static str) -> Result<(Array, Vec<usize>)> {
    let axes = axes.resolve(name, a.ndim())?;
    let mut perm: Vec<usize> = (0..a.ndim()).filter(|i| !axes.contains(i)).collect();
    perm.extend(&axes);
    let t = super::transpose(a, &perm.iter().map(|&p| p as i64).collect::<Vec<_>>())?;
    let mut shape: Vec<usize> = t.shape()[..a.ndim() - axes.len()].to_vec();
    shape.push(axes.iter().map(|&i| a.shape()[i]).product());
    Ok((reshape_to(&t, &shape)?, axes))
}

fn last_axis_reduce(a: &Array, axes: Axes, keepdims: bool, prim: Primitive, name: &'static str) -> Result<Array> {
    if a.dtype().is_complex() {
        return Err(Error::Dtype(format!("{name}: complex64 is not supported")));
    }
    let x = astype(a, a.dtype().to_inexact())?;
    let (flat, axes) = axes_last(&x, &axes, name)?;
    let mut shape = flat.shape().to_vec();
    if let Some(l) = shape.last_mut() {
        *l = 1;
    }
    let r = node(shape, x.dtype(), prim, vec![flat])?;
    let (kept, dropped) = reduced_shapes(a.shape(), &axes);
    reshape_to(&r, if keepdims { &kept } else { &dropped })
}

/// The median of complex values, ordered by real part then imaginary part
/// (as MLX and NumPy sort them): the middle one, or the mean of the middle two.
fn complex_median(a: &Array, axes: Axes, keepdims: bool) -> Result<Array> {
    let (flat, axes) = axes_last(a, &axes, "median")?;
    // Lexicographic order from two stable sorts: by imaginary, then by real part.
    let by_im = super::argsort(&super::imag(&flat)?, Some(-1))?;
    let re = super::take_along_axis(&super::real(&flat)?, &by_im, Some(-1))?;
    let order = super::take_along_axis(&by_im, &super::argsort(&re, Some(-1))?, Some(-1))?;
    let sorted = super::take_along_axis(&flat, &order, Some(-1))?;
    let n = flat.shape()[flat.ndim() - 1] as i64;
    let lo = super::slice_axis(&sorted, -1, super::SliceArg::range((n - 1) / 2, (n - 1) / 2 + 1))?;
    let hi = super::slice_axis(&sorted, -1, super::SliceArg::range(n / 2, n / 2 + 1))?;
    let mid = super::multiply(&super::add(&lo, &hi)?, 0.5)?;
    let (kept, dropped) = reduced_shapes(a.shape(), &axes);
    reshape_to(&mid, if keepdims { &kept } else { &dropped })
}

/// log(sum(exp(a))) over `axes`, stable for large values.
pub fn logsumexp(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    last_axis_reduce(a, axes.into(), keepdims, Primitive::LogSumExp, "logsumexp")
}

/// Median over `axes` (integers give float32; a NaN in a lane gives NaN).
pub fn median(a: &Array, axes: impl Into<Axes>, keepdims: bool) -> Result<Array> {
    let axes = axes.into();
    if count(a, &axes, "median")? == 0 {
        return Err(Error::value("median: cannot take the median of an empty axis"));
    }
    if a.dtype().is_complex() {
        return complex_median(a, axes, keepdims);
    }
    last_axis_reduce(a, axes, keepdims, Primitive::Median, "median")
}

fn softmax_impl(a: &Array, axes: Axes, precise: bool, log: bool, name: &'static str) -> Result<Array> {
    if !a.dtype().is_float() {
        if a.dtype().is_complex() {
            return Err(Error::Dtype(format!("{name}: complex64 is not supported")));
        }
        return softmax_impl(&astype(a, Dtype::Float32)?, axes, precise, log, name);
    }
    let ax = axes.resolve(name, a.ndim())?;
    if ax.is_empty() {
        // Over no axes (or a 0-d array): every element on its own.
        let flat = reshape_to(a, &[a.size(), 1])?;
        let r = node(vec![a.size(), 1], a.dtype(), Primitive::Softmax { log, precise }, vec![flat])?;
        return reshape_to(&r, a.shape());
    }
    let (flat, axes) = axes_last(a, &Axes::Some(ax.iter().map(|&i| i as i64).collect()), name)?;
    let r = node(flat.shape().to_vec(), a.dtype(), Primitive::Softmax { log, precise }, vec![flat])?;
    // Undo the merge and the move.
    let mut perm: Vec<usize> = (0..a.ndim()).filter(|i| !axes.contains(i)).collect();
    perm.extend(&axes);
    let moved: Vec<usize> = perm.iter().map(|&p| a.shape()[p]).collect();
    let r = reshape_to(&r, &moved)?;
    let mut inverse = vec![0i64; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p] = i as i64;
    }
    super::transpose(&r, &inverse)
}

/// exp(a) / sum(exp(a)) over `axes`, stable; `precise` computes float16 and
/// bfloat16 entirely in float32.
pub fn softmax(a: &Array, axes: impl Into<Axes>, precise: bool) -> Result<Array> {
    softmax_impl(a, axes.into(), precise, false, "softmax")
}

/// a - logsumexp(a) over `axes`, stable.
pub fn log_softmax(a: &Array, axes: impl Into<Axes>, precise: bool) -> Result<Array> {
    softmax_impl(a, axes.into(), precise, true, "log_softmax")
}
