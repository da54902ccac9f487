//! Elementwise kernels: a contiguous fast path (vectorised, threaded), a
//! scalar-broadcast path, and a general strided path over merged
//! dimensions. An input that nothing else refers to donates its buffer.

use super::iter::{for_each_row, map1, map2, map2_inplace, map3, map_inplace, par_range, par_rows, SendConst, SendPtr};
use crate::array::{Array, Data};
use crate::dtype::{Dtype, Element};
use crate::error::Result;
use crate::memory::Buffer;
use crate::shape::{broadcast_strides, collapse_dims, is_row_contiguous, row_major_strides, size_of};
use std::sync::Arc;

/// An input's layout seen against the output shape.
pub(crate) struct Operand {
    pub(crate) data: Data,
    /// Strides broadcast to the output shape.
    pub(crate) strides: Vec<isize>,
    /// Laid out exactly like a row-major output (no broadcast, no gaps).
    pub(crate) dense: bool,
}

impl Operand {
    pub(crate) fn new(a: &Array, out_shape: &[usize]) -> Result<Operand> {
        let data = a.data()?;
        let strides = broadcast_strides(a.shape(), &data.strides, out_shape);
        let dense = a.shape() == out_shape && is_row_contiguous(out_shape, &data.strides);
        Ok(Operand { data, strides, dense })
    }
    #[inline]
    pub(crate) fn ptr<T>(&self) -> *const T {
        // SAFETY: the offset addresses an element inside the buffer.
        unsafe { (self.data.buf.as_ptr() as *const T).add(self.data.offset) }
    }
    fn is_scalar(&self, n: usize) -> bool {
        n > 0 && self.strides.iter().all(|&s| s == 0)
    }
}

/// The buffer of `a` if only this evaluation refers to it and it fits the output.
pub(crate) fn try_donate(a: &Array, op: &Operand, out_bytes: usize) -> Option<Arc<Buffer>> {
    let unique = Arc::strong_count(&a.0) == 1 && Arc::strong_count(&op.data.buf) == 2;
    (unique && op.dense && op.data.offset == 0 && op.data.buf.size() == out_bytes && !op.data.buf.is_external())
        .then(|| op.data.buf.clone())
}

fn out_data(buf: Arc<Buffer>, shape: &[usize]) -> Data {
    Data { buf, strides: row_major_strides(shape), offset: 0 }
}

/// `out[i] = f(a[i])` over the output shape.
pub(crate) fn unary_map<T: Element, U: Element>(
    a: &Array,
    out_shape: &[usize],
    f: impl Fn(T) -> U + Sync + Send + Copy,
) -> Result<Data> {
    let n = size_of(out_shape);
    let oa = Operand::new(a, out_shape)?;
    let out_bytes = n * U::DTYPE.size();
    if T::DTYPE.size() == U::DTYPE.size() {
        if let Some(buf) = try_donate(a, &oa, out_bytes) {
            let p = SendPtr(buf.as_mut_ptr() as *mut T);
            par_range(n, 4096, |r| {
                // SAFETY: a unique buffer of `n` elements; each thread owns its range. T and U
                // have the same size and every bit pattern written is a valid U, read back as U below.
                let s = unsafe { std::slice::from_raw_parts_mut(p.get().add(r.start), r.len()) };
                let g = |x: T| -> T {
                    let y = f(x);
                    // SAFETY: same size (checked above); the value is reinterpreted only when T == U's layout.
                    unsafe { std::mem::transmute_copy::<U, T>(&y) }
                };
                map_inplace(s, &g);
            });
            return Ok(out_data(buf, out_shape));
        }
    }
    let buf = Buffer::alloc(out_bytes)?;
    let out = SendPtr(buf.as_mut_ptr() as *mut U);
    if oa.dense {
        let src = SendConst(oa.ptr::<T>());
        par_range(n, 4096, |r| {
            // SAFETY: both hold `n` elements; the ranges are disjoint across threads.
            let (x, o) = unsafe {
                (
                    std::slice::from_raw_parts(src.get().add(r.start), r.len()),
                    std::slice::from_raw_parts_mut(out.get().add(r.start), r.len()),
                )
            };
            map1(x, o, &f);
        });
    } else {
        strided_apply1(&oa, out_shape, out, f);
    }
    Ok(out_data(Arc::new(buf), out_shape))
}

