//! The functions of `rmlx.core`: creation, math, reductions, shapes,
//! evaluation, memory, devices. Every op takes `stream=` as MLX's do.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rmlx_core::ops::{self, Split};
use rmlx_core::primitive::PadMode;
use rmlx_core::{Array, Dtype, Operand};

use crate::array::{axes_arg, wrap, PyArray};
use crate::convert::{operand, operand_pair, to_array};
use crate::device::{device_of, on, stream_arg, usable_device, PyDevice, PyStream};
use crate::dtype::{dtype_arg, dtype_like, PyDtype};
use crate::errors::Py as _;

type Obj<'py> = Bound<'py, PyAny>;
type Out = PyResult<Py<PyArray>>;

fn arr(o: &Obj<'_>) -> PyResult<Array> {
    to_array(o, None)
}

fn array_list(o: &Obj<'_>) -> PyResult<Vec<Array>> {
    o.try_iter()?.map(|x| arr(&x?)).collect()
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

macro_rules! unary_fns {
    ($($name:ident => $f:path;)*) => {$(
        #[doc = concat!("`", stringify!($name), "` of each element of `a` (lazy; `stream=` places the op).")]
        #[pyfunction]
        #[pyo3(signature = (a, /, *, stream = None))]
        pub fn $name(py: Python<'_>, a: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
            let a = arr(a)?;
            wrap(py, on(stream, || $f(&a).py())?)
        }
    )*
    pub fn add_unary(m: &Bound<'_, PyModule>) -> PyResult<()> {
        $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
        Ok(())
    }
    };
}

unary_fns! {
    abs => ops::abs; sign => ops::sign; negative => ops::negative; square => ops::square;
    sqrt => ops::sqrt; rsqrt => ops::rsqrt; reciprocal => ops::reciprocal;
    exp => ops::exp; expm1 => ops::expm1; log => ops::log; log2 => ops::log2; log10 => ops::log10; log1p => ops::log1p;
    sin => ops::sin; cos => ops::cos; tan => ops::tan; arcsin => ops::arcsin; arccos => ops::arccos; arctan => ops::arctan;
    sinh => ops::sinh; cosh => ops::cosh; tanh => ops::tanh; arcsinh => ops::arcsinh; arccosh => ops::arccosh; arctanh => ops::arctanh;
    erf => ops::erf; erfinv => ops::erfinv; sigmoid => ops::sigmoid;
    floor => ops::floor; ceil => ops::ceil; trunc => ops::trunc;
    isnan => ops::isnan; isinf => ops::isinf; isfinite => ops::isfinite; isposinf => ops::isposinf; isneginf => ops::isneginf;
    logical_not => ops::logical_not; bitwise_invert => ops::bitwise_invert;
    conj => ops::conj; conjugate => ops::conj; real => ops::real; imag => ops::imag;
    degrees => ops::degrees; radians => ops::radians;
}

/// A row-major copy of `a` (`allow_col_major`: a column-major `a` may stay as it is).
#[pyfunction]
#[pyo3(signature = (a, /, allow_col_major = false, *, stream = None))]
pub fn contiguous(py: Python<'_>, a: &Obj<'_>, allow_col_major: bool, stream: Option<&Obj<'_>>) -> Out {
    let _ = allow_col_major;
    let a = arr(a)?;
    wrap(py, on(stream, || ops::contiguous(&a).py())?)
}

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

/// Each element rounded to `decimals` decimal places (halves to even).
#[pyfunction]
#[pyo3(signature = (a, /, decimals = 0, *, stream = None))]
pub fn round(py: Python<'_>, a: &Obj<'_>, decimals: i32, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::round(&a, decimals).py())?)
}

/// `a` with NaN replaced by `nan` and infinities by `posinf` / `neginf` (default: the dtype's largest finite values).
#[pyfunction]
#[pyo3(signature = (a, nan = 0.0, posinf = None, neginf = None, *, stream = None))]
pub fn nan_to_num(
    py: Python<'_>,
    a: &Obj<'_>,
    nan: f64,
    posinf: Option<f64>,
    neginf: Option<f64>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::nan_to_num(&a, nan, posinf, neginf).py())?)
}

