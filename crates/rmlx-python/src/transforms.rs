//! The transformations for Python over flat lists of arrays: `mx._vjp(fun,
//! primals, cotangents=None)`, `mx._jvp(fun, primals, tangents)`,
//! `mx._vmap(...)` and `mx._custom_call(fun, args, vjp, jvp, vmap)`.
//! `rmlx/_transforms.py` builds `grad`, `value_and_grad`, `vjp`, `jvp`,
//! `vmap`, `custom_function` and `checkpoint` with MLX's signatures and
//! pytrees on them.

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
        let rule_failure = RULE_FAILURE.with(|f| f.borrow_mut().take());
        match self.failure.borrow_mut().take().or(rule_failure) {
            Some(e) if r.is_err() => Err(e),
            _ => r.py(),
        }
    }
}

thread_local! {
    /// The Python exception raised by a custom function's rule (called by the
    /// core long after `_custom_call` returned), raised again by the
    /// transformation that called the rule.
    static RULE_FAILURE: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Calls a Python rule (with the GIL) on lists of arrays; its result is
/// read by `read`.
fn call_rule<T>(
    rule: &Py<PyAny>,
    what: &str,
    args: Vec<Vec<Array>>,
    read: impl FnOnce(&Bound<'_, PyAny>) -> PyResult<T>,
) -> rmlx_core::Result<T> {
    Python::with_gil(|py| {
        let run = || -> PyResult<T> {
            let lists: Vec<Bound<'_, PyList>> = args
                .into_iter()
                .map(|xs| {
                    let items: Vec<Py<PyArray>> = xs.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
                    PyList::new(py, items)
                })
                .collect::<PyResult<_>>()?;
            let out = rule.bind(py).call1(PyTuple::new(py, lists)?)?;
            read(&out)
        };
        run().map_err(|e| {
            let msg = e.to_string();
            RULE_FAILURE.with(|f| *f.borrow_mut() = Some(e));
            rmlx_core::Error::Runtime(format!("custom_function: the {what} failed: {msg}"))
        })
    })
}

/// `fun(args)` as a custom function. `fun` and the rules are Python
/// callables taking flat lists of arrays: `fun(inputs)`, `vjp(primals,
/// cotangents, outputs)`, `jvp(primals, tangents)`, `vmap(inputs, axes) ->
/// (outputs, axes)`. The rules given replace the derived ones; without any,
/// the function is recomputed when differentiated (`checkpoint`).
#[pyfunction]
#[pyo3(signature = (fun, args, vjp = None, jvp = None, vmap = None))]
pub fn _custom_call(
    py: Python<'_>,
    fun: &Bound<'_, PyAny>,
    args: &Bound<'_, PyAny>,
    vjp: Option<Py<PyAny>>,
    jvp: Option<Py<PyAny>>,
    vmap: Option<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    if !fun.is_callable() {
        return Err(PyTypeError::new_err("custom_function: fun must be callable"));
    }
    let args = arrays_of(args, "args")?;
    let forward: Py<PyAny> = fun.clone().unbind();
    let mut cf = rmlx_core::CustomFunction::new(move |xs| {
        call_rule(&forward, "function", vec![xs.to_vec()], |o| arrays_of(o, "the function's result"))
    });
    if let Some(rule) = vjp.filter(|r| !r.is_none(py)) {
        cf = cf.with_vjp(move |p, c, o| {
            call_rule(&rule, "vjp", vec![p.to_vec(), c.to_vec(), o.to_vec()], |r| arrays_of(r, "the vjp's result"))
        });
    }
    if let Some(rule) = jvp.filter(|r| !r.is_none(py)) {
        cf = cf.with_jvp(move |p, t| {
            call_rule(&rule, "jvp", vec![p.to_vec(), t.to_vec()], |r| arrays_of(r, "the jvp's result"))
        });
    }
    if let Some(rule) = vmap.filter(|r| !r.is_none(py)) {
        cf = cf.with_vmap(move |xs, axes| {
            let axes_list: Vec<Option<usize>> = axes.to_vec();
            Python::with_gil(|py| {
                let run = || -> PyResult<(Vec<Array>, Vec<Option<usize>>)> {
                    let items: Vec<Py<PyArray>> = xs.iter().map(|a| wrap(py, a.clone())).collect::<PyResult<_>>()?;
                    let out = rule.bind(py).call1((PyList::new(py, items)?, axes_list.clone()))?;
                    let (outs, ax): (Bound<'_, PyAny>, Vec<Option<i64>>) = out.extract().map_err(|_| {
                        PyValueError::new_err("custom_function: the vmap rule must return (outputs, axes)")
                    })?;
                    let outs = arrays_of(&outs, "the vmap rule's outputs")?;
                    let ax = ax
                        .into_iter()
                        .zip(&outs)
                        .map(|(a, o)| match a {
                            None => Ok(None),
                            Some(a) => {
                                let n = o.ndim() as i64;
                                let a2 = if a < 0 { a + n } else { a };
                                if (0..n).contains(&a2) {
                                    Ok(Some(a2 as usize))
                                } else {
                                    Err(PyValueError::new_err(format!(
                                        "custom_function: the vmap rule gave axis {a} for an output with {n} dimensions"
                                    )))
                                }
                            }
                        })
                        .collect::<PyResult<Vec<_>>>()?;
                    Ok((outs, ax))
                };
                run().map_err(|e| {
                    let msg = e.to_string();
                    RULE_FAILURE.with(|f| *f.borrow_mut() = Some(e));
                    rmlx_core::Error::Runtime(format!("custom_function: the vmap rule failed: {msg}"))
                })
            })
        });
    }
    let r = cf.call(&args);
    let rule_failure = RULE_FAILURE.with(|f| f.borrow_mut().take());
    let outs = match (r, rule_failure) {
        (Err(_), Some(e)) => return Err(e),
        (r, _) => r.py()?,
    };
    let outs: Vec<Py<PyArray>> = outs.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    PyList::new(py, outs)?.into_py_any(py)
}

/// `(outputs, tangents of the outputs)` of `fun(*primals)` for `tangents`
/// of the primals (forward mode).
#[pyfunction]
pub fn _jvp(
    py: Python<'_>,
    fun: &Bound<'_, PyAny>,
    primals: &Bound<'_, PyAny>,
    tangents: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    if !fun.is_callable() {
        return Err(PyTypeError::new_err("jvp: fun must be callable"));
    }
    let primals = arrays_of(primals, "primals")?;
    let tangents = arrays_of(tangents, "tangents")?;
    let fun = PyFun { py, fun, failure: RefCell::new(None) };
    let f = |xs: &[Array]| fun.call(xs);
    let (outs, ts) = fun.finish(rmlx_core::jvp(f, &primals, &tangents))?;
    let outs: Vec<Py<PyArray>> = outs.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    let ts: Vec<Py<PyArray>> = ts.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    (PyList::new(py, outs)?, PyList::new(py, ts)?).into_py_any(py)
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
