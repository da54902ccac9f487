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

fn nest(shape: &[usize], items: &[String], width: usize, depth: usize, indent: usize) -> String {
    if shape.is_empty() {
        return items.first().cloned().unwrap_or_default();
    }
    let n = shape[0];
    let inner: usize = shape[1..].iter().product();
    let parts: Vec<String> = (0..n)
        .map(|i| nest(&shape[1..], &items[i * inner..(i + 1) * inner], width, depth + 1, indent))
        .map(|s| if shape.len() == 1 { format!("{s:>width$}") } else { s })
        .collect();
    let sep = if shape.len() == 1 {
        ", ".to_string()
    } else {
        format!(",{}{}", "\n".repeat(shape.len() - 1), " ".repeat(indent + depth + 1))
    };
    format!("[{}]", parts.join(&sep))
}

/// The text `print` shows.
pub(crate) fn format_array(a: &Array) -> String {
    match element_strings(a) {
        Ok(items) => {
            let width = items.iter().map(|s| s.len()).max().unwrap_or(0);
            let body = nest(a.shape(), &items, width, 0, 6);
            format!("array({body}, dtype={})", a.dtype())
        }
        Err(e) => {
            format!("array(<not computable: {e}>, shape={}, dtype={})", crate::shape::fmt_shape(a.shape()), a.dtype())
        }
    }
}