fn both(a: &Obj<'_>, b: &Obj<'_>) -> PyResult<(Operand, Operand)> {
    let (x, y) = operand_pair(a, b)?;
    if matches!((&x, &y), (Operand::Scalar(_), Operand::Scalar(_))) {
        // Two Python scalars: the first becomes an array of its own dtype.
        return Ok((Operand::Array(to_array(a, None)?), y));
    }
    Ok((x, y))
}

macro_rules! binary_fns {
    ($($name:ident => $f:path;)*) => {$(
        #[doc = concat!("`", stringify!($name), "` of `a` and `b`, elementwise with broadcasting; Python scalars take the array's dtype.")]
        #[pyfunction]
        #[pyo3(signature = (a, b, /, *, stream = None))]
        pub fn $name(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
            let (x, y) = both(a, b)?;
            wrap(py, on(stream, || $f(x, y).py())?)
        }
    )*
    pub fn add_binary(m: &Bound<'_, PyModule>) -> PyResult<()> {
        $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
        Ok(())
    }
    };
}

binary_fns! {
    add => ops::add; subtract => ops::subtract; multiply => ops::multiply; divide => ops::divide;
    floor_divide => ops::floor_divide; remainder => ops::remainder; power => ops::power;
    maximum => ops::maximum; minimum => ops::minimum; logaddexp => ops::logaddexp; arctan2 => ops::arctan2;
    equal => ops::equal; not_equal => ops::not_equal; less => ops::less; less_equal => ops::less_equal;
    greater => ops::greater; greater_equal => ops::greater_equal;
    logical_and => ops::logical_and; logical_or => ops::logical_or; logical_xor => ops::logical_xor;
    bitwise_and => ops::bitwise_and; bitwise_or => ops::bitwise_or; bitwise_xor => ops::bitwise_xor;
    left_shift => ops::left_shift; right_shift => ops::right_shift;
}

/// The floor quotient and the remainder of `a` by `b`, as a pair of arrays.
#[pyfunction]
#[pyo3(signature = (a, b, /, *, stream = None))]
pub fn divmod(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let (x, y) = both(a, b)?;
    let (q, r) = on(stream, || ops::divmod(x, y).py())?;
    PyList::new(py, [wrap(py, q)?, wrap(py, r)?])?.into_py_any(py)
}

/// Elements of `x` where `condition` holds, else of `y` (broadcast together).
#[pyfunction]
#[pyo3(name = "where", signature = (condition, x, y, /, *, stream = None))]
pub fn where_(py: Python<'_>, condition: &Obj<'_>, x: &Obj<'_>, y: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let c = operand(condition)?;
    let (a, b) = operand_pair(x, y)?;
    wrap(py, on(stream, || ops::where_(c, a, b).py())?)
}

/// `a` limited to `[a_min, a_max]` (either bound may be None).
#[pyfunction]
#[pyo3(signature = (a, /, a_min, a_max, *, stream = None))]
pub fn clip(py: Python<'_>, a: &Obj<'_>, a_min: &Obj<'_>, a_max: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    let lo = if a_min.is_none() { None } else { Some(operand(a_min)?) };
    let hi = if a_max.is_none() { None } else { Some(operand(a_max)?) };
    if lo.is_none() && hi.is_none() {
        return Err(PyValueError::new_err("clip: a_min and a_max cannot both be None"));
    }
    wrap(py, on(stream, || ops::clip(&a, lo, hi).py())?)
}

/// Where `|a - b| <= atol + rtol * |b|`, elementwise.
#[pyfunction]
#[pyo3(signature = (a, b, /, rtol = 1e-5, atol = 1e-8, *, equal_nan = false, stream = None))]
pub fn isclose(
    py: Python<'_>,
    a: &Obj<'_>,
    b: &Obj<'_>,
    rtol: f64,
    atol: f64,
    equal_nan: bool,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::isclose(&a, &b, rtol, atol, equal_nan).py())?)
}

