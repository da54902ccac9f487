//! Sorting the last axis on the CPU: each element becomes an unsigned key
//! that orders as NumPy sorts (NaN last, -0.0 equal to 0.0, complex by real
//! then imaginary part), and rows are sorted stably by least-significant-
//! digit radix passes (11-bit digits, bytes for 1- and 2-byte keys; passes
//! where every key shares the digit are skipped), rows in parallel, one
//! long row over all threads. Sorting
//! values carries no index: their keys are one-to-one (`value_key`) and turn
//! back into the values. `searchsorted` binary-searches the keys.

use super::iter::{par_rows, SendConst, SendPtr};
use super::layout::contiguous;
use crate::array::{Array, Data};
use crate::error::Result;
use crate::memory::Buffer;
use crate::shape::size_of;
use half::{bf16, f16};
use num_complex::Complex32;

pub(crate) trait RadixKey:
    Copy
    + Ord
    + Send
    + Sync
    + Default
    + std::ops::BitOr<Output = Self>
    + std::ops::BitAnd<Output = Self>
    + std::ops::BitXor<Output = Self>
    + std::ops::Not<Output = Self>
{
    const BYTES: usize;
    /// `(self >> shift) & mask`.
    fn digit(self, shift: u32, mask: usize) -> usize;
}
macro_rules! radix_key {
    ($($t:ty),*) => {$(
        impl RadixKey for $t {
            const BYTES: usize = std::mem::size_of::<$t>();
            #[inline(always)]
            fn digit(self, shift: u32, mask: usize) -> usize {
                (self >> shift) as usize & mask
            }

        }
    )*};
}
radix_key!(u8, u16, u32, u64);

/// An element's sort key.
pub(crate) trait SortElem: crate::dtype::Element {
    type K: RadixKey;
    fn key(self) -> Self::K;
    /// The value sort's key: ordered as `key` but one-to-one on everything
    /// but NaN (-0.0 just before 0.0; every NaN is the largest key), so the
    /// sorted values are the keys turned back by `of_value_key` and no index
    /// need travel with them.
    fn value_key(self) -> Self::K {
        self.key()
    }
    fn of_value_key(k: Self::K) -> Self;
}

macro_rules! uint_key {
    ($($t:ty),*) => {$(
        impl SortElem for $t {
            type K = $t;
            #[inline(always)]
            fn key(self) -> $t { self }
            #[inline(always)]
            fn of_value_key(k: $t) -> $t { k }
        }
    )*};
}
uint_key!(u8, u16, u32, u64);
macro_rules! sint_key {
    ($($t:ty => $u:ty),*) => {$(
        impl SortElem for $t {
            type K = $u;
            #[inline(always)]
            fn key(self) -> $u { (self as $u) ^ (1 << (<$u>::BITS - 1)) }
            #[inline(always)]
            fn of_value_key(k: $u) -> $t { (k ^ (1 << (<$u>::BITS - 1))) as $t }
        }
    )*};
}
sint_key!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

impl SortElem for bool {
    type K = u8;
    fn key(self) -> u8 {
        self as u8
    }
    fn of_value_key(k: u8) -> bool {
        k != 0
    }
}

macro_rules! float_key {
    ($bits:expr, $u:ty, $nan:expr, $zero:expr) => {{
        let b: $u = $bits;
        if $nan {
            <$u>::MAX
        } else {
            let b = if $zero { 0 } else { b };
            let sign: $u = 1 << (<$u>::BITS - 1);
            if b & sign != 0 {
                !b
            } else {
                b | sign
            }
        }
    }};
}

/// The one-to-one float key of `value_key` and its inverse.
macro_rules! float_value_key {
    ($t:ty, $u:ty, $nan:expr) => {
        fn value_key(self) -> $u {
            float_key!(self.to_bits(), $u, self.is_nan(), false)
        }
        fn of_value_key(k: $u) -> $t {
            let sign: $u = 1 << (<$u>::BITS - 1);
            if k == <$u>::MAX {
                $nan
            } else if k & sign != 0 {
                <$t>::from_bits(k & !sign)
            } else {
                <$t>::from_bits(!k)
            }
        }
    };
}

