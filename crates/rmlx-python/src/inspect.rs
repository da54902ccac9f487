//! What arrays are made of, for `mx.export_to_dot`, `mx.get_array_buffer_size`,
//! pickling through `__getstate__`/`__setstate__`, and `iter(a)`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rmlx_core::{ops, Array, Dtype};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::array::{wrap, PyArray};
use crate::convert::to_array;
use crate::errors::Py as _;

/// The DOT text of the graph the outputs need (`mx.export_to_dot` writes it).
#[pyfunction]
pub fn _graph_dot(outputs: Vec<PyRef<'_, PyArray>>, names: Vec<(String, PyRef<'_, PyArray>)>) -> String {
    let outputs: Vec<Array> = outputs.iter().map(|a| a.array()).collect();
    let names: Vec<(String, Array)> = names.into_iter().map(|(n, a)| (n, a.array())).collect();
    rmlx_core::graph::to_dot(&outputs, &names)
}

/// The identity and size in bytes of an evaluated array's buffer (None
/// before evaluation): `mx.get_array_buffer_size` counts each buffer once.
#[pyfunction]
pub fn _buffer_of(a: PyRef<'_, PyArray>) -> Option<(usize, usize)> {
    a.array().buffer()
}

/// MLX's numbering of the dtypes, which its pickled state records.
const MLX_DTYPE_CODES: [Dtype; 14] = [
    Dtype::Bool,
    Dtype::Uint8,
    Dtype::Uint16,
    Dtype::Uint32,
    Dtype::Uint64,
    Dtype::Int8,
    Dtype::Int16,
    Dtype::Int32,
    Dtype::Int64,
    Dtype::Float16,
    Dtype::Float32,
    Dtype::Float64,
    Dtype::Bfloat16,
    Dtype::Complex64,
];

#[pymethods]
impl PyArray {
    /// `(numpy array, dtype number)` as MLX gives it: bfloat16 as its uint16 bits.
    fn __getstate__(slf: &Bound<'_, Self>) -> PyResult<Py<PyTuple>> {
        let py = slf.py();
        let a = slf.get().array();
        let code = MLX_DTYPE_CODES.iter().position(|&d| d == a.dtype()).ok_or_else(|| {
            PyTypeError::new_err(format!("__getstate__: {} has no number in MLX's pickled state", a.dtype()))
        })?;
        let data = if a.dtype() == Dtype::Bfloat16 {
            wrap(py, ops::view(&a, Dtype::Uint16).py()?)?.into_bound(py).call_method0("__array__")?
        } else {
            slf.call_method0("__array__")?
        };
        Ok(PyTuple::new(py, [data, code.into_pyobject(py)?.into_any()])?.unbind())
    }

    /// Takes the state `__getstate__` gives (this array becomes that array).
    fn __setstate__(&self, arg: &Bound<'_, PyTuple>) -> PyResult<()> {
        if arg.len() != 2 {
            return Err(PyValueError::new_err(format!(
                "__setstate__: expected (data, dtype number), got a tuple of {} items",
                arg.len()
            )));
        }
        let number = arg.get_item(1)?;
        let code: usize = number.extract().map_err(|_| {
            let got = number.repr().map(|r| r.to_string()).unwrap_or_default();
            PyTypeError::new_err(format!("__setstate__: the dtype number must be an int, got {got}"))
        })?;
        let dt = *MLX_DTYPE_CODES.get(code).ok_or_else(|| {
            PyValueError::new_err(format!("__setstate__: dtype number {code} is not one of MLX's (0 to 13)"))
        })?;
        let data = arg.get_item(0)?;
        let a = if dt == Dtype::Bfloat16 {
            ops::view(&to_array(&data, Some(Dtype::Uint16))?, Dtype::Bfloat16).py()?
        } else {
            to_array(&data, Some(dt))?
        };
        self.set(a);
        Ok(())
    }
}

/// What `iter(a)` gives: the rows of `a` along its first axis, one at a time.
#[pyclass(name = "ArrayIterator", module = "rmlx.core", frozen)]
pub struct ArrayIterator {
    array: Array,
    next: AtomicUsize,
}

impl ArrayIterator {
    pub fn new(array: Array) -> PyResult<Self> {
        if array.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d array"));
        }
        Ok(ArrayIterator { array, next: AtomicUsize::new(0) })
    }
}

#[pymethods]
impl ArrayIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyArray>>> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.array.shape()[0] {
            self.next.store(self.array.shape()[0], Ordering::Relaxed);
            return Ok(None);
        }
        let key = (i as i64).into_pyobject(py)?.into_any();
        Ok(Some(wrap(py, crate::index::getitem(&self.array, &key)?)?))
    }
}

pub fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_graph_dot, m)?)?;
    m.add_function(wrap_pyfunction!(_buffer_of, m)?)?;
    m.add_class::<ArrayIterator>()?;
    Ok(())
}
