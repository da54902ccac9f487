//! The functions of `rmlx.core`: creation, math, reductions, shapes,
//! evaluation, memory, devices. Every op takes `stream=` as MLX's do.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::ops;
use rmlx_core::{Array, Dtype, Operand};

use crate::array::{wrap, PyArray};
use crate::convert::{operand, to_array};
use crate::device::{device_of, on, stream_arg, usable_device, PyDevice, PyStream};
use crate::dtype::{dtype_arg, dtype_like, PyDtype};
use crate::errors::Py as _;

type Obj<'py> = Bound<'py, PyAny>;
type Out = PyResult<Py<PyArray>>;

fn arr(o: &Obj<'_>) -> PyResult<Array> {
    to_array(o, None)
}

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

/// An array of zeros of `shape` (float32 unless `dtype` says otherwise).
#[pyfunction]
#[pyo3(signature = (shape, dtype = None, *, stream = None))]
pub fn zeros(py: Python<'_>, shape: &Obj<'_>, dtype: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let (s, dt) = (shape_of(shape)?, dtype_arg(dtype)?.unwrap_or(Dtype::Float32));
    wrap(py, on(stream, || ops::zeros(&s, dt).py())?)
}

/// An array of ones of `shape` (float32 unless `dtype` says otherwise).
#[pyfunction]
#[pyo3(signature = (shape, dtype = None, *, stream = None))]
pub fn ones(py: Python<'_>, shape: &Obj<'_>, dtype: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let (s, dt) = (shape_of(shape)?, dtype_arg(dtype)?.unwrap_or(Dtype::Float32));
    wrap(py, on(stream, || ops::ones(&s, dt).py())?)
}

/// An array of `shape` filled with `vals` (broadcast), in `dtype` or the type of `vals`.
#[pyfunction]
#[pyo3(signature = (shape, vals, dtype = None, *, stream = None))]
pub fn full(py: Python<'_>, shape: &Obj<'_>, vals: &Obj<'_>, dtype: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let (s, mut dt, v) = (shape_of(shape)?, dtype_arg(dtype)?, operand(vals)?);
    if let (None, Operand::Scalar(rmlx_core::Scalar::Int(i))) = (dt, &v) {
        // As MLX: an int beyond int32 makes an int64 array.
        if i32::try_from(*i).is_err() {
            dt = Some(Dtype::Int64);
        }
    }
    wrap(py, on(stream, || ops::full(&s, v, dt).py())?)
}

/// Zeros with the shape of `a`, in `dtype` (default: `a`'s).
#[pyfunction]
#[pyo3(signature = (a, /, dtype = None, *, stream = None))]
pub fn zeros_like(py: Python<'_>, a: &Obj<'_>, dtype: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    let dt = dtype_arg(dtype)?.unwrap_or(a.dtype());
    wrap(py, on(stream, || ops::zeros(a.shape(), dt).py())?)
}

/// Ones with the shape of `a`, in `dtype` (default: `a`'s).
#[pyfunction]
#[pyo3(signature = (a, /, dtype = None, *, stream = None))]
pub fn ones_like(py: Python<'_>, a: &Obj<'_>, dtype: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    let dt = dtype_arg(dtype)?.unwrap_or(a.dtype());
    wrap(py, on(stream, || ops::ones(a.shape(), dt).py())?)
}

/// `arange(stop)`, `arange(start, stop, step=1)`; ints give int32 (int64
/// beyond its range), floats float32.
#[pyfunction]
#[pyo3(signature = (start = None, stop = None, step = None, dtype = None, *, stream = None))]
pub fn arange(
    py: Python<'_>,
    start: Option<&Obj<'_>>,
    stop: Option<&Obj<'_>>,
    step: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (start, stop) = match (start.filter(|o| !o.is_none()).cloned(), stop.filter(|o| !o.is_none()).cloned()) {
        (Some(a), Some(b)) => (Some(a), b),
        (Some(a), None) => (None, a),
        (None, Some(b)) => (None, b),
        (None, None) => return Err(PyTypeError::new_err("arange() needs at least stop")),
    };
    let is_float = |o: &Obj<'_>| o.is_instance_of::<pyo3::types::PyFloat>();
    let beyond_i32 =
        |o: &Obj<'_>| !is_float(o) && o.extract::<i64>().map(|v| i32::try_from(v).is_err()).unwrap_or(false);
    let mut any_float = is_float(&stop);
    let mut wide = beyond_i32(&stop);
    let b = stop.extract::<f64>()?;
    let a = match &start {
        Some(s) => {
            any_float |= is_float(s);
            wide |= beyond_i32(s);
            s.extract::<f64>()?
        }
        None => 0.0,
    };
    let st = match step {
        Some(s) if !s.is_none() => {
            any_float |= is_float(s);
            s.extract::<f64>()?
        }
        _ => 1.0,
    };
    let int = if wide { Dtype::Int64 } else { Dtype::Int32 };
    let dt = dtype_arg(dtype)?.unwrap_or(if any_float { Dtype::Float32 } else { int });
    wrap(py, on(stream, || ops::arange(a, b, st, dt).py())?)
}

