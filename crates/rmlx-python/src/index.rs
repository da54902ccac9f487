//! NumPy indexing for `array.__getitem__`: integers, slices (any step),
//! `None`, `...`, and integer arrays (mx.array, NumPy arrays, lists), mixed
//! with basic indices and placed as NumPy places them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PyList, PySlice, PyTuple};
use rmlx_core::ops::{self, SliceArg};
use rmlx_core::{Array, Dtype};

use crate::errors::Py as _;

enum Entry {
    Int(i64),
    Slice(SliceArg),
    NewAxis,
    Ellipsis,
    /// An integer array index; `concrete` when its values came from Python
    /// (so bounds can be checked now).
    Array {
        a: Array,
        concrete: bool,
    },
    /// A boolean mask over as many axes as it has: it selects the positions
    /// where it is true (its values are read now, so not inside `vmap`).
    Mask(Array),
}

/// Masks replaced by the integer arrays of their true positions, one per
/// axis they cover (NumPy's rule), checked against `a`'s shape.
fn expand_masks(a: &Array, entries: Vec<Entry>) -> PyResult<Vec<Entry>> {
    if !entries.iter().any(|e| matches!(e, Entry::Mask(_))) {
        return Ok(entries);
    }
    let covered = |e: &Entry| match e {
        Entry::Int(_) | Entry::Slice(_) | Entry::Array { .. } => 1,
        Entry::Mask(m) => m.ndim(),
        _ => 0,
    };
    let used: usize = entries.iter().map(covered).sum();
    let mut axis = 0usize;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        match e {
            Entry::Mask(m) => {
                let k = m.ndim();
                if axis + k > a.ndim() || m.shape() != &a.shape()[axis..axis + k] {
                    return Err(crate::errors::index_error(format!(
                        "boolean index of shape {} does not match the indexed axes of an array of shape {} \
                         (from axis {axis})",
                        rmlx_core::shape::fmt_shape(m.shape()),
                        rmlx_core::shape::fmt_shape(a.shape())
                    )));
                }
                let values = m.to_vec::<bool>().py()?;
                let mut coords: Vec<Vec<i64>> = vec![Vec::new(); k];
                for (flat, _) in values.iter().enumerate().filter(|(_, &v)| v) {
                    let mut r = flat;
                    for d in (0..k).rev() {
                        coords[d].push((r % m.shape()[d]) as i64);
                        r /= m.shape()[d];
                    }
                }
                for c in coords {
                    let n = c.len();
                    out.push(Entry::Array { a: Array::from_slice(&c, &[n]).py()?, concrete: true });
                }
                axis += k;
            }
            Entry::Ellipsis => {
                axis += a.ndim().saturating_sub(used);
                out.push(e);
            }
            e => {
                axis += covered(&e);
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// An integer index or slice bound: MLX refuses those beyond int32 (a
/// ValueError; `IndexingError` is one).
fn index_int(o: &Bound<'_, PyAny>) -> PyResult<i64> {
    let v: i64 = o.extract().map_err(|_| crate::errors::index_error(format!("index {o} does not fit in 32 bits")))?;
    if i32::try_from(v).is_err() {
        return Err(crate::errors::index_error(format!("indices must be 32-bit integers, got {v}")));
    }
    Ok(v)
}

fn opt_i64(o: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if o.is_none() {
        return Ok(None);
    }
    if !o.is_instance_of::<PyInt>() && !o.hasattr("__index__")? {
        return Err(PyTypeError::new_err("slice indices must be integers or None"));
    }
    index_int(&o.call_method0("__index__")?).map(Some)
}

fn entry(o: &Bound<'_, PyAny>) -> PyResult<Entry> {
    if o.is_none() {
        return Ok(Entry::NewAxis);
    }
    if o.is_instance_of::<PyEllipsis>() {
        return Ok(Entry::Ellipsis);
    }
    if o.is_instance_of::<PyInt>() && !o.is_instance_of::<PyBool>() {
        return Ok(Entry::Int(index_int(o)?));
    }
    if let Ok(s) = o.downcast::<PySlice>() {
        let step = opt_i64(&s.getattr("step")?)?.unwrap_or(1);
        return Ok(Entry::Slice(SliceArg::new(opt_i64(&s.getattr("start")?)?, opt_i64(&s.getattr("stop")?)?, step)));
    }
    if let Ok(a) = o.downcast::<crate::array::PyArray>() {
        let a = a.get().array();
        // An evaluated 0-d index is read now (a slice, checked); a pending one
        // (a traced value, an input vmap maps) is gathered, as any array index.
        if a.ndim() == 0 && a.dtype().is_integer() && a.is_evaluated() {
            return Ok(Entry::Int(a.item::<i64>().py()?));
        }
        return array_entry(a, false);
    }
    if o.is_instance_of::<PyList>() || o.hasattr("__array_interface__")? {
        let a = crate::convert::to_array(o, None)?;
        if a.size() == 0 && !a.dtype().is_integer() {
            // An empty list indexes nothing: int32 indices of its shape.
            return array_entry(ops::astype(&a, Dtype::Int32).py()?, true);
        }
        return array_entry(a, true);
    }
    if o.hasattr("__index__")? && !o.is_instance_of::<PyBool>() {
        return Ok(Entry::Int(index_int(&o.call_method0("__index__")?)?));
    }
    Err(crate::errors::index_error(format!(
        "only integers, slices (`:`), ellipsis (`...`) and None (`newaxis`) are valid indices here, got {}",
        o.get_type().name()?
    )))
}

fn array_entry(a: Array, concrete: bool) -> PyResult<Entry> {
    if a.dtype() == Dtype::Bool {
        if a.ndim() == 0 {
            return Err(crate::errors::index_error("a 0-d boolean index is not supported; use a boolean array"));
        }
        return Ok(Entry::Mask(a));
    }
    if !a.dtype().is_integer() {
        return Err(crate::errors::index_error(format!("arrays used as indices must be integers, got {}", a.dtype())));
    }
    Ok(Entry::Array { a, concrete })
}

/// `a[key]`.
pub fn getitem(a: &Array, key: &Bound<'_, PyAny>) -> PyResult<Array> {
    let entries: Vec<Entry> = if let Ok(t) = key.downcast::<PyTuple>() {
        t.iter().map(|o| entry(&o)).collect::<PyResult<_>>()?
    } else {
        vec![entry(key)?]
    };
    let entries = expand_masks(a, entries)?;
    let ndim = a.ndim();
    let used = entries.iter().filter(|e| matches!(e, Entry::Int(_) | Entry::Slice(_) | Entry::Array { .. })).count();
    if entries.iter().any(|e| matches!(e, Entry::Array { .. })) {
        return advanced(a, entries, used);
    }
    let ellipses = entries.iter().filter(|e| matches!(e, Entry::Ellipsis)).count();
    if ellipses > 1 {
        return Err(crate::errors::index_error("an index can only have a single ellipsis ('...')"));
    }
    if used > ndim {
        return Err(crate::errors::index_error(format!(
            "too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
        )));
    }
    // Per input axis, its slice; the output shape in order.
    let mut args: Vec<SliceArg> = Vec::with_capacity(ndim);
    let mut layout: Vec<Option<usize>> = Vec::new(); // Some(axis) keeps that axis, None is a new axis
    let mut axis = 0usize;
    for e in &entries {
        match e {
            Entry::Int(i) => {
                let n = a.shape()[axis] as i64;
                let j = if *i < 0 { i + n } else { *i };
                if j < 0 || j >= n {
                    return Err(crate::errors::index_error(format!(
                        "index {i} is out of bounds for axis {axis} with size {n}"
                    )));
                }
                args.push(SliceArg::range(j, j + 1));
                axis += 1;
            }
            Entry::Slice(s) => {
                args.push(*s);
                layout.push(Some(axis));
                axis += 1;
            }
            Entry::NewAxis => layout.push(None),
            Entry::Array { .. } | Entry::Mask(_) => unreachable!("advanced indices take the other path"),
            Entry::Ellipsis => {
                for _ in 0..ndim - used {
                    args.push(SliceArg::full());
                    layout.push(Some(axis));
                    axis += 1;
                }
            }
        }
    }
    while axis < ndim {
        args.push(SliceArg::full());
        layout.push(Some(axis));
        axis += 1;
    }
    let sliced = ops::slice(a, &args).py()?;
    let shape: Vec<i64> = layout.iter().map(|l| l.map_or(1, |ax| sliced.shape()[ax] as i64)).collect();
    if shape.iter().map(|&d| d as usize).collect::<Vec<_>>() == sliced.shape() {
        return Ok(sliced);
    }
    ops::reshape(&sliced, &shape).py()
}

/// Keys with integer arrays: NumPy's rules. Basic entries apply first (the
/// advanced ones keep their axis); then the advanced indices (integers
/// among them count as 0-d arrays) broadcast together, the axes they index
/// become one flat axis that `take` reads, and the broadcast dimensions go
/// where the first advanced axis was if the advanced indices are adjacent,
/// else first.
fn advanced(a: &Array, entries: Vec<Entry>, used: usize) -> PyResult<Array> {
    let ndim = a.ndim();
    if used > ndim {
        return Err(crate::errors::index_error(format!(
            "too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
        )));
    }
    if entries.iter().filter(|e| matches!(e, Entry::Ellipsis)).count() > 1 {
        return Err(crate::errors::index_error("an index can only have a single ellipsis ('...')"));
    }
    let mut args: Vec<SliceArg> = Vec::with_capacity(ndim);
    // Per dimension of the sliced array with new axes: Some(index) for advanced ones.
    let mut layout: Vec<(Option<usize>, Option<Array>)> = Vec::new();
    let mut axis = 0usize;
    for e in entries {
        match e {
            Entry::Slice(s) => {
                args.push(s);
                layout.push((Some(axis), None));
                axis += 1;
            }
            Entry::NewAxis => layout.push((None, None)),
            Entry::Ellipsis => {
                for _ in 0..ndim - used {
                    args.push(SliceArg::full());
                    layout.push((Some(axis), None));
                    axis += 1;
                }
            }
            Entry::Int(i) => {
                let n = a.shape()[axis] as i64;
                if i < -n || i >= n {
                    return Err(crate::errors::index_error(format!(
                        "index {i} is out of bounds for axis {axis} with size {n}"
                    )));
                }
                args.push(SliceArg::full());
                layout.push((Some(axis), Some(Array::scalar(i).py()?)));
                axis += 1;
            }
            Entry::Mask(_) => unreachable!("masks are expanded first"),
            Entry::Array { a: idx, concrete } => {
                let n = a.shape()[axis] as i64;
                if concrete && idx.size() > 0 {
                    let lo = ops::min(&idx, rmlx_core::Axes::All, false).py()?.item::<i64>().py()?;
                    let hi = ops::max(&idx, rmlx_core::Axes::All, false).py()?.item::<i64>().py()?;
                    if lo < -n || hi >= n {
                        let bad = if lo < -n { lo } else { hi };
                        return Err(crate::errors::index_error(format!(
                            "index {bad} is out of bounds for axis {axis} with size {n}"
                        )));
                    }
                }
                args.push(SliceArg::full());
                layout.push((Some(axis), Some(idx)));
                axis += 1;
            }
        }
    }
    while axis < ndim {
        args.push(SliceArg::full());
        layout.push((Some(axis), None));
        axis += 1;
    }
    let sliced = ops::slice(a, &args).py()?;
    let shape: Vec<i64> = layout.iter().map(|(ax, _)| ax.map_or(1, |x| sliced.shape()[x] as i64)).collect();
    let b = ops::reshape(&sliced, &shape).py()?;
    let adv: Vec<usize> = (0..layout.len()).filter(|&d| layout[d].1.is_some()).collect();
    let rest: Vec<usize> = (0..layout.len()).filter(|&d| layout[d].1.is_none()).collect();
    let indices: Vec<Array> = adv.iter().map(|&d| layout[d].1.clone().expect("advanced")).collect();
    let indices = ops::broadcast_arrays(&indices).py()?;
    // Advanced axes first, merged into one.
    let perm: Vec<i64> = adv.iter().chain(&rest).map(|&d| d as i64).collect();
    let moved = ops::transpose(&b, &perm).py()?;
    let sizes: Vec<i64> = adv.iter().map(|&d| b.shape()[d] as i64).collect();
    let merged_len: i64 = sizes.iter().product();
    let mut merged_shape = vec![merged_len];
    merged_shape.extend(rest.iter().map(|&d| b.shape()[d] as i64));
    let merged = ops::reshape(&moved, &merged_shape).py()?;
    // The flat index: each index wrapped (negative from the end), clamped into its axis, then combined.
    let mut flat: Option<Array> = None;
    for (idx, &n) in indices.iter().zip(&sizes) {
        let i = ops::astype(idx, Dtype::Int64).py()?;
        let wrapped = ops::where_(ops::less(&i, 0i64).py()?, ops::add(&i, n).py()?, &i).py()?;
        let clamped = ops::clip(&wrapped, Some(0i64.into()), Some((n - 1).max(0).into())).py()?;
        flat = Some(match flat {
            None => clamped,
            Some(f) => ops::add(ops::multiply(&f, n).py()?, &clamped).py()?,
        });
    }
    let flat = flat.expect("at least one advanced index");
    let taken = ops::take(&merged, &flat, Some(0)).py()?;
    // Adjacent advanced indices: their dimensions go where the first one was.
    let adjacent = adv.windows(2).all(|w| w[1] == w[0] + 1);
    let first = adv[0];
    if !adjacent || first == 0 {
        return Ok(taken);
    }
    let bdims = flat.ndim();
    let before = rest.iter().filter(|&&d| d < first).count();
    let mut perm: Vec<i64> = Vec::new();
    perm.extend((bdims..bdims + before).map(|x| x as i64));
    perm.extend((0..bdims).map(|x| x as i64));
    perm.extend((bdims + before..taken.ndim()).map(|x| x as i64));
    ops::transpose(&taken, &perm).py()
}
