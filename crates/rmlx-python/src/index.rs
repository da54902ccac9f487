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
}

fn opt_i64(o: &Bound<'_, PyAny>) -> PyResult<Option<i64>> {
    if o.is_none() {
        return Ok(None);
    }
    o.extract::<i64>().map(Some).map_err(|_| PyTypeError::new_err("slice indices must be integers or None"))
}

fn entry(o: &Bound<'_, PyAny>) -> PyResult<Entry> {
    if o.is_none() {
        return Ok(Entry::NewAxis);
    }
    if o.is_instance_of::<PyEllipsis>() {
        return Ok(Entry::Ellipsis);
    }
    if o.is_instance_of::<PyInt>() && !o.is_instance_of::<PyBool>() {
        return Ok(Entry::Int(o.extract()?));
    }
    if let Ok(s) = o.downcast::<PySlice>() {
        let step = opt_i64(&s.getattr("step")?)?.unwrap_or(1);
        return Ok(Entry::Slice(SliceArg::new(opt_i64(&s.getattr("start")?)?, opt_i64(&s.getattr("stop")?)?, step)));
    }
    if let Ok(a) = o.downcast::<crate::array::PyArray>() {
        let a = a.get().array();
        if a.ndim() == 0 && a.dtype().is_integer() {
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
        return Ok(Entry::Int(o.call_method0("__index__")?.extract()?));
    }
    Err(crate::errors::index_error(format!(
        "only integers, slices (`:`), ellipsis (`...`) and None (`newaxis`) are valid indices here, got {}",
        o.get_type().name()?
    )))
}

fn array_entry(a: Array, concrete: bool) -> PyResult<Entry> {
    if a.dtype() == Dtype::Bool {
        return Err(crate::errors::index_error("boolean masks are not supported as indices; use mx.where"));
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
            Entry::Array { .. } => unreachable!("advanced indices take the other path"),
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
