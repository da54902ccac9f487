//! NumPy basic indexing for `array.__getitem__`: integers, slices (any
//! step), `None` and `...`.

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyEllipsis, PyInt, PySlice, PyTuple};
use rmlx_core::ops::{self, SliceArg};
use rmlx_core::Array;

use crate::errors::Py as _;

enum Entry {
    Int(i64),
    Slice(SliceArg),
    NewAxis,
    Ellipsis,
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
    if o.hasattr("__index__")? && !o.is_instance_of::<PyBool>() {
        return Ok(Entry::Int(o.call_method0("__index__")?.extract()?));
    }
    Err(PyIndexError::new_err(format!(
        "only integers, slices (`:`), ellipsis (`...`) and None (`newaxis`) are valid indices here, got {}",
        o.get_type().name()?
    )))
}

/// `a[key]` for basic keys.
pub fn getitem(a: &Array, key: &Bound<'_, PyAny>) -> PyResult<Array> {
    let entries: Vec<Entry> = if let Ok(t) = key.downcast::<PyTuple>() {
        t.iter().map(|o| entry(&o)).collect::<PyResult<_>>()?
    } else {
        vec![entry(key)?]
    };
    let ndim = a.ndim();
    let used = entries.iter().filter(|e| matches!(e, Entry::Int(_) | Entry::Slice(_))).count();
    let ellipses = entries.iter().filter(|e| matches!(e, Entry::Ellipsis)).count();
    if ellipses > 1 {
        return Err(PyIndexError::new_err("an index can only have a single ellipsis ('...')"));
    }
    if used > ndim {
        return Err(PyIndexError::new_err(format!(
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
                    return Err(PyIndexError::new_err(format!(
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
