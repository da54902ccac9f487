//! Loops shared by the CPU kernels: rows of a strided iteration space (after
//! merging dimensions), splitting work across threads above a size
//! threshold, and contiguous inner loops compiled twice (baseline and
//! AVX2+FMA) and picked at run time.

use rayon::prelude::*;
use std::ops::Range;

/// Below this many elements a kernel runs on the calling thread.
pub(crate) const PAR_THRESHOLD: usize = 1 << 15;

/// A raw pointer that may cross threads; kernels hand disjoint ranges to each thread.
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub *mut T);
// SAFETY: every user writes disjoint elements from each thread.
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    #[inline(always)]
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}

/// A read-only raw pointer that may cross threads.
#[derive(Clone, Copy)]
pub(crate) struct SendConst<T>(pub *const T);
// SAFETY: only read, from data no one writes during the kernel.
unsafe impl<T> Send for SendConst<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendConst<T> {}
impl<T> SendConst<T> {
    #[inline(always)]
    pub(crate) fn get(self) -> *const T {
        self.0
    }
}

pub(crate) fn num_threads() -> usize {
    rayon::current_num_threads()
}

/// Runs `f` over `0..n` split into chunks, on several threads when `n` is large.
pub(crate) fn par_range(n: usize, grain: usize, f: impl Fn(Range<usize>) + Sync + Send) {
    let threads = num_threads();
    if n < PAR_THRESHOLD.max(grain) || threads == 1 {
        if n > 0 {
            f(0..n);
        }
        return;
    }
    let chunk = n.div_ceil(threads * 4).max(grain).max(64).next_multiple_of(64);
    let chunks = n.div_ceil(chunk);
    (0..chunks).into_par_iter().for_each(|c| f(c * chunk..((c + 1) * chunk).min(n)));
}

/// Like `par_range`, but over rows whose cost is `row_len` elements each.
pub(crate) fn par_rows(rows: usize, row_len: usize, f: impl Fn(Range<usize>) + Sync + Send) {
    let total = rows.saturating_mul(row_len.max(1));
    let threads = num_threads();
    if total < PAR_THRESHOLD || threads == 1 || rows < 2 {
        if rows > 0 {
            f(0..rows);
        }
        return;
    }
    let chunk = rows.div_ceil(threads * 4).max(1);
    let chunks = rows.div_ceil(chunk);
    (0..chunks).into_par_iter().for_each(|c| f(c * chunk..((c + 1) * chunk).min(rows)));
}

/// Calls `f(row, offsets)` for each row in `rows` of the space `shape` minus
/// its last dimension, with the element offset of the row's start in each of
/// the `K` operands.
pub(crate) fn for_each_row<const K: usize>(
    shape: &[usize],
    strides: [&[isize]; K],
    rows: Range<usize>,
    mut f: impl FnMut(usize, [isize; K]),
) {
    let nd = shape.len();
    if nd <= 1 {
        for r in rows {
            f(r, [0; K]);
        }
        return;
    }
    let outer = &shape[..nd - 1];
    let mut idx = vec![0usize; nd - 1];
    let mut rem = rows.start;
    for d in (0..nd - 1).rev() {
        idx[d] = rem % outer[d];
        rem /= outer[d];
    }
    let mut off = [0isize; K];
    for k in 0..K {
        off[k] = (0..nd - 1).map(|d| idx[d] as isize * strides[k][d]).sum();
    }
    for r in rows {
        f(r, off);
        let mut d = nd - 2;
        loop {
            idx[d] += 1;
            for k in 0..K {
                off[k] += strides[k][d];
            }
            if idx[d] < outer[d] {
                break;
            }
            for k in 0..K {
                off[k] -= strides[k][d] * outer[d] as isize;
            }
            idx[d] = 0;
            if d == 0 {
                break;
            }
            d -= 1;
        }
    }
}

/// 2: AVX-512 (F, BW, DQ, VL), 1: AVX2 + FMA, 0: baseline. `RMLX_SIMD=avx2`
/// or `RMLX_SIMD=none` caps it (to compare, or on machines that slow down under AVX-512).
#[cfg(target_arch = "x86_64")]
pub(crate) fn simd_level() -> u8 {
    use std::sync::OnceLock;
    static LEVEL: OnceLock<u8> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = crate::knobs::knobs().simd_cap;
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        let avx512 = avx2
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl");
        let level = if avx512 {
            2
        } else if avx2 {
            1
        } else {
            0
        };
        level.min(cap)
    })
}

