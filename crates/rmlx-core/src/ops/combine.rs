//! Ops that join, split, repeat, pad, flip, roll or pick out parts of arrays.

use super::{astype, broadcast_to, expand_dims, node, reshape_to, slice, slice_axis, squeeze, Axes, Operand, SliceArg};
use crate::array::Array;
use crate::dtype::{result_type, Dtype};
use crate::error::{Error, Result};
use crate::primitive::{PadMode, Primitive, ScatterMode};
use crate::shape::{checked_size, fmt_shape, normalize_axis};

/// Joins arrays along `axis` (dtypes promote).
pub fn concatenate(arrays: &[Array], axis: i64) -> Result<Array> {
    let first = arrays.first().ok_or_else(|| Error::value("concatenate: needs at least one array"))?;
    let nd = first.ndim();
    if nd == 0 {
        return Err(Error::shape("concatenate: 0-d arrays cannot be concatenated"));
    }
    let ax = normalize_axis("concatenate", axis, nd)?;
    let mut shape = first.shape().to_vec();
    shape[ax] = 0;
    for a in arrays {
        let ok = a.ndim() == nd && (0..nd).all(|i| i == ax || a.shape()[i] == first.shape()[i]);
        if !ok {
            return Err(Error::shape(format!(
                "concatenate: all shapes must match except along axis {ax}, got {} and {}",
                fmt_shape(first.shape()),
                fmt_shape(a.shape())
            )));
        }
        shape[ax] += a.shape()[ax];
    }
    checked_size(&shape)?;
    let dt = result_type(&arrays.iter().map(|a| a.dtype()).collect::<Vec<_>>())?;
    let inputs = arrays.iter().map(|a| astype(a, dt)).collect::<Result<Vec<_>>>()?;
    if inputs.len() == 1 {
        return Ok(inputs[0].clone());
    }
    node(shape, dt, Primitive::Concatenate { axis: ax }, inputs)
}

/// Joins arrays of one shape along a new axis.
pub fn stack(arrays: &[Array], axis: i64) -> Result<Array> {
    let first = arrays.first().ok_or_else(|| Error::value("stack: needs at least one array"))?;
    if let Some(a) = arrays.iter().find(|a| a.shape() != first.shape()) {
        return Err(Error::shape(format!(
            "stack: all arrays must have one shape, got {} and {}",
            fmt_shape(first.shape()),
            fmt_shape(a.shape())
        )));
    }
    let ax = normalize_axis("stack", axis, first.ndim() + 1)? as i64;
    let expanded = arrays.iter().map(|a| expand_dims(a, ax)).collect::<Result<Vec<_>>>()?;
    concatenate(&expanded, ax)
}

/// The slices of `a` along `axis`, each without that axis.
pub fn unstack(a: &Array, axis: i64) -> Result<Vec<Array>> {
    let ax = normalize_axis("unstack", axis, a.ndim())?;
    (0..a.shape()[ax])
        .map(|i| squeeze(&slice_axis(a, ax as i64, SliceArg::range(i as i64, i as i64 + 1))?, ax as i64))
        .collect()
}

/// How `split` divides an axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// Into this many equal parts (it must divide the axis).
    Sections(usize),
    /// At these indices.
    Indices(Vec<i64>),
}

/// Splits `a` along `axis` into views.
pub fn split(a: &Array, how: Split, axis: i64) -> Result<Vec<Array>> {
    let ax = normalize_axis("split", axis, a.ndim())?;
    let n = a.shape()[ax] as i64;
    let bounds: Vec<i64> = match how {
        Split::Sections(0) => return Err(Error::value("split: the number of sections must be positive")),
        Split::Sections(k) => {
            if n % k as i64 != 0 {
                return Err(Error::value(format!(
                    "split: an axis of size {n} cannot be split into {k} equal sections"
                )));
            }
            // Each part is an array of its own: as many as asked must fit in memory.
            crate::memory::check_host_bytes(k.saturating_mul(std::mem::size_of::<Array>() * 32))?;
            (1..k as i64).map(|i| i * n / k as i64).collect()
        }
        Split::Indices(v) => v,
    };
    let mut out = Vec::with_capacity(bounds.len() + 1);
    let mut start = 0i64;
    for &b in bounds.iter().chain(std::iter::once(&n)) {
        let b = if b < 0 { (b + n).max(0) } else { b.min(n) };
        // NumPy: part i is a[bounds[i-1]:bounds[i]], empty when the bounds decrease.
        out.push(slice_axis(a, ax as i64, SliceArg::range(start, b.max(start)))?);
        start = b;
    }
    Ok(out)
}

