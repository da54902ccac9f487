//! Views: new strides and an offset over an input's buffer, no copy. The
//! layout arithmetic is the same on every device; only the copy a reshape or
//! `as_strided` may need is the backend's, passed in as `contiguous`.

use crate::array::{Array, Data};
use crate::error::Result;
use crate::shape::{broadcast_strides, row_major_strides, size_of};

/// The axes of `a` permuted by `perm`.
pub(crate) fn transpose(a: &Array, perm: &[usize]) -> Result<Data> {
    let d = a.data()?;
    Ok(Data { strides: perm.iter().map(|&p| d.strides[p]).collect(), ..d })
}

/// `a` broadcast to `out_shape` (stride 0 on the new and the stretched axes).
pub(crate) fn broadcast_to(a: &Array, out_shape: &[usize]) -> Result<Data> {
    let d = a.data()?;
    Ok(Data { strides: broadcast_strides(a.shape(), &d.strides, out_shape), ..d })
}

/// The elements `starts[i] + k * steps[i]` of each axis.
pub(crate) fn slice(a: &Array, starts: &[usize], steps: &[isize], out_shape: &[usize]) -> Result<Data> {
    let d = a.data()?;
    if size_of(out_shape) == 0 {
        return Ok(Data { strides: row_major_strides(out_shape), ..d });
    }
    let mut offset = d.offset as isize;
    for (&start, &stride) in starts.iter().zip(&d.strides) {
        offset += start as isize * stride;
    }
    let strides = d.strides.iter().zip(steps).map(|(s, st)| s * st).collect();
    Ok(Data { buf: d.buf, strides, offset: offset as usize })
}

/// A view when strides for the new shape exist, else the row-major copy
/// that `contiguous` makes, seen with the new shape.
pub(crate) fn reshape(a: &Array, out_shape: &[usize], contiguous: impl FnOnce(&Array) -> Result<Data>) -> Result<Data> {
    let d = a.data()?;
    if let Some(strides) = crate::shape::reshape_strides(a.shape(), &d.strides, out_shape) {
        return Ok(Data { strides, ..d });
    }
    let c = contiguous(a)?;
    Ok(Data { buf: c.buf, strides: row_major_strides(out_shape), offset: c.offset })
}

/// `strides` and `offset` over the row-major elements of `a` (which
/// `contiguous` makes, copying only when it must).
pub(crate) fn as_strided(
    a: &Array,
    strides: &[isize],
    offset: usize,
    contiguous: impl FnOnce(&Array) -> Result<Data>,
) -> Result<Data> {
    let c = contiguous(a)?;
    Ok(Data { buf: c.buf, strides: strides.to_vec(), offset: c.offset + offset })
}
