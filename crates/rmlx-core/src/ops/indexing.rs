//! Gathers and scatters built on `take` and `scatter`: `take_along_axis`,
//! `put_along_axis` (and its accumulating forms), and slices with start
//! indices held in an array. Every index is wrapped once from the end and
//! then clamped into its axis, as `take` does, so no input reads or writes
//! outside the array.

use super::{add, arange, astype, broadcast_shapes, broadcast_to, maximum, minimum, multiply, reshape, reshape_to};
use super::{scatter, take, where_};
use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::ScatterMode;
use crate::shape::{fmt_shape, normalize_axis, row_major_strides};

/// `0..shape[d]` as int64, shaped to broadcast along axis `d` of `ndim`.
fn coords(n: usize, d: usize, ndim: usize) -> Result<Array> {
    let mut s = vec![1usize; ndim];
    s[d] = n;
    reshape_to(&arange(0.0, n as f64, 1.0, Dtype::Int64)?, &s)
}

/// Integer indices wrapped once from the end and clamped into `[0, n)`, as int64.
fn wrap_clamp(idx: &Array, n: usize, name: &str) -> Result<Array> {
    if !idx.dtype().is_integer() {
        return Err(Error::Dtype(format!("{name}: indices must be integers, got {}", idx.dtype())));
    }
    let i = astype(idx, Dtype::Int64)?;
    let neg = super::less(&i, 0i64)?;
    let i = where_(&neg, add(&i, n as i64)?, &i)?;
    minimum(&maximum(&i, 0i64)?, (n as i64 - 1).max(0))
}

/// Row-major flat positions in an array of `shape` for a grid of
/// coordinates: `coord[d]` broadcast together (None: `0..shape[d]`).
fn flat_positions(shape: &[usize], coord: &[Option<Array>], grid: &[usize]) -> Result<Array> {
    let strides = row_major_strides(shape);
    let nd = shape.len();
    let mut flat: Option<Array> = None;
    for d in 0..nd {
        if shape[d] == 1 && coord[d].is_none() {
            continue;
        }
        let c = match &coord[d] {
            Some(c) => c.clone(),
            None => coords(grid[d], d, nd)?,
        };
        let term = if strides[d] == 1 { c } else { multiply(&c, strides[d] as i64)? };
        flat = Some(match flat {
            None => term,
            Some(f) => add(&f, &term)?,
        });
    }
    let flat = match flat {
        Some(f) => f,
        None => super::zeros(&[], Dtype::Int64)?,
    };
    broadcast_to(&flat, grid)
}

/// Resolves `axis` (None: the flattened array) and the grid shape of the
/// index positions: `indices` broadcast against `a` on every other axis.
fn along_axis(
    a: &Array,
    indices: &Array,
    axis: Option<i64>,
    name: &'static str,
) -> Result<(Array, Array, usize, Vec<usize>)> {
    let (a, indices, axis) = match axis {
        Some(ax) => (a.clone(), indices.clone(), normalize_axis(name, ax, a.ndim().max(1))?),
        None => (reshape(a, &[-1])?, reshape(indices, &[-1])?, 0),
    };
    if a.ndim() == 0 {
        return Err(Error::value(format!("{name}: needs an array of at least one dimension")));
    }
    if indices.ndim() != a.ndim() {
        return Err(Error::shape(format!(
            "{name}: indices must have the array's {} dimensions, got shape {}",
            a.ndim(),
            fmt_shape(indices.shape())
        )));
    }
    if a.shape()[axis] == 0 && indices.shape()[axis] > 0 {
        return Err(Error::Index(format!(
            "{name}: cannot index an empty axis {axis} (shape {})",
            fmt_shape(a.shape())
        )));
    }
    let mut ao = a.shape().to_vec();
    let mut io = indices.shape().to_vec();
    ao[axis] = 1;
    io[axis] = 1;
    let mut grid = broadcast_shapes(&[&ao, &io]).map_err(|_| {
        Error::shape(format!(
            "{name}: indices of shape {} do not broadcast with an array of shape {} off axis {axis}",
            fmt_shape(indices.shape()),
            fmt_shape(a.shape())
        ))
    })?;
    grid[axis] = indices.shape()[axis];
    Ok((a, indices, axis, grid))
}