/// Repeats the whole array `reps[i]` times along each axis.
pub fn tile(a: &Array, reps: &[usize]) -> Result<Array> {
    let nd = a.ndim().max(reps.len());
    let mut shape = vec![1usize; nd - a.ndim()];
    shape.extend(a.shape());
    let mut r = vec![1usize; nd - reps.len()];
    r.extend(reps);
    // (r0, s0, r1, s1, ...) broadcast from (1, s0, 1, s1, ...), then merged.
    let mut inter = Vec::with_capacity(2 * nd);
    let mut exp = Vec::with_capacity(2 * nd);
    for i in 0..nd {
        inter.extend([1, shape[i]]);
        exp.extend([r[i], shape[i]]);
    }
    checked_size(&exp)?;
    let x = reshape_to(a, &inter)?;
    let x = broadcast_to(&x, &exp)?;
    let out: Vec<usize> = (0..nd).map(|i| r[i] * shape[i]).collect();
    reshape_to(&super::contiguous(&x)?, &out)
}

/// Repeats each element `repeats` times along `axis` (of the flattened array when None).
pub fn repeat(a: &Array, repeats: usize, axis: Option<i64>) -> Result<Array> {
    let (x, ax) = match axis {
        None => (reshape_to(a, &[a.size()])?, 0),
        Some(v) => (a.clone(), normalize_axis("repeat", v, a.ndim())?),
    };
    let mut inter = x.shape().to_vec();
    inter.insert(ax + 1, 1);
    let mut exp = inter.clone();
    exp[ax + 1] = repeats;
    checked_size(&exp)?;
    let mut out = x.shape().to_vec();
    out[ax] *= repeats;
    let y = broadcast_to(&reshape_to(&x, &inter)?, &exp)?;
    reshape_to(&super::contiguous(&y)?, &out)
}

/// One `(before, after)` pair per axis of `a`: a single pair applies to all.
fn pad_widths(a: &Array, pad_width: &[(usize, usize)]) -> Result<Vec<(usize, usize)>> {
    match pad_width.len() {
        1 => Ok(vec![pad_width[0]; a.ndim()]),
        n if n == a.ndim() => Ok(pad_width.to_vec()),
        n => Err(Error::value(format!(
            "pad: expected 1 or {} (before, after) pairs for an array of shape {}, got {n}",
            a.ndim(),
            fmt_shape(a.shape())
        ))),
    }
}

/// Pads each axis by `(before, after)` elements: with `value` (mode
/// `Constant`) or the edge value (mode `Edge`).
pub fn pad(a: &Array, pad_width: &[(usize, usize)], mode: PadMode, value: impl Into<Operand>) -> Result<Array> {
    let widths = pad_widths(a, pad_width)?;
    let shape: Vec<usize> = a
        .shape()
        .iter()
        .zip(&widths)
        .map(|(&d, &(l, h))| d.checked_add(l).and_then(|x| x.checked_add(h)))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::value("pad: padded shape overflows"))?;
    checked_size(&shape)?;
    if mode == PadMode::Edge && a.size() == 0 && crate::shape::size_of(&shape) > 0 {
        return Err(Error::value("pad: edge mode cannot pad an empty array"));
    }
    let mut inputs = vec![a.clone()];
    if mode == PadMode::Constant {
        let v = super::arrays_of(&[&value.into()], a.dtype())?.remove(0);
        inputs.push(reshape_to(&v, &[])?);
    }
    let (low, high) = widths.into_iter().unzip();
    node(shape, a.dtype(), Primitive::Pad { low, high, mode }, inputs)
}

