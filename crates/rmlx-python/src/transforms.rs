//! The reverse-mode transformation for Python: `mx._vjp(fun, primals,
//! cotangents=None)` over flat lists of arrays. `rmlx/_transforms.py` builds
//! `grad`, `value_and_grad` and `vjp` with MLX's signatures and pytrees on it.

use std::cell::RefCell;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::{ops, Array};

use crate::array::{wrap, PyArray};
use crate::errors::Py as _;

fn arrays_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Array>> {
    let items: Vec<Bound<'_, PyAny>> = if let Ok(a) = obj.downcast::<PyArray>() {
        return Ok(vec![a.get().array()]);
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.collect::<PyResult<_>>()?
    } else {
        return Err(PyValueError::new_err(format!(
            "{what} must be an array or a list or tuple of arrays, got {}",
            obj.get_type().name()?
        )));
    };
    items
        .iter()
        .map(|o| {
            o.downcast::<PyArray>().map(|a| a.get().array()).map_err(|_| {
                PyValueError::new_err(format!(
                    "{what} must hold only arrays, got {}",
                    o.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ))
            })
        })
        .collect()
}

/// A Python function called by a Rust transform on lists of arrays; a
/// Python exception it raises is kept and re-raised once the transform returns.
struct PyFun<'a, 'py> {
    py: Python<'py>,
    fun: &'a Bound<'py, PyAny>,
    failure: RefCell<Option<PyErr>>,
}

impl PyFun<'_, '_> {
    fn call(&self, xs: &[Array]) -> rmlx_core::Result<Vec<Array>> {
        let keep = |e: PyErr| {
            *self.failure.borrow_mut() = Some(e);
            rmlx_core::Error::Runtime("the Python function failed".into())
        };
        let args: Vec<Py<PyArray>> =
            xs.iter().map(|a| wrap(self.py, a.clone())).collect::<PyResult<_>>().map_err(keep)?;
        let out = self.fun.call1(PyTuple::new(self.py, args).map_err(keep)?).map_err(keep)?;
        arrays_of(&out, "the function's result").map_err(keep)
    }
    /// The transform's result, or the Python exception that stopped it.
    fn finish<T>(&self, r: rmlx_core::Result<T>) -> PyResult<T> {
        match self.failure.borrow_mut().take() {
            Some(e) => Err(e),
            None => r.py(),
        }
    }
}

/// `(outputs, cotangents of primals)` of `fun(*primals)`. Without
/// `cotangents`, the first output must be a scalar and gets 1, the others 0.
#[pyfunction]
#[pyo3(signature = (fun, primals, cotangents = None))]
pub fn _vjp(
    py: Python<'_>,
    fun: &Bound<'_, PyAny>,
    primals: &Bound<'_, PyAny>,
    cotangents: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    if !fun.is_callable() {
        return Err(PyTypeError::new_err("vjp: fun must be callable"));
    }
    let primals = arrays_of(primals, "primals")?;
    let cts = match cotangents {
        Some(c) if !c.is_none() => Some(arrays_of(c, "cotangents")?),
        _ => None,
    };
    let fun = PyFun { py, fun, failure: RefCell::new(None) };
    let f = |xs: &[Array]| fun.call(xs);
    let make = |outs: &[Array]| -> rmlx_core::Result<Vec<Array>> {
        match &cts {
            Some(c) => Ok(c.clone()),
            None => {
                let first = outs
                    .first()
                    .ok_or_else(|| rmlx_core::Error::Value("grad: the function returned nothing".into()))?;
                if first.ndim() != 0 {
                    return Err(rmlx_core::Error::Value(format!(
                        "grad: the function must return a scalar (a 0-d array), got shape {}",
                        rmlx_core::shape::fmt_shape(first.shape())
                    )));
                }
                let mut v = vec![ops::ones(&[], first.dtype())?];
                for o in &outs[1..] {
                    v.push(ops::zeros(o.shape(), o.dtype())?);
                }
                Ok(v)
            }
        }
    };
    let (outs, grads) = fun.finish(rmlx_core::vjp_with(f, &primals, make))?;
    let outs: Vec<Py<PyArray>> = outs.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    let grads: Vec<Py<PyArray>> = grads.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    (PyList::new(py, outs)?, PyList::new(py, grads)?).into_py_any(py)
}

/// `fun(*inputs)` mapped over axis `in_axes[i]` of each input (None: not
/// mapped), the outputs with the batch on `out_axes` (one entry for all, or
/// one per output).
#[pyfunction]
pub fn _vmap(
    py: Python<'_>,
    fun: &Bound<'_, PyAny>,
    inputs: &Bound<'_, PyAny>,
    in_axes: Vec<Option<usize>>,
    out_axes: Vec<usize>,
) -> PyResult<Py<PyAny>> {
    if !fun.is_callable() {
        return Err(PyTypeError::new_err("vmap: fun must be callable"));
    }
    let inputs = arrays_of(inputs, "inputs")?;
    let fun = PyFun { py, fun, failure: RefCell::new(None) };
    let f = |xs: &[Array]| fun.call(xs);
    let outs: Vec<Py<PyArray>> = fun
        .finish(rmlx_core::vmap(f, &inputs, &in_axes, &out_axes))?
        .into_iter()
        .map(|a| wrap(py, a))
        .collect::<PyResult<_>>()?;
    PyList::new(py, outs)?.into_py_any(py)
}
