//! vjp and jvp rules of scans and sorts, written with the ops (so they
//! differentiate again). A reverse scan is the forward scan of the flipped
//! axis; an exclusive scan is the inclusive one shifted by one; the rules of
//! products, extrema and log-sum-exp are written for the inclusive forward
//! scan and reached through those two moves. Products handle zeros exactly
//! (the first zero of a row gets its own term; later positions get none).

use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::Result;
use crate::ops::{self, Axes, ScanArgs, SliceArg};
use crate::primitive::{ScanOp, ScatterMode};

fn scan(x: &Array, op: ScanOp, axis: usize, reverse: bool, inclusive: bool) -> Result<Array> {
    ops::scan_op(x, op, ScanArgs { axis: Some(axis as i64), reverse, inclusive }, "scan")
}

fn flip(x: &Array, axis: usize) -> Result<Array> {
    ops::flip(x, Axes::Some(vec![axis as i64]))
}

/// `x` moved one place towards the end of `axis` (`fwd`) or the start, the
/// vacated place zero.
fn shift(x: &Array, axis: usize, fwd: bool) -> Result<Array> {
    let n = x.shape()[axis] as i64;
    if n == 0 {
        return Ok(x.clone());
    }
    let mut w = vec![(0usize, 0usize); x.ndim()];
    if fwd {
        w[axis] = (1, 0);
        let part = ops::slice_axis(x, axis as i64, SliceArg::range(0, n - 1))?;
        ops::pad(&part, &w, crate::primitive::PadMode::Constant, 0)
    } else {
        w[axis] = (0, 1);
        let part = ops::slice_axis(x, axis as i64, SliceArg::range(1, n))?;
        ops::pad(&part, &w, crate::primitive::PadMode::Constant, 0)
    }
}

/// The position of the element each output of an inclusive forward
/// cummax/cummin came from: the latest place at or before it where the input
/// equals its running value (so ties send the gradient to the last of the
/// equal elements, as MLX does).
fn extremum_source(x: &Array, y: &Array, axis: usize) -> Result<Array> {
    let n = y.shape()[axis];
    let mut s = vec![1usize; y.ndim()];
    s[axis] = n;
    let pos = ops::reshape_to(&ops::arange(0.0, n as f64, 1.0, Dtype::Int64)?, &s)?;
    let marked = ops::where_(&ops::equal(x, y)?, &pos, 0i64)?;
    scan(&marked, ScanOp::Max, axis, false, true)
}

/// Zero masks of an inclusive forward product: (no zero up to here, the first zero).
fn zero_masks(x: &Array, axis: usize) -> Result<(Array, Array)> {
    let z = ops::equal(x, 0)?;
    let cz = scan(&ops::astype(&z, Dtype::Int32)?, ScanOp::Sum, axis, false, true)?;
    let before = ops::equal(&cz, 0)?;
    let first = ops::logical_and(&z, &ops::equal(&cz, 1)?)?;
    Ok((before, first))
}

/// The row maximum of `x` along `axis` (kept), 0 where it is not finite.
fn row_shift(x: &Array, axis: usize) -> Result<Array> {
    let c = ops::max(x, Axes::Some(vec![axis as i64]), true)?;
    ops::where_(ops::isfinite(&c)?, &c, 0.0)
}

/// The cotangent of `x` for an inclusive forward scan with output `y`.
fn vjp_inclusive(op: ScanOp, axis: usize, x: &Array, y: &Array, g: &Array) -> Result<Array> {
    let rcs = |v: &Array| scan(v, ScanOp::Sum, axis, true, true);
    match op {
        ScanOp::Sum => rcs(g),
        ScanOp::Prod => {
            let (before, first) = zero_masks(x, axis)?;
            let safe = ops::where_(ops::equal(x, 0)?, 1, x)?;
            let t1 = ops::divide(&rcs(&ops::multiply(g, y)?)?, &safe)?;
            let y2 = scan(&ops::where_(&first, 1, x)?, ScanOp::Prod, axis, false, true)?;
            let t2 = rcs(&ops::multiply(g, &y2)?)?;
            ops::where_(&before, &t1, &ops::where_(&first, &t2, 0)?)
        }
        ScanOp::Max | ScanOp::Min => {
            if x.shape()[axis] == 0 {
                return Ok(g.clone());
            }
            let src = extremum_source(x, y, axis)?;
            let z = ops::zeros_like(g)?;
            ops::put_along_axis_mode(&z, &src, g, Some(axis as i64), ScatterMode::Add)
        }
        ScanOp::LogAddExp => {
            let c = row_shift(x, axis)?;
            let w = rcs(&ops::multiply(g, &ops::exp(&ops::subtract(&c, y)?)?)?)?;
            ops::multiply(&ops::exp(&ops::subtract(x, &c)?)?, &w)
        }
    }
}