/// Pads each axis by `(before, after)` elements mirrored from the inside:
/// `symmetric` repeats the edge element (`[2, 1] + [1, 2, 3] + [3, 2]`),
/// reflect does not (`[3, 2] + [1, 2, 3] + [2, 1]`), as NumPy's modes of those
/// names. A width must be below the axis size (reflect) or at most it.
pub fn pad_mirror(a: &Array, pad_width: &[(usize, usize)], symmetric: bool) -> Result<Array> {
    let widths = pad_widths(a, pad_width)?;
    let mode = if symmetric { "symmetric" } else { "reflect" };
    let mut x = a.clone();
    for (ax, &(lo, hi)) in widths.iter().enumerate() {
        if lo == 0 && hi == 0 {
            continue;
        }
        let n = a.shape()[ax];
        let limit = if symmetric { n } else { n.saturating_sub(1) };
        if lo > limit || hi > limit {
            return Err(Error::value(format!(
                "pad: {mode} mode pads axis {ax} of size {n} by at most {limit} per side, got ({lo}, {hi})"
            )));
        }
        let (n, lo, hi) = (n as i64, lo as i64, hi as i64);
        let stop = |s: i64| if s < 0 { None } else { Some(s) };
        let (left, right) = if symmetric {
            (SliceArg::new(Some(lo - 1), None, -1), SliceArg::new(Some(n - 1), stop(n - 1 - hi), -1))
        } else {
            (SliceArg::new(Some(lo), Some(0), -1), SliceArg::new(Some(n - 2), stop(n - 2 - hi), -1))
        };
        let mut parts = Vec::with_capacity(3);
        if lo > 0 {
            parts.push(slice_axis(&x, ax as i64, left)?);
        }
        parts.push(x.clone());
        if hi > 0 {
            parts.push(slice_axis(&x, ax as i64, right)?);
        }
        x = concatenate(&parts, ax as i64)?;
    }
    Ok(x)
}

/// Reverses the order of elements along `axes` (a view).
pub fn flip(a: &Array, axes: impl Into<Axes>) -> Result<Array> {
    let axes = axes.into().resolve("flip", a.ndim())?;
    let args: Vec<SliceArg> = (0..a.ndim())
        .map(|i| if axes.contains(&i) { SliceArg::new(None, None, -1) } else { SliceArg::full() })
        .collect();
    slice(a, &args)
}

/// Shifts elements by `shift` along `axes` with wrap-around (of the flattened array for `Axes::All`).
pub fn roll(a: &Array, shift: i64, axes: impl Into<Axes>) -> Result<Array> {
    match axes.into() {
        Axes::All => {
            let flat = reshape_to(a, &[a.size()])?;
            reshape_to(&roll(&flat, shift, 0)?, a.shape())
        }
        Axes::Some(v) => {
            let mut r = a.clone();
            for ax in v {
                let i = normalize_axis("roll", ax, a.ndim())?;
                let n = a.shape()[i] as i64;
                if n == 0 {
                    continue;
                }
                let s = shift.rem_euclid(n);
                if s == 0 {
                    continue;
                }
                let tail = slice_axis(&r, i as i64, SliceArg::range(n - s, n))?;
                let head = slice_axis(&r, i as i64, SliceArg::range(0, n - s))?;
                r = concatenate(&[tail, head], i as i64)?;
            }
            Ok(r)
        }
    }
}

