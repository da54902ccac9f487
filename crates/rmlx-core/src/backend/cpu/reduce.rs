//! Reductions. The input is brought to one of two layouts — reduced axes
//! last (each output folds a contiguous run) or reduced axes first (rows are
//! folded into an accumulator vector) — and each is a vectorised loop.

use super::iter::{map2_inplace, par_range, par_rows, SendConst, SendPtr};
use super::scalar::{Arith, FloatMath, RealElem};
use crate::array::{Array, Data};
use crate::dtype::{Dtype, Element};
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::primitive::{ArgReduceOp, ReduceOp};
use crate::shape::{is_row_contiguous, row_major_strides, size_of};
use half::{bf16, f16};
use num_traits::{Float, One, Zero};

/// A row-major copy of `a` with its axes permuted by `perm` (or `a`'s own data
/// when it is already laid out so).
pub(crate) fn contiguous_permuted(a: &Array, perm: &[usize]) -> Result<(Data, Vec<usize>)> {
    let d = a.data()?;
    let shape: Vec<usize> = perm.iter().map(|&p| a.shape()[p]).collect();
    let strides: Vec<isize> = perm.iter().map(|&p| d.strides[p]).collect();
    if is_row_contiguous(&shape, &strides) {
        return Ok((Data { buf: d.buf, strides: row_major_strides(&shape), offset: d.offset }, shape));
    }
    let n = size_of(&shape);
    let buf = Buffer::alloc(n * a.dtype().size())?;
    crate::dispatch_dtype!(a.dtype(), T => {
        // SAFETY: the source layout addresses valid elements of `shape`; the new buffer holds `n`.
        unsafe {
            let src = (d.buf.as_ptr() as *const T).add(d.offset);
            super::iter::copy_to_contiguous(src, &shape, &strides, buf.as_mut_ptr() as *mut T);
        }
    });
    Ok((Data::contiguous(buf, &shape), shape))
}

#[inline(always)]
fn fold_body<T: Copy, A: Copy, L: Fn(T) -> A, C: Fn(A, A) -> A>(x: &[T], init: A, load: &L, comb: &C) -> A {
    const LANES: usize = 16;
    let mut acc = [init; LANES];
    let chunks = x.chunks_exact(LANES);
    let rem = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] = comb(acc[i], load(c[i]));
        }
    }
    let mut r = init;
    for a in acc {
        r = comb(r, a);
    }
    for &v in rem {
        r = comb(r, load(v));
    }
    r
}
multiversion!(fold, fold_body, fold_avx2, fold_avx512, <T, A, L, C>, (x: &[T], init: A, load: &L, comb: &C) -> A, where T: Copy, A: Copy, L: Fn(T) -> A, C: Fn(A, A) -> A);

/// Folds a contiguous run in blocks, so float sums stay accurate for long runs.
#[inline]
fn fold_blocked<T: Copy, A: Copy>(x: &[T], init: A, load: &impl Fn(T) -> A, comb: &impl Fn(A, A) -> A) -> A {
    let mut r = init;
    for block in x.chunks(2048) {
        r = comb(r, fold(block, init, load, comb));
    }
    r
}

/// Reduces `src` (row-major, `rows` x `len`) row by row, or (when `leading`)
/// `len` x `cols` down its columns, into `out`.
#[allow(clippy::too_many_arguments)]
fn reduce_layout<T: Element, A: Copy + Send + Sync, O: Element>(
    src: *const T,
    outer: usize,
    len: usize,
    leading: bool,
    out: *mut O,
    init: A,
    load: impl Fn(T) -> A + Sync + Send + Copy,
    comb: impl Fn(A, A) -> A + Sync + Send + Copy,
    fin: impl Fn(A) -> O + Sync + Send + Copy,
) {
    let (sp, op) = (SendConst(src), SendPtr(out));
    if !leading {
        par_rows(outer, len, |rows| {
            for r in rows {
                // SAFETY: row r is `len` contiguous elements inside the source; out has `outer`.
                unsafe {
                    let x = std::slice::from_raw_parts(sp.get().add(r * len), len);
                    *op.get().add(r) = fin(fold_blocked(x, init, &load, &comb));
                }
            }
        });
    } else {
        // Columns: each thread owns a range of columns and walks all rows.
        let cols = outer;
        par_range(cols, 1024, |cr| {
            let w = cr.len();
            let mut acc = vec![init; w];
            for r in 0..len {
                // SAFETY: row r, columns cr, are inside the source.
                let x = unsafe { std::slice::from_raw_parts(sp.get().add(r * cols + cr.start), w) };
                map2_inplace(&mut acc, x, &|a: A, v: T| comb(a, load(v)));
            }
            for (j, a) in acc.into_iter().enumerate() {
                // SAFETY: column cr.start + j < cols.
                unsafe { *op.get().add(cr.start + j) = fin(a) };
            }
        });
    }
}