/// NumPy's and MLX's `take_along_axis`: `out[..., i, ...] = a[..., indices[..., i, ...], ...]`
/// along `axis`, with `indices` broadcast against `a` on the other axes.
pub fn take_along_axis(a: &Array, indices: &Array, axis: Option<i64>) -> Result<Array> {
    let (a, indices, axis, grid) = along_axis(a, indices, axis, "take_along_axis")?;
    let n = a.shape()[axis];
    let mut coord: Vec<Option<Array>> = vec![None; a.ndim()];
    coord[axis] = Some(wrap_clamp(&indices, n, "take_along_axis")?);
    // Axes of `a` of size 1 broadcast: their coordinate is always 0.
    let flat = flat_positions(a.shape(), &coord, &grid)?;
    take(&reshape(&a, &[-1])?, &flat, Some(0))
}

/// A copy of `a` with `values` written (or combined, by `mode`) at
/// `indices` along `axis`, the inverse of `take_along_axis`. `indices` and
/// `values` broadcast to the positions; repeated positions accumulate for
/// every mode but `Set`.
pub fn put_along_axis_mode(
    a: &Array,
    indices: &Array,
    values: &Array,
    axis: Option<i64>,
    mode: ScatterMode,
) -> Result<Array> {
    let name = "put_along_axis";
    let (flat_a, indices, ax, grid) = along_axis(a, indices, axis, name)?;
    for (d, &g) in grid.iter().enumerate() {
        if d != ax && g != flat_a.shape()[d] {
            return Err(Error::shape(format!(
                "{name}: indices of shape {} reach past the array of shape {} on axis {d}",
                fmt_shape(indices.shape()),
                fmt_shape(flat_a.shape())
            )));
        }
    }
    let n = flat_a.shape()[ax];
    let mut coord: Vec<Option<Array>> = vec![None; flat_a.ndim()];
    coord[ax] = Some(wrap_clamp(&indices, n, name)?);
    let flat = flat_positions(flat_a.shape(), &coord, &grid)?;
    let v = if axis.is_none() { reshape(values, &[-1])? } else { values.clone() };
    let v = broadcast_to(&v, &grid).map_err(|_| {
        Error::shape(format!(
            "{name}: values of shape {} do not broadcast to the positions of shape {}",
            fmt_shape(values.shape()),
            fmt_shape(&grid)
        ))
    })?;
    let r = scatter(&reshape(&flat_a, &[-1])?, &flat, &v, mode)?;
    reshape_to(&r, a.shape())
}

/// `put_along_axis` that replaces (the last of repeated positions wins on the CPU).
pub fn put_along_axis(a: &Array, indices: &Array, values: &Array, axis: Option<i64>) -> Result<Array> {
    put_along_axis_mode(a, indices, values, axis, ScatterMode::Set)
}

