//! Ops that change how elements are indexed: reshape, transpose, broadcast,
//! slices, squeeze/expand_dims, as_strided, view. These are views (no copy)
//! except where the layout forbids it.

use super::{node, Axes};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::Primitive;
use crate::shape::{broadcast_shapes as bshapes, checked_size, fmt_shape, normalize_axes, normalize_axis};

/// Reshapes to a shape of `usize` (no -1), the form ops use internally.
pub fn reshape_to(a: &Array, shape: &[usize]) -> Result<Array> {
    let n = checked_size(shape)?;
    if n != a.size() {
        return Err(Error::shape(format!(
            "reshape: cannot reshape an array of shape {} ({} elements) into shape {} ({n} elements)",
            fmt_shape(a.shape()),
            a.size(),
            fmt_shape(shape)
        )));
    }
    if shape == a.shape() {
        return Ok(a.clone());
    }
    node(shape.to_vec(), a.dtype(), Primitive::Reshape, vec![a.clone()])
}

/// Reshapes to `shape`; one entry may be -1 to be inferred.
pub fn reshape(a: &Array, shape: &[i64]) -> Result<Array> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &d) in shape.iter().enumerate() {
        if d == -1 {
            if infer.replace(i).is_some() {
                return Err(Error::value(format!("reshape: only one dimension can be -1, got {shape:?}")));
            }
        } else if d < 0 {
            return Err(Error::value(format!("reshape: negative dimension {d} in {shape:?}")));
        } else {
            known = known
                .checked_mul(d as usize)
                .ok_or_else(|| Error::value(format!("reshape: shape {shape:?} has too many elements")))?;
        }
    }
    let mut out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(i) = infer {
        if known == 0 || !a.size().is_multiple_of(known) {
            return Err(Error::shape(format!(
                "reshape: cannot infer the -1 in {shape:?} for an array of {} elements",
                a.size()
            )));
        }
        out[i] = a.size() / known;
    }
    reshape_to(a, &out)
}

/// Merges axes `start_axis..=end_axis` into one.
pub fn flatten(a: &Array, start_axis: i64, end_axis: i64) -> Result<Array> {
    if a.ndim() == 0 {
        return reshape_to(a, &[1]);
    }
    let s = normalize_axis("flatten", start_axis, a.ndim())?;
    let e = normalize_axis("flatten", end_axis, a.ndim())?;
    if s > e {
        return Err(Error::value(format!("flatten: start_axis {start_axis} is after end_axis {end_axis}")));
    }
    let mut shape = a.shape()[..s].to_vec();
    shape.push(a.shape()[s..=e].iter().product());
    shape.extend(&a.shape()[e + 1..]);
    reshape_to(a, &shape)
}

/// Splits `axis` into `shape` (one entry may be -1).
pub fn unflatten(a: &Array, axis: i64, shape: &[i64]) -> Result<Array> {
    let ax = normalize_axis("unflatten", axis, a.ndim())?;
    if shape.is_empty() {
        return Err(Error::value("unflatten: the new shape must not be empty"));
    }
    let part = reshape(&super::zeros(&[a.shape()[ax]], Dtype::Bool)?, shape)
        .map_err(|_| Error::shape(format!("unflatten: cannot split axis of size {} into {shape:?}", a.shape()[ax])))?;
    let mut out = a.shape()[..ax].to_vec();
    out.extend(part.shape());
    out.extend(&a.shape()[ax + 1..]);
    reshape_to(a, &out)
}

/// Removes size-1 axes (all of them for `Axes::All`).
pub fn squeeze(a: &Array, axes: impl Into<Axes>) -> Result<Array> {
    let axes = axes.into();
    let drop: Vec<usize> = match &axes {
        Axes::All => (0..a.ndim()).filter(|&i| a.shape()[i] == 1).collect(),
        Axes::Some(v) => {
            let ax = normalize_axes("squeeze", v, a.ndim())?;
            if let Some(&bad) = ax.iter().find(|&&i| a.shape()[i] != 1) {
                return Err(Error::value(format!(
                    "squeeze: axis {bad} has size {}, only axes of size 1 can be removed",
                    a.shape()[bad]
                )));
            }
            ax
        }
    };
    let shape: Vec<usize> = (0..a.ndim()).filter(|i| !drop.contains(i)).map(|i| a.shape()[i]).collect();
    reshape_to(a, &shape)
}

/// Inserts size-1 axes at `axes` (positions in the output).
pub fn expand_dims(a: &Array, axes: impl Into<Axes>) -> Result<Array> {
    let axes = match axes.into() {
        Axes::All => return Err(Error::value("expand_dims: axes must be given")),
        Axes::Some(v) => v,
    };
    let out_nd = a.ndim() + axes.len();
    let ax = normalize_axes("expand_dims", &axes, out_nd)?;
    let mut shape = Vec::with_capacity(out_nd);
    let mut src = a.shape().iter();
    for i in 0..out_nd {
        if ax.contains(&i) {
            shape.push(1);
        } else if let Some(&d) = src.next() {
            shape.push(d);
        }
    }
    reshape_to(a, &shape)
}