/// Splits the input of a reduction over `axes` into (outer, len, leading) and its data.
fn reduction_layout(a: &Array, axes: &[usize]) -> Result<(Data, usize, usize, bool)> {
    let shape = a.shape();
    let nd = shape.len();
    let is_red = |i: usize| axes.contains(&i);
    let dims: Vec<usize> = (0..nd).filter(|&i| shape[i] != 1).collect();
    let len: usize = axes.iter().map(|&i| shape[i]).product();
    let outer: usize = (0..nd).filter(|&i| !is_red(i)).map(|i| shape[i]).product();
    let trailing = dims.iter().skip_while(|&&i| !is_red(i)).all(|&i| is_red(i));
    let leading = dims.iter().skip_while(|&&i| is_red(i)).all(|&i| !is_red(i));
    let identity: Vec<usize> = (0..nd).collect();
    if trailing || leading {
        let (d, _) = contiguous_permuted(a, &identity)?;
        return Ok((d, outer, len, !trailing));
    }
    let mut perm: Vec<usize> = (0..nd).filter(|&i| !is_red(i)).collect();
    perm.extend((0..nd).filter(|&i| is_red(i)));
    let (d, _) = contiguous_permuted(a, &perm)?;
    Ok((d, outer, len, false))
}

/// `sum`, `prod`, `min`, `max`, `all`, `any` over `axes`.
pub(crate) fn reduce(op: ReduceOp, a: &Array, axes: &[usize], out_shape: &[usize], out_dtype: Dtype) -> Result<Data> {
    let (d, outer, len, leading) = reduction_layout(a, axes)?;
    let buf = Buffer::alloc(size_of(out_shape) * out_dtype.size())?;
    let dt = a.dtype();
    macro_rules! run {
        ($T:ty, $A:ty, $O:ty, $init:expr, $load:expr, $comb:expr, $fin:expr) => {
            reduce_layout::<$T, $A, $O>(
                // SAFETY: the offset is inside the buffer.
                unsafe { (d.buf.as_ptr() as *const $T).add(d.offset) },
                outer,
                len,
                leading,
                buf.as_mut_ptr() as *mut $O,
                $init,
                $load,
                $comb,
                $fin,
            )
        };
    }
    match op {
        ReduceOp::All | ReduceOp::Any => {
            let all = op == ReduceOp::All;
            crate::dispatch_dtype!(dt, T => run!(T, bool, bool, all, |x: T| x.is_nonzero(),
                move |p: bool, q: bool| if all { p & q } else { p | q }, |p| p))
        }
        _ => match dt {
            Dtype::Float16 => half_reduce::<f16>(op, &d, outer, len, leading, &buf),
            Dtype::Bfloat16 => half_reduce::<bf16>(op, &d, outer, len, leading, &buf),
            _ => crate::dispatch_dtype!(dt, T => {
                match op {
                    ReduceOp::Sum => run!(T, T, T, T::zero_val(), |x: T| x, |p: T, q: T| Arith::add(p, q), |p| p),
                    ReduceOp::Prod => run!(T, T, T, T::one_val(), |x: T| x, |p: T, q: T| Arith::mul(p, q), |p| p),
                    ReduceOp::Min => run!(T, T, T, T::highest(), |x: T| x, |p: T, q: T| Arith::min(p, q), |p| p),
                    ReduceOp::Max => run!(T, T, T, T::lowest(), |x: T| x, |p: T, q: T| Arith::max(p, q), |p| p),
                    ReduceOp::All | ReduceOp::Any => {}
                }
            }),
        },
    }
    Ok(Data::contiguous(buf, out_shape))
}

