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

/// Float32 steps, each rounded once: `x / y`, `x * y`, `x + y` and fused
/// `mul_add`, as the GPU kernel's `__fdiv_rn`/`__fmul_rn`/`__fadd_rn`/
/// `__fmaf_rn` (Rust never fuses on its own), so both devices agree bit for bit.
///
/// The natural log of a positive normal float32: `y = m 2^e` with `m` in
/// `[sqrt(1/2), sqrt(2))`, `log m = 2 atanh(s)`, `s = (m - 1) / (m + 1)`, as
/// an odd series in `s` (|s| < 0.172); `e ln 2` in two parts.
#[inline(always)]
fn log_f32(y: f32) -> f32 {
    let bits = y.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    if m > std::f32::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut p = 1.0 / 11.0f32;
    p = p.mul_add(z, 1.0 / 9.0);
    p = p.mul_add(z, 1.0 / 7.0);
    p = p.mul_add(z, 1.0 / 5.0);
    p = p.mul_add(z, 1.0 / 3.0);
    let t = 2.0 * s;
    let lm = t.mul_add(z * p, t);
    let ef = e as f32;
    // ln 2 as 0x3f317200 (so e * LN2_HI is exact) plus the rest.
    let ln2_hi = f32::from_bits(0x3f31_7200);
    let ln2_lo = f32::from_bits(0x35bf_be8e);
    ef.mul_add(ln2_hi, ef.mul_add(ln2_lo, lm))
}

/// erfinv in float32 (M. Giles, "Approximating the erfinv function", 2010:
/// the single-precision polynomials, digits as published), with `log_f32`.
#[allow(clippy::excessive_precision)]
#[inline(always)]
fn erfinv_f32(x: f32) -> f32 {
    let mut w = -log_f32((-x).mul_add(x, 1.0));
    let p = if w < 5.0 {
        w -= 2.5;
        let mut p = 2.81022636e-08f32;
        for c in [
            3.43273939e-07,
            -3.5233877e-06,
            -4.39150654e-06,
            0.00021858087,
            -0.00125372503,
            -0.00417768164,
            0.246640727,
            1.50140941,
        ] {
            p = p.mul_add(w, c);
        }
        p
    } else {
        w = w.sqrt() - 3.0;
        let mut p = -0.000200214257f32;
        for c in [
            0.000100950558,
            0.00134934322,
            -0.00367342844,
            0.00573950773,
            -0.0076224613,
            0.00943887047,
            1.00167406,
            2.83297682,
        ] {
            p = p.mul_add(w, c);
        }
        p
    };
    p * x
}

/// One word of random bits as a standard normal (see `Primitive::RandomNormal`).
#[inline(always)]
pub(crate) fn normal_of_bits(b: u32) -> f32 {
    let u = (b as f32 * (1.0 / 4_294_967_296.0)).min(1.0 - f32::EPSILON / 2.0);
    let v = 2.0 * u + (-1.0 + f32::EPSILON / 2.0);
    std::f32::consts::SQRT_2 * erfinv_f32(v)
}

/// `Primitive::RandomNormal`: the bits of `bits(keys, 4, shape)`, each mapped
/// by `normal_of_bits`.
pub(crate) fn normal(keys: &Array, shape: &[usize]) -> Result<Data> {
    let d = bits(keys, 4, shape)?;
    let n = size_of(shape);
    let base = d.buf.as_mut_ptr() as usize;
    par_range(n, 16384, |r| {
        // SAFETY: the buffer holds n words, fresh and owned by this call; the
        // ranges are disjoint.
        let words = unsafe { std::slice::from_raw_parts_mut((base as *mut u32).add(r.start), r.len()) };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has FMA, checked just above.
            unsafe { normals_fma(words) };
            return;
        }
        normals(words);
    });
    Ok(d)
}

#[inline(always)]
fn normals(words: &mut [u32]) {
    for w in words {
        *w = normal_of_bits(*w).to_bits();
    }
}

/// `normals` with the FMA instructions (else `mul_add` is a library call);
/// the same results, as a fused multiply-add rounds once either way.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn normals_fma(words: &mut [u32]) {
    normals(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The float32 normal of every kind of word is sqrt(2) erfinv of the same
    /// uniform in double precision, to a few float32 ulps (the tails included).
    #[test]
    fn normal_of_bits_is_close_to_the_double_precision_value() {
        let mut words: Vec<u32> =
            vec![0, 1, 255, 256, 1 << 31, (1 << 31) - 1, u32::MAX, u32::MAX - 255, u32::MAX - 256];
        let mut s = 0x9E37_79B9u32;
        for _ in 0..200_000 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            words.push(s);
        }
        for &b in &words {
            let u = (b as f32 * (1.0 / 4_294_967_296.0)).min(1.0 - f32::EPSILON / 2.0);
            let v = 2.0 * u + (-1.0 + f32::EPSILON / 2.0);
            let want = std::f64::consts::SQRT_2 * super::super::scalar::erfinv_f64(v as f64);
            let got = normal_of_bits(b) as f64;
            let tol = 4e-7 * want.abs().max(0.25);
            assert!((got - want).abs() <= tol, "word {b}: got {got}, want {want}");
        }
        // The extremes: about +-5.42 (the uniform's ends are 1 - 2^-24 and -1 + 2^-24).
        assert!(normal_of_bits(u32::MAX) > 5.3 && normal_of_bits(0) < -5.3);
    }

    #[test]
    fn the_fma_path_equals_the_portable_one() {
        let mut s = 0x2545_F491u32;
        let words: Vec<u32> = (0..100_000)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s
            })
            .chain([0, 1, u32::MAX, 1 << 31])
            .collect();
        let mut a = words.clone();
        normals(&mut a);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("fma") {
            let mut b = words.clone();
            // SAFETY: the CPU has FMA.
            unsafe { normals_fma(&mut b) };
            assert_eq!(a, b);
        }
        assert!(a.iter().all(|w| f32::from_bits(*w).is_finite()));
    }

    #[test]
    fn log_f32_is_close_to_ln() {
        let mut y = 2f32.powi(-30);
        while y < 4.0 {
            let want = (y as f64).ln();
            let got = log_f32(y) as f64;
            assert!((got - want).abs() <= 2.5e-7 * want.abs().max(1.0), "log({y}): got {got}, want {want}");
            y *= 1.000_37;
        }
    }
}
