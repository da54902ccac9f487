//! rmlx errors as Python exceptions: shapes, values and unsupported dtypes
//! raise ValueError (as MLX), axes NumPy's AxisError (a ValueError); indices IndexingError (a
//! ValueError as in MLX and an IndexError as in NumPy); out of memory
//! MemoryError; sizes and integers that do not fit OverflowError; devices and run-time failures RuntimeError.

use pyo3::exceptions::{PyIndexError, PyMemoryError, PyOverflowError, PyRuntimeError, PyValueError};
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
        Error::Index(_) => index_error(msg),
        Error::OutOfMemory(_) => PyMemoryError::new_err(msg),
        Error::Overflow(_) => PyOverflowError::new_err(msg),
        _ => PyRuntimeError::new_err(msg),
    }
}

static INDEX_ERROR: pyo3::sync::GILOnceCell<pyo3::Py<pyo3::types::PyType>> = pyo3::sync::GILOnceCell::new();

/// `rmlx.core.IndexingError`: a bad index. MLX raises ValueError for these
/// (too many indices, an index of a wrong type, a float or bool index
/// array), NumPy IndexError; the class is both, so code written for either
/// catches it.
pub fn indexing_error_type(py: Python<'_>) -> PyResult<&Bound<'_, pyo3::types::PyType>> {
    let t = INDEX_ERROR.get_or_try_init(py, || -> PyResult<_> {
        let dict = pyo3::types::PyDict::new(py);
        dict.set_item("__module__", "rmlx.core")?;
        dict.set_item(
            "__doc__",
            "A bad index: both a ValueError (as MLX raises) and an IndexError (as NumPy raises).",
        )?;
        let bases = (py.get_type::<PyValueError>(), py.get_type::<PyIndexError>());
        let t = py.get_type::<pyo3::types::PyType>().call1(("IndexingError", bases, dict))?;
        Ok(t.downcast_into::<pyo3::types::PyType>()?.unbind())
    })?;
    Ok(t.bind(py))
}

/// An `IndexingError` with `msg`.
pub fn index_error(msg: impl Into<String>) -> PyErr {
    let msg = msg.into();
    Python::with_gil(|py| match indexing_error_type(py) {
        Ok(t) => PyErr::from_type(t.clone(), msg),
        Err(e) => e,
    })
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