/// The diagonal `offset` of the planes given by `axis1`, `axis2`, as the last axis.
pub fn diagonal(a: &Array, offset: i64, axis1: i64, axis2: i64) -> Result<Array> {
    if a.ndim() < 2 {
        return Err(Error::value(format!("diagonal: needs at least 2 dimensions, got shape {}", fmt_shape(a.shape()))));
    }
    let i = normalize_axis("diagonal", axis1, a.ndim())?;
    let j = normalize_axis("diagonal", axis2, a.ndim())?;
    if i == j {
        return Err(Error::value("diagonal: axis1 and axis2 must differ"));
    }
    let strides = crate::shape::row_major_strides(a.shape());
    let (n1, n2) = (a.shape()[i] as i64, a.shape()[j] as i64);
    let len =
        if offset >= 0 { n2.saturating_sub(offset).min(n1) } else { n1.saturating_add(offset).min(n2) }.max(0) as usize;
    let start = if len == 0 {
        0
    } else if offset >= 0 {
        offset as usize * strides[j] as usize
    } else {
        offset.unsigned_abs() as usize * strides[i] as usize
    };
    let mut shape = Vec::new();
    let mut st = Vec::new();
    for (k, (&d, &s)) in a.shape().iter().zip(&strides).enumerate() {
        if k != i && k != j {
            shape.push(d);
            st.push(s as i64);
        }
    }
    shape.push(len);
    st.push((strides[i] + strides[j]) as i64);
    super::as_strided(a, &shape, &st, start)
}

/// A 1-D array to a matrix with it on diagonal `k`, or a matrix's diagonal `k`.
pub fn diag(a: &Array, k: i64) -> Result<Array> {
    match a.ndim() {
        1 => {
            let m = a.shape()[0];
            let n = m + k.unsigned_abs() as usize;
            let mask = super::eye(n, None, k, Dtype::Bool)?;
            let shift = k.unsigned_abs() as usize;
            let (vshape, pads): (Vec<usize>, Vec<(usize, usize)>) =
                if k >= 0 { (vec![n, 1], vec![(0, shift)]) } else { (vec![1, n], vec![(0, shift)]) };
            let padded = pad(a, &pads, PadMode::Constant, 0)?;
            let v = reshape_to(&padded, &vshape)?;
            super::where_(&mask, &v, super::Scalar::Int(0))
        }
        2 => diagonal(a, k, 0, 1),
        _ => Err(Error::value(format!("diag: expected a 1-D or 2-D array, got shape {}", fmt_shape(a.shape())))),
    }
}

fn tri_mask(a: &Array, k: i64, lower: bool) -> Result<Array> {
    if a.ndim() < 2 {
        return Err(Error::value(format!(
            "{}: needs at least 2 dimensions, got shape {}",
            if lower { "tril" } else { "triu" },
            fmt_shape(a.shape())
        )));
    }
    let (n, m) = (a.shape()[a.ndim() - 2], a.shape()[a.ndim() - 1]);
    let mask = if lower {
        super::tri(n, Some(m), k, Dtype::Bool)?
    } else {
        super::logical_not(&super::tri(n, Some(m), k.saturating_sub(1), Dtype::Bool)?)?
    };
    let zero = if a.dtype() == Dtype::Bool { super::Scalar::Bool(false) } else { super::Scalar::Int(0) };
    super::where_(&mask, a, zero)
}

/// Zeros above diagonal `k`.
pub fn tril(a: &Array, k: i64) -> Result<Array> {
    tri_mask(a, k, true)
}

/// Zeros below diagonal `k`.
pub fn triu(a: &Array, k: i64) -> Result<Array> {
    tri_mask(a, k, false)
}

/// The elements of `a` at `indices` along `axis` (over the flattened array
/// when `axis` is None), as NumPy's and MLX's `take`: the result has shape
/// `a.shape[..axis] + indices.shape + a.shape[axis + 1..]`. Negative indices
/// count from the end. Indices are not checked when the array is built (they
/// may not be computed yet): ones still outside the axis after that are
/// clamped to it, so a bad index reads an edge element, never outside memory.
pub fn take(a: &Array, indices: &Array, axis: Option<i64>) -> Result<Array> {
    if !indices.dtype().is_integer() {
        return Err(Error::Dtype(format!("take: indices must be integers, got {}", indices.dtype())));
    }
    let (a, axis) = match axis {
        Some(ax) => (a.clone(), normalize_axis("take", ax, a.ndim())?),
        None => (super::reshape(a, &[-1])?, 0),
    };
    let n = a.shape()[axis];
    if n == 0 && indices.size() > 0 {
        return Err(Error::Index(format!(
            "take: cannot take from axis {axis} of size 0 (shape {})",
            fmt_shape(a.shape())
        )));
    }
    let mut shape: Vec<usize> = a.shape()[..axis].to_vec();
    shape.extend_from_slice(indices.shape());
    shape.extend_from_slice(&a.shape()[axis + 1..]);
    checked_size(&shape)?;
    let idx = astype(indices, Dtype::Int64)?;
    let dtype = a.dtype();
    node(shape, dtype, Primitive::Take { axis }, vec![a, idx])
}