impl SortElem for f16 {
    type K = u16;
    fn key(self) -> u16 {
        float_key!(self.to_bits(), u16, self.is_nan(), self == f16::ZERO)
    }
    float_value_key!(f16, u16, f16::NAN);
}
impl SortElem for bf16 {
    type K = u16;
    fn key(self) -> u16 {
        float_key!(self.to_bits(), u16, self.is_nan(), self == bf16::ZERO)
    }
    float_value_key!(bf16, u16, bf16::NAN);
}
impl SortElem for f32 {
    type K = u32;
    #[inline(always)]
    fn key(self) -> u32 {
        float_key!(self.to_bits(), u32, self.is_nan(), self == 0.0)
    }
    float_value_key!(f32, u32, f32::NAN);
}
impl SortElem for f64 {
    type K = u64;
    fn key(self) -> u64 {
        float_key!(self.to_bits(), u64, self.is_nan(), self == 0.0)
    }
    float_value_key!(f64, u64, f64::NAN);
}
impl SortElem for Complex32 {
    type K = u64;
    fn key(self) -> u64 {
        ((self.re.key() as u64) << 32) | self.im.key() as u64
    }
    fn value_key(self) -> u64 {
        ((self.re.value_key() as u64) << 32) | self.im.value_key() as u64
    }
    fn of_value_key(k: u64) -> Complex32 {
        Complex32::new(f32::of_value_key((k >> 32) as u32), f32::of_value_key(k as u32))
    }
}

/// Sorts `v` stably by `key` in least-significant-digit-first passes (a
/// pass is skipped where every key has the same digit); `tmp` is scratch.
/// With `par`, each pass splits `v` into a chunk per thread: every thread
/// counts its chunk's digits, and scatters them after the counts of the
/// lower digits and of its digit in the chunks before it.
fn radix_by<E, K>(v: &mut Vec<E>, tmp: &mut Vec<E>, key: impl Fn(&E) -> K + Sync, par: bool)
where
    E: Copy + Default + Send + Sync,
    K: RadixKey,
{
    use rayon::prelude::*;
    use std::ops::Range;
    let n = v.len();
    if n <= 64 {
        v.sort_by_key(|e| key(e));
        return;
    }
    reserve_huge(tmp, n);
    tmp.resize(n, E::default());
    let chunks = if par && n >= 1 << 16 { super::iter::num_threads().clamp(1, 64) } else { 1 };
    let clen = n.div_ceil(chunks);
    let ranges: Vec<Range<usize>> = (0..chunks).map(|c| (c * clen).min(n)..((c + 1) * clen).min(n)).collect();
    // Which digits vary: one pass over the keys, by chunk.
    let span = |r: &Range<usize>| {
        let (mut or, mut and) = (K::default(), !K::default());
        for e in &v[r.clone()] {
            let k = key(e);
            or = or | k;
            and = and & k;
        }
        (or, and)
    };
    let spans: Vec<(K, K)> =
        if chunks > 1 { ranges.par_iter().map(span).collect() } else { ranges.iter().map(span).collect() };
    let (or, and) = spans.iter().fold((K::default(), !K::default()), |(o, a), &(so, sa)| (o | so, a & sa));
    let varies = or ^ and;
    // 11-bit digits for keys of 4 bytes or more (three passes for 32 bits),
    // bytes for the narrower ones.
    let bits: u32 = if K::BYTES >= 4 { 11 } else { 8 };
    let digits = 1usize << bits;
    let mask = digits - 1;
    let mut shift = 0u32;
    while (shift as usize) < 8 * K::BYTES {
        let sh = shift;
        shift += bits;
        if varies.digit(sh, mask) == 0 {
            continue;
        }
        let count = |r: &Range<usize>| {
            let mut c = vec![0usize; digits];
            for e in &v[r.clone()] {
                c[key(e).digit(sh, mask)] += 1;
            }
            c
        };
        let mut counts: Vec<Vec<usize>> =
            if chunks > 1 { ranges.par_iter().map(count).collect() } else { ranges.iter().map(count).collect() };
        // Offsets: digit-major, chunk-minor.
        let mut sum = 0;
        for d in 0..digits {
            for c in counts.iter_mut() {
                let x = c[d];
                c[d] = sum;
                sum += x;
            }
        }
        let dst = SendPtr(tmp.as_mut_ptr());
        let src = &v[..];
        let scatter = |(r, c): (&Range<usize>, &mut Vec<usize>)| {
            for e in &src[r.clone()] {
                let d = key(e).digit(sh, mask);
                // SAFETY: the offsets give each (digit, chunk) its own run
                // of `tmp`, inside it (they sum to n).
                unsafe { *dst.get().add(c[d]) = *e };
                c[d] += 1;
            }
        };
        if chunks > 1 {
            ranges.par_iter().zip(counts.par_iter_mut()).for_each(scatter);
        } else {
            ranges.iter().zip(counts.iter_mut()).for_each(scatter);
        }
        std::mem::swap(v, tmp);
    }
}

