//! `rmlx.core.random`: MLX's random functions (keys, Threefry bits and the
//! distributions built on them), with MLX's names, arguments and defaults.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rmlx_core::random::{self, Samples};
use rmlx_core::{Array, Dtype};

use crate::errors::Py as _;
use crate::table::{py_ops, Arr, DtypeArg, Obj, Opnd, ShapeArg};

fn shape_or_empty(shape: &Option<ShapeArg>) -> Vec<usize> {
    shape.as_ref().map(|s| s.0.clone()).unwrap_or_default()
}

fn float_dtype(dtype: Option<DtypeArg>) -> Dtype {
    dtype.map_or(Dtype::Float32, |d| d.0)
}

py_ops! { group "random";
    /// Splits a PRNG key into `num` keys, as an array of shape (num, 2).
    fn split(key: Arr, num: usize = 2) -> Array { random::split(&key, num) }

    /// Uniformly distributed values in [low, high).
    fn uniform(low: Opnd = (Opnd::float(0.0)), high: Opnd = (Opnd::float(1.0)), shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, key: Option<Arr> = None) -> Array {
        random::uniform(low.0.clone(), high.0.clone(), &shape_or_empty(&shape), float_dtype(dtype), key.as_deref())
    }

    /// Normally distributed values with mean `loc` and standard deviation `scale`.
    fn normal(shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, loc: Option<Opnd> = None, scale: Option<Opnd> = None, key: Option<Arr> = None) -> Array {
        random::normal(&shape_or_empty(&shape), float_dtype(dtype), loc.map(|l| l.0), scale.map(|s| s.0), key.as_deref())
    }

    /// Normally distributed values truncated to [lower, upper].
    fn truncated_normal(lower: Opnd, upper: Opnd, shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, key: Option<Arr> = None) -> Array {
        let s = shape.map(|s| s.0);
        random::truncated_normal(lower.0.clone(), upper.0.clone(), s.as_deref(), float_dtype(dtype), key.as_deref())
    }

    /// Random integers in [low, high).
    fn randint(low: Opnd, high: Opnd, shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, key: Option<Arr> = None) -> Array {
        let dt = dtype.map_or(Dtype::Int32, |d| d.0);
        random::randint(low.0.clone(), high.0.clone(), &shape_or_empty(&shape), dt, key.as_deref())
    }

    /// True with probability `p`.
    fn bernoulli(p: Opnd = (Opnd::float(0.5)), shape: Option<ShapeArg> = None, key: Option<Arr> = None) -> Array {
        let s = shape.map(|s| s.0);
        random::bernoulli(p.0.clone(), s.as_deref(), key.as_deref())
    }

    /// Samples from the categorical distributions of `logits` along `axis`.
    fn categorical(logits: Arr, axis: i64 = (-1), shape: Option<ShapeArg> = None, num_samples: Option<usize> = None, key: Option<Arr> = None) -> Array {
        let samples = match (shape, num_samples) {
            (Some(_), Some(_)) => {
                return Err(PyValueError::new_err("categorical: at most one of shape or num_samples can be given"))
            }
            (Some(s), None) => Samples::Shape(s.0),
            (None, Some(n)) => Samples::Count(n),
            (None, None) => Samples::One,
        };
        random::categorical(&logits, axis, samples, key.as_deref()).py()
    }

    /// Values from the standard Gumbel distribution.
    fn gumbel(shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, key: Option<Arr> = None) -> Array {
        random::gumbel(&shape_or_empty(&shape), float_dtype(dtype), key.as_deref())
    }

    /// Values from the Laplace distribution with location `loc` and scale `scale`.
    fn laplace(shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, loc: f64 = 0.0, scale: f64 = 1.0, key: Option<Arr> = None) -> Array {
        random::laplace(&shape_or_empty(&shape), float_dtype(dtype), loc, scale, key.as_deref())
    }

    /// A random permutation of `arange(x)` (an int), or of `x`'s entries along `axis`.
    fn permutation(x: Obj, axis: i64 = 0, key: Option<Arr> = None) -> Array {
        if let Ok(n) = x.extract::<i64>() {
            let n = usize::try_from(n)
                .map_err(|_| PyValueError::new_err(format!("permutation: the length must be non-negative, got {n}")))?;
            return random::permutation(n, key.as_deref()).py();
        }
        let a = crate::convert::to_array(x, None)?;
        random::permutation_of(&a, axis, key.as_deref()).py()
    }

    /// Jointly normal samples with `mean` and covariance `cov`.
    fn multivariate_normal(mean: Arr, cov: Arr, shape: Option<ShapeArg> = None, dtype: Option<DtypeArg> = None, key: Option<Arr> = None) -> Array {
        random::multivariate_normal(&mean, &cov, &shape_or_empty(&shape), float_dtype(dtype), key.as_deref())
    }
}

/// A PRNG key from a seed: two uint32 words.
#[pyfunction]
fn key(py: Python<'_>, seed: u64) -> PyResult<Py<PyAny>> {
    crate::table::Ret::finish(random::key(seed).py()?, py)
}

/// Seeds the global PRNG key sequence.
#[pyfunction]
fn seed(seed: u64) -> PyResult<()> {
    random::seed(seed).py()
}

/// Adds the `random` submodule to `rmlx.core`.
pub(crate) fn add(core: &Bound<'_, PyModule>) -> PyResult<()> {
    let m = PyModule::new(core.py(), "random")?;
    m.add_function(wrap_pyfunction!(key, &m)?)?;
    m.add_function(wrap_pyfunction!(seed, &m)?)?;
    register(&m)?;
    core.add_submodule(&m)
}