/// A copy of `a` with `updates` (broadcast to the shape of `indices`, cast to
/// `a`'s dtype) combined into the elements at the flat row-major positions
/// `indices`, in order: repeated positions accumulate for every mode but
/// `Set`. Negative positions count from the end; positions still outside
/// the array are clamped to it. What `a[idx] = v` and `a.at[idx].add(v)`
/// build on.
pub fn scatter(a: &Array, indices: &Array, updates: impl Into<Operand>, mode: ScatterMode) -> Result<Array> {
    if !indices.dtype().is_integer() {
        return Err(Error::Dtype(format!("scatter: indices must be integers, got {}", indices.dtype())));
    }
    if a.size() == 0 && indices.size() > 0 {
        return Err(Error::Index(format!(
            "scatter: cannot write into an empty array of shape {}",
            fmt_shape(a.shape())
        )));
    }
    let u = super::arrays_of(&[&updates.into()], a.dtype())?.remove(0);
    let u = astype(&u, a.dtype())?;
    let u = broadcast_to(&u, indices.shape()).map_err(|_| {
        Error::shape(format!(
            "scatter: updates of shape {} do not broadcast to the {} positions of shape {}",
            fmt_shape(u.shape()),
            indices.size(),
            fmt_shape(indices.shape())
        ))
    })?;
    let idx = astype(indices, Dtype::Int64)?;
    node(a.shape().to_vec(), a.dtype(), Primitive::Scatter { mode }, vec![a.clone(), idx, u])
}

/// The inverse of `take` along `axis`: a copy of `a` with `updates`
/// (broadcast to `a.shape[..axis] + indices.shape + a.shape[axis + 1..]`,
/// cast to `a`'s dtype) combined into the rows `indices` names along
/// `axis`, in order; repeated rows accumulate for every mode but `Set`.
/// Indices wrap once from the end and are then clamped, as in `take`.
pub fn scatter_axis(
    a: &Array,
    indices: &Array,
    updates: impl Into<Operand>,
    mode: ScatterMode,
    axis: i64,
) -> Result<Array> {
    if !indices.dtype().is_integer() {
        return Err(Error::Dtype(format!("scatter_axis: indices must be integers, got {}", indices.dtype())));
    }
    let ax = normalize_axis("scatter_axis", axis, a.ndim())?;
    if a.shape()[ax] == 0 && indices.size() > 0 {
        return Err(Error::Index(format!(
            "scatter_axis: cannot write into an empty axis {ax} (shape {})",
            fmt_shape(a.shape())
        )));
    }
    let mut shape: Vec<usize> = a.shape()[..ax].to_vec();
    shape.extend_from_slice(indices.shape());
    shape.extend_from_slice(&a.shape()[ax + 1..]);
    let u = super::arrays_of(&[&updates.into()], a.dtype())?.remove(0);
    let u = astype(&u, a.dtype())?;
    let u = broadcast_to(&u, &shape).map_err(|_| {
        Error::shape(format!(
            "scatter_axis: updates of shape {} do not broadcast to the rows' shape {}",
            fmt_shape(u.shape()),
            fmt_shape(&shape)
        ))
    })?;
    let idx = astype(indices, Dtype::Int64)?;
    node(a.shape().to_vec(), a.dtype(), Primitive::ScatterAxis { mode, axis: ax }, vec![a.clone(), idx, u])
}
