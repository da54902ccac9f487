//! Scans along one axis on the CPU: the array as (outer, n, inner) row-major
//! blocks; each block runs down its axis with `inner` running values, blocks
//! in parallel. 16-bit floats accumulate in float32 (as on the GPU).

use super::iter::{par_rows, SendConst, SendPtr};
use super::layout::contiguous;
use super::scalar::Arith;
use crate::array::{Array, Data};
use crate::error::Result;
use crate::memory::Buffer;
use crate::primitive::ScanOp;
use crate::shape::size_of;
use half::{bf16, f16};
use num_complex::Complex32;

trait ScanElem: crate::dtype::Element {
    type A: Arith;
    fn up(self) -> Self::A;
    fn down(a: Self::A) -> Self;
    fn logaddexp(a: Self::A, _b: Self::A) -> Self::A {
        a
    }
}

macro_rules! same_acc {
    ($($t:ty),*) => {$(
        impl ScanElem for $t {
            type A = $t;
            #[inline(always)]
            fn up(self) -> $t { self }
            #[inline(always)]
            fn down(a: $t) -> $t { a }
        }
    )*};
}
same_acc!(bool, u8, u16, u32, u64, i8, i16, i32, i64, Complex32);

macro_rules! float_acc {
    ($t:ty, $a:ty, $up:expr, $down:expr) => {
        impl ScanElem for $t {
            type A = $a;
            #[inline(always)]
            fn up(self) -> $a {
                $up(self)
            }
            #[inline(always)]
            fn down(a: $a) -> $t {
                $down(a)
            }
            #[inline(always)]
            fn logaddexp(a: $a, b: $a) -> $a {
                if a.is_nan() || b.is_nan() {
                    return a + b;
                }
                let (hi, lo) = if a > b { (a, b) } else { (b, a) };
                if hi.is_infinite() {
                    return hi;
                }
                hi + (lo - hi).exp().ln_1p()
            }
        }
    };
}
float_acc!(f32, f32, |x| x, |x| x);
float_acc!(f64, f64, |x| x, |x| x);
float_acc!(f16, f32, |x: f16| x.to_f32(), f16::from_f32);
float_acc!(bf16, f32, |x: bf16| x.to_f32(), bf16::from_f32);

fn identity<A: Arith>(op: ScanOp) -> A {
    match op {
        ScanOp::Sum => A::zero_val(),
        ScanOp::Prod => A::one_val(),
        ScanOp::Max => A::lowest(),
        ScanOp::Min => A::highest(),
        ScanOp::LogAddExp => A::from_f64(f64::NEG_INFINITY),
    }
}

fn scan_typed<T: ScanElem>(a: &Array, op: ScanOp, axis: usize, reverse: bool, inclusive: bool) -> Result<Data> {
    let shape = a.shape();
    let d = contiguous(a)?;
    let n = shape[axis];
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let total = size_of(shape);
    let buf = Buffer::alloc(total * std::mem::size_of::<T>())?;
    if total == 0 {
        return Ok(Data::contiguous(buf, shape));
    }
    // SAFETY: `d` is row-major from its offset.
    let src = SendConst(unsafe { (d.buf.as_ptr() as *const T).add(d.offset) });
    let dst = SendPtr(buf.as_mut_ptr() as *mut T);
    let f = move |x: T::A, y: T::A| -> T::A {
        match op {
            ScanOp::Sum => x.add(y),
            ScanOp::Prod => x.mul(y),
            ScanOp::Max => x.max(y),
            ScanOp::Min => x.min(y),
            ScanOp::LogAddExp => T::logaddexp(x, y),
        }
    };
    par_rows(outer, n * inner, |range| {
        let mut acc: Vec<T::A> = vec![identity::<T::A>(op); inner];
        for o in range {
            acc.iter_mut().for_each(|v| *v = identity(op));
            for s in 0..n {
                let i = if reverse { n - 1 - s } else { s };
                let base = (o * n + i) * inner;
                for (j, v) in acc.iter_mut().enumerate() {
                    // SAFETY: base + j < total; block o is written by one thread.
                    unsafe {
                        let x = (*src.get().add(base + j)).up();
                        if inclusive {
                            *v = f(*v, x);
                            *dst.get().add(base + j) = T::down(*v);
                        } else {
                            *dst.get().add(base + j) = T::down(*v);
                            *v = f(*v, x);
                        }
                    }
                }
            }
        }
    });
    Ok(Data::contiguous(buf, shape))
}

pub(crate) fn scan(a: &Array, op: ScanOp, axis: usize, reverse: bool, inclusive: bool) -> Result<Data> {
    crate::dispatch_dtype!(a.dtype(), T => scan_typed::<T>(a, op, axis, reverse, inclusive))
}
