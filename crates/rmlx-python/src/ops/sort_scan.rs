//! Sorting, partitions, top-k, binary search, scans and differences.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rmlx_core::ops::{self, ScanArgs};
use rmlx_core::Array;

use crate::table::{py_ops, Arr, DtypeArg};

fn scan(axis: Option<i64>, reverse: bool, inclusive: bool) -> ScanArgs {
    ScanArgs { axis, reverse, inclusive }
}

fn count(what: &str, n: i64) -> PyResult<usize> {
    usize::try_from(n).map_err(|_| PyValueError::new_err(format!("{what} must be non-negative, got {n}")))
}

macro_rules! scans {
    ($($name:ident => $f:path, $doc:literal;)*) => {
        py_ops! { group "sort_scan"; $(
            #[doc = $doc]
            fn $name(a: Arr, /, axis: Option<i64> = None, *, reverse: bool = false, inclusive: bool = true) -> Array [method] {
                $f(&a, scan(axis, reverse, inclusive))
            }
        )* }
    };
}

mod running {
    use super::*;
    scans! {
        cummax => ops::cummax, "Running maxima along `axis` (None: flattened).";
        cummin => ops::cummin, "Running minima along `axis` (None: flattened).";
        logcumsumexp => ops::logcumsumexp, "Running log(sum(exp(a))) along `axis` (None: flattened).";
    }
}

mod other {
    use super::*;
    py_ops! { group "sort_scan";
        /// `a` sorted along `axis` (None: flattened); NaN last, stable.
        fn sort(a: Arr, /, axis: Option<i64> = (Some(-1)), *) -> Array { ops::sort(&a, axis) }

        /// The uint32 indices that sort `a` along `axis` (stable).
        fn argsort(a: Arr, /, axis: Option<i64> = (Some(-1)), *) -> Array { ops::argsort(&a, axis) }

        /// `a` partitioned about its `kth` element along `axis`.
        fn partition(a: Arr, /, kth: i64, axis: Option<i64> = (Some(-1)), *) -> Array { ops::partition(&a, kth, axis) }

        /// The uint32 indices that partition `a` about its `kth` element along `axis`.
        fn argpartition(a: Arr, /, kth: i64, axis: Option<i64> = (Some(-1)), *) -> Array {
            ops::argpartition(&a, kth, axis)
        }

        /// The `k` largest elements along `axis` (ascending).
        fn topk(a: Arr, /, k: i64, axis: Option<i64> = (Some(-1)), *) -> Array {
            let k = count("topk: k", k)?;
            crate::errors::Py::py(ops::topk(&a, k, axis))
        }

        /// Insertion indices (uint32) of `values` into the sorted 1-D `sorted_sequence`.
        fn searchsorted(sorted_sequence: Arr, values: Arr, /, side: &str = "left", *) -> Array {
            let right = match side {
                "left" => false,
                "right" => true,
                _ => return Err(PyValueError::new_err(format!("searchsorted: side must be 'left' or 'right', got '{side}'"))),
            };
            crate::errors::Py::py(ops::searchsorted(&sorted_sequence, &values, right))
        }

        /// Running sums along `axis` (None: flattened), in `dtype` if given.
        fn cumsum(a: Arr, /, axis: Option<i64> = None, *, reverse: bool = false, inclusive: bool = true, dtype: Option<DtypeArg> = None) -> Array [method] {
            ops::cumsum(&a, scan(axis, reverse, inclusive), dtype.map(|d| d.0))
        }

        /// Running products along `axis` (None: flattened), in `dtype` if given.
        fn cumprod(a: Arr, /, axis: Option<i64> = None, *, reverse: bool = false, inclusive: bool = true, dtype: Option<DtypeArg> = None) -> Array [method] {
            ops::cumprod(&a, scan(axis, reverse, inclusive), dtype.map(|d| d.0))
        }

        /// The `n`-th discrete difference along `axis` (NumPy's `prepend` and `append` too).
        fn diff(a: Arr, /, n: i64 = 1, axis: i64 = (-1), *, prepend: Option<Arr> = None, append: Option<Arr> = None) -> Array {
            let n = count("diff: n", n)?;
            crate::errors::Py::py(ops::diff(&a, n, axis, prepend.as_deref(), append.as_deref()))
        }
    }
}

crate::table::tables!(self::running, self::other);