/// The tangent of an inclusive forward scan with output `y`.
fn jvp_inclusive(op: ScanOp, axis: usize, x: &Array, y: &Array, t: &Array) -> Result<Array> {
    match op {
        ScanOp::Sum => scan(t, ScanOp::Sum, axis, false, true),
        ScanOp::Prod => {
            let (before, first) = zero_masks(x, axis)?;
            let safe = ops::where_(ops::equal(x, 0)?, 1, x)?;
            let t1 = ops::multiply(y, &scan(&ops::divide(t, &safe)?, ScanOp::Sum, axis, false, true)?)?;
            let y2 = scan(&ops::where_(&first, 1, x)?, ScanOp::Prod, axis, false, true)?;
            let tz = ops::sum(&ops::where_(&first, t, 0)?, Axes::Some(vec![axis as i64]), true)?;
            ops::where_(&before, &t1, &ops::multiply(&tz, &y2)?)
        }
        ScanOp::Max | ScanOp::Min => {
            if x.shape()[axis] == 0 {
                return Ok(t.clone());
            }
            ops::take_along_axis(t, &extremum_source(x, y, axis)?, Some(axis as i64))
        }
        ScanOp::LogAddExp => {
            let c = row_shift(x, axis)?;
            let s = scan(&ops::multiply(t, &ops::exp(&ops::subtract(x, &c)?)?)?, ScanOp::Sum, axis, false, true)?;
            ops::multiply(&s, &ops::exp(&ops::subtract(&c, y)?)?)
        }
    }
}

/// The cotangent of `x` for any scan (the rules above after flips and shifts).
pub(crate) fn scan_vjp(op: ScanOp, axis: usize, reverse: bool, inclusive: bool, x: &Array, g: &Array) -> Result<Array> {
    if op == ScanOp::Sum {
        return scan(g, ScanOp::Sum, axis, !reverse, inclusive);
    }
    let (x, g) = if reverse { (flip(x, axis)?, flip(g, axis)?) } else { (x.clone(), g.clone()) };
    // Output i of an exclusive scan is inclusive output i - 1.
    let g = if inclusive { g } else { shift(&g, axis, false)? };
    let y = scan(&x, op, axis, false, true)?;
    let dx = vjp_inclusive(op, axis, &x, &y, &g)?;
    if reverse {
        flip(&dx, axis)
    } else {
        Ok(dx)
    }
}

/// The tangent of any scan.
pub(crate) fn scan_jvp(op: ScanOp, axis: usize, reverse: bool, inclusive: bool, x: &Array, t: &Array) -> Result<Array> {
    if op == ScanOp::Sum {
        return scan(t, ScanOp::Sum, axis, reverse, inclusive);
    }
    let (x, t) = if reverse { (flip(x, axis)?, flip(t, axis)?) } else { (x.clone(), t.clone()) };
    let y = scan(&x, op, axis, false, true)?;
    let dy = jvp_inclusive(op, axis, &x, &y, &t)?;
    let dy = if inclusive { dy } else { shift(&dy, axis, true)? };
    if reverse {
        flip(&dy, axis)
    } else {
        Ok(dy)
    }
}

/// The cotangent of a last-axis sort's input: `g` sent back through the
/// sorting permutation.
pub(crate) fn sort_vjp(x: &Array, g: &Array) -> Result<Array> {
    let perm = ops::argsort(x, Some(-1))?;
    ops::put_along_axis(&ops::zeros_like(g)?, &perm, g, Some(-1))
}

/// The tangent of a last-axis sort: `t` in sorted order.
pub(crate) fn sort_jvp(x: &Array, t: &Array) -> Result<Array> {
    ops::take_along_axis(t, &ops::argsort(x, Some(-1))?, Some(-1))
}