/// Whether every element of `a` is close to `b` (a 0-d bool array).
#[pyfunction]
#[pyo3(signature = (a, b, /, rtol = 1e-5, atol = 1e-8, *, equal_nan = false, stream = None))]
pub fn allclose(
    py: Python<'_>,
    a: &Obj<'_>,
    b: &Obj<'_>,
    rtol: f64,
    atol: f64,
    equal_nan: bool,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::allclose(&a, &b, rtol, atol, equal_nan).py())?)
}

/// Whether `a` and `b` have the same shape and elements (a 0-d bool array).
#[pyfunction]
#[pyo3(signature = (a, b, /, equal_nan = false, *, stream = None))]
pub fn array_equal(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, equal_nan: bool, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::array_equal(&a, &b, equal_nan).py())?)
}

/// The matrix product of `a` and `b`, with NumPy's rules for 1-D operands and batches.
#[pyfunction]
#[pyo3(signature = (a, b, /, *, stream = None))]
pub fn matmul(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::matmul(&a, &b).py())?)
}

// ---------------------------------------------------------------- reductions

macro_rules! reductions {
    ($($name:ident => $f:path;)*) => {$(
        #[doc = concat!("`", stringify!($name), "` over `axis` (None: all axes; an int or a sequence), keeping reduced axes as size 1 with `keepdims`.")]
        #[pyfunction]
        #[pyo3(signature = (a, /, axis = None, keepdims = false, *, stream = None))]
        pub fn $name(py: Python<'_>, a: &Obj<'_>, axis: Option<&Obj<'_>>, keepdims: bool, stream: Option<&Obj<'_>>) -> Out {
            let (a, ax) = (arr(a)?, axes_arg(axis)?);
            wrap(py, on(stream, || $f(&a, ax, keepdims).py())?)
        }
    )*
    pub fn add_reductions(m: &Bound<'_, PyModule>) -> PyResult<()> {
        $(m.add_function(wrap_pyfunction!($name, m)?)?;)*
        Ok(())
    }
    };
}

reductions! {
    sum => ops::sum; prod => ops::prod; max => ops::max; min => ops::min; mean => ops::mean;
    all => ops::all; any => ops::any; logsumexp => ops::logsumexp; median => ops::median;
    count_nonzero => ops::count_nonzero;
}

/// The variance over `axis`, dividing by `N - ddof`.
#[pyfunction]
/// `correction` is the array API's name for `ddof` (it wins when given).
#[pyo3(signature = (a, /, axis = None, keepdims = false, ddof = 0, *, correction = None, stream = None))]
pub fn var(
    py: Python<'_>,
    a: &Obj<'_>,
    axis: Option<&Obj<'_>>,
    keepdims: bool,
    ddof: usize,
    correction: Option<usize>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let ddof = correction.unwrap_or(ddof);
    let (a, ax) = (arr(a)?, axes_arg(axis)?);
    wrap(py, on(stream, || ops::var(&a, ax, keepdims, ddof).py())?)
}

/// The standard deviation over `axis`, dividing by `N - ddof`.
#[pyfunction]
/// `correction` is the array API's name for `ddof` (it wins when given).
#[pyo3(name = "std", signature = (a, /, axis = None, keepdims = false, ddof = 0, *, correction = None, stream = None))]
pub fn std_(
    py: Python<'_>,
    a: &Obj<'_>,
    axis: Option<&Obj<'_>>,
    keepdims: bool,
    ddof: usize,
    correction: Option<usize>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let ddof = correction.unwrap_or(ddof);
    let (a, ax) = (arr(a)?, axes_arg(axis)?);
    wrap(py, on(stream, || ops::std(&a, ax, keepdims, ddof).py())?)
}

/// Indices of the largest elements along `axis` (of the flattened array when None).
#[pyfunction]
#[pyo3(signature = (a, /, axis = None, keepdims = false, *, stream = None))]
pub fn argmax(py: Python<'_>, a: &Obj<'_>, axis: Option<i64>, keepdims: bool, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::argmax(&a, axis, keepdims).py())?)
}

/// Indices of the smallest elements along `axis` (of the flattened array when None).
#[pyfunction]
#[pyo3(signature = (a, /, axis = None, keepdims = false, *, stream = None))]
pub fn argmin(py: Python<'_>, a: &Obj<'_>, axis: Option<i64>, keepdims: bool, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::argmin(&a, axis, keepdims).py())?)
}