/// The start indices of a dynamic slice: one integer per axis in `axes`,
/// wrapped once from the end and then clamped so that the slice of `sizes`
/// fits (as JAX's `dynamic_slice` does).
fn dynamic_starts(
    a: &Array,
    start: &Array,
    axes: &[i64],
    sizes: &[usize],
    name: &'static str,
) -> Result<Vec<Option<Array>>> {
    if !start.dtype().is_integer() {
        return Err(Error::Dtype(format!("{name}: start indices must be integers, got {}", start.dtype())));
    }
    if start.ndim() > 1 || start.size() != axes.len() {
        return Err(Error::shape(format!(
            "{name}: expected {} start indices (one per axis), got shape {}",
            axes.len(),
            fmt_shape(start.shape())
        )));
    }
    let ax = crate::shape::normalize_axes(name, axes, a.ndim())?;
    let start = reshape(&astype(start, Dtype::Int64)?, &[-1])?;
    let nd = a.ndim();
    let mut coord: Vec<Option<Array>> = vec![None; nd];
    for (i, (&d, &size)) in ax.iter().zip(sizes).enumerate() {
        let n = a.shape()[d];
        if size > n {
            return Err(Error::shape(format!("{name}: a slice of {size} does not fit axis {d} of size {n}")));
        }
        let s = super::slice_axis(&start, 0, super::SliceArg::range(i as i64, i as i64 + 1))?;
        let s = reshape(&s, &[])?;
        let s = where_(super::less(&s, 0i64)?, add(&s, n as i64)?, &s)?;
        let s = minimum(&maximum(&s, 0i64)?, (n - size) as i64)?;
        coord[d] = Some(add(&coords(size, d, nd)?, &s)?);
    }
    Ok(coord)
}

/// MLX's `slice` with start indices in an array: the window of
/// `slice_size[i]` elements along `axes[i]` from `start_indices[i]`
/// (clamped so the window fits), every other axis whole.
pub fn slice_dynamic(a: &Array, start_indices: &Array, axes: &[i64], slice_size: &[usize]) -> Result<Array> {
    let name = "slice";
    if axes.len() != slice_size.len() {
        return Err(Error::value(format!("{name}: {} axes but {} slice sizes", axes.len(), slice_size.len())));
    }
    let coord = dynamic_starts(a, start_indices, axes, slice_size, name)?;
    let mut grid = a.shape().to_vec();
    for (&d, &s) in crate::shape::normalize_axes(name, axes, a.ndim())?.iter().zip(slice_size) {
        grid[d] = s;
    }
    if grid.contains(&0) {
        return super::zeros(&grid, a.dtype());
    }
    let flat = flat_positions(a.shape(), &coord, &grid)?;
    take(&reshape(a, &[-1])?, &flat, Some(0))
}

/// MLX's `slice_update`: a copy of `a` with `update` written at
/// `start_indices` along `axes` (clamped so it fits). `update` has `a`'s
/// number of dimensions (fewer are padded in front with ones) and gives the
/// window's size along `axes`; off `axes` it broadcasts to `a`'s sizes.
pub fn slice_update_dynamic(a: &Array, update: &Array, start_indices: &Array, axes: &[i64]) -> Result<Array> {
    let name = "slice_update";
    if update.ndim() > a.ndim() {
        return Err(Error::shape(format!(
            "{name}: an update of shape {} has more dimensions than the array of shape {}",
            fmt_shape(update.shape()),
            fmt_shape(a.shape())
        )));
    }
    let mut us = vec![1usize; a.ndim() - update.ndim()];
    us.extend_from_slice(update.shape());
    let ax = crate::shape::normalize_axes(name, axes, a.ndim())?;
    let sizes: Vec<usize> = ax.iter().map(|&d| us[d]).collect();
    let coord = dynamic_starts(a, start_indices, axes, &sizes, name)?;
    let mut grid = a.shape().to_vec();
    for (&d, &s) in ax.iter().zip(&sizes) {
        grid[d] = s;
    }
    let u = broadcast_to(&reshape_to(update, &us)?, &grid).map_err(|_| {
        Error::shape(format!(
            "{name}: an update of shape {} does not fit the array of shape {} off the sliced axes",
            fmt_shape(update.shape()),
            fmt_shape(a.shape())
        ))
    })?;
    if grid.contains(&0) {
        return Ok(a.clone());
    }
    let flat = flat_positions(a.shape(), &coord, &grid)?;
    let r = scatter(&reshape(a, &[-1])?, &flat, &u, ScatterMode::Set)?;
    reshape_to(&r, a.shape())
}
