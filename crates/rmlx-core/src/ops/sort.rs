//! Sorting and selection: `sort`, `argsort`, `partition`, `argpartition`,
//! `topk`, `searchsorted`. One primitive sorts the last axis (stable, NaN
//! last as NumPy orders it, `-0.0` equal to `0.0`); other axes are moved
//! there and back.

use super::{astype, moveaxis, node, reshape, slice_axis, SliceArg};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::Primitive;
use crate::shape::normalize_axis;

/// Sorts along `axis` (the flattened array when None), or gives the indices
/// that would (uint32, as MLX's).
fn sort_along(a: &Array, axis: Option<i64>, arg: bool, name: &'static str) -> Result<Array> {
    let (a, axis) = match axis {
        Some(ax) => {
            if a.ndim() == 0 {
                return Err(Error::Axis { op: name, axis: ax, ndim: 0 });
            }
            (a.clone(), normalize_axis(name, ax, a.ndim())?)
        }
        None => (reshape(a, &[-1])?, 0),
    };
    if arg && a.shape()[axis] > u32::MAX as usize {
        return Err(Error::value(format!(
            "{name}: an axis of {} elements has indices that do not fit uint32",
            a.shape()[axis]
        )));
    }
    let last = a.ndim() - 1;
    let moved = if axis == last { a.clone() } else { moveaxis(&a, axis as i64, -1)? };
    let dtype = if arg { Dtype::Uint32 } else { a.dtype() };
    let r = node(moved.shape().to_vec(), dtype, Primitive::Sort { arg }, vec![moved])?;
    if axis == last {
        Ok(r)
    } else {
        moveaxis(&r, -1, axis as i64)
    }
}

/// The elements of `a` sorted along `axis` (None: the flattened array).
/// NaN sorts last; equal elements keep their order.
pub fn sort(a: &Array, axis: Option<i64>) -> Result<Array> {
    sort_along(a, axis, false, "sort")
}

/// The uint32 indices that sort `a` along `axis` (None: the flattened
/// array); stable.
pub fn argsort(a: &Array, axis: Option<i64>) -> Result<Array> {
    sort_along(a, axis, true, "argsort")
}

fn check_kth(name: &'static str, a: &Array, kth: i64, axis: Option<i64>) -> Result<()> {
    let n = match axis {
        Some(ax) => {
            if a.ndim() == 0 {
                return Err(Error::Axis { op: name, axis: ax, ndim: 0 });
            }
            a.shape()[normalize_axis(name, ax, a.ndim())?]
        }
        None => a.size(),
    } as i64;
    if kth < -n || kth >= n {
        return Err(Error::value(format!("{name}: kth {kth} is out of range for an axis of {n} elements")));
    }
    Ok(())
}

/// `a` rearranged along `axis` so that the element at `kth` is the one a
/// sort would put there, with no larger one before it and no smaller one
/// after. (This implementation returns the fully sorted axis, which is one
/// such arrangement.)
pub fn partition(a: &Array, kth: i64, axis: Option<i64>) -> Result<Array> {
    check_kth("partition", a, kth, axis)?;
    sort_along(a, axis, false, "partition")
}

/// The uint32 indices that `partition` would take; see [`partition`].
pub fn argpartition(a: &Array, kth: i64, axis: Option<i64>) -> Result<Array> {
    check_kth("argpartition", a, kth, axis)?;
    sort_along(a, axis, true, "argpartition")
}

/// The `k` largest elements along `axis` (None: the flattened array), in
/// ascending order.
pub fn topk(a: &Array, k: usize, axis: Option<i64>) -> Result<Array> {
    let (a, axis) = match axis {
        Some(ax) => {
            if a.ndim() == 0 {
                return Err(Error::Axis { op: "topk", axis: ax, ndim: 0 });
            }
            (a.clone(), normalize_axis("topk", ax, a.ndim())? as i64)
        }
        None => (reshape(a, &[-1])?, 0),
    };
    let n = a.shape()[axis as usize];
    if k > n {
        return Err(Error::value(format!("topk: k = {k} is more than the {n} elements along axis {axis}")));
    }
    let s = sort(&a, Some(axis))?;
    slice_axis(&s, axis, SliceArg::range((n - k) as i64, n as i64))
}

/// For each element of `v`, the index into the sorted 1-D array `a` at which
/// it would be inserted to keep `a` sorted: the first such index (`right`
/// false, NumPy's side="left") or the last. NaN counts as larger than every
/// number, as in NumPy's sort. The result is uint32 (as MLX's) with `v`'s shape.
pub fn searchsorted(a: &Array, v: &Array, right: bool) -> Result<Array> {
    if a.ndim() != 1 {
        return Err(Error::shape(format!("searchsorted: the sorted array must be 1-D, got {} dimensions", a.ndim())));
    }
    if a.dtype().is_complex() || v.dtype().is_complex() {
        return Err(Error::Dtype("searchsorted: complex64 is not supported".into()));
    }
    if a.size() > u32::MAX as usize {
        return Err(Error::value(format!("searchsorted: {} elements have indices that do not fit uint32", a.size())));
    }
    let dt = crate::dtype::promote_types(a.dtype(), v.dtype());
    let (a, v) = (astype(a, dt)?, astype(v, dt)?);
    node(v.shape().to_vec(), Dtype::Uint32, Primitive::SearchSorted { right }, vec![a, v])
}