/// float16/bfloat16 reductions accumulate in float32.
fn half_reduce<T: RealElem<C = f32> + Arith>(
    op: ReduceOp,
    d: &Data,
    outer: usize,
    len: usize,
    leading: bool,
    buf: &Buffer,
) {
    // SAFETY: the offset is inside the buffer.
    let src = unsafe { (d.buf.as_ptr() as *const T).add(d.offset) };
    let out = buf.as_mut_ptr() as *mut T;
    let load = |x: T| x.up();
    let fin = |v: f32| T::down(v);
    match op {
        ReduceOp::Sum => reduce_layout(src, outer, len, leading, out, 0f32, load, |p, q| p + q, fin),
        ReduceOp::Prod => reduce_layout(src, outer, len, leading, out, 1f32, load, |p, q| p * q, fin),
        ReduceOp::Min => reduce_layout(src, outer, len, leading, out, f32::INFINITY, load, Arith::min, fin),
        ReduceOp::Max => reduce_layout(src, outer, len, leading, out, f32::NEG_INFINITY, load, Arith::max, fin),
        ReduceOp::All | ReduceOp::Any => {}
    }
}

/// Rows of the last axis of `a` after moving `axis` there: (data, rows, len).
fn last_axis_rows(a: &Array, axis: usize) -> Result<(Data, usize, usize)> {
    let nd = a.ndim();
    let mut perm: Vec<usize> = (0..nd).filter(|&i| i != axis).collect();
    perm.push(axis);
    let (d, _) = contiguous_permuted(a, &perm)?;
    let len = a.shape()[axis];
    // The other axes' product (not size / len: an empty lane still has its row).
    let rows = a.shape().iter().enumerate().filter(|&(i, _)| i != axis).map(|(_, &n)| n).product();
    Ok((d, rows, len))
}

/// `argmin`/`argmax` along `axis` (first occurrence; a NaN counts as the extreme).
pub(crate) fn arg_reduce(op: ArgReduceOp, a: &Array, axis: usize, out_shape: &[usize]) -> Result<Data> {
    let (d, rows, len) = last_axis_rows(a, axis)?;
    let buf = Buffer::alloc(rows * 4)?;
    let out = SendPtr(buf.as_mut_ptr() as *mut u32);
    crate::dispatch_dtype!(a.dtype(), T => {
        // SAFETY: the offset is inside the buffer.
        let src = SendConst(unsafe { (d.buf.as_ptr() as *const T).add(d.offset) });
        par_rows(rows, len, |rs| {
            for r in rs {
                // SAFETY: row r is `len` contiguous elements.
                let x = unsafe { std::slice::from_raw_parts(src.get().add(r * len), len) };
                let mut best = 0usize;
                for i in 1..len {
                    let (v, b) = (x[i], x[best]);
                    if b.is_nan_val() {
                        break;
                    }
                    let better = match op {
                        ArgReduceOp::ArgMin => v.lt(b),
                        ArgReduceOp::ArgMax => b.lt(v),
                    };
                    if better || v.is_nan_val() {
                        best = i;
                    }
                }
                // SAFETY: r < rows.
                unsafe { *out.get().add(r) = best as u32 };
            }
        });
    });
    Ok(Data::contiguous(buf, out_shape))
}