/// Permutes axes (`axes` empty reverses them).
pub fn transpose(a: &Array, axes: &[i64]) -> Result<Array> {
    let perm: Vec<usize> = if axes.is_empty() {
        (0..a.ndim()).rev().collect()
    } else {
        if axes.len() != a.ndim() {
            return Err(Error::value(format!(
                "transpose: expected {} axes for an array of shape {}, got {axes:?}",
                a.ndim(),
                fmt_shape(a.shape())
            )));
        }
        normalize_axes("transpose", axes, a.ndim())?
    };
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return Ok(a.clone());
    }
    let shape = perm.iter().map(|&p| a.shape()[p]).collect();
    node(shape, a.dtype(), Primitive::Transpose { perm }, vec![a.clone()])
}

/// The Array API name of `transpose`.
pub fn permute_dims(a: &Array, axes: &[i64]) -> Result<Array> {
    transpose(a, axes)
}

/// Swaps two axes.
pub fn swapaxes(a: &Array, axis1: i64, axis2: i64) -> Result<Array> {
    let (i, j) = (normalize_axis("swapaxes", axis1, a.ndim())?, normalize_axis("swapaxes", axis2, a.ndim())?);
    let mut perm: Vec<i64> = (0..a.ndim() as i64).collect();
    perm.swap(i, j);
    transpose(a, &perm)
}

/// Moves axis `source` to position `destination`.
pub fn moveaxis(a: &Array, source: i64, destination: i64) -> Result<Array> {
    let s = normalize_axis("moveaxis", source, a.ndim())?;
    let d = normalize_axis("moveaxis", destination, a.ndim())?;
    let mut perm: Vec<i64> = (0..a.ndim() as i64).filter(|&i| i != s as i64).collect();
    perm.insert(d, s as i64);
    transpose(a, &perm)
}

/// A view of `a` broadcast to `shape`.
pub fn broadcast_to(a: &Array, shape: &[usize]) -> Result<Array> {
    checked_size(shape)?;
    let b = bshapes(&[a.shape(), shape]).ok();
    if b.as_deref() != Some(shape) {
        return Err(Error::shape(format!(
            "broadcast_to: cannot broadcast an array of shape {} to shape {}",
            fmt_shape(a.shape()),
            fmt_shape(shape)
        )));
    }
    if a.shape() == shape {
        return Ok(a.clone());
    }
    node(shape.to_vec(), a.dtype(), Primitive::BroadcastTo, vec![a.clone()])
}

/// The shape that arrays of `shapes` broadcast to.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Result<Vec<usize>> {
    bshapes(shapes)
}

/// Every array broadcast to their common shape.
pub fn broadcast_arrays(arrays: &[Array]) -> Result<Vec<Array>> {
    let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
    let shape = bshapes(&shapes)?;
    arrays.iter().map(|a| broadcast_to(a, &shape)).collect()
}

/// One axis of a slice, as Python writes `start:stop:step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceArg {
    pub start: Option<i64>,
    pub stop: Option<i64>,
    pub step: i64,
}

impl SliceArg {
    /// `start:stop:step`.
    pub fn new(start: Option<i64>, stop: Option<i64>, step: i64) -> Self {
        SliceArg { start, stop, step }
    }
    /// `:` (the whole axis).
    pub fn full() -> Self {
        SliceArg { start: None, stop: None, step: 1 }
    }
    /// `start:stop`.
    pub fn range(start: i64, stop: i64) -> Self {
        SliceArg { start: Some(start), stop: Some(stop), step: 1 }
    }
    /// The first index and length of this slice of an axis of `n`, as Python resolves it.
    pub fn resolve(&self, n: usize) -> Result<(usize, usize)> {
        let n = n as i64;
        let step = self.step;
        if step == 0 {
            return Err(Error::value("slice: step cannot be zero"));
        }
        let norm = |v: i64| if v < 0 { v + n } else { v };
        if step > 0 {
            let start = self.start.map_or(0, norm).clamp(0, n);
            let stop = self.stop.map_or(n, norm).clamp(0, n);
            // In u64 so that steps near i64::MAX / i64::MIN cannot overflow.
            let len = if stop > start { (stop - start - 1) as u64 / step.unsigned_abs() + 1 } else { 0 };
            Ok((start as usize, len as usize))
        } else {
            let start = self.start.map_or(n - 1, norm).clamp(-1, n - 1);
            let stop = self.stop.map_or(-1, norm).clamp(-1, n - 1);
            let len = if start > stop { (start - stop - 1) as u64 / step.unsigned_abs() + 1 } else { 0 };
            Ok((start.max(0) as usize, len as usize))
        }
    }
}