/// exp(a) / sum(exp(a)) over `axis`, computed stably; `precise` keeps 16-bit inputs in float32 throughout.
#[pyfunction]
#[pyo3(signature = (a, /, axis = None, *, precise = false, stream = None))]
pub fn softmax(py: Python<'_>, a: &Obj<'_>, axis: Option<&Obj<'_>>, precise: bool, stream: Option<&Obj<'_>>) -> Out {
    let (a, ax) = (arr(a)?, axes_arg(axis)?);
    wrap(py, on(stream, || ops::softmax(&a, ax, precise).py())?)
}

// ---------------------------------------------------------------- shapes

/// `a` with a new shape (one dimension may be -1); a view when the layout allows.
#[pyfunction]
#[pyo3(signature = (a, /, shape, *, stream = None))]
pub fn reshape(py: Python<'_>, a: &Obj<'_>, shape: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, s) = (arr(a)?, ints(shape)?);
    wrap(py, on(stream, || ops::reshape(&a, &s).py())?)
}

/// `a` with axes `start_axis` ..= `end_axis` merged into one.
#[pyfunction]
#[pyo3(signature = (a, /, start_axis = 0, end_axis = -1, *, stream = None), text_signature = "(a, /, start_axis=0, end_axis=-1, *, stream=None)")]
pub fn flatten(py: Python<'_>, a: &Obj<'_>, start_axis: i64, end_axis: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::flatten(&a, start_axis, end_axis).py())?)
}

/// `a` with `axis` split into `shape`.
#[pyfunction]
#[pyo3(signature = (a, /, axis, shape, *, stream = None))]
pub fn unflatten(py: Python<'_>, a: &Obj<'_>, axis: i64, shape: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, s) = (arr(a)?, ints(shape)?);
    wrap(py, on(stream, || ops::unflatten(&a, axis, &s).py())?)
}

/// `a` without the size-1 axes named (all of them when `axis` is None).
#[pyfunction]
#[pyo3(signature = (a, /, axis = None, *, stream = None))]
pub fn squeeze(py: Python<'_>, a: &Obj<'_>, axis: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let (a, ax) = (arr(a)?, axes_arg(axis)?);
    wrap(py, on(stream, || ops::squeeze(&a, ax).py())?)
}

/// `a` with new size-1 axes at `axis`.
#[pyfunction]
#[pyo3(signature = (a, /, axis, *, stream = None))]
pub fn expand_dims(py: Python<'_>, a: &Obj<'_>, axis: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, ax) = (arr(a)?, ints(axis)?);
    wrap(py, on(stream, || ops::expand_dims(&a, ax).py())?)
}

/// `a` with its axes permuted (reversed when `axes` is None).
#[pyfunction]
#[pyo3(signature = (a, /, axes = None, *, stream = None))]
pub fn transpose(py: Python<'_>, a: &Obj<'_>, axes: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    let ax = match axes {
        Some(o) if !o.is_none() => ints(o)?,
        _ => (0..a.ndim() as i64).rev().collect(),
    };
    wrap(py, on(stream, || ops::transpose(&a, &ax).py())?)
}

/// `a` with its axes permuted (reversed when `axes` is None).
#[pyfunction]
#[pyo3(signature = (a, /, axes = None, *, stream = None))]
pub fn permute_dims(py: Python<'_>, a: &Obj<'_>, axes: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    transpose(py, a, axes, stream)
}

/// `a` with two axes exchanged.
#[pyfunction]
#[pyo3(signature = (a, /, axis1, axis2, *, stream = None))]
pub fn swapaxes(py: Python<'_>, a: &Obj<'_>, axis1: i64, axis2: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::swapaxes(&a, axis1, axis2).py())?)
}

/// `a` with axis `source` moved to `destination`.
#[pyfunction]
#[pyo3(signature = (a, /, source, destination, *, stream = None))]
pub fn moveaxis(py: Python<'_>, a: &Obj<'_>, source: i64, destination: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::moveaxis(&a, source, destination).py())?)
}

