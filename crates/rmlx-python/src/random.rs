//! `rmlx.core.random`: MLX's random functions (keys, Threefry bits and the
//! distributions built on them), with MLX's names, arguments and defaults.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rmlx_core::random::{self, Samples};
use rmlx_core::{Array, Dtype, Operand};

use crate::array::{wrap, PyArray};
use crate::convert::{operand, to_array};
use crate::device::on;
use crate::dtype::dtype_arg;
use crate::errors::Py as _;
use crate::funcs::shape_of;

type Obj<'py> = Bound<'py, PyAny>;
type Out = PyResult<Py<PyArray>>;

fn key_arg(key: Option<&Obj<'_>>) -> PyResult<Option<Array>> {
    key.filter(|k| !k.is_none()).map(|k| to_array(k, None)).transpose()
}

fn shape_or_empty(shape: Option<&Obj<'_>>) -> PyResult<Vec<usize>> {
    match shape.filter(|s| !s.is_none()) {
        Some(s) => shape_of(s),
        None => Ok(vec![]),
    }
}

fn float_dtype(dtype: Option<&Obj<'_>>) -> PyResult<Dtype> {
    Ok(dtype_arg(dtype)?.unwrap_or(Dtype::Float32))
}

fn opt_operand(o: Option<&Obj<'_>>) -> PyResult<Option<Operand>> {
    o.filter(|v| !v.is_none()).map(operand).transpose()
}

/// A PRNG key from a seed: two uint32 words.
#[pyfunction]
fn key(py: Python<'_>, seed: u64) -> Out {
    wrap(py, random::key(seed).py()?)
}

/// Seeds the global PRNG key sequence.
#[pyfunction]
fn seed(seed: u64) -> PyResult<()> {
    random::seed(seed).py()
}

/// Splits a PRNG key into `num` keys, as an array of shape (num, 2).
#[pyfunction]
#[pyo3(signature = (key, num = 2, stream = None))]
fn split(py: Python<'_>, key: &Obj<'_>, num: usize, stream: Option<&Obj<'_>>) -> Out {
    let k = to_array(key, None)?;
    wrap(py, on(stream, || random::split(&k, num).py())?)
}

/// Uniformly distributed values in [low, high).
#[pyfunction]
#[pyo3(
    signature = (low = None, high = None, shape = None, dtype = None, key = None, stream = None),
    text_signature = "(low=0, high=1, shape=(), dtype=None, key=None, stream=None)"
)]
#[allow(clippy::too_many_arguments)]
fn uniform(
    py: Python<'_>,
    low: Option<&Obj<'_>>,
    high: Option<&Obj<'_>>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let lo = opt_operand(low)?.unwrap_or(Operand::Scalar(rmlx_core::Scalar::Float(0.0)));
    let hi = opt_operand(high)?.unwrap_or(Operand::Scalar(rmlx_core::Scalar::Float(1.0)));
    let (s, dt, k) = (shape_or_empty(shape)?, float_dtype(dtype)?, key_arg(key)?);
    wrap(py, on(stream, || random::uniform(lo, hi, &s, dt, k.as_ref()).py())?)
}

/// Normally distributed values with mean `loc` and standard deviation `scale`.
#[pyfunction]
#[pyo3(signature = (shape = None, dtype = None, loc = None, scale = None, key = None, stream = None))]
#[allow(clippy::too_many_arguments)]
fn normal(
    py: Python<'_>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    loc: Option<&Obj<'_>>,
    scale: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (s, dt, k) = (shape_or_empty(shape)?, float_dtype(dtype)?, key_arg(key)?);
    let (l, sc) = (opt_operand(loc)?, opt_operand(scale)?);
    wrap(py, on(stream, || random::normal(&s, dt, l, sc, k.as_ref()).py())?)
}

/// Normally distributed values truncated to [lower, upper].
#[pyfunction]
#[pyo3(signature = (lower, upper, shape = None, dtype = None, key = None, stream = None))]
fn truncated_normal(
    py: Python<'_>,
    lower: &Obj<'_>,
    upper: &Obj<'_>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let s = shape.filter(|s| !s.is_none()).map(shape_of).transpose()?;
    let (lo, hi, dt, k) = (operand(lower)?, operand(upper)?, float_dtype(dtype)?, key_arg(key)?);
    wrap(py, on(stream, || random::truncated_normal(lo, hi, s.as_deref(), dt, k.as_ref()).py())?)
}

/// Random integers in [low, high).
#[pyfunction]
#[pyo3(signature = (low, high, shape = None, dtype = None, key = None, stream = None))]
fn randint(
    py: Python<'_>,
    low: &Obj<'_>,
    high: &Obj<'_>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (lo, hi, s, k) = (operand(low)?, operand(high)?, shape_or_empty(shape)?, key_arg(key)?);
    let dt = dtype_arg(dtype)?.unwrap_or(Dtype::Int32);
    wrap(py, on(stream, || random::randint(lo, hi, &s, dt, k.as_ref()).py())?)
}