/// `num` evenly spaced values from `start` to `stop` (included unless `endpoint` is false).
#[pyfunction]
#[pyo3(signature = (start, stop, num = 50, endpoint = true, dtype = None, stream = None))]
#[allow(clippy::too_many_arguments)]
pub fn linspace(
    py: Python<'_>,
    start: f64,
    stop: f64,
    num: i64,
    endpoint: bool,
    dtype: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let num =
        usize::try_from(num).map_err(|_| PyValueError::new_err(format!("linspace: num must be >= 0, got {num}")))?;
    let dt = dtype_arg(dtype)?.unwrap_or(Dtype::Float32);
    // Without the endpoint: the first `num` of `num + 1` values.
    let stop = if endpoint || num == 0 { stop } else { start + (stop - start) * (num as f64 - 1.0) / num as f64 };
    wrap(py, on(stream, || ops::linspace(start, stop, num, dt).py())?)
}

/// An `n` x `m` matrix with ones on diagonal `k` and zeros elsewhere.
#[pyfunction]
#[pyo3(signature = (n, m = None, k = 0, dtype = None, *, stream = None))]
pub fn eye(
    py: Python<'_>,
    n: usize,
    m: Option<usize>,
    k: i64,
    dtype: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let dt = dtype_arg(dtype)?.unwrap_or(Dtype::Float32);
    wrap(py, on(stream, || ops::eye(n, m, k, dt).py())?)
}

/// The `n` x `n` identity matrix.
#[pyfunction]
#[pyo3(signature = (n, dtype = None, *, stream = None))]
pub fn identity(py: Python<'_>, n: usize, dtype: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let dt = dtype_arg(dtype)?.unwrap_or(Dtype::Float32);
    wrap(py, on(stream, || ops::identity(n, dt).py())?)
}

/// An `n` x `m` matrix with ones at and below diagonal `k`.
#[pyfunction]
#[pyo3(signature = (n, m = None, k = 0, dtype = None, *, stream = None))]
pub fn tri(
    py: Python<'_>,
    n: usize,
    m: Option<usize>,
    k: i64,
    dtype: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let dt = dtype_arg(dtype)?.unwrap_or(Dtype::Float32);
    wrap(py, on(stream, || ops::tri(n, m, k, dt).py())?)
}

// ---------------------------------------------------------------- elementwise

fn atleast(
    py: Python<'_>,
    arys: &Bound<'_, PyTuple>,
    stream: Option<&Obj<'_>>,
    f: fn(&Array) -> rmlx_core::Result<Array>,
) -> PyResult<Py<PyAny>> {
    let out: Vec<Py<PyArray>> =
        arys.iter().map(|o| wrap(py, on(stream, || f(&arr(&o)?).py())?)).collect::<PyResult<_>>()?;
    if out.len() == 1 {
        return out[0].clone_ref(py).into_py_any(py);
    }
    PyList::new(py, out)?.into_py_any(py)
}

/// Each array with at least one dimension (one array for one argument, a list for several).
#[pyfunction]
#[pyo3(signature = (*arys, stream = None))]
pub fn atleast_1d(py: Python<'_>, arys: &Bound<'_, PyTuple>, stream: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    atleast(py, arys, stream, ops::atleast_1d)
}

/// Each array with at least two dimensions (one array for one argument, a list for several).
#[pyfunction]
#[pyo3(signature = (*arys, stream = None))]
pub fn atleast_2d(py: Python<'_>, arys: &Bound<'_, PyTuple>, stream: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    atleast(py, arys, stream, ops::atleast_2d)
}

/// Each array with at least three dimensions (one array for one argument, a list for several).
#[pyfunction]
#[pyo3(signature = (*arys, stream = None))]
pub fn atleast_3d(py: Python<'_>, arys: &Bound<'_, PyTuple>, stream: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    atleast(py, arys, stream, ops::atleast_3d)
}

/// The matrix product of `a` and `b`, with NumPy's rules for 1-D operands and batches.
#[pyfunction]
#[pyo3(signature = (a, b, /, *, stream = None))]
pub fn matmul(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::matmul(&a, &b).py())?)
}

// ---------------------------------------------------------------- reductions

// ---------------------------------------------------------------- shapes

/// The arrays broadcast to their common shape.
#[pyfunction]
#[pyo3(signature = (*arrays, stream = None))]
pub fn broadcast_arrays(py: Python<'_>, arrays: &Bound<'_, PyTuple>, stream: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let v: Vec<Array> = arrays.iter().map(|o| arr(&o)).collect::<PyResult<_>>()?;
    let out = on(stream, || ops::broadcast_arrays(&v).py())?;
    let items: Vec<Py<PyArray>> = out.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    PyList::new(py, items)?.into_py_any(py)
}

/// The elements of `a` at `indices` along `axis` (the flattened array when
/// None). Negative indices count from the end.
#[pyfunction]
#[pyo3(signature = (a, /, indices, axis = None, *, stream = None))]
pub fn take(py: Python<'_>, a: &Obj<'_>, indices: &Obj<'_>, axis: Option<i64>, stream: Option<&Obj<'_>>) -> Out {
    let (a, idx) = (arr(a)?, arr(indices)?);
    wrap(py, on(stream, || ops::take(&a, &idx, axis).py())?)
}

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
        zeros,
        ones,
        full,
        zeros_like,
        ones_like,
        atleast_1d,
        atleast_2d,
        atleast_3d,
        arange,
        linspace,
        eye,
        identity,
        tri,
        matmul,
        broadcast_arrays,
        take,
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
