//! Printing arrays the way MLX does: `array([[1, 2],\n       [3, 4]], dtype=int32)`.

use crate::array::Array;
use crate::dtype::Dtype;
use num_complex::Complex32;

fn fmt_float(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if v == v.trunc() && v.abs() < 1e16 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.6}");
        let s = s.trim_end_matches('0');
        s.to_string()
    }
}

fn element_strings(a: &Array) -> Result<Vec<String>, crate::Error> {
    let d = a.dtype();
    Ok(if d == Dtype::Bool {
        a.to_vec::<bool>()?.into_iter().map(|b| b.to_string()).collect()
    } else if d.is_complex() {
        a.to_vec::<Complex32>()?
            .into_iter()
            .map(|c| {
                format!(
                    "{}{}{}j",
                    fmt_float(c.re as f64),
                    if c.im < 0.0 { "-" } else { "+" },
                    fmt_float(c.im.abs() as f64)
                )
            })
            .collect()
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

/// Arrays above this many elements print only the first and last
/// `EDGE` entries of each long axis, with `...` between (as NumPy does).
const SUMMARY_THRESHOLD: usize = 1000;
const EDGE: usize = 3;

/// The part of `a` that is printed, and which axes were cut.
fn summarize(a: &Array) -> Result<(Array, Vec<bool>), crate::Error> {
    let mut x = a.clone();
    let mut cut = vec![false; a.ndim()];
    if a.size() <= SUMMARY_THRESHOLD {
        return Ok((x, cut));
    }
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

fn nest(shape: &[usize], cut: &[bool], items: &[String], width: usize, depth: usize, indent: usize) -> String {
    if shape.is_empty() {
        return items.first().cloned().unwrap_or_default();
    }
    let n = shape[0];
    let inner: usize = shape[1..].iter().product();
    let mut parts: Vec<String> = (0..n)
        .map(|i| nest(&shape[1..], &cut[1..], &items[i * inner..(i + 1) * inner], width, depth + 1, indent))
        .map(|s| if shape.len() == 1 { format!("{s:>width$}") } else { s })
        .collect();
    if cut[0] {
        parts.insert(EDGE, "...".to_string());
    }
    let sep = if shape.len() == 1 {
        ", ".to_string()
    } else {
        format!(",{}{}", "\n".repeat(shape.len() - 1), " ".repeat(indent + depth + 1))
    };
    format!("[{}]", parts.join(&sep))
}

/// The text `print` shows.
pub(crate) fn format_array(a: &Array) -> String {
    let shown = summarize(a).and_then(|(x, cut)| Ok((element_strings(&x)?, x, cut)));
    match shown {
        Ok((items, x, cut)) => {
            let width = items.iter().map(|s| s.len()).max().unwrap_or(0);
            let body = nest(x.shape(), &cut, &items, width, 0, 6);
            format!("array({body}, dtype={})", a.dtype())
        }
        Err(e) => {
            format!("array(<not computable: {e}>, shape={}, dtype={})", crate::shape::fmt_shape(a.shape()), a.dtype())
        }
    }
}
