//! Shapes, strides, broadcasting and axis normalisation: the one place where
//! negative axes and broadcast rules are handled.

use crate::error::{Error, Result};

/// Dimensions of an array, outermost first.
pub type Shape = Vec<usize>;
/// Strides in elements (may be zero for broadcasts and negative for flips).
pub type Strides = Vec<isize>;

/// Formats a shape like NumPy does: `(2, 3)`, `(4,)`, `()`.
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape.len() {
        0 => "()".into(),
        1 => format!("({},)", shape[0]),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// The most dimensions an array may have (lists nested deeper are refused
/// on conversion too).
pub const MAX_NDIM: usize = 1024;

/// Number of elements, or an error if it overflows.
pub fn checked_size(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| Error::Overflow(format!("shape {} has more elements than fit in memory", fmt_shape(shape))))
}

/// Number of elements of a shape already known to be valid.
pub fn size_of(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Row-major strides of a shape.
pub fn row_major_strides(shape: &[usize]) -> Strides {
    let mut strides = vec![0isize; shape.len()];
    let mut acc = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc = acc.wrapping_mul(shape[i].max(1) as isize);
    }
    strides
}

/// Turns a possibly negative axis into an index in `[0, ndim)`.
pub fn normalize_axis(op: &'static str, axis: i64, ndim: usize) -> Result<usize> {
    let n = ndim as i64;
    let a = if axis < 0 { axis + n } else { axis };
    if a < 0 || a >= n {
        return Err(Error::Axis { op, axis, ndim });
    }
    Ok(a as usize)
}

/// Normalises a list of axes, rejecting repeats.
pub fn normalize_axes(op: &'static str, axes: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let n = normalize_axis(op, a, ndim)?;
        if out.contains(&n) {
            return Err(Error::Value(format!("{op}: repeated axis {a} in {axes:?}")));
        }
        out.push(n);
    }
    Ok(out)
}

/// NumPy broadcasting of several shapes.
pub fn broadcast_shapes(shapes: &[&[usize]]) -> Result<Shape> {
    let ndim = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; ndim];
    for s in shapes {
        let off = ndim - s.len();
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[off + i];
            if *o == d || d == 1 {
                continue;
            }
            if *o == 1 {
                *o = d;
            } else {
                return Err(Error::Shape(format!(
                    "shapes {} cannot be broadcast together",
                    shapes.iter().map(|s| fmt_shape(s)).collect::<Vec<_>>().join(" and ")
                )));
            }
        }
    }
    Ok(out)
}

/// Strides of `shape`/`strides` seen as broadcast to `target` (zeros where broadcast).
pub fn broadcast_strides(shape: &[usize], strides: &[isize], target: &[usize]) -> Strides {
    let off = target.len() - shape.len();
    let mut out = vec![0isize; target.len()];
    for i in 0..shape.len() {
        out[off + i] = if shape[i] == 1 && target[off + i] != 1 { 0 } else { strides[i] };
    }
    out
}

/// Is this layout row-major contiguous (ignoring unit dimensions)?
pub fn is_row_contiguous(shape: &[usize], strides: &[isize]) -> bool {
    let mut expected = 1isize;
    for i in (0..shape.len()).rev() {
        if shape[i] == 1 {
            continue;
        }
        if strides[i] != expected {
            return false;
        }
        expected *= shape[i] as isize;
    }
    true
}

/// Merges dimensions that are contiguous with each other in every operand, so
/// that strided loops run over as few and as long dimensions as possible.
/// Returns the merged shape and one merged stride list per operand.
pub fn collapse_dims(shape: &[usize], strides: &[&[isize]]) -> (Shape, Vec<Strides>) {
    let mut out_shape: Shape = Vec::with_capacity(shape.len());
    let mut out_strides: Vec<Strides> = vec![Vec::with_capacity(shape.len()); strides.len()];
    for i in 0..shape.len() {
        if shape[i] == 1 {
            continue;
        }
        if let Some(&last) = out_shape.last() {
            let merge = strides
                .iter()
                .zip(out_strides.iter())
                .all(|(s, o)| *o.last().unwrap_or(&0) == s[i] * shape[i] as isize);
            if merge {
                let n = out_shape.len() - 1;
                out_shape[n] = last * shape[i];
                for (o, s) in out_strides.iter_mut().zip(strides) {
                    let m = o.len() - 1;
                    o[m] = s[i];
                }
                continue;
            }
        }
        out_shape.push(shape[i]);
        for (o, s) in out_strides.iter_mut().zip(strides) {
            o.push(s[i]);
        }
    }
    if out_shape.is_empty() {
        out_shape.push(1);
        for o in out_strides.iter_mut() {
            o.push(1);
        }
    }
    (out_shape, out_strides)
}

/// Strides that let `new_shape` read the same elements as (`shape`,
/// `strides`) without a copy, if any exist (NumPy's no-copy reshape).
pub fn reshape_strides(shape: &[usize], strides: &[isize], new_shape: &[usize]) -> Option<Strides> {
    if size_of(shape) == 0 || size_of(new_shape) == 0 {
        return Some(row_major_strides(new_shape));
    }
    let (os, ost): (Vec<usize>, Vec<isize>) =
        shape.iter().zip(strides).filter(|(&d, _)| d != 1).map(|(&d, &s)| (d, s)).unzip();
    let mut ns = vec![0isize; new_shape.len()];
    let (mut oi, mut oj, mut ni, mut nj) = (0usize, 1usize, 0usize, 1usize);
    while ni < new_shape.len() && oi < os.len() {
        let mut np = new_shape[ni];
        let mut op = os[oi];
        while np != op {
            if np < op {
                np *= *new_shape.get(nj)?;
                nj += 1;
            } else {
                op *= *os.get(oj)?;
                oj += 1;
            }
        }
        for ok in oi..oj - 1 {
            if ost[ok] != os[ok + 1] as isize * ost[ok + 1] {
                return None;
            }
        }
        ns[nj - 1] = ost[oj - 1];
        for nk in (ni + 1..nj).rev() {
            ns[nk - 1] = ns[nk] * new_shape[nk] as isize;
        }
        ni = nj;
        nj += 1;
        oi = oj;
        oj += 1;
    }
    for s in ns.iter_mut().skip(ni) {
        *s = 1;
    }
    Some(ns)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn collapse_contiguous() {
        let (s, st) = collapse_dims(&[2, 3, 4], &[&[12, 4, 1]]);
        assert_eq!(s, vec![24]);
        assert_eq!(st[0], vec![1]);
        let (s, st) = collapse_dims(&[2, 3, 4], &[&[12, 4, 1], &[0, 4, 1]]);
        assert_eq!(s, vec![2, 12]);
        assert_eq!(st[1], vec![0, 1]);
    }
}
