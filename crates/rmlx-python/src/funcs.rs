//! The functions of `rmlx.core`: creation, math, reductions, shapes,
//! evaluation, memory, devices. Every op takes `stream=` as MLX's do.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rmlx_core::Array;

use crate::array::PyArray;
use crate::device::{device_of, stream_arg, usable_device, PyDevice, PyStream};
use crate::dtype::{dtype_like, PyDtype};
use crate::errors::Py as _;

type Obj<'py> = Bound<'py, PyAny>;

fn ints(o: &Obj<'_>) -> PyResult<Vec<i64>> {
    if let Ok(i) = o.extract::<i64>() {
        return Ok(vec![i]);
    }
    o.extract::<Vec<i64>>().map_err(|_| PyTypeError::new_err("expected an int or a sequence of ints"))
}

pub(crate) fn shape_of(o: &Obj<'_>) -> PyResult<Vec<usize>> {
    ints(o)?
        .into_iter()
        .map(|d| {
            usize::try_from(d).map_err(|_| PyValueError::new_err(format!("a shape cannot hold the negative size {d}")))
        })
        .collect()
}

// ---------------------------------------------------------------- creation

// ---------------------------------------------------------------- elementwise

// ---------------------------------------------------------------- reductions

// ---------------------------------------------------------------- shapes

// ---------------------------------------------------------------- evaluation

/// Arrays found in nested lists, tuples and dicts (other leaves are ignored).
fn collect(o: &Obj<'_>, out: &mut Vec<Array>) -> PyResult<()> {
    if let Ok(a) = o.downcast::<PyArray>() {
        out.push(a.get().array());
    } else if o.is_instance_of::<PyList>() || o.is_instance_of::<PyTuple>() {
        for x in o.try_iter()? {
            collect(&x?, out)?;
        }
    } else if let Ok(d) = o.downcast::<PyDict>() {
        for (_, v) in d.iter() {
            collect(&v, out)?;
        }
    }
    Ok(())
}

/// Evaluates the arrays in the arguments (nested lists, tuples, dicts).
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn eval(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
    let mut v = Vec::new();
    collect(args.as_any(), &mut v)?;
    py.allow_threads(move || rmlx_core::eval(&v)).py()
}

/// Starts evaluating the arrays in the arguments and returns at once.
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn async_eval(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
    let mut v = Vec::new();
    collect(args.as_any(), &mut v)?;
    py.allow_threads(move || rmlx_core::async_eval(&v)).py()
}

/// Waits for the work queued so far.
#[pyfunction]
#[pyo3(signature = (stream = None))]
pub fn synchronize(py: Python<'_>, stream: Option<&Obj<'_>>) -> PyResult<()> {
    let _ = stream_arg(stream)?;
    py.allow_threads(rmlx_core::synchronize).py()
}

// ---------------------------------------------------------------- memory

/// Bytes held by live arrays, on all devices.
#[pyfunction]
pub fn get_active_memory() -> usize {
    rmlx_core::get_active_memory()
}
/// The most bytes held at once since the last reset.
#[pyfunction]
pub fn get_peak_memory() -> usize {
    rmlx_core::get_peak_memory()
}
/// Starts the peak-memory count again from now.
#[pyfunction]
pub fn reset_peak_memory() {
    rmlx_core::reset_peak_memory()
}
/// Bytes kept in the allocator caches for reuse.
#[pyfunction]
pub fn get_cache_memory() -> usize {
    rmlx_core::get_cache_memory()
}
/// The memory limit, in bytes.
#[pyfunction]
pub fn get_memory_limit() -> usize {
    rmlx_core::get_memory_limit()
}
/// Sets the memory limit; returns the previous one.
#[pyfunction]
pub fn set_memory_limit(limit: usize) -> usize {
    rmlx_core::set_memory_limit(limit)
}
/// Sets how many bytes the caches may keep; returns the previous limit.
#[pyfunction]
pub fn set_cache_limit(limit: usize) -> usize {
    rmlx_core::set_cache_limit(limit)
}
/// Returns cached memory to the system.
#[pyfunction]
pub fn clear_cache() {
    rmlx_core::clear_cache()
}

// ---------------------------------------------------------------- devices and dtypes

/// The device ops run on unless told otherwise.
#[pyfunction]
pub fn default_device() -> PyDevice {
    PyDevice(rmlx_core::default_device())
}
/// Sets the device ops run on unless told otherwise.
#[pyfunction]
pub fn set_default_device(device: &Obj<'_>) -> PyResult<()> {
    rmlx_core::set_default_device(usable_device(device, "set_default_device")?).py()
}
/// The default stream of a device.
#[pyfunction]
pub fn default_stream(device: &Obj<'_>) -> PyResult<PyStream> {
    Ok(PyStream(rmlx_core::default_stream(usable_device(device, "default_stream")?).py()?))
}
/// A new stream on a device.
#[pyfunction]
pub fn new_stream(device: &Obj<'_>) -> PyResult<PyStream> {
    Ok(PyStream(rmlx_core::new_stream(usable_device(device, "new_stream")?).py()?))
}
/// Whether a device (type) is available on this machine.
#[pyfunction]
pub fn is_available(device: &Obj<'_>) -> PyResult<bool> {
    Ok(rmlx_core::is_available(device_of(device)?))
}
/// How many devices of a type there are.
#[pyfunction]
pub fn device_count(device_type: &Obj<'_>) -> PyResult<usize> {
    Ok(rmlx_core::device_count(device_of(device_type)?))
}
/// Whether a dtype (or category) is within another.
#[pyfunction]
pub fn issubdtype(a: &Obj<'_>, b: &Obj<'_>) -> PyResult<bool> {
    Ok(rmlx_core::issubdtype(dtype_like(a)?, dtype_like(b)?))
}
/// The dtype two dtypes promote to.
#[pyfunction]
pub fn promote_types(a: PyDtype, b: PyDtype) -> PyDtype {
    PyDtype(rmlx_core::promote_types(a.0, b.0))
}

pub fn add_all(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => {$(m.add_function(wrap_pyfunction!($f, m)?)?;)*};
    }
    add!(
        eval,
        async_eval,
        synchronize,
        get_active_memory,
        get_peak_memory,
        reset_peak_memory,
        get_cache_memory,
        get_memory_limit,
        set_memory_limit,
        set_cache_limit,
        clear_cache,
        default_device,
        set_default_device,
        default_stream,
        new_stream,
        is_available,
        device_count,
        issubdtype,
        promote_types,
    );
    Ok(())
}