fn strided_apply1<T: Element, U: Element>(
    oa: &Operand,
    shape: &[usize],
    out: SendPtr<U>,
    f: impl Fn(T) -> U + Sync + Send + Copy,
) {
    let n = size_of(shape);
    if n == 0 {
        return;
    }
    let ostr = row_major_strides(shape);
    let (cs, st) = collapse_dims(shape, &[&ostr, &oa.strides]);
    let inner = *cs.last().unwrap_or(&1);
    let (so, sa) = (*st[0].last().unwrap_or(&1), *st[1].last().unwrap_or(&1));
    let src = SendConst(oa.ptr::<T>());
    par_rows(n / inner, inner, |rows| {
        for_each_row(&cs, [&st[0], &st[1]], rows, |_, [oo, ao]| {
            // SAFETY: offsets come from valid indices of the output shape.
            unsafe {
                let o = out.get().offset(oo);
                let x = src.get().offset(ao);
                if so == 1 && sa == 1 {
                    map1(std::slice::from_raw_parts(x, inner), std::slice::from_raw_parts_mut(o, inner), &f);
                } else if sa == 0 {
                    let v = f(*x);
                    for i in 0..inner as isize {
                        *o.offset(i * so) = v;
                    }
                } else {
                    for i in 0..inner as isize {
                        *o.offset(i * so) = f(*x.offset(i * sa));
                    }
                }
            }
        });
    });
}

