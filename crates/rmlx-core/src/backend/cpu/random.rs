//! Threefry random bits on the CPU, in MLX's layout: each key fills
//! `bytes` = width x elements bytes as `w = ceil(bytes / 4)` little-endian
//! words; with `h = w / 2` and `o = w % 2`, counter pair `(i, h + o + i)`
//! gives words `i` and `h + o + i` for `i < h`, and when `w` is odd word
//! `h` is the first word of counter pair `(h, 0)`. A last partial word keeps
//! its low bytes.

use super::iter::par_range;
use crate::array::{Array, Data};
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::random::threefry2x32;
use crate::shape::size_of;

pub(crate) fn bits(keys: &Array, width: usize, shape: &[usize]) -> Result<Data> {
    let kv: Vec<u32> = keys.to_vec()?;
    let nkeys = kv.len() / 2;
    let total = size_of(shape) * width;
    let buf = Buffer::alloc(total)?;
    if total == 0 || nkeys == 0 {
        return Ok(Data::contiguous(buf, shape));
    }
    if !total.is_multiple_of(nkeys) {
        return Err(Error::Runtime(format!("internal: {total} random bytes do not split over {nkeys} keys")));
    }
    let per_key = total / nkeys;
    let words = per_key.div_ceil(4);
    let (half, odd) = (words / 2, words % 2);
    let counters = half + odd;
    let base = buf.as_mut_ptr() as usize;
    let put = |k: usize, w: usize, v: u32| {
        let at = 4 * w;
        let n = (per_key - at).min(4);
        let b = v.to_le_bytes();
        // SAFETY: word `w` of key `k` lies inside the buffer (at < per_key),
        // and each (key, word) is written by exactly one counter.
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), (base + k * per_key + at) as *mut u8, n) };
    };
    par_range(nkeys * counters, 4096, |r| {
        for t in r {
            let (k, i) = (t / counters, t % counters);
            let key = (kv[2 * k], kv[2 * k + 1]);
            if i < half {
                let (a, b) = threefry2x32(key, (i as u32, (half + odd + i) as u32));
                put(k, i, a);
                put(k, half + odd + i, b);
            } else {
                put(k, half, threefry2x32(key, (half as u32, 0)).0);
            }
        }
    });
    Ok(Data::contiguous(buf, shape))
}