/// `a` broadcast to `shape` (a view).
#[pyfunction]
#[pyo3(signature = (a, /, shape, *, stream = None))]
pub fn broadcast_to(py: Python<'_>, a: &Obj<'_>, shape: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, s) = (arr(a)?, shape_of(shape)?);
    wrap(py, on(stream, || ops::broadcast_to(&a, &s).py())?)
}

/// The arrays broadcast to their common shape.
#[pyfunction]
#[pyo3(signature = (*arrays, stream = None))]
pub fn broadcast_arrays(py: Python<'_>, arrays: &Bound<'_, PyTuple>, stream: Option<&Obj<'_>>) -> PyResult<Py<PyAny>> {
    let v: Vec<Array> = arrays.iter().map(|o| arr(&o)).collect::<PyResult<_>>()?;
    let out = on(stream, || ops::broadcast_arrays(&v).py())?;
    let items: Vec<Py<PyArray>> = out.into_iter().map(|a| wrap(py, a)).collect::<PyResult<_>>()?;
    PyList::new(py, items)?.into_py_any(py)
}

/// The arrays joined along `axis` (flattened first when `axis` is None).
#[pyfunction]
#[pyo3(signature = (arrays, axis = 0, *, stream = None))]
pub fn concatenate(py: Python<'_>, arrays: &Obj<'_>, axis: Option<i64>, stream: Option<&Obj<'_>>) -> Out {
    let mut v = array_list(arrays)?;
    let axis = match axis {
        Some(a) => a,
        None => {
            v = v.iter().map(|a| ops::reshape(a, &[-1])).collect::<rmlx_core::Result<_>>().py()?;
            0
        }
    };
    wrap(py, on(stream, || ops::concatenate(&v, axis).py())?)
}

/// The arrays joined along `axis` (as `concatenate`).
#[pyfunction]
#[pyo3(signature = (arrays, axis = 0, *, stream = None))]
pub fn concat(py: Python<'_>, arrays: &Obj<'_>, axis: Option<i64>, stream: Option<&Obj<'_>>) -> Out {
    concatenate(py, arrays, axis, stream)
}

/// The arrays joined along a new axis.
#[pyfunction]
#[pyo3(signature = (arrays, axis = 0, *, stream = None))]
pub fn stack(py: Python<'_>, arrays: &Obj<'_>, axis: i64, stream: Option<&Obj<'_>>) -> Out {
    let v = array_list(arrays)?;
    wrap(py, on(stream, || ops::stack(&v, axis).py())?)
}

/// `a` cut along `axis` into equal sections or at the given indices.
#[pyfunction]
#[pyo3(signature = (a, /, indices_or_sections, axis = 0, *, stream = None))]
pub fn split(
    py: Python<'_>,
    a: &Obj<'_>,
    indices_or_sections: &Obj<'_>,
    axis: i64,
    stream: Option<&Obj<'_>>,
) -> PyResult<Py<PyAny>> {
    let a = arr(a)?;
    let how = match indices_or_sections.extract::<i64>() {
        Ok(n) => {
            Split::Sections(usize::try_from(n).map_err(|_| PyValueError::new_err(format!("split: {n} sections")))?)
        }
        Err(_) => Split::Indices(ints(indices_or_sections)?),
    };
    let parts = on(stream, || ops::split(&a, how, axis).py())?;
    let items: Vec<Py<PyArray>> = parts.into_iter().map(|p| wrap(py, p)).collect::<PyResult<_>>()?;
    PyList::new(py, items)?.into_py_any(py)
}

/// `a` repeated `reps` times along each axis.
#[pyfunction]
#[pyo3(signature = (a, /, reps, *, stream = None))]
pub fn tile(py: Python<'_>, a: &Obj<'_>, reps: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, r) = (arr(a)?, shape_of(reps)?);
    wrap(py, on(stream, || ops::tile(&a, &r).py())?)
}

/// Each element of `a` repeated `repeats` times along `axis` (of the flattened array when None).
#[pyfunction]
#[pyo3(signature = (a, /, repeats, axis = None, *, stream = None))]
pub fn repeat(py: Python<'_>, a: &Obj<'_>, repeats: usize, axis: Option<i64>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::repeat(&a, repeats, axis).py())?)
}

