//! Sorting the last axis on the CPU: each element becomes an unsigned key
//! that orders as NumPy sorts (NaN last, -0.0 equal to 0.0, complex by real
//! then imaginary part), and rows are sorted stably by least-significant-
//! digit radix passes (a byte a pass; passes where every key shares the byte
//! are skipped), rows in parallel. `searchsorted` binary-searches the keys.

use super::iter::{par_rows, SendConst, SendPtr};
use super::layout::contiguous;
use crate::array::{Array, Data};
use crate::error::Result;
use crate::memory::Buffer;
use crate::shape::size_of;
use half::{bf16, f16};
use num_complex::Complex32;

pub(crate) trait RadixKey: Copy + Ord + Send + Sync + Default {
    const BYTES: usize;
    fn byte(self, i: usize) -> usize;
}
macro_rules! radix_key {
    ($($t:ty),*) => {$(
        impl RadixKey for $t {
            const BYTES: usize = std::mem::size_of::<$t>();
            #[inline(always)]
            fn byte(self, i: usize) -> usize {
                ((self >> (8 * i)) & 0xff) as usize
            }
        }
    )*};
}
radix_key!(u8, u16, u32, u64);

/// An element's sort key.
pub(crate) trait SortElem: crate::dtype::Element {
    type K: RadixKey;
    fn key(self) -> Self::K;
}

macro_rules! uint_key {
    ($($t:ty),*) => {$(
        impl SortElem for $t {
            type K = $t;
            #[inline(always)]
            fn key(self) -> $t { self }
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
        }
    )*};
}
sint_key!(i8 => u8, i16 => u16, i32 => u32, i64 => u64);

impl SortElem for bool {
    type K = u8;
    fn key(self) -> u8 {
        self as u8
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

impl SortElem for f16 {
    type K = u16;
    fn key(self) -> u16 {
        float_key!(self.to_bits(), u16, self.is_nan(), self == f16::ZERO)
    }
}
impl SortElem for bf16 {
    type K = u16;
    fn key(self) -> u16 {
        float_key!(self.to_bits(), u16, self.is_nan(), self == bf16::ZERO)
    }
}
impl SortElem for f32 {
    type K = u32;
    fn key(self) -> u32 {
        float_key!(self.to_bits(), u32, self.is_nan(), self == 0.0)
    }
}
impl SortElem for f64 {
    type K = u64;
    fn key(self) -> u64 {
        float_key!(self.to_bits(), u64, self.is_nan(), self == 0.0)
    }
}
impl SortElem for Complex32 {
    type K = u64;
    fn key(self) -> u64 {
        ((self.re.key() as u64) << 32) | self.im.key() as u64
    }
}

/// Sorts `keys` (with their original positions) stably; `tmp` is scratch
/// of the same length.
fn radix_sort<K: RadixKey>(pairs: &mut Vec<(K, u32)>, tmp: &mut Vec<(K, u32)>) {
    let n = pairs.len();
    if n <= 64 {
        pairs.sort_by_key(|p| p.0);
        return;
    }
    tmp.resize(n, (K::default(), 0));
    let mut counts = vec![[0usize; 256]; K::BYTES];
    for p in pairs.iter() {
        for (b, c) in counts.iter_mut().enumerate() {
            c[p.0.byte(b)] += 1;
        }
    }
    for (b, c) in counts.iter_mut().enumerate() {
        if c.contains(&n) {
            continue; // every key has the same byte here
        }
        let mut sum = 0;
        for x in c.iter_mut() {
            let v = *x;
            *x = sum;
            sum += v;
        }
        for p in pairs.iter() {
            let d = p.0.byte(b);
            tmp[c[d]] = *p;
            c[d] += 1;
        }
        std::mem::swap(pairs, tmp);
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
    par_rows(rows, len * 8, |range| {
        let (mut pairs, mut tmp) = (Vec::with_capacity(len), Vec::new());
        for r in range {
            // SAFETY: row r lies inside the source; rows are written by one thread each.
            let row = unsafe { std::slice::from_raw_parts(src.get().add(r * len), len) };
            pairs.clear();
            pairs.extend(row.iter().enumerate().map(|(i, v)| (v.key(), i as u32)));
            radix_sort(&mut pairs, &mut tmp);
            unsafe {
                if arg {
                    let o = std::slice::from_raw_parts_mut((dst.get() as *mut u32).add(r * len), len);
                    for (o, p) in o.iter_mut().zip(&pairs) {
                        *o = p.1;
                    }
                } else {
                    let o = std::slice::from_raw_parts_mut((dst.get() as *mut T).add(r * len), len);
                    for (o, p) in o.iter_mut().zip(&pairs) {
                        *o = row[p.1 as usize];
                    }
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
