//! Contractions: matrix products and their relatives, einsum.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use rmlx_core::ops::{self, TensorAxes};
use rmlx_core::Array;

use crate::errors::Py as _;
use crate::table::{ints, py_ops, tuple_arrays, Arr, DtypeArg, Obj};

/// `tensordot`'s axes: a count of trailing/leading axes, or two lists of axes.
pub struct AxesSpec(TensorAxes);

impl AxesSpec {
    /// A count, as a default (the stub shows it).
    fn int(n: usize) -> AxesSpec {
        AxesSpec(TensorAxes::Count(n))
    }
}

impl<'py> FromPyObject<'py> for AxesSpec {
    fn extract_bound(o: &Bound<'py, PyAny>) -> PyResult<Self> {
        if o.is_none() {
            return Ok(AxesSpec::int(2));
        }
        tensor_axes(o).map(AxesSpec)
    }
}

impl crate::table::Param for AxesSpec {
    fn stub() -> String {
        "Union[int, Sequence[Sequence[int]]]".into()
    }
}

fn tensor_axes(axes: Obj) -> PyResult<TensorAxes> {
    if let Ok(n) = axes.extract::<i64>() {
        return Ok(TensorAxes::Count(
            usize::try_from(n)
                .map_err(|_| PyValueError::new_err(format!("tensordot: axes must be non-negative, got {n}")))?,
        ));
    }
    let pair: Vec<Bound<'_, PyAny>> = axes
        .extract()
        .map_err(|_| PyTypeError::new_err("tensordot: axes must be an int or a pair of sequences of ints"))?;
    match pair.as_slice() {
        [a, b] => Ok(TensorAxes::Pairs(ints(a)?, ints(b)?)),
        _ => Err(PyValueError::new_err("tensordot: axes must be a pair of sequences of ints")),
    }
}

py_ops! { group "contract";
    /// The matrix product of `a` and `b`, with NumPy's rules for 1-D operands and batches.
    fn matmul(a: Arr, b: Arr, /, *) -> Array { ops::matmul(&a, &b) }

    /// `alpha * (a @ b) + beta * c`.
    fn addmm(c: Arr, a: Arr, b: Arr, /, alpha: f64 = 1.0, beta: f64 = 1.0, *) -> Array {
        ops::addmm(&c, &a, &b, alpha, beta)
    }

    /// Sums of products over the last axes.
    fn inner(a: Arr, b: Arr, /, *) -> Array { ops::inner(&a, &b) }

    /// The outer product of the flattened arrays.
    fn outer(a: Arr, b: Arr, /, *) -> Array { ops::outer(&a, &b) }

    /// Sums of products over `axes` (a count, or two lists of axes).
    fn tensordot(a: Arr, b: Arr, /, axes: AxesSpec = (AxesSpec::int(2)), *) -> Array {
        ops::tensordot(&a, &b, &axes.0)
    }

    /// `sum(conj(a) * b, axis)`.
    fn vecdot(a: Arr, b: Arr, /, axis: i64 = (-1), *) -> Array { ops::vecdot(&a, &b, axis) }

    /// The Kronecker product.
    fn kron(a: Arr, b: Arr, *) -> Array { ops::kron(&a, &b) }

    /// The sum along a diagonal.
    fn trace(a: Arr, /, offset: i64 = 0, axis1: i64 = 0, axis2: i64 = 1, dtype: Option<DtypeArg> = None, *) -> Array {
        ops::trace(&a, offset, axis1, axis2, dtype.map(|d| d.0))
    }

    /// Einstein summation over the operands.
    fn einsum(subscripts: &str, *operands: &Bound<'_, PyTuple>) -> Array {
        ops::einsum(subscripts, &tuple_arrays(operands)?).py()
    }

    /// `a @ b` with blocks of the operands and the output masked.
    fn block_masked_mm(a: Arr, b: Arr, /, block_size: i64 = 64, mask_out: Option<Arr> = None, mask_lhs: Option<Arr> = None, mask_rhs: Option<Arr> = None, *) -> Array {
        let bs = usize::try_from(block_size).map_err(|_| {
            PyValueError::new_err(format!("block_masked_mm: block_size must be positive, got {block_size}"))
        })?;
        ops::block_masked_mm(&a, &b, bs, mask_out.as_deref(), mask_lhs.as_deref(), mask_rhs.as_deref()).py()
    }

    /// Matrix products of the matrices of `a` and `b` picked by index arrays
    /// (`sorted_indices` is a hint only: the result is the same).
    fn gather_mm(a: Arr, b: Arr, /, lhs_indices: Option<Arr> = None, rhs_indices: Option<Arr> = None, *, sorted_indices: bool = false) -> Array {
        let _ = sorted_indices;
        ops::gather_mm(&a, &b, lhs_indices.as_deref(), rhs_indices.as_deref())
    }

    /// Products of `a` and `b` over segments of the inner dimension.
    fn segmented_mm(a: Arr, b: Arr, /, segments: Arr, *) -> Array { ops::segmented_mm(&a, &b, &segments) }
}

/// The contraction order `einsum` takes and a report of its cost.
#[pyfunction]
#[pyo3(signature = (subscripts, *operands))]
pub fn einsum_path<'py>(
    py: Python<'py>,
    subscripts: &str,
    operands: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let arrays = tuple_arrays(operands)?;
    let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
    let (path, report) = ops::einsum_path(subscripts, &shapes).py()?;
    let list = PyList::empty(py);
    for (i, j) in path {
        list.append(PyTuple::new(py, [i, j])?)?;
    }
    PyTuple::new(py, [list.into_any(), report.into_pyobject(py)?.into_any()])
}