fn float_rows<T: RealElem>(
    a: &Array,
    out_len: usize,
    f: impl Fn(&[T], &mut [T]) + Sync + Send,
) -> Result<(Buffer, usize)> {
    let axis = a.ndim().saturating_sub(1);
    let (d, rows, len) = if a.ndim() == 0 { (a.data()?, 1, 1) } else { last_axis_rows(a, axis)? };
    let buf = Buffer::alloc(rows * out_len * T::DTYPE.size())?;
    let out = SendPtr(buf.as_mut_ptr() as *mut T);
    // SAFETY: the offset is inside the buffer.
    let src = SendConst(unsafe { (d.buf.as_ptr() as *const T).add(d.offset) });
    par_rows(rows, len, |rs| {
        for r in rs {
            // SAFETY: row r holds `len` inputs and `out_len` outputs.
            unsafe {
                f(
                    std::slice::from_raw_parts(src.get().add(r * len), len),
                    std::slice::from_raw_parts_mut(out.get().add(r * out_len), out_len),
                )
            };
        }
    });
    Ok((buf, rows))
}

#[inline(always)]
fn row_max<C: FloatMath>(x: &[impl RealElem<C = C>]) -> C {
    let mut m = C::neg_infinity();
    for &v in x {
        let v = v.up();
        if v.is_nan() {
            return v;
        }
        if v > m {
            m = v;
        }
    }
    m
}

/// Softmax or log-softmax over the last axis, computed in float32 (float64
/// for float64); with `precise` false, float16/bfloat16 round the
/// exponentials to their own precision before summing, as MLX's fast path does.
pub(crate) fn softmax(a: &Array, log: bool, precise: bool, out_shape: &[usize]) -> Result<Data> {
    fn run<T: RealElem>(a: &Array, log: bool, precise: bool) -> Result<Buffer> {
        let len = a.shape().last().copied().unwrap_or(1);
        let round = !precise && T::DTYPE.size() == 2;
        let (buf, _) = float_rows::<T>(a, len, |x, o| {
            let m = row_max(x);
            let m = if m.is_infinite() { T::C::zero() } else { m };
            let mut sum = T::C::zero();
            if log {
                for &v in x {
                    sum = sum + (v.up() - m).fast_exp();
                }
                let lse = m + sum.ln();
                for (o, &v) in o.iter_mut().zip(x) {
                    *o = T::down(v.up() - lse);
                }
            } else {
                for (o, &v) in o.iter_mut().zip(x) {
                    let e = T::down((v.up() - m).fast_exp());
                    *o = e;
                    sum = sum + if round { e.up() } else { (v.up() - m).fast_exp() };
                }
                let inv = T::C::one() / sum;
                if round {
                    for o in o.iter_mut() {
                        *o = T::down(o.up() * inv);
                    }
                } else {
                    for (o, &v) in o.iter_mut().zip(x) {
                        *o = T::down((v.up() - m).fast_exp() * inv);
                    }
                }
            }
        })?;
        Ok(buf)
    }
    let buf = match a.dtype() {
        Dtype::Float32 => softmax_f32(a, log)?,
        Dtype::Float64 => run::<f64>(a, log, precise)?,
        Dtype::Float16 => run::<f16>(a, log, precise)?,
        Dtype::Bfloat16 => run::<bf16>(a, log, precise)?,
        d => return Err(Error::dtype_unsupported("softmax", d)),
    };
    Ok(Data::contiguous(buf, out_shape))
}

#[inline(always)]
fn softmax_row_f32_body(x: &[f32], o: &mut [f32]) {
    // Max and NaN check in 16 independent lanes, so the loop vectorises.
    let mut mx = [f32::NEG_INFINITY; 16];
    let mut bad = [0u32; 16];
    let chunks = x.chunks_exact(16);
    let tail = chunks.remainder();
    for c in chunks {
        for i in 0..16 {
            let v = c[i];
            mx[i] = if v > mx[i] { v } else { mx[i] };
            bad[i] |= v.is_nan() as u32;
        }
    }
    let mut m = f32::NEG_INFINITY;
    let mut nan = bad.iter().any(|&b| b != 0);
    for &v in mx.iter().chain(tail) {
        nan |= v.is_nan();
        m = if v > m { v } else { m };
    }
    if nan {
        o.fill(f32::NAN);
        return;
    }
    let m = if m.is_infinite() { 0.0 } else { m };
    let mut lanes = [0f32; 16];
    let (xc, oc) = (x.chunks_exact(16), o.chunks_exact_mut(16));
    let (xr, start) = (xc.remainder(), x.len() - x.len() % 16);
    for (xs, os) in xc.zip(oc) {
        for i in 0..16 {
            let e = super::scalar::exp_f32(xs[i] - m);
            os[i] = e;
            lanes[i] += e;
        }
    }
    let mut sum: f32 = lanes.iter().sum();
    for (j, &v) in xr.iter().enumerate() {
        let e = super::scalar::exp_f32(v - m);
        o[start + j] = e;
        sum += e;
    }
    let inv = 1.0 / sum;
    for v in o.iter_mut() {
        *v *= inv;
    }
}
multiversion!(softmax_row_f32, softmax_row_f32_body, softmax_row_f32_avx2, softmax_row_f32_avx512, <>, (x: &[f32], o: &mut [f32]), where);

