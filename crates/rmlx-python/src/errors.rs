//! rmlx errors as Python exceptions: shapes, axes and values raise
//! ValueError; dtypes TypeError; indices IndexError; out of memory
//! MemoryError; devices and run-time failures RuntimeError.

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::PyErr;
use rmlx_core::Error;

pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Shape(_) | Error::Axis { .. } | Error::Value(_) => PyValueError::new_err(msg),
        Error::Dtype(_) => PyTypeError::new_err(msg),
        Error::Index(_) => PyIndexError::new_err(msg),
        Error::OutOfMemory(_) => PyMemoryError::new_err(msg),
        _ => PyRuntimeError::new_err(msg),
    }
}

/// `.py()` turns an rmlx result into a Python one.
pub trait Py<T> {
    fn py(self) -> pyo3::PyResult<T>;
}
impl<T> Py<T> for rmlx_core::Result<T> {
    fn py(self) -> pyo3::PyResult<T> {
        self.map_err(to_py)
    }
}
