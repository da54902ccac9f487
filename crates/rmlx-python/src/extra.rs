//! The rest of `mlx.core`'s surface that needs no op of its own: aliases,
//! functions built from existing ops (windows, meshgrid, minmax...), dtype
//! utilities, `mx.metal`'s memory functions, and the array's Python
//! protocols (pickling, copying, formatting, `complex()`).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::{ops, Array, Dtype};

use crate::array::{axes_arg, wrap, PyArray};
use crate::convert::{to_array, DetachEval};
use crate::device::{device_of, on};
use crate::dtype::{dtype_arg, PyDtype};
use crate::errors::Py as _;

type Obj<'py> = Bound<'py, PyAny>;
type Out = PyResult<Py<PyArray>>;

fn arr(o: &Obj<'_>) -> PyResult<Array> {
    to_array(o, None)
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

/// `(min, max)` of `a` over `axis`.
#[pyfunction]
#[pyo3(signature = (a, /, axis = None, keepdims = false, *, stream = None))]
pub fn minmax(
    py: Python<'_>,
    a: &Obj<'_>,
    axis: Option<&Obj<'_>>,
    keepdims: bool,
    stream: Option<&Obj<'_>>,
) -> PyResult<Py<PyAny>> {
    let (a, ax) = (arr(a)?, axes_arg(axis)?);
    let (lo, hi) = on(stream, || Ok((ops::min(&a, ax.clone(), keepdims).py()?, ops::max(&a, ax, keepdims).py()?)))?;
    (wrap(py, lo)?, wrap(py, hi)?).into_py_any(py)
}

/// Coordinate arrays of the grid the 1-D `arrays` span (`indexing` "xy",
/// Cartesian, or "ij", matrix), broadcast to full size unless `sparse`.
#[pyfunction]
#[pyo3(signature = (*arrays, sparse = false, indexing = "xy", stream = None))]
pub fn meshgrid(
    py: Python<'_>,
    arrays: &Bound<'_, PyTuple>,
    sparse: bool,
    indexing: &str,
    stream: Option<&Obj<'_>>,
) -> PyResult<Py<PyAny>> {
    if indexing != "xy" && indexing != "ij" {
        return Err(PyValueError::new_err(format!("meshgrid: indexing must be 'xy' or 'ij', got '{indexing}'")));
    }
    let xs: Vec<Array> = arrays.iter().map(|o| arr(&o)).collect::<PyResult<_>>()?;
    let n = xs.len();
    let out = on(stream, || {
        let flat: Vec<Array> = xs.iter().map(|x| ops::reshape(x, &[-1]).py()).collect::<PyResult<_>>()?;
        let mut shaped = Vec::with_capacity(n);
        for (i, x) in flat.iter().enumerate() {
            // Axis of input i in the grid; "xy" swaps the first two.
            let at = if indexing == "xy" && n >= 2 && i < 2 { 1 - i } else { i };
            let mut shape = vec![1i64; n];
            shape[at] = x.size() as i64;
            shaped.push(ops::reshape(x, &shape).py()?);
        }
        if sparse {
            Ok(shaped)
        } else {
            ops::broadcast_arrays(&shaped).py()
        }
    })?;
    let items: Vec<Py<PyArray>> = out.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    PyTuple::new(py, items)?.into_py_any(py)
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

#[pymethods]
impl PyArray {
    /// Pickles as the bytes, shape and dtype (any dtype, bfloat16 included).
    fn __reduce__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = self.array();
        py.detach_eval(&a)?;
        let bytes = PyBytes::new(py, &a.to_bytes().py()?);
        let f = py.import("rmlx.core")?.getattr("_rebuild")?;
        (f, (bytes, PyTuple::new(py, a.shape())?, a.dtype().name())).into_py_any(py)
    }
    /// Arrays are immutable values: a shallow copy shares the data.
    fn __copy__(&self, py: Python<'_>) -> Out {
        wrap(py, self.array())
    }
    /// A copy with a buffer of its own.
    fn __deepcopy__(&self, py: Python<'_>, memo: &Obj<'_>) -> Out {
        let _ = memo;
        wrap(py, ops::copy(&self.array()).py()?)
    }
    /// `format(a, spec)`: a 0-d array formats as its value; others only with an empty spec.
    fn __format__(&self, py: Python<'_>, spec: &str) -> PyResult<String> {
        let a = self.array();
        if spec.is_empty() {
            py.detach_eval(&a)?;
            return Ok(format!("{a}"));
        }
        if a.ndim() != 0 {
            return Err(PyTypeError::new_err("unsupported format string passed to mx.array.__format__"));
        }
        let v = crate::convert::item(py, &a)?;
        v.bind(py).call_method1("__format__", (spec,))?.extract()
    }
    fn __complex__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let a = self.array();
        if a.size() != 1 {
            return Err(PyTypeError::new_err("only arrays of one element can be converted to a Python scalar"));
        }
        let v = crate::convert::item(py, &a)?;
        py.import("builtins")?.getattr("complex")?.call1((v,)).map(|b| b.unbind())
    }
    /// The real part (the array itself when it is not complex).
    #[getter]
    fn real(&self, py: Python<'_>) -> Out {
        wrap(py, ops::real(&self.array()).py()?)
    }
    /// The imaginary part (zeros when the array is not complex).
    #[getter]
    fn imag(&self, py: Python<'_>) -> Out {
        wrap(py, ops::imag(&self.array()).py()?)
    }
    /// The array with its last two axes swapped.
    #[getter(mT)]
    fn m_t(&self, py: Python<'_>) -> Out {
        wrap(py, ops::swapaxes(&self.array(), -1, -2).py()?)
    }
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
    macro_rules! add {
        ($($f:ident),* $(,)?) => {$(m.add_function(wrap_pyfunction!($f, m)?)?;)*};
    }
    add!(
        asarray,
        minmax,
        meshgrid,
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
