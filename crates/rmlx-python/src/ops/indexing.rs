//! Gathers and scatters along an axis, and slices at positions given by arrays.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rmlx_core::{ops, Array};

use crate::convert::to_array;
use crate::errors::Py as _;
use crate::table::{py_ops, Arr, IntsArg, Value};

py_ops! { group "indexing";
    /// The elements of `a` at `indices` along `axis` (the flattened array when
    /// None). Negative indices count from the end.
    fn take(a: Arr, /, indices: Arr, axis: Option<i64> = None, *) -> Array { ops::take(&a, &indices, axis) }

    /// `a`'s elements at `indices` along `axis` (None: flattened).
    fn take_along_axis(a: Arr, /, indices: Arr, axis: Option<i64> = (Some(-1)), *) -> Array {
        ops::take_along_axis(&a, &indices, axis)
    }

    /// A copy of `a` with `values` written at `indices` along `axis` (None: flattened).
    fn put_along_axis(a: Arr, /, indices: Arr, values: Value<'_>, axis: Option<i64> = None, *) -> Array {
        let v = to_array(&values, Some(a.dtype()))?;
        ops::put_along_axis(&a, &indices, &v, axis).py()
    }

    /// The window of `slice_size` along `axes` from the start indices in an array.
    fn slice(a: Arr, start_indices: Arr, axes: IntsArg, slice_size: IntsArg, *) -> Array {
        let sizes: Vec<usize> = slice_size
            .iter()
            .map(|&v| usize::try_from(v).map_err(|_| PyValueError::new_err(format!("slice: a size cannot be {v}"))))
            .collect::<PyResult<_>>()?;
        ops::slice_dynamic(&a, &start_indices, &axes, &sizes).py()
    }

    /// A copy of `a` with `update` written from the start indices along `axes`.
    fn slice_update(a: Arr, update: Value<'_>, start_indices: Arr, axes: IntsArg, *) -> Array {
        let u = to_array(&update, Some(a.dtype()))?;
        ops::slice_update_dynamic(&a, &u, &start_indices, &axes).py()
    }
}
