//! Arrays made from nothing but a shape, a fill or a range, and windows.

use std::f64::consts::PI;

use pyo3::exceptions::{PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use rmlx_core::{ops, Array, Dtype, Operand};

use crate::errors::Py as _;
use crate::table::{py_ops, Arr, DtypeArg, Obj, Opnd, ShapeArg};

fn or_f32(dtype: Option<DtypeArg>) -> Dtype {
    dtype.map_or(Dtype::Float32, |d| d.0)
}

/// A window of `m` points from `f(n, m - 1)` (float32).
fn window(m: i64, f: fn(f64, f64) -> f64) -> PyResult<Array> {
    let m = usize::try_from(m).map_err(|_| PyValueError::new_err(format!("window size must be >= 0, got {m}")))?;
    // The size comes from the user: too large is a MemoryError, not an abort.
    rmlx_core::memory::check_host_bytes(m.saturating_mul(4)).py()?;
    let mut v: Vec<f32> = Vec::new();
    v.try_reserve_exact(m).map_err(|_| {
        PyMemoryError::new_err(format!("window of {m} points: cannot allocate {} bytes", m.saturating_mul(4)))
    })?;
    match m {
        1 => v.push(1.0),
        _ => v.extend((0..m).map(|n| f(n as f64, (m - 1) as f64) as f32)),
    }
    Array::from_slice(&v, &[m]).py()
}

/// `arange`'s bounds and dtype from its Python arguments (ints give int32,
/// int64 beyond its range; any float gives float32).
fn range_args(
    start: Option<Obj>,
    stop: Option<Obj>,
    step: Option<Obj>,
    dtype: Option<DtypeArg>,
) -> PyResult<(f64, f64, f64, Dtype)> {
    let (start, stop) = match (start.filter(|o| !o.is_none()), stop.filter(|o| !o.is_none())) {
        (Some(a), Some(b)) => (Some(a), b),
        (Some(a), None) => (None, a),
        (None, Some(b)) => (None, b),
        (None, None) => return Err(PyTypeError::new_err("arange() needs at least stop")),
    };
    let is_float = |o: Obj| o.is_instance_of::<pyo3::types::PyFloat>();
    let beyond_i32 = |o: Obj| !is_float(o) && o.extract::<i64>().map(|v| i32::try_from(v).is_err()).unwrap_or(false);
    let mut any_float = is_float(stop);
    let mut wide = beyond_i32(stop);
    let b = stop.extract::<f64>()?;
    let a = match start {
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
    Ok((a, b, st, dtype.map_or(if any_float { Dtype::Float32 } else { int }, |d| d.0)))
}

py_ops! { group "creation";
    /// An array of zeros of `shape` (float32 unless `dtype` says otherwise).
    fn zeros(shape: ShapeArg, dtype: Option<DtypeArg> = None, *) -> Array { ops::zeros(&shape, or_f32(dtype)) }

    /// An array of ones of `shape` (float32 unless `dtype` says otherwise).
    fn ones(shape: ShapeArg, dtype: Option<DtypeArg> = None, *) -> Array { ops::ones(&shape, or_f32(dtype)) }

    /// An array of `shape` filled with `vals` (broadcast), in `dtype` or the type of `vals`.
    fn full(shape: ShapeArg, vals: Opnd, dtype: Option<DtypeArg> = None, *) -> Array {
        let mut dt = dtype.map(|d| d.0);
        if let (None, Operand::Scalar(rmlx_core::Scalar::Int(i))) = (dt, &vals.0) {
            // As MLX: an int beyond int32 makes an int64 array.
            if i32::try_from(*i).is_err() {
                dt = Some(Dtype::Int64);
            }
        }
        ops::full(&shape, vals.0.clone(), dt).py()
    }

    /// Zeros with the shape of `a`, in `dtype` (default: `a`'s).
    fn zeros_like(a: Arr, /, dtype: Option<DtypeArg> = None, *) -> Array {
        ops::zeros(a.shape(), dtype.map_or(a.dtype(), |d| d.0))
    }

    /// Ones with the shape of `a`, in `dtype` (default: `a`'s).
    fn ones_like(a: Arr, /, dtype: Option<DtypeArg> = None, *) -> Array {
        ops::ones(a.shape(), dtype.map_or(a.dtype(), |d| d.0))
    }

    /// An array of `a`'s shape filled with `vals`, in `dtype` (default: `a`'s).
    fn full_like(a: Arr, vals: Opnd, dtype: Option<DtypeArg> = None, *) -> Array {
        ops::full(a.shape(), vals.0.clone(), Some(dtype.map_or(a.dtype(), |d| d.0)))
    }

    /// `arange(stop)`, `arange(start, stop, step=1)`; ints give int32 (int64
    /// beyond its range), floats float32.
    fn arange(start: Option<Obj> = None, stop: Option<Obj> = None, step: Option<Obj> = None, dtype: Option<DtypeArg> = None, *) -> Array {
        let (a, b, st, dt) = range_args(start, stop, step, dtype)?;
        ops::arange(a, b, st, dt).py()
    }

    /// `num` evenly spaced values from `start` to `stop` (included unless `endpoint` is false).
    fn linspace(start: f64, stop: f64, num: i64 = 50, endpoint: bool = true, dtype: Option<DtypeArg> = None) -> Array {
        let num = usize::try_from(num)
            .map_err(|_| PyValueError::new_err(format!("linspace: num must be >= 0, got {num}")))?;
        // Without the endpoint: the first `num` of `num + 1` values.
        let stop = if endpoint || num == 0 { stop } else { start + (stop - start) * (num as f64 - 1.0) / num as f64 };
        ops::linspace(start, stop, num, or_f32(dtype)).py()
    }

    /// An `n` x `m` matrix with ones on diagonal `k` and zeros elsewhere.
    fn eye(n: usize, m: Option<usize> = None, k: i64 = 0, dtype: Option<DtypeArg> = None, *) -> Array {
        ops::eye(n, m, k, or_f32(dtype))
    }

    /// The `n` x `n` identity matrix.
    fn identity(n: usize, dtype: Option<DtypeArg> = None, *) -> Array { ops::identity(n, or_f32(dtype)) }

    /// An `n` x `m` matrix with ones at and below diagonal `k`.
    fn tri(n: usize, m: Option<usize> = None, k: i64 = 0, dtype: Option<DtypeArg> = None, *) -> Array {
        ops::tri(n, m, k, or_f32(dtype))
    }

    /// The Hann window of `M` points.
    fn hanning(M: i64, *) -> Array { window(M, |n, d| 0.5 - 0.5 * (2.0 * PI * n / d).cos()) }

    /// The Hamming window of `M` points.
    fn hamming(M: i64, *) -> Array { window(M, |n, d| 0.54 - 0.46 * (2.0 * PI * n / d).cos()) }

    /// The Blackman window of `M` points.
    fn blackman(M: i64, *) -> Array {
        window(M, |n, d| 0.42 - 0.5 * (2.0 * PI * n / d).cos() + 0.08 * (4.0 * PI * n / d).cos())
    }

    /// The Bartlett (triangular) window of `M` points.
    fn bartlett(M: i64, *) -> Array { window(M, |n, d| 1.0 - (2.0 * n / d - 1.0).abs()) }
}