fn softmax_f32(a: &Array, log: bool) -> Result<Buffer> {
    let len = a.shape().last().copied().unwrap_or(1);
    let (buf, _) = float_rows::<f32>(a, len, |x, o| {
        if log {
            let m = row_max(x);
            let m = if m.is_infinite() { 0.0 } else { m };
            let s: f32 = fold_blocked(x, 0f32, &|v: f32| super::scalar::exp_f32(v - m), &|p, q| p + q);
            let lse = m + s.ln();
            for (o, &v) in o.iter_mut().zip(x) {
                *o = v - lse;
            }
        } else {
            softmax_row_f32(x, o)
        }
    })?;
    Ok(buf)
}

/// log(sum(exp(x))) over the last axis.
pub(crate) fn logsumexp(a: &Array, out_shape: &[usize]) -> Result<Data> {
    fn run<T: RealElem>(a: &Array) -> Result<Buffer> {
        let (buf, _) = float_rows::<T>(a, 1, |x, o| {
            let m = row_max(x);
            if m.is_nan() || m.is_infinite() || x.is_empty() {
                o[0] = T::down(if x.is_empty() { T::C::neg_infinity() } else { m });
                return;
            }
            let s = fold_blocked(x, T::C::zero(), &|v: T| (v.up() - m).fast_exp(), &|p, q| p + q);
            o[0] = T::down(m + s.ln());
        })?;
        Ok(buf)
    }
    let buf = match a.dtype() {
        Dtype::Float32 => run::<f32>(a)?,
        Dtype::Float64 => run::<f64>(a)?,
        Dtype::Float16 => run::<f16>(a)?,
        Dtype::Bfloat16 => run::<bf16>(a)?,
        d => return Err(Error::dtype_unsupported("logsumexp", d)),
    };
    Ok(Data::contiguous(buf, out_shape))
}

/// Median over the last axis (NaN if the row has a NaN, the mean of the middle two for even lengths).
pub(crate) fn median(a: &Array, out_shape: &[usize]) -> Result<Data> {
    fn run<T: RealElem>(a: &Array) -> Result<Buffer> {
        let (buf, _) = float_rows::<T>(a, 1, |x, o| {
            let mut v: Vec<T::C> = x.iter().map(|t| t.up()).collect();
            if v.is_empty() || v.iter().any(|t| t.is_nan()) {
                o[0] = T::down(T::C::nan());
                return;
            }
            let n = v.len();
            let cmp = |p: &T::C, q: &T::C| p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal);
            let (_, &mut hi, _) = v.select_nth_unstable_by(n / 2, cmp);
            let m = if n % 2 == 1 {
                hi
            } else {
                let lo = v[..n / 2].iter().copied().fold(T::C::neg_infinity(), |p, q| if q > p { q } else { p });
                lo + (hi - lo) / T::C::from_f64c(2.0)
            };
            o[0] = T::down(m);
        })?;
        Ok(buf)
    }
    let buf = match a.dtype() {
        Dtype::Float32 => run::<f32>(a)?,
        Dtype::Float64 => run::<f64>(a)?,
        Dtype::Float16 => run::<f16>(a)?,
        Dtype::Bfloat16 => run::<bf16>(a)?,
        d => return Err(Error::dtype_unsupported("median", d)),
    };
    Ok(Data::contiguous(buf, out_shape))
}
