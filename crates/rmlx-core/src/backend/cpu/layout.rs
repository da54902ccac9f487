//! The ops that move data on the host: contiguous copies, dtype views,
//! concatenate, pad, take and scatter (the pure views are `backend::views`).

use super::iter::copy_strided;
use super::reduce::contiguous_permuted;
use crate::array::{Array, Data};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::primitive::{PadMode, ScatterMode};
use crate::shape::{row_major_strides, size_of};

fn identity(n: usize) -> Vec<usize> {
    (0..n).collect()
}

/// Row-major data of `a`, copied only if its layout is not already so.
pub(crate) fn contiguous(a: &Array) -> Result<Data> {
    Ok(contiguous_permuted(a, &identity(a.ndim()))?.0)
}

/// A row-major copy in a fresh buffer, even when `a` already is row-major.
pub(crate) fn copy(a: &Array) -> Result<Data> {
    let d = a.data()?;
    let n = size_of(a.shape());
    let buf = Buffer::alloc(n * a.dtype().size())?;
    crate::dispatch_dtype!(a.dtype(), T => {
        // SAFETY: the source layout addresses valid elements of the shape; the new buffer holds `n`.
        unsafe {
            let src = (d.buf.as_ptr() as *const T).add(d.offset);
            super::iter::copy_to_contiguous(src, a.shape(), &d.strides, buf.as_mut_ptr() as *mut T);
        }
    });
    Ok(Data::contiguous(buf, a.shape()))
}

/// The same bytes as another dtype; the last axis scales with the size ratio.
pub(crate) fn view(a: &Array, to: Dtype, out_shape: &[usize]) -> Result<Data> {
    let mut d = contiguous(a)?;
    let from = a.dtype().size();
    let byte_offset = d.offset * from;
    if !byte_offset.is_multiple_of(to.size()) {
        let buf = Buffer::alloc(a.nbytes())?;
        // SAFETY: both regions hold `a.nbytes()` bytes and do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(d.buf.as_ptr().add(byte_offset), buf.as_mut_ptr(), a.nbytes()) };
        d = Data::contiguous(buf, a.shape());
    }
    let offset = d.offset * from / to.size();
    Ok(Data { buf: d.buf, strides: row_major_strides(out_shape), offset })
}

/// Copies each input into its slab of a new buffer along `axis`.
pub(crate) fn concatenate(inputs: &[Array], axis: usize, out_shape: &[usize], dtype: Dtype) -> Result<Data> {
    let buf = Buffer::alloc(size_of(out_shape) * dtype.size())?;
    let out_strides = row_major_strides(out_shape);
    let mut start = 0usize;
    for a in inputs {
        let d = a.data()?;
        crate::dispatch_dtype!(dtype, T => {
            // SAFETY: the slab `start..start + a.shape()[axis]` along `axis` lies inside the
            // output, and the source layout addresses valid elements of `a.shape()`.
            unsafe {
                let dst = (buf.as_mut_ptr() as *mut T).add(start * out_strides[axis] as usize);
                let src = (d.buf.as_ptr() as *const T).add(d.offset);
                copy_strided(src, &d.strides, dst, &out_strides, a.shape());
            }
        });
        start += a.shape()[axis];
    }
    Ok(Data::contiguous(buf, out_shape))
}

/// Pads with a constant (the second input, a scalar of the same dtype) or the edge values.
pub(crate) fn pad(inputs: &[Array], low: &[usize], mode: PadMode, out_shape: &[usize]) -> Result<Data> {
    let a = &inputs[0];
    let dtype = a.dtype();
    let n = size_of(out_shape);
    let buf = Buffer::alloc(n * dtype.size())?;
    let out_strides = row_major_strides(out_shape);
    let d = a.data()?;
    crate::dispatch_dtype!(dtype, T => {
        let out = buf.as_mut_ptr() as *mut T;
        // SAFETY: the offset is inside the source buffer.
        let src = unsafe { (d.buf.as_ptr() as *const T).add(d.offset) };
        match mode {
            PadMode::Constant => {
                let value_arr = inputs.get(1).ok_or_else(|| Error::Runtime("pad: missing value".into()))?;
                let vd = value_arr.data()?;
                // SAFETY: the value array holds one element.
                let value = unsafe { *(vd.buf.as_ptr() as *const T).add(vd.offset) };
                // SAFETY: `n` elements.
                unsafe { std::slice::from_raw_parts_mut(out, n) }.fill(value);
                let inner_off: usize = low.iter().zip(&out_strides).map(|(&l, &s)| l * s as usize).sum();
                if a.size() > 0 {
                    // SAFETY: the interior window lies inside the output.
                    unsafe { copy_strided(src, &d.strides, out.add(inner_off), &out_strides, a.shape()) };
                }
            }
            PadMode::Edge => {
                if a.size() == 0 && n > 0 {
                    return Err(Error::value("pad: edge mode needs a non-empty array"));
                }
                let nd = out_shape.len();
                let mut idx = vec![0usize; nd];
                for i in 0..n {
                    let mut off = 0isize;
                    for k in 0..nd {
                        let s = (idx[k] as isize - low[k] as isize).clamp(0, a.shape()[k] as isize - 1);
                        off += s * d.strides[k];
                    }
                    // SAFETY: the clamped index is inside the source; i < n.
                    unsafe { *out.add(i) = *src.offset(off) };
                    for k in (0..nd).rev() {
                        idx[k] += 1;
                        if idx[k] < out_shape[k] {
                            break;
                        }
                        idx[k] = 0;
                    }
                }
            }
        }
    });
    Ok(Data::contiguous(buf, out_shape))
}

