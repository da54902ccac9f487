//! Printing arrays the way MLX does: `array([[1, 2],\n       [3, 4]], dtype=int32)`,
//! numbers as C's `%g` writes them, without padding.
//! `fmt_float` is public for the Python package, which prints limits the same way.

use crate::array::Array;
use crate::dtype::Dtype;
use num_complex::Complex32;

/// A number as C's `%g` writes it with 6 significant digits (MLX prints
/// through C++ streams at their default precision): `2.71828`, `1e-08`,
/// `1e+20`, `123457`, `-0`.
pub fn fmt_float(v: f64) -> String {
    // A precision set: fixed notation with that many decimals (as MLX prints then).
    let p = get_print_precision();
    if p >= 0 && v.is_finite() {
        return format!("{:.*}", p.min(30) as usize, v);
    }
    fmt_float_digits(v, 6)
}

/// The decimals arrays print with (`mx.set_printoptions(precision=)`, fixed
/// notation); negative: the default, 6 significant digits as `%g`.
static PRECISION: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// Sets the decimals arrays print with (negative restores the default).
pub fn set_print_precision(p: i32) {
    PRECISION.store(p, std::sync::atomic::Ordering::Relaxed);
}

/// The precision `set_print_precision` set (-1 for the default).
pub fn get_print_precision() -> i32 {
    PRECISION.load(std::sync::atomic::Ordering::Relaxed)
}

/// `v` as `%g` with `PREC` significant digits.
pub fn fmt_float_digits(v: f64, prec: i32) -> String {
    #[allow(non_snake_case)]
    let PREC: i32 = prec.max(1);
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // The exponent after rounding to PREC significant digits.
    let sci = format!("{:.*e}", (PREC - 1) as usize, v);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |t: &str| -> String {
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t.to_string()
        }
    };
    if !(-4..PREC).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mant), exp.abs())
    } else {
        trim(&format!("{:.*}", (PREC - 1 - exp) as usize, v))
    }
}

fn fmt_complex(c: Complex32) -> String {
    let im = c.im as f64;
    let sign = if im.is_sign_negative() { "-" } else { "+" };
    format!("{}{sign}{}j", fmt_float(c.re as f64), fmt_float(im.abs()))
}

fn element_strings(a: &Array) -> Result<Vec<String>, crate::Error> {
    let d = a.dtype();
    Ok(if d == Dtype::Bool {
        a.to_vec::<bool>()?.into_iter().map(|b| if b { "True" } else { "False" }.to_string()).collect()
    } else if d.is_complex() {
        a.to_vec::<Complex32>()?.into_iter().map(fmt_complex).collect()
    } else if d.is_integer() {
        if d == Dtype::Uint64 {
            a.to_vec::<u64>()?.into_iter().map(|v| v.to_string()).collect()
        } else {
            a.to_vec::<i64>()?.into_iter().map(|v| v.to_string()).collect()
        }
    } else if d == Dtype::Float32 || d.size() == 2 {
        a.to_vec::<f32>()?.into_iter().map(|v| fmt_float(v as f64)).collect()
    } else {
        a.to_vec::<f64>()?.into_iter().map(fmt_float).collect()
    })
}

/// Any axis longer than `2 * EDGE` prints only its first and last `EDGE`
/// entries, with `...` between, whatever the array's size (as MLX does:
/// `array([0, 1, 2, ..., 4, 5, 6], dtype=int32)` for `arange(7)`).
const EDGE: usize = 3;

/// The part of `a` that is printed, and which axes were cut.
fn summarize(a: &Array) -> Result<(Array, Vec<bool>), crate::Error> {
    let mut x = a.clone();
    let mut cut = vec![false; a.ndim()];
    for (ax, c) in cut.iter_mut().enumerate() {
        let n = a.shape()[ax] as i64;
        if n > 2 * EDGE as i64 {
            let e = EDGE as i64;
            let head = crate::ops::slice_axis(&x, ax as i64, crate::ops::SliceArg::range(0, e))?;
            let tail = crate::ops::slice_axis(&x, ax as i64, crate::ops::SliceArg::range(n - e, n))?;
            x = crate::ops::concatenate(&[head, tail], ax as i64)?;
            *c = true;
        }
    }
    Ok((x, cut))
}

fn nest(shape: &[usize], cut: &[bool], items: &[String], depth: usize, indent: usize) -> String {
    if shape.is_empty() {
        return items.first().cloned().unwrap_or_default();
    }
    let n = shape[0];
    let inner: usize = shape[1..].iter().product();
    let mut parts: Vec<String> =
        (0..n).map(|i| nest(&shape[1..], &cut[1..], &items[i * inner..(i + 1) * inner], depth + 1, indent)).collect();
    if cut[0] {
        parts.insert(EDGE, "...".to_string());
    }
    let sep = if shape.len() == 1 { ", ".to_string() } else { format!(",\n{}", " ".repeat(indent + depth + 1)) };
    format!("[{}]", parts.join(&sep))
}

/// The text `print` shows.
pub(crate) fn format_array(a: &Array) -> String {
    if a.size() == 0 {
        return format!("array([], dtype={})", a.dtype());
    }
    let shown = summarize(a).and_then(|(x, cut)| Ok((element_strings(&x)?, x, cut)));
    match shown {
        Ok((items, x, cut)) => {
            let body = nest(x.shape(), &cut, &items, 0, 6);
            format!("array({body}, dtype={})", a.dtype())
        }
        Err(e) => {
            format!("array(<not computable: {e}>, shape={}, dtype={})", crate::shape::fmt_shape(a.shape()), a.dtype())
        }
    }
}
