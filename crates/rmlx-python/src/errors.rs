//! rmlx errors as Python exceptions: shapes, values and unsupported dtypes
//! raise ValueError (as MLX), axes NumPy's AxisError (a ValueError); indices IndexError; out of memory
//! MemoryError; devices and run-time failures RuntimeError.

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::PyErr;
use rmlx_core::Error;

pub fn to_py(e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        // As MLX: unsupported dtypes are a ValueError too.
        Error::Shape(_) | Error::Value(_) | Error::Dtype(_) => PyValueError::new_err(msg),
        // NumPy's AxisError (a ValueError and an IndexError) when NumPy is there.
        Error::Axis { .. } => {
            Python::with_gil(|py| match py.import("numpy.exceptions").and_then(|m| m.getattr("AxisError")) {
                Ok(cls) => match cls.call1((msg.clone(),)) {
                    Ok(inst) => PyErr::from_value(inst),
                    Err(_) => PyValueError::new_err(msg),
                },
                Err(_) => PyValueError::new_err(msg),
            })
        }
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