/// `pad_width` in every form NumPy and MLX take: `n`, `(n,)`, `(before,
/// after)`, `((before, after),)` for all axes, or one pair (or one int) per axis.
fn pad_widths(pad_width: &Obj<'_>, nd: usize) -> PyResult<Vec<(usize, usize)>> {
    let bad = || PyTypeError::new_err("pad_width must be an int, a (before, after) pair, or one pair per axis");
    let pair = |o: &Obj<'_>| -> PyResult<(i64, i64)> {
        if let Ok(w) = o.extract::<i64>() {
            return Ok((w, w));
        }
        if let Ok(v) = o.extract::<Vec<i64>>() {
            return match v.as_slice() {
                [w] => Ok((*w, *w)),
                [b, a] => Ok((*b, *a)),
                _ => Err(bad()),
            };
        }
        Err(bad())
    };
    let raw: Vec<(i64, i64)> = if pad_width.extract::<i64>().is_ok() || pad_width.extract::<Vec<i64>>().is_ok() {
        vec![pair(pad_width)?; nd]
    } else if let Ok(items) = pad_width.extract::<Vec<Bound<'_, PyAny>>>() {
        let v = items.iter().map(pair).collect::<PyResult<Vec<_>>>()?;
        match v.len() {
            1 => vec![v[0]; nd],
            n if n == nd => v,
            n => {
                return Err(PyValueError::new_err(format!(
                    "pad: pad_width has {n} pairs for an array of {nd} dimensions (give one, or one per axis)"
                )))
            }
        }
    } else {
        return Err(bad());
    };
    raw.into_iter()
        .enumerate()
        .map(|(ax, (b, a))| {
            if b < 0 || a < 0 {
                return Err(PyValueError::new_err(format!(
                    "pad: padding sizes must be non-negative, got ({b}, {a}) for axis {ax}"
                )));
            }
            Ok((b as usize, a as usize))
        })
        .collect()
}

/// `a` padded with `pad_width` (per axis before and after) of `constant_values`, or of its edge values.
#[pyfunction]
#[pyo3(
    signature = (a, /, pad_width, mode = "constant", constant_values = None, *, stream = None),
    text_signature = "(a, /, pad_width, mode='constant', constant_values=0, *, stream=None)"
)]
pub fn pad(
    py: Python<'_>,
    a: &Obj<'_>,
    pad_width: &Obj<'_>,
    mode: &str,
    constant_values: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let a = arr(a)?;
    let nd = a.ndim();
    let widths = pad_widths(pad_width, nd)?;
    let mode = match mode {
        "constant" => PadMode::Constant,
        "edge" => PadMode::Edge,
        "reflect" | "symmetric" => {
            let sym = mode == "symmetric";
            return wrap(py, on(stream, || ops::pad_mirror(&a, &widths, sym).py())?);
        }
        other => {
            return Err(PyValueError::new_err(format!(
                "pad: mode must be 'constant', 'edge', 'reflect' or 'symmetric', got '{other}'"
            )))
        }
    };
    let value = match constant_values {
        Some(v) if !v.is_none() => operand(v)?,
        _ => Operand::Scalar(rmlx_core::Scalar::Int(0)),
    };
    wrap(py, on(stream, || ops::pad(&a, &widths, mode, value).py())?)
}

/// `a` with its elements shifted by `shift` along `axis`, wrapping around;
/// a tuple of shifts goes with a tuple of axes, one shift per axis.
#[pyfunction]
#[pyo3(signature = (a, /, shift, axis = None, *, stream = None))]
pub fn roll(py: Python<'_>, a: &Obj<'_>, shift: &Obj<'_>, axis: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let (a, ax) = (arr(a)?, axes_arg(axis)?);
    if let Ok(s) = shift.extract::<i64>() {
        return wrap(py, on(stream, || ops::roll(&a, s, ax).py())?);
    }
    let shifts = ints(shift)?;
    if matches!(ax, rmlx_core::Axes::All) {
        // Several shifts and no axis: the flattened array rolls by their sum (as MLX).
        let total: i64 = shifts.iter().sum();
        return wrap(py, on(stream, || ops::roll(&a, total, rmlx_core::Axes::All).py())?);
    }
    let axes = match ax {
        rmlx_core::Axes::Some(v) if v.len() == shifts.len() => v,
        rmlx_core::Axes::Some(v) if v.len() == 1 => vec![v[0]; shifts.len()],
        _ => {
            return Err(PyValueError::new_err(format!(
                "roll: {} shifts need as many axes (or one), got {:?}",
                shifts.len(),
                axis.map(|a| a.to_string())
            )))
        }
    };
    let out = on(stream, || {
        let mut r = a.clone();
        for (s, x) in shifts.iter().zip(&axes) {
            r = ops::roll(&r, *s, rmlx_core::Axes::Some(vec![*x])).py()?;
        }
        Ok(r)
    })?;
    wrap(py, out)
}

