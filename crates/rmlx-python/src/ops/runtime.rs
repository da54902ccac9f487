//! What `rmlx.core` has besides ops: evaluation, memory, devices and
//! streams, dtype utilities, `asarray`, pickling support, printing options,
//! MLX's aliases and `mx.metal`'s memory functions.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::{ops, Array, Dtype};

use crate::array::{wrap, PyArray};
use crate::convert::to_array;
use crate::device::{device_of, stream_arg, usable_device, PyDevice, PyStream};
use crate::dtype::{dtype_arg, dtype_like, PyDtype};
use crate::errors::Py as _;

type Obj<'py> = Bound<'py, PyAny>;
type Out = PyResult<Py<PyArray>>;

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

/// Runs `f` on the arrays in `args`, without the GIL.
fn on_arrays(py: Python<'_>, args: &Bound<'_, PyTuple>, f: fn(&[Array]) -> rmlx_core::Result<()>) -> PyResult<()> {
    let mut v = Vec::new();
    collect(args.as_any(), &mut v)?;
    py.allow_threads(move || f(&v)).py()
}

/// Evaluates the arrays in the arguments (nested lists, tuples, dicts).
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn eval(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
    on_arrays(py, args, rmlx_core::eval)
}

/// Starts evaluating the arrays in the arguments and returns at once.
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn async_eval(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<()> {
    on_arrays(py, args, rmlx_core::async_eval)
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

fn add_core(m: &Bound<'_, PyModule>) -> PyResult<()> {
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

/// `a` as an array (as `mx.array(a, dtype)`).
#[pyfunction]
#[pyo3(signature = (a, dtype = None, *, copy = None))]
pub fn asarray(py: Python<'_>, a: &Obj<'_>, dtype: Option<&Obj<'_>>, copy: Option<bool>) -> Out {
    let want = dtype_arg(dtype)?;
    if copy == Some(false) {
        // Without a copy only an array of the dtype asked for can come back
        // (other objects' memory is always copied in), as MLX and NumPy refuse.
        let same = a.downcast::<crate::array::PyArray>().ok().map(|x| x.get().array());
        match same {
            Some(x) if want.is_none_or(|d| d == x.dtype()) => return wrap(py, x),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "asarray: copy=False, but making an array of {} {}needs a copy",
                    a.get_type().name()?,
                    want.map(|d| format!("in {d} ")).unwrap_or_default()
                )))
            }
        }
    }
    let x = to_array(a, want)?;
    let x = if copy == Some(true) { ops::copy(&x).py()? } else { x };
    wrap(py, x)
}

fn dtype_of_value(o: &Obj<'_>) -> PyResult<Dtype> {
    if let Ok(d) = o.extract::<PyDtype>() {
        return Ok(d.0);
    }
    if let Ok(a) = o.downcast::<PyArray>() {
        return Ok(a.get().array().dtype());
    }
    Err(PyValueError::new_err("result_type: inputs must be arrays or dtypes"))
}

/// The dtype that arrays and dtypes promote to together.
#[pyfunction]
#[pyo3(signature = (*arrays_or_dtypes))]
pub fn result_type(arrays_or_dtypes: &Bound<'_, PyTuple>) -> PyResult<PyDtype> {
    let mut it = arrays_or_dtypes.iter();
    let first = it.next().ok_or_else(|| PyValueError::new_err("result_type: at least one array or dtype"))?;
    let mut d = dtype_of_value(&first)?;
    for o in it {
        d = rmlx_core::promote_types(d, dtype_of_value(&o)?);
    }
    Ok(PyDtype(d))
}

/// Whether `from_` converts to `to` without promoting past it.
#[pyfunction]
#[pyo3(signature = (from_, to))]
pub fn can_cast(from_: &Obj<'_>, to: PyDtype) -> PyResult<bool> {
    let f = dtype_of_value(from_)?;
    Ok(rmlx_core::promote_types(f, to.0) == to.0)
}