/// `take` along `axis`: byte copies of the inner blocks the indices pick.
pub(crate) fn take(a: &Array, indices: &Array, axis: usize, out_shape: &[usize]) -> Result<Data> {
    let esize = a.dtype().size();
    let d = contiguous(a)?;
    let idx: Vec<i64> = indices.to_vec()?;
    let n = a.shape()[axis];
    let outer: usize = a.shape()[..axis].iter().product();
    let inner: usize = a.shape()[axis + 1..].iter().product();
    let block = inner * esize;
    let total = size_of(out_shape) * esize;
    let buf = Buffer::alloc(total)?;
    if total == 0 {
        return Ok(Data::contiguous(buf, out_shape));
    }
    // SAFETY: `d` is row-major from its offset, holding outer * n * inner elements.
    let src = unsafe { std::slice::from_raw_parts(d.buf.as_ptr().add(d.offset * esize), outer * n * block) };
    // SAFETY: the buffer holds `total` bytes.
    let dst = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr(), total) };
    let last = n as i64 - 1;
    for (o, out_rows) in dst.chunks_mut(idx.len() * block).enumerate() {
        for (j, chunk) in out_rows.chunks_mut(block).enumerate() {
            let k = idx[j];
            let k = (if k < 0 { k + n as i64 } else { k }).clamp(0, last) as usize;
            let from = (o * n + k) * block;
            chunk.copy_from_slice(&src[from..from + block]);
        }
    }
    Ok(Data::contiguous(buf, out_shape))
}

/// `scatter`: a row-major copy, then the updates in order.
pub(crate) fn scatter(a: &Array, indices: &Array, updates: &Array, mode: ScatterMode) -> Result<Data> {
    let dtype = a.dtype();
    let n = a.size();
    let buf = Buffer::alloc(n * dtype.size())?;
    let d = contiguous(a)?;
    // SAFETY: both hold n elements of dtype; `d` is row-major from its offset.
    unsafe {
        std::ptr::copy_nonoverlapping(d.buf.as_ptr().add(d.offset * dtype.size()), buf.as_mut_ptr(), n * dtype.size())
    };
    let idx: Vec<i64> = indices.to_vec()?;
    if idx.is_empty() {
        return Ok(Data::contiguous(buf, a.shape()));
    }
    let last = n as i64 - 1;
    crate::dispatch_dtype!(dtype, T => {
        let upd: Vec<T> = updates.to_vec()?;
        // SAFETY: the buffer holds n elements of T.
        let out = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr() as *mut T, n) };
        for (&k, &v) in idx.iter().zip(&upd) {
            let p = (if k < 0 { k + n as i64 } else { k }).clamp(0, last) as usize;
            out[p] = combine(mode, out[p], v);
        }
    });
    Ok(Data::contiguous(buf, a.shape()))
}

/// An update `v` met by the element `x` it lands on.
#[inline(always)]
fn combine<T: super::scalar::Arith>(mode: ScatterMode, x: T, v: T) -> T {
    use super::scalar::Arith;
    match mode {
        ScatterMode::Set => v,
        ScatterMode::Add => Arith::add(x, v),
        ScatterMode::Prod => Arith::mul(x, v),
        ScatterMode::Max => Arith::max(x, v),
        ScatterMode::Min => Arith::min(x, v),
    }
}

/// `scatter_axis`: a row-major copy, then each update block in order.
pub(crate) fn scatter_axis(
    a: &Array,
    indices: &Array,
    updates: &Array,
    mode: ScatterMode,
    axis: usize,
) -> Result<Data> {
    let dtype = a.dtype();
    let total = a.size();
    let buf = Buffer::alloc(total * dtype.size())?;
    let d = contiguous(a)?;
    // SAFETY: both hold `total` elements of dtype; `d` is row-major from its offset.
    unsafe {
        std::ptr::copy_nonoverlapping(
            d.buf.as_ptr().add(d.offset * dtype.size()),
            buf.as_mut_ptr(),
            total * dtype.size(),
        )
    };
    let idx: Vec<i64> = indices.to_vec()?;
    if idx.is_empty() || total == 0 {
        return Ok(Data::contiguous(buf, a.shape()));
    }
    let n = a.shape()[axis];
    let outer: usize = a.shape()[..axis].iter().product();
    let inner: usize = a.shape()[axis + 1..].iter().product();
    let last = n as i64 - 1;
    let du = contiguous(updates)?;
    crate::dispatch_dtype!(dtype, T => {
        // SAFETY: the buffer holds `total` elements of T; the updates hold
        // outer * idx.len() * inner, row-major from their offset.
        let out = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr() as *mut T, total) };
        let upd = unsafe {
            std::slice::from_raw_parts((du.buf.as_ptr() as *const T).add(du.offset), outer * idx.len() * inner)
        };
        for o in 0..outer {
            for (j, &k) in idx.iter().enumerate() {
                let k = (if k < 0 { k + n as i64 } else { k }).clamp(0, last) as usize;
                let dst = &mut out[(o * n + k) * inner..(o * n + k + 1) * inner];
                let src = &upd[(o * idx.len() + j) * inner..(o * idx.len() + j + 1) * inner];
                for (x, &v) in dst.iter_mut().zip(src) {
                    *x = combine(mode, *x, v);
                }
            }
        }
    });
    Ok(Data::contiguous(buf, a.shape()))
}