/// Diagonal `offset` of the planes of axes `axis1` and `axis2`.
#[pyfunction]
#[pyo3(signature = (a, offset = 0, axis1 = 0, axis2 = 1, stream = None))]
pub fn diagonal(py: Python<'_>, a: &Obj<'_>, offset: i64, axis1: i64, axis2: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::diagonal(&a, offset, axis1, axis2).py())?)
}

/// The diagonal `k` of a matrix, or a matrix with a vector on diagonal `k`.
#[pyfunction]
#[pyo3(signature = (a, /, k = 0, *, stream = None))]
pub fn diag(py: Python<'_>, a: &Obj<'_>, k: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    wrap(py, on(stream, || ops::diag(&a, k).py())?)
}

/// `x` with the elements above diagonal `k` set to zero.
#[pyfunction]
#[pyo3(signature = (x, k = 0, *, stream = None))]
pub fn tril(py: Python<'_>, x: &Obj<'_>, k: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(x)?;
    wrap(py, on(stream, || ops::tril(&a, k).py())?)
}

/// `x` with the elements below diagonal `k` set to zero.
#[pyfunction]
#[pyo3(signature = (x, k = 0, *, stream = None))]
pub fn triu(py: Python<'_>, x: &Obj<'_>, k: i64, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(x)?;
    wrap(py, on(stream, || ops::triu(&a, k).py())?)
}

/// The bytes of `a` read as another dtype.
#[pyfunction]
#[pyo3(signature = (a, /, dtype, *, stream = None))]
pub fn view(py: Python<'_>, a: &Obj<'_>, dtype: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    let dt = dtype_arg(Some(dtype))?.ok_or_else(|| PyTypeError::new_err("view needs a dtype"))?;
    wrap(py, on(stream, || ops::view(&a, dt).py())?)
}

/// `a` converted to `dtype`.
#[pyfunction]
#[pyo3(signature = (a, /, dtype, *, stream = None))]
pub fn astype(py: Python<'_>, a: &Obj<'_>, dtype: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let a = arr(a)?;
    let dt = dtype_arg(Some(dtype))?.ok_or_else(|| PyTypeError::new_err("astype needs a dtype"))?;
    wrap(py, on(stream, || ops::astype(&a, dt).py())?)
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
    add_unary(m)?;
    add_binary(m)?;
    add_reductions(m)?;
    macro_rules! add {
        ($($f:ident),* $(,)?) => {$(m.add_function(wrap_pyfunction!($f, m)?)?;)*};
    }
    add!(
        zeros,
        ones,
        full,
        zeros_like,
        ones_like,
        contiguous,
        atleast_1d,
        atleast_2d,
        atleast_3d,
        arange,
        linspace,
        eye,
        identity,
        tri,
        round,
        nan_to_num,
        divmod,
        where_,
        clip,
        isclose,
        allclose,
        array_equal,
        matmul,
        var,
        std_,
        argmax,
        argmin,
        softmax,
        reshape,
        flatten,
        unflatten,
        squeeze,
        expand_dims,
        transpose,
        permute_dims,
        swapaxes,
        moveaxis,
        broadcast_to,
        broadcast_arrays,
        concatenate,
        concat,
        stack,
        split,
        tile,
        repeat,
        pad,
        roll,
        diagonal,
        diag,
        tril,
        triu,
        view,
        astype,
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