/// `out[i] = f(a[i], b[i])` with broadcasting.
pub(crate) fn binary_map<T: Element, U: Element>(
    a: &Array,
    b: &Array,
    out_shape: &[usize],
    f: impl Fn(T, T) -> U + Sync + Send + Copy,
) -> Result<Data> {
    let n = size_of(out_shape);
    let (oa, ob) = (Operand::new(a, out_shape)?, Operand::new(b, out_shape)?);
    let out_bytes = n * U::DTYPE.size();
    let same = T::DTYPE == U::DTYPE;
    // Donation: write into a's (or b's) buffer when nothing else holds it.
    if same && (ob.dense || ob.is_scalar(n)) {
        if let Some(buf) = try_donate(a, &oa, out_bytes) {
            let p = SendPtr(buf.as_mut_ptr() as *mut T);
            let pb = SendConst(ob.ptr::<T>());
            let b_scalar = !ob.dense;
            par_range(n, 4096, |r| {
                // SAFETY: the donated buffer is unique; ranges are disjoint; b does not alias it.
                let o = unsafe { std::slice::from_raw_parts_mut(p.get().add(r.start), r.len()) };
                let g = |x: T, y: T| -> T {
                    let v = f(x, y);
                    // SAFETY: T == U (checked above).
                    unsafe { std::mem::transmute_copy::<U, T>(&v) }
                };
                if b_scalar {
                    // SAFETY: b holds at least one element.
                    let y = unsafe { *pb.get() };
                    map_inplace(o, &|x| g(x, y));
                } else {
                    // SAFETY: b is dense with `n` elements.
                    let bs = unsafe { std::slice::from_raw_parts(pb.get().add(r.start), r.len()) };
                    map2_inplace(o, bs, &g);
                }
            });
            return Ok(out_data(buf, out_shape));
        }
    }
    if same && (oa.dense || oa.is_scalar(n)) {
        if let Some(buf) = try_donate(b, &ob, out_bytes) {
            let p = SendPtr(buf.as_mut_ptr() as *mut T);
            let pa = SendConst(oa.ptr::<T>());
            let a_scalar = !oa.dense;
            par_range(n, 4096, |r| {
                // SAFETY: as above, with the roles of a and b swapped.
                let o = unsafe { std::slice::from_raw_parts_mut(p.get().add(r.start), r.len()) };
                let g = |y: T, x: T| -> T {
                    let v = f(x, y);
                    // SAFETY: T == U (checked above).
                    unsafe { std::mem::transmute_copy::<U, T>(&v) }
                };
                if a_scalar {
                    // SAFETY: a holds at least one element.
                    let x = unsafe { *pa.get() };
                    map_inplace(o, &|y| g(y, x));
                } else {
                    // SAFETY: a is dense with `n` elements.
                    let xs = unsafe { std::slice::from_raw_parts(pa.get().add(r.start), r.len()) };
                    map2_inplace(o, xs, &g);
                }
            });
            return Ok(out_data(buf, out_shape));
        }
    }
    let buf = Buffer::alloc(out_bytes)?;
    let out = SendPtr(buf.as_mut_ptr() as *mut U);
    let (pa, pb) = (SendConst(oa.ptr::<T>()), SendConst(ob.ptr::<T>()));
    if oa.dense && ob.dense {
        par_range(n, 4096, |r| {
            // SAFETY: all three hold `n` elements; ranges are disjoint across threads.
            unsafe {
                map2(
                    std::slice::from_raw_parts(pa.get().add(r.start), r.len()),
                    std::slice::from_raw_parts(pb.get().add(r.start), r.len()),
                    std::slice::from_raw_parts_mut(out.get().add(r.start), r.len()),
                    &f,
                )
            };
        });
    } else if oa.dense && ob.is_scalar(n) {
        // SAFETY: b holds one element.
        let y = unsafe { *pb.get() };
        par_range(n, 4096, |r| {
            // SAFETY: as above.
            unsafe {
                map1(
                    std::slice::from_raw_parts(pa.get().add(r.start), r.len()),
                    std::slice::from_raw_parts_mut(out.get().add(r.start), r.len()),
                    &|x| f(x, y),
                )
            };
        });
    } else if ob.dense && oa.is_scalar(n) {
        // SAFETY: a holds one element.
        let x = unsafe { *pa.get() };
        par_range(n, 4096, |r| {
            // SAFETY: as above.
            unsafe {
                map1(
                    std::slice::from_raw_parts(pb.get().add(r.start), r.len()),
                    std::slice::from_raw_parts_mut(out.get().add(r.start), r.len()),
                    &|y| f(x, y),
                )
            };
        });
    } else if n > 0 {
        let ostr = row_major_strides(out_shape);
        let (cs, st) = collapse_dims(out_shape, &[&ostr, &oa.strides, &ob.strides]);
        let inner = *cs.last().unwrap_or(&1);
        let (so, sa, sb) = (*st[0].last().unwrap_or(&1), *st[1].last().unwrap_or(&1), *st[2].last().unwrap_or(&1));
        par_rows(n / inner, inner, |rows| {
            for_each_row(&cs, [&st[0], &st[1], &st[2]], rows, |_, [oo, ao, bo]| {
                // SAFETY: offsets come from valid indices of the output shape.
                unsafe {
                    let o = out.get().offset(oo);
                    let x = pa.get().offset(ao);
                    let y = pb.get().offset(bo);
                    if so == 1 && sa == 1 && sb == 1 {
                        map2(
                            std::slice::from_raw_parts(x, inner),
                            std::slice::from_raw_parts(y, inner),
                            std::slice::from_raw_parts_mut(o, inner),
                            &f,
                        );
                    } else if so == 1 && sa == 1 && sb == 0 {
                        let yv = *y;
                        map1(std::slice::from_raw_parts(x, inner), std::slice::from_raw_parts_mut(o, inner), &|v| {
                            f(v, yv)
                        });
                    } else if so == 1 && sa == 0 && sb == 1 {
                        let xv = *x;
                        map1(std::slice::from_raw_parts(y, inner), std::slice::from_raw_parts_mut(o, inner), &|v| {
                            f(xv, v)
                        });
                    } else {
                        for i in 0..inner as isize {
                            *o.offset(i * so) = f(*x.offset(i * sa), *y.offset(i * sb));
                        }
                    }
                }
            });
        });
    }
    Ok(out_data(Arc::new(buf), out_shape))
}