/// True with probability `p`.
#[pyfunction]
#[pyo3(
    signature = (p = None, shape = None, key = None, stream = None),
    text_signature = "(p=0.5, shape=None, key=None, stream=None)"
)]
fn bernoulli(
    py: Python<'_>,
    p: Option<&Obj<'_>>,
    shape: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let p = opt_operand(p)?.unwrap_or(Operand::Scalar(rmlx_core::Scalar::Float(0.5)));
    let s = shape.filter(|s| !s.is_none()).map(shape_of).transpose()?;
    let k = key_arg(key)?;
    wrap(py, on(stream, || random::bernoulli(p, s.as_deref(), k.as_ref()).py())?)
}

/// Samples from the categorical distributions of `logits` along `axis`.
#[pyfunction]
#[pyo3(signature = (logits, axis = -1, shape = None, num_samples = None, key = None, stream = None))]
fn categorical(
    py: Python<'_>,
    logits: &Obj<'_>,
    axis: i64,
    shape: Option<&Obj<'_>>,
    num_samples: Option<usize>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let lg = to_array(logits, None)?;
    let s = shape.filter(|s| !s.is_none()).map(shape_of).transpose()?;
    let samples = match (s, num_samples) {
        (Some(_), Some(_)) => {
            return Err(PyValueError::new_err("categorical: at most one of shape or num_samples can be given"))
        }
        (Some(s), None) => Samples::Shape(s),
        (None, Some(n)) => Samples::Count(n),
        (None, None) => Samples::One,
    };
    let k = key_arg(key)?;
    wrap(py, on(stream, || random::categorical(&lg, axis, samples, k.as_ref()).py())?)
}

/// Values from the standard Gumbel distribution.
#[pyfunction]
#[pyo3(signature = (shape = None, dtype = None, key = None, stream = None))]
fn gumbel(
    py: Python<'_>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (s, dt, k) = (shape_or_empty(shape)?, float_dtype(dtype)?, key_arg(key)?);
    wrap(py, on(stream, || random::gumbel(&s, dt, k.as_ref()).py())?)
}

/// Values from the Laplace distribution with location `loc` and scale `scale`.
#[pyfunction]
#[pyo3(signature = (shape = None, dtype = None, loc = 0.0, scale = 1.0, key = None, stream = None))]
#[allow(clippy::too_many_arguments)]
fn laplace(
    py: Python<'_>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    loc: f64,
    scale: f64,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (s, dt, k) = (shape_or_empty(shape)?, float_dtype(dtype)?, key_arg(key)?);
    wrap(py, on(stream, || random::laplace(&s, dt, loc, scale, k.as_ref()).py())?)
}

/// The `random` submodule of `rmlx.core`.
/// A random permutation of `arange(x)` (an int), or of `x`'s entries along `axis`.
#[pyfunction]
#[pyo3(signature = (x, axis = 0, key = None, stream = None))]
fn permutation(py: Python<'_>, x: &Obj<'_>, axis: i64, key: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let k = key_arg(key)?;
    if let Ok(n) = x.extract::<i64>() {
        let n = usize::try_from(n)
            .map_err(|_| PyValueError::new_err(format!("permutation: the length must be non-negative, got {n}")))?;
        return wrap(py, on(stream, || random::permutation(n, k.as_ref()).py())?);
    }
    let a = to_array(x, None)?;
    wrap(py, on(stream, || random::permutation_of(&a, axis, k.as_ref()).py())?)
}

/// Jointly normal samples with `mean` and covariance `cov`.
#[pyfunction]
#[pyo3(signature = (mean, cov, shape = None, dtype = None, key = None, stream = None))]
fn multivariate_normal(
    py: Python<'_>,
    mean: &Obj<'_>,
    cov: &Obj<'_>,
    shape: Option<&Obj<'_>>,
    dtype: Option<&Obj<'_>>,
    key: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (m, c) = (to_array(mean, None)?, to_array(cov, None)?);
    let (s, dt, k) = (shape_or_empty(shape)?, float_dtype(dtype)?, key_arg(key)?);
    wrap(py, on(stream, || random::multivariate_normal(&m, &c, &s, dt, k.as_ref()).py())?)
}

pub fn add(core: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = core.py();
    let m = PyModule::new(py, "random")?;
    m.add_function(wrap_pyfunction!(key, &m)?)?;
    m.add_function(wrap_pyfunction!(seed, &m)?)?;
    m.add_function(wrap_pyfunction!(split, &m)?)?;
    m.add_function(wrap_pyfunction!(uniform, &m)?)?;
    m.add_function(wrap_pyfunction!(normal, &m)?)?;
    m.add_function(wrap_pyfunction!(truncated_normal, &m)?)?;
    m.add_function(wrap_pyfunction!(randint, &m)?)?;
    m.add_function(wrap_pyfunction!(bernoulli, &m)?)?;
    m.add_function(wrap_pyfunction!(categorical, &m)?)?;
    m.add_function(wrap_pyfunction!(gumbel, &m)?)?;
    m.add_function(wrap_pyfunction!(laplace, &m)?)?;
    m.add_function(wrap_pyfunction!(permutation, &m)?)?;
    m.add_function(wrap_pyfunction!(multivariate_normal, &m)?)?;
    core.add_submodule(&m)?;
    Ok(())
}
