//! Scans along one axis (`cumsum`, `cumprod`, `cummax`, `cummin`,
//! `logcumsumexp`) and `diff`.

use super::{astype, concatenate, node, not_equal, reshape, slice_axis, subtract, SliceArg};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{Primitive, ScanOp};
use crate::shape::normalize_axis;

/// How a scan runs: the axis (None: over the flattened array), backwards
/// from the end, and whether element i is included in output i.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanArgs {
    pub axis: Option<i64>,
    pub reverse: bool,
    pub inclusive: bool,
}

impl Default for ScanArgs {
    /// Forward and inclusive over the flattened array (MLX's defaults).
    fn default() -> Self {
        ScanArgs { axis: None, reverse: false, inclusive: true }
    }
}

impl ScanArgs {
    /// An inclusive forward scan along `axis`.
    pub fn axis(axis: i64) -> Self {
        ScanArgs { axis: Some(axis), ..Default::default() }
    }
}

pub(crate) fn scan_op(a: &Array, op: ScanOp, args: ScanArgs, name: &'static str) -> Result<Array> {
    let (a, axis) = match args.axis {
        Some(ax) => {
            if a.ndim() == 0 {
                return Err(Error::Axis { op: name, axis: ax, ndim: 0 });
            }
            (a.clone(), normalize_axis(name, ax, a.ndim())?)
        }
        None => (reshape(a, &[-1])?, 0),
    };
    let a = match op {
        // Sums and products of bool count in int32, as MLX's.
        ScanOp::Sum | ScanOp::Prod if a.dtype() == Dtype::Bool => astype(&a, Dtype::Int32)?,
        ScanOp::LogAddExp if !a.dtype().is_float() => {
            if a.dtype().is_complex() {
                return Err(Error::Dtype(format!("{name}: complex64 is not supported")));
            }
            astype(&a, Dtype::Float32)?
        }
        ScanOp::Max | ScanOp::Min if a.dtype().is_complex() => {
            return Err(Error::Dtype(format!("{name}: complex64 has no order")));
        }
        _ => a,
    };
    let prim = Primitive::Scan { op, axis, reverse: args.reverse, inclusive: args.inclusive };
    node(a.shape().to_vec(), a.dtype(), prim, vec![a])
}

fn with_dtype(a: &Array, dtype: Option<Dtype>) -> Result<Array> {
    match dtype {
        Some(d) => astype(a, d),
        None => Ok(a.clone()),
    }
}

/// Running sums (in `dtype` when given; bool counts in int32). 16-bit floats
/// accumulate in float32 and each output is rounded once.
pub fn cumsum(a: &Array, args: ScanArgs, dtype: Option<Dtype>) -> Result<Array> {
    scan_op(&with_dtype(a, dtype)?, ScanOp::Sum, args, "cumsum")
}

/// Running products (in `dtype` when given).
pub fn cumprod(a: &Array, args: ScanArgs, dtype: Option<Dtype>) -> Result<Array> {
    scan_op(&with_dtype(a, dtype)?, ScanOp::Prod, args, "cumprod")
}

/// Running maxima; a NaN carries through to the end.
pub fn cummax(a: &Array, args: ScanArgs) -> Result<Array> {
    scan_op(a, ScanOp::Max, args, "cummax")
}

/// Running minima; a NaN carries through to the end.
pub fn cummin(a: &Array, args: ScanArgs) -> Result<Array> {
    scan_op(a, ScanOp::Min, args, "cummin")
}

/// Running `log(sum(exp(x)))`, computed without overflow.
pub fn logcumsumexp(a: &Array, args: ScanArgs) -> Result<Array> {
    if a.dtype().is_complex() {
        // c + log(cumsum(exp(a - c))), c the largest finite real part of the
        // scanned axis (a constant shift: exact, and no overflow).
        let re = super::real(a)?;
        let axes = match args.axis {
            Some(ax) => super::Axes::Some(vec![ax]),
            None => super::Axes::All,
        };
        let c = super::max(&super::where_(&super::isfinite(&re)?, &re, f64::NEG_INFINITY)?, axes, true)?;
        let c = super::stop_gradient(&super::where_(&super::isfinite(&c)?, &c, 0.0)?)?;
        let c = if args.axis.is_none() { reshape(&c, &[-1])? } else { c };
        let x = if args.axis.is_none() { reshape(a, &[-1])? } else { a.clone() };
        let s = cumsum(&super::exp(&super::subtract(&x, &c)?)?, args, None)?;
        return super::add(&super::log(&s)?, &c);
    }
    scan_op(a, ScanOp::LogAddExp, args, "logcumsumexp")
}

/// NumPy's `diff`: the `n`-th forward difference along `axis`, after
/// `prepend` and `append` (already shaped like `a` but along `axis`) are
/// joined on. Bool arrays give `!=` of neighbours, as in NumPy.
pub fn diff(a: &Array, n: usize, axis: i64, prepend: Option<&Array>, append: Option<&Array>) -> Result<Array> {
    if a.ndim() == 0 {
        return Err(Error::value("diff: needs an array of at least one dimension, got a 0-d array"));
    }
    let ax = normalize_axis("diff", axis, a.ndim())? as i64;
    let mut parts = Vec::new();
    for (p, what) in [(prepend, "prepend"), (None, ""), (append, "append")] {
        match (p, what) {
            (_, "") => parts.push(a.clone()),
            (Some(p), _) => {
                let p = if p.ndim() == 0 {
                    let mut s = a.shape().to_vec();
                    s[ax as usize] = 1;
                    super::broadcast_to(p, &s)?
                } else {
                    p.clone()
                };
                parts.push(p)
            }
            _ => {}
        }
    }
    let mut x = if parts.len() > 1 { concatenate(&parts, ax)? } else { a.clone() };
    for _ in 0..n {
        let len = x.shape()[ax as usize] as i64;
        if len == 0 {
            break;
        }
        let hi = slice_axis(&x, ax, SliceArg::range(1, len))?;
        let lo = slice_axis(&x, ax, SliceArg::range(0, len - 1))?;
        x = if x.dtype() == Dtype::Bool { not_equal(&hi, &lo)? } else { subtract(&hi, &lo)? };
    }
    Ok(x)
}