/// `out[i] = f(a[i], b[i], c[i])` with broadcasting (used by `where`).
pub(crate) fn ternary_map<A: Element, B: Element, C: Element, U: Element>(
    a: &Array,
    b: &Array,
    c: &Array,
    out_shape: &[usize],
    f: impl Fn(A, B, C) -> U + Sync + Send + Copy,
) -> Result<Data> {
    let n = size_of(out_shape);
    let ops = [Operand::new(a, out_shape)?, Operand::new(b, out_shape)?, Operand::new(c, out_shape)?];
    let buf = Buffer::alloc(n * U::DTYPE.size())?;
    let out = SendPtr(buf.as_mut_ptr() as *mut U);
    let (pa, pb, pc) = (SendConst(ops[0].ptr::<A>()), SendConst(ops[1].ptr::<B>()), SendConst(ops[2].ptr::<C>()));
    if ops.iter().all(|o| o.dense) {
        par_range(n, 4096, |r| {
            // SAFETY: all hold `n` elements; ranges are disjoint across threads.
            unsafe {
                map3(
                    std::slice::from_raw_parts(pa.get().add(r.start), r.len()),
                    std::slice::from_raw_parts(pb.get().add(r.start), r.len()),
                    std::slice::from_raw_parts(pc.get().add(r.start), r.len()),
                    std::slice::from_raw_parts_mut(out.get().add(r.start), r.len()),
                    &f,
                )
            };
        });
    } else if n > 0 {
        let ostr = row_major_strides(out_shape);
        let (cs, st) = collapse_dims(out_shape, &[&ostr, &ops[0].strides, &ops[1].strides, &ops[2].strides]);
        let inner = *cs.last().unwrap_or(&1);
        let s: Vec<isize> = st.iter().map(|v| *v.last().unwrap_or(&1)).collect();
        par_rows(n / inner, inner, |rows| {
            for_each_row(&cs, [&st[0], &st[1], &st[2], &st[3]], rows, |_, [oo, ao, bo, co]| {
                // SAFETY: offsets come from valid indices of the output shape.
                unsafe {
                    let o = out.get().offset(oo);
                    let (x, y, z) = (pa.get().offset(ao), pb.get().offset(bo), pc.get().offset(co));
                    for i in 0..inner as isize {
                        *o.offset(i * s[0]) = f(*x.offset(i * s[1]), *y.offset(i * s[2]), *z.offset(i * s[3]));
                    }
                }
            });
        });
    }
    Ok(out_data(Arc::new(buf), out_shape))
}

/// Converts one element between dtypes the way NumPy's `astype` does.
#[inline(always)]
pub(crate) fn cast<T: Element, U: Element>(x: T) -> U {
    if U::DTYPE == Dtype::Complex64 || T::DTYPE == Dtype::Complex64 {
        U::from_c64(x.to_c64())
    } else if U::DTYPE.is_float() && U::DTYPE != Dtype::Float64 && matches!(T::DTYPE, Dtype::Int64 | Dtype::Uint64) {
        // Above 2^53 the step through f64 rounds; rounded to odd it keeps the
        // final rounding (to f32, f16, bf16) correct, as a direct C cast is.
        let v = if T::DTYPE == Dtype::Uint64 { x.to_i64() as u64 as i128 } else { x.to_i64() as i128 };
        U::from_f64(crate::dtype::i128_to_f64_odd(v))
    } else if T::DTYPE.is_float() || U::DTYPE.is_float() || U::DTYPE == Dtype::Bool {
        U::from_f64(x.to_f64())
    } else {
        U::from_i64(x.to_i64())
    }
}

/// `astype`.
pub(crate) fn astype(a: &Array, to: Dtype, out_shape: &[usize]) -> Result<Data> {
    let from = a.dtype();
    crate::dispatch_dtype!(from, T => crate::dispatch_dtype!(to, U => unary_map::<T, U>(a, out_shape, cast::<T, U>)))
}

/// `arange`: `start + i * step`, computed in float64 and converted.
pub(crate) fn arange(start: f64, step: f64, n: usize, dtype: Dtype) -> Result<Data> {
    crate::dispatch_dtype!(dtype, T => {
        let buf = Buffer::alloc(n * dtype.size())?;
        let out = SendPtr(buf.as_mut_ptr() as *mut T);
        par_range(n, 4096, |r| {
            for i in r {
                // SAFETY: `i < n`, inside the buffer.
                unsafe { *out.get().add(i) = T::from_f64(start + i as f64 * step) };
            }
        });
        Ok(out_data(Arc::new(buf), &[n]))
    })
}

/// Reads an evaluated array into a row-major `Vec` (the dtype must be `T`'s).
pub(crate) fn read_to_vec<T: Element>(d: &Data, shape: &[usize]) -> Vec<T> {
    let n = size_of(shape);
    let mut v: Vec<T> = Vec::with_capacity(n);
    // SAFETY: the data addresses `n` valid elements of T; `v` has room for `n`.
    unsafe {
        let src = (d.buf.as_ptr() as *const T).add(d.offset);
        super::iter::copy_to_contiguous(src, shape, &d.strides, v.as_mut_ptr());
        v.set_len(n);
    }
    v
}