/// Room for `n` elements in `v`, huge pages asked for when it is fresh and
/// large (radix passes scatter over all of it).
fn reserve_huge<E>(v: &mut Vec<E>, n: usize) {
    if v.capacity() < n {
        v.reserve_exact(n - v.len());
        crate::memory::advise_huge_pages(v.as_mut_ptr() as *mut u8, v.capacity() * std::mem::size_of::<E>());
    }
}

fn sort_rows<T: SortElem>(a: &Array, arg: bool, shape: &[usize]) -> Result<Data> {
    let d = contiguous(a)?;
    let len = shape.last().copied().unwrap_or(1);
    let rows = size_of(shape).checked_div(len).unwrap_or(0);
    let osize = if arg { 4 } else { std::mem::size_of::<T>() };
    let buf = Buffer::alloc(size_of(shape) * osize)?;
    // SAFETY: `d` is row-major from its offset, holding rows * len elements.
    let src = SendConst(unsafe { (d.buf.as_ptr() as *const T).add(d.offset) });
    let dst = SendPtr(buf.as_mut_ptr());
    // One long row sorts on all threads; many rows take a thread each.
    let par = rows < super::iter::num_threads();
    par_rows(rows, len * 8, |range| {
        let (mut pairs, mut tmp) = (Vec::new(), Vec::new());
        let (mut keys, mut ktmp) = (Vec::new(), Vec::new());
        for r in range {
            // SAFETY: row r lies inside the source; rows are written by one thread each.
            let row = unsafe { std::slice::from_raw_parts(src.get().add(r * len), len) };
            if arg {
                pairs.clear();
                reserve_huge(&mut pairs, len);
                pairs.extend(row.iter().enumerate().map(|(i, v)| (v.key(), i as u32)));
                radix_by(&mut pairs, &mut tmp, |p: &(T::K, u32)| p.0, par);
                // SAFETY: row r of the output, written by this thread only.
                let o = unsafe { std::slice::from_raw_parts_mut((dst.get() as *mut u32).add(r * len), len) };
                for (o, p) in o.iter_mut().zip(&pairs) {
                    *o = p.1;
                }
            } else {
                keys.clear();
                reserve_huge(&mut keys, len);
                keys.extend(row.iter().map(|v| v.value_key()));
                radix_by(&mut keys, &mut ktmp, |k: &T::K| *k, par);
                // SAFETY: as above.
                let o = unsafe { std::slice::from_raw_parts_mut((dst.get() as *mut T).add(r * len), len) };
                for (o, k) in o.iter_mut().zip(&keys) {
                    *o = T::of_value_key(*k);
                }
            }
        }
    });
    Ok(Data::contiguous(buf, shape))
}

pub(crate) fn sort(a: &Array, arg: bool, shape: &[usize]) -> Result<Data> {
    crate::dispatch_dtype!(a.dtype(), T => sort_rows::<T>(a, arg, shape))
}

fn search<T: SortElem>(a: &Array, v: &Array, right: bool) -> Result<Data> {
    let keys: Vec<T::K> = a.to_vec::<T>()?.into_iter().map(|x| x.key()).collect();
    let vals: Vec<T> = v.to_vec()?;
    let out: Vec<u32> = vals
        .iter()
        .map(|x| {
            let k = x.key();
            (if right { keys.partition_point(|&e| e <= k) } else { keys.partition_point(|&e| e < k) }) as u32
        })
        .collect();
    let buf = Buffer::alloc(out.len() * 4)?;
    // SAFETY: the buffer holds out.len() uint32 values.
    unsafe { std::ptr::copy_nonoverlapping(out.as_ptr() as *const u8, buf.as_mut_ptr(), out.len() * 4) };
    Ok(Data::contiguous(buf, v.shape()))
}

pub(crate) fn searchsorted(a: &Array, v: &Array, right: bool) -> Result<Data> {
    crate::dispatch_dtype!(a.dtype(), T => search::<T>(a, v, right))
}