/// Defines `$name` (picks a version at run time) over an `#[inline(always)]`
/// body, compiled once for the baseline and once with AVX2+FMA enabled.
macro_rules! multiversion {
    ($name:ident, $body:ident, $avx:ident, $avx512:ident, <$($g:ident),*>, ($($arg:ident : $ty:ty),*) -> $ret:ty, where $($bounds:tt)*) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx<$($g),*>($($arg: $ty),*) -> $ret where $($bounds)* {
            $body($($arg),*)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
        unsafe fn $avx512<$($g),*>($($arg: $ty),*) -> $ret where $($bounds)* {
            $body($($arg),*)
        }
        #[inline]
        pub(crate) fn $name<$($g),*>($($arg: $ty),*) -> $ret where $($bounds)* {
            #[cfg(target_arch = "x86_64")]
            match super::iter::simd_level() {
                // SAFETY: the CPU has these features (checked at run time).
                2 => return unsafe { $avx512($($arg),*) },
                // SAFETY: as above.
                1 => return unsafe { $avx($($arg),*) },
                _ => {}
            }
            $body($($arg),*)
        }
    };
    ($name:ident, $body:ident, $avx:ident, $avx512:ident, <$($g:ident),*>, ($($arg:ident : $ty:ty),*), where $($bounds:tt)*) => {
        multiversion!($name, $body, $avx, $avx512, <$($g),*>, ($($arg: $ty),*) -> (), where $($bounds)*);
    };
}

#[inline(always)]
fn map1_body<A: Copy, U, F: Fn(A) -> U>(a: &[A], out: &mut [U], f: &F) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = f(x);
    }
}
multiversion!(map1, map1_body, map1_avx2, map1_avx512, <A, U, F>, (a: &[A], out: &mut [U], f: &F), where A: Copy, F: Fn(A) -> U);

#[inline(always)]
fn map2_body<A: Copy, B: Copy, U, F: Fn(A, B) -> U>(a: &[A], b: &[B], out: &mut [U], f: &F) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}
multiversion!(map2, map2_body, map2_avx2, map2_avx512, <A, B, U, F>, (a: &[A], b: &[B], out: &mut [U], f: &F), where A: Copy, B: Copy, F: Fn(A, B) -> U);

#[inline(always)]
fn map_inplace_body<A: Copy, F: Fn(A) -> A>(out: &mut [A], f: &F) {
    for o in out.iter_mut() {
        *o = f(*o);
    }
}
multiversion!(map_inplace, map_inplace_body, map_inplace_avx2, map_inplace_avx512, <A, F>, (out: &mut [A], f: &F), where A: Copy, F: Fn(A) -> A);

#[inline(always)]
fn map2_inplace_body<A: Copy, B: Copy, F: Fn(A, B) -> A>(out: &mut [A], b: &[B], f: &F) {
    for (o, &y) in out.iter_mut().zip(b) {
        *o = f(*o, y);
    }
}
multiversion!(map2_inplace, map2_inplace_body, map2_inplace_avx2, map2_inplace_avx512, <A, B, F>, (out: &mut [A], b: &[B], f: &F), where A: Copy, B: Copy, F: Fn(A, B) -> A);

#[inline(always)]
fn map3_body<A: Copy, B: Copy, C: Copy, U, F: Fn(A, B, C) -> U>(a: &[A], b: &[B], c: &[C], out: &mut [U], f: &F) {
    for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = f(x, y, z);
    }
}
multiversion!(map3, map3_body, map3_avx2, map3_avx512, <A, B, C, U, F>, (a: &[A], b: &[B], c: &[C], out: &mut [U], f: &F), where A: Copy, B: Copy, C: Copy, F: Fn(A, B, C) -> U);

/// Copies a strided array (`shape`, `strides`, from `src`) into row-major `dst`.
///
/// # Safety
/// `src` with `strides` must address valid elements for every index of `shape`,
/// and `dst` must hold `product(shape)` elements.
pub(crate) unsafe fn copy_to_contiguous<T: Copy + Send + Sync>(
    src: *const T,
    shape: &[usize],
    strides: &[isize],
    dst: *mut T,
) {
    let dst_strides = crate::shape::row_major_strides(shape);
    // SAFETY: forwarded from the caller.
    unsafe { copy_strided(src, strides, dst, &dst_strides, shape) }
}

/// Copies between two strided layouts of one shape.
///
/// # Safety
/// Both pointers with their strides must address valid elements for every
/// index of `shape`; the destination elements must not overlap the source.
pub(crate) unsafe fn copy_strided<T: Copy + Send + Sync>(
    src: *const T,
    src_strides: &[isize],
    dst: *mut T,
    dst_strides: &[isize],
    shape: &[usize],
) {
    let n: usize = shape.iter().product();
    if n == 0 {
        return;
    }
    let (cshape, cstrides) = crate::shape::collapse_dims(shape, &[src_strides, dst_strides]);
    let inner = *cshape.last().unwrap_or(&1);
    let (ss, ds) = (*cstrides[0].last().unwrap_or(&1), *cstrides[1].last().unwrap_or(&1));
    let rows = n / inner.max(1);
    let (sp, dp) = (SendConst(src), SendPtr(dst));
    par_rows(rows, inner, |range| {
        for_each_row(&cshape, [&cstrides[0], &cstrides[1]], range, |_, [so, doff]| {
            // SAFETY: offsets come from valid indices of `shape` (caller's promise).
            unsafe {
                let s = sp.get().offset(so);
                let d = dp.get().offset(doff);
                if ss == 1 && ds == 1 {
                    std::ptr::copy_nonoverlapping(s, d, inner);
                } else {
                    for i in 0..inner as isize {
                        *d.offset(i * ds) = *s.offset(i * ss);
                    }
                }
            }
        });
    });
}