fn kind_matches(dt: Dtype, kind: &Obj<'_>) -> PyResult<bool> {
    if let Ok(d) = kind.extract::<PyDtype>() {
        return Ok(d.0 == dt);
    }
    if let Ok(s) = kind.extract::<String>() {
        return Ok(match s.as_str() {
            "bool" => dt == Dtype::Bool,
            "signed integer" => dt.is_signed_int(),
            "unsigned integer" => dt.is_unsigned(),
            "integral" => dt.is_integer(),
            "real floating" => dt.is_float(),
            "complex floating" => dt.is_complex(),
            "numeric" => dt != Dtype::Bool,
            other => {
                return Err(PyValueError::new_err(format!(
                    "isdtype: unknown kind '{other}' (bool, signed integer, unsigned integer, integral, real floating, complex floating, numeric)"
                )))
            }
        });
    }
    if let Ok(t) = kind.downcast::<PyTuple>() {
        for k in t.iter() {
            if kind_matches(dt, &k)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    Err(PyTypeError::new_err("isdtype: kind must be a dtype, a kind name or a tuple of them"))
}

/// Whether `dtype` is of `kind` (a dtype, an array-API kind name such as
/// "real floating", or a tuple of them).
#[pyfunction]
pub fn isdtype(dtype: PyDtype, kind: &Obj<'_>) -> PyResult<bool> {
    kind_matches(dtype.0, kind)
}

/// The shape the given shapes broadcast to.
#[pyfunction]
#[pyo3(signature = (*shapes))]
pub fn broadcast_shapes(py: Python<'_>, shapes: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let v: Vec<Vec<usize>> = shapes.iter().map(|s| s.extract()).collect::<PyResult<_>>()?;
    if v.is_empty() {
        return Err(PyValueError::new_err("broadcast_shapes: at least one shape"));
    }
    let refs: Vec<&[usize]> = v.iter().map(|s| s.as_slice()).collect();
    let out = rmlx_core::shape::broadcast_shapes(&refs).py()?;
    PyTuple::new(py, out)?.into_py_any(py)
}

/// `{"device_name", "architecture", "memory_size"}` of a device (default: the default device).
#[pyfunction]
#[pyo3(signature = (d = None))]
pub fn device_info(py: Python<'_>, d: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let dev = match d {
        Some(d) if !d.is_none() => device_of(d)?,
        _ => rmlx_core::default_device(),
    };
    let info = rmlx_core::device_info(dev).py()?;
    let out = PyDict::new(py);
    out.set_item("device_name", info.name)?;
    out.set_item("architecture", info.architecture)?;
    out.set_item("memory_size", info.memory_size)?;
    out.into_py_any(py)
}

/// Wired (resident) memory is a Metal notion: this does nothing and returns 0.
#[pyfunction]
pub fn set_wired_limit(limit: usize) -> usize {
    let _ = limit;
    0
}

/// Rebuilds a pickled array (bytes, shape, dtype name).
#[pyfunction]
pub fn _rebuild(py: Python<'_>, data: &Bound<'_, PyBytes>, shape: Vec<usize>, dtype: &str) -> Out {
    let dt = rmlx_core::dtype::ALL_DTYPES
        .into_iter()
        .find(|d| d.name() == dtype)
        .ok_or_else(|| PyValueError::new_err(format!("unpickling: unknown dtype {dtype}")))?;
    wrap(py, Array::from_bytes(data.as_bytes(), &shape, dt).py()?)
}

/// Registers the functions, the aliases and `mx.metal`'s memory functions.
/// Sets the significant digits arrays print with (`mx.set_printoptions` calls it).
#[pyfunction]
pub fn _set_print_precision(precision: i32) {
    rmlx_core::format::set_print_precision(precision);
}

/// The print precision (-1: the default).
#[pyfunction]
pub fn _get_print_precision() -> i32 {
    rmlx_core::format::get_print_precision()
}

pub fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    add_core(m)?;
    macro_rules! add {
        ($($f:ident),* $(,)?) => {$(m.add_function(wrap_pyfunction!($f, m)?)?;)*};
    }
    add!(
        asarray,
        result_type,
        can_cast,
        isdtype,
        broadcast_shapes,
        device_info,
        set_wired_limit,
        _rebuild,
        _set_print_precision,
        _get_print_precision,
    );
    // Other names MLX gives the same functions.
    for (alias, name) in [
        ("acos", "arccos"),
        ("acosh", "arccosh"),
        ("asin", "arcsin"),
        ("asinh", "arcsinh"),
        ("atan", "arctan"),
        ("atanh", "arctanh"),
        ("atan2", "arctan2"),
        ("pow", "power"),
        ("bitwise_left_shift", "left_shift"),
        ("bitwise_right_shift", "right_shift"),
        ("empty", "zeros"),
        ("empty_like", "zeros_like"),
    ] {
        m.add(alias, m.getattr(name)?)?;
    }
    Ok(())
}

/// `mx.metal`'s memory functions, as MLX keeps them (aliases of the top-level ones).
pub fn add_metal_aliases(core: &Bound<'_, PyModule>, metal: &Bound<'_, PyModule>) -> PyResult<()> {
    for name in [
        "clear_cache",
        "device_info",
        "get_active_memory",
        "get_cache_memory",
        "get_peak_memory",
        "reset_peak_memory",
        "set_cache_limit",
        "set_memory_limit",
        "set_wired_limit",
    ] {
        metal.add(name, core.getattr(name)?)?;
    }
    Ok(())
}