/// A strided view: `args[i]` slices axis `i` (missing trailing axes are kept whole).
pub fn slice(a: &Array, args: &[SliceArg]) -> Result<Array> {
    if args.len() > a.ndim() {
        return Err(Error::Index(format!(
            "slice: {} slices given for an array of {} dimensions",
            args.len(),
            a.ndim()
        )));
    }
    let mut starts = vec![0usize; a.ndim()];
    let mut steps = vec![1isize; a.ndim()];
    let mut shape = a.shape().to_vec();
    for (i, s) in args.iter().enumerate() {
        let (start, len) = s.resolve(a.shape()[i])?;
        starts[i] = start;
        // With fewer than two elements the step is never taken; 1 keeps huge
        // steps from overflowing the strides.
        steps[i] = if len < 2 { 1 } else { s.step as isize };
        shape[i] = len;
    }
    if shape == a.shape() && steps.iter().all(|&s| s == 1) {
        return Ok(a.clone());
    }
    node(shape, a.dtype(), Primitive::Slice { starts, steps }, vec![a.clone()])
}

/// Slices one axis: `a[..., start:stop:step, ...]`.
pub fn slice_axis(a: &Array, axis: i64, arg: SliceArg) -> Result<Array> {
    let ax = normalize_axis("slice_axis", axis, a.ndim())?;
    let mut args = vec![SliceArg::full(); ax + 1];
    args[ax] = arg;
    slice(a, &args)
}

/// A view with explicit `shape`, `strides` and `offset`, in elements of the
/// row-major layout of `a`. Every reachable element must lie inside `a`.
pub fn as_strided(a: &Array, shape: &[usize], strides: &[i64], offset: usize) -> Result<Array> {
    if shape.len() != strides.len() {
        return Err(Error::value(format!(
            "as_strided: shape {} and strides {strides:?} have different lengths",
            fmt_shape(shape)
        )));
    }
    let n = checked_size(shape)?;
    if n > 0 {
        let (mut lo, mut hi) = (offset as i128, offset as i128);
        for (&d, &s) in shape.iter().zip(strides) {
            let span = (d as i128 - 1) * s as i128;
            if span < 0 {
                lo += span;
            } else {
                hi += span;
            }
        }
        if lo < 0 || hi >= a.size() as i128 {
            return Err(Error::value(format!(
                "as_strided: shape {} with strides {strides:?} and offset {offset} reaches elements {lo}..={hi}, outside the {} elements of the array",
                fmt_shape(shape),
                a.size()
            )));
        }
    }
    let strides = strides.iter().map(|&s| s as isize).collect();
    node(shape.to_vec(), a.dtype(), Primitive::AsStrided { strides, offset }, vec![a.clone()])
}

/// A row-major copy of `a` (shared, not copied, when `a` already is row-major).
pub fn contiguous(a: &Array) -> Result<Array> {
    node(a.shape().to_vec(), a.dtype(), Primitive::Contiguous, vec![a.clone()])
}

/// `a`, as a constant for `grad`/`vjp`/`jvp`: the same values (its buffer,
/// not a copy), but no gradient flows back through it and its tangent is zero.
pub fn stop_gradient(a: &Array) -> Result<Array> {
    node(a.shape().to_vec(), a.dtype(), Primitive::StopGradient, vec![a.clone()])
}

/// A row-major copy of `a` in a buffer of its own (for memory that others
/// may change, such as an array imported without a copy).
pub fn copy(a: &Array) -> Result<Array> {
    node(a.shape().to_vec(), a.dtype(), Primitive::Copy, vec![a.clone()])
}

/// The same bytes read as `dtype`; the last axis grows or shrinks with the size ratio.
pub fn view(a: &Array, dtype: Dtype) -> Result<Array> {
    if dtype == a.dtype() {
        return Ok(a.clone());
    }
    if dtype == Dtype::Bool {
        return Err(Error::Dtype(format!(
            "view: {} bytes cannot be read as bool (not every byte is a valid bool)",
            a.dtype()
        )));
    }
    let (from, to) = (a.dtype().size(), dtype.size());
    let mut shape = a.shape().to_vec();
    if from != to {
        let last = shape.last_mut().ok_or_else(|| {
            Error::value(format!("view: a 0-d {} array cannot be viewed as {dtype} (sizes differ)", a.dtype()))
        })?;
        let bytes = *last * from;
        if bytes % to != 0 {
            return Err(Error::value(format!(
                "view: the last axis of {} bytes is not a multiple of the {to}-byte {dtype}",
                bytes
            )));
        }
        *last = bytes / to;
    }
    node(shape, dtype, Primitive::View(dtype), vec![a.clone()])
}

fn atleast(a: &Array, n: usize) -> Result<Array> {
    let shape = match (a.ndim(), n) {
        (d, n) if d >= n => return Ok(a.clone()),
        (0, 1) => vec![1],
        (0, 2) => vec![1, 1],
        (1, 2) => vec![1, a.shape()[0]],
        (0, 3) => vec![1, 1, 1],
        (1, 3) => vec![1, a.shape()[0], 1],
        (_, _) => vec![a.shape()[0], a.shape()[1], 1],
    };
    reshape_to(a, &shape)
}

/// At least one dimension.
pub fn atleast_1d(a: &Array) -> Result<Array> {
    atleast(a, 1)
}
/// At least two dimensions (a vector becomes a row).
pub fn atleast_2d(a: &Array) -> Result<Array> {
    atleast(a, 2)
}
/// At least three dimensions, as NumPy adds them.
pub fn atleast_3d(a: &Array) -> Result<Array> {
    atleast(a, 3)
}
