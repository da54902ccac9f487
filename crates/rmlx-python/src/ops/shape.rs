//! Shapes and layouts: reshapes, axis moves, broadcasting, joining and
//! cutting, padding, rolls, diagonals, dtype views and casts.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rmlx_core::ops::{self, Split};
use rmlx_core::primitive::PadMode;
use rmlx_core::{Array, Axes};

use crate::errors::Py as _;
use crate::table::{
    axes, ints, py_ops, tuple_arrays, Arr, ArrList, AxesArg, DtypeArg, IntsArg, Obj, OneOrList, Opnd, ShapeArg, Tuple,
};

/// `pad_width` in every form NumPy and MLX take: `n`, `(n,)`, `(before,
/// after)`, `((before, after),)` for all axes, or one pair (or one int) per axis.
fn pad_widths(pad_width: &Bound<'_, PyAny>, nd: usize) -> PyResult<Vec<(usize, usize)>> {
    let bad = || PyTypeError::new_err("pad_width must be an int, a (before, after) pair, or one pair per axis");
    let pair = |o: &Bound<'_, PyAny>| -> PyResult<(i64, i64)> {
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

fn atleast(arys: &Bound<'_, PyTuple>, f: fn(&Array) -> rmlx_core::Result<Array>) -> PyResult<OneOrList> {
    tuple_arrays(arys)?.iter().map(f).collect::<rmlx_core::Result<_>>().py().map(OneOrList)
}

fn transposed(a: &Array, axes: Option<IntsArg>) -> rmlx_core::Result<Array> {
    let ax = axes.map_or_else(|| (0..a.ndim() as i64).rev().collect(), |v| v.0);
    ops::transpose(a, &ax)
}

fn joined(arrays: ArrList, axis: Option<i64>) -> rmlx_core::Result<Array> {
    match axis {
        Some(axis) => ops::concatenate(&arrays, axis),
        None => {
            let flat = arrays.iter().map(|a| ops::reshape(a, &[-1])).collect::<rmlx_core::Result<Vec<_>>>()?;
            ops::concatenate(&flat, 0)
        }
    }
}

py_ops! { group "shape";
    /// `a` with a new shape (one dimension may be -1); a view when the layout allows.
    fn reshape(a: Arr, /, shape: IntsArg, *) -> Array { ops::reshape(&a, &shape) }

    /// `a` with axes `start_axis` ..= `end_axis` merged into one.
    fn flatten(a: Arr, /, start_axis: i64 = 0, end_axis: i64 = (-1), *) -> Array [method] {
        ops::flatten(&a, start_axis, end_axis)
    }

    /// `a` with `axis` split into `shape`.
    fn unflatten(a: Arr, /, axis: i64, shape: IntsArg, *) -> Array { ops::unflatten(&a, axis, &shape) }

    /// `a` without the size-1 axes named (all of them when `axis` is None).
    fn squeeze(a: Arr, /, axis: Option<AxesArg> = None, *) -> Array [method] { ops::squeeze(&a, axes(axis)) }

    /// `a` with new size-1 axes at `axis`.
    fn expand_dims(a: Arr, /, axis: IntsArg, *) -> Array { ops::expand_dims(&a, axis.0.clone()) }

    /// `a` with its axes permuted (reversed when `axes` is None).
    fn transpose(a: Arr, /, axes: Option<IntsArg> = None, *) -> Array { transposed(&a, axes) }

    /// `a` with its axes permuted (reversed when `axes` is None).
    fn permute_dims(a: Arr, /, axes: Option<IntsArg> = None, *) -> Array { transposed(&a, axes) }

    /// `a` with two axes exchanged.
    fn swapaxes(a: Arr, /, axis1: i64, axis2: i64, *) -> Array [method] { ops::swapaxes(&a, axis1, axis2) }

    /// `a` with axis `source` moved to `destination`.
    fn moveaxis(a: Arr, /, source: i64, destination: i64, *) -> Array [method] {
        ops::moveaxis(&a, source, destination)
    }

    /// `a` with its last two axes swapped.
    fn matrix_transpose(a: Arr, /, *) -> Array { ops::swapaxes(&a, -1, -2) }

    /// `a` broadcast to `shape` (a view).
    fn broadcast_to(a: Arr, /, shape: ShapeArg, *) -> Array { ops::broadcast_to(&a, &shape) }

    /// The arrays broadcast to their common shape.
    fn broadcast_arrays(*arrays: &Bound<'_, PyTuple>) -> Vec<Array> {
        ops::broadcast_arrays(&tuple_arrays(arrays)?).py()
    }

    /// Each array with at least one dimension (one array for one argument, a list for several).
    fn atleast_1d(*arys: &Bound<'_, PyTuple>) -> OneOrList { atleast(arys, ops::atleast_1d) }

    /// Each array with at least two dimensions (one array for one argument, a list for several).
    fn atleast_2d(*arys: &Bound<'_, PyTuple>) -> OneOrList { atleast(arys, ops::atleast_2d) }

    /// Each array with at least three dimensions (one array for one argument, a list for several).
    fn atleast_3d(*arys: &Bound<'_, PyTuple>) -> OneOrList { atleast(arys, ops::atleast_3d) }

    /// Coordinate arrays of the grid the 1-D `arrays` span (`indexing` "xy",
    /// Cartesian, or "ij", matrix), broadcast to full size unless `sparse`.
    fn meshgrid(*arrays: &Bound<'_, PyTuple>, sparse: bool = false, indexing: &str = "xy") -> Tuple {
        if indexing != "xy" && indexing != "ij" {
            return Err(PyValueError::new_err(format!("meshgrid: indexing must be 'xy' or 'ij', got '{indexing}'")));
        }
        let xs = tuple_arrays(arrays)?;
        let n = xs.len();
        let mut shaped = Vec::with_capacity(n);
        for (i, x) in xs.iter().enumerate() {
            // Axis of input i in the grid; "xy" swaps the first two.
            let at = if indexing == "xy" && n >= 2 && i < 2 { 1 - i } else { i };
            let mut shape = vec![1i64; n];
            shape[at] = x.size() as i64;
            shaped.push(ops::reshape(x, &shape).py()?);
        }
        if sparse {
            return Ok(Tuple(shaped));
        }
        ops::broadcast_arrays(&shaped).py().map(Tuple)
    }

    /// The arrays joined along `axis` (flattened first when `axis` is None).
    fn concatenate(arrays: ArrList, axis: Option<i64> = (Some(0)), *) -> Array { joined(arrays, axis) }

    /// The arrays joined along `axis` (as `concatenate`).
    fn concat(arrays: ArrList, axis: Option<i64> = (Some(0)), *) -> Array { joined(arrays, axis) }

    /// The arrays joined along a new axis.
    fn stack(arrays: ArrList, axis: i64 = 0, *) -> Array { ops::stack(&arrays, axis) }

    /// The slices of `x` along `axis`, as a tuple.
    fn unstack(x: Arr, /, *, axis: i64 = 0) -> Tuple { ops::unstack(&x, axis).map(Tuple) }

    /// `a` cut along `axis` into equal sections or at the given indices.
    fn split(a: Arr, /, indices_or_sections: Obj, axis: i64 = 0, *) -> Vec<Array> [method] {
        let how = match indices_or_sections.extract::<i64>() {
            Ok(n) => Split::Sections(
                usize::try_from(n).map_err(|_| PyValueError::new_err(format!("split: {n} sections")))?,
            ),
            Err(_) => Split::Indices(ints(indices_or_sections)?),
        };
        ops::split(&a, how, axis).py()
    }

    /// `a` repeated `reps` times along each axis.
    fn tile(a: Arr, /, reps: ShapeArg, *) -> Array { ops::tile(&a, &reps) }

    /// Each element of `a` repeated `repeats` times along `axis` (of the flattened array when None).
    fn repeat(a: Arr, /, repeats: usize, axis: Option<i64> = None, *) -> Array { ops::repeat(&a, repeats, axis) }

    /// `a` padded with `pad_width` (per axis before and after) of `constant_values`, or of its edge values.
    fn pad(a: Arr, /, pad_width: Obj, mode: &str = "constant", constant_values: Opnd = (Opnd::int(0)), *) -> Array {
        let widths = pad_widths(pad_width, a.ndim())?;
        let mode = match mode {
            "constant" => PadMode::Constant,
            "edge" => PadMode::Edge,
            "reflect" | "symmetric" => return ops::pad_mirror(&a, &widths, mode == "symmetric").py(),
            other => {
                return Err(PyValueError::new_err(format!(
                    "pad: mode must be 'constant', 'edge', 'reflect' or 'symmetric', got '{other}'"
                )))
            }
        };
        ops::pad(&a, &widths, mode, constant_values.0.clone()).py()
    }

    /// `a` with its elements shifted by `shift` along `axis`, wrapping around;
    /// a tuple of shifts goes with a tuple of axes, one shift per axis.
    fn roll(a: Arr, /, shift: Obj, axis: Option<AxesArg> = None, *) -> Array {
        let ax = axes(axis);
        if let Ok(s) = shift.extract::<i64>() {
            return ops::roll(&a, s, ax).py();
        }
        let shifts = ints(shift)?;
        let axes = match ax {
            // Several shifts and no axis: the flattened array rolls by their sum (as MLX).
            Axes::All => return ops::roll(&a, shifts.iter().sum(), Axes::All).py(),
            Axes::Some(v) if v.len() == shifts.len() => v,
            Axes::Some(v) if v.len() == 1 => vec![v[0]; shifts.len()],
            Axes::Some(v) => {
                return Err(PyValueError::new_err(format!(
                    "roll: {} shifts need as many axes (or one), got {v:?}",
                    shifts.len()
                )))
            }
        };
        let mut r = a.0.clone();
        for (s, x) in shifts.iter().zip(&axes) {
            r = ops::roll(&r, *s, Axes::Some(vec![*x])).py()?;
        }
        PyResult::Ok(r)
    }

    /// `a` reversed along `axis` (every axis when None).
    fn flip(a: Arr, /, axis: Option<AxesArg> = None, *) -> Array { ops::flip(&a, axes(axis)) }

    /// Diagonal `offset` of the planes of axes `axis1` and `axis2`.
    fn diagonal(a: Arr, offset: i64 = 0, axis1: i64 = 0, axis2: i64 = 1) -> Array [method] {
        ops::diagonal(&a, offset, axis1, axis2)
    }

    /// The diagonal `k` of a matrix, or a matrix with a vector on diagonal `k`.
    fn diag(a: Arr, /, k: i64 = 0, *) -> Array [method] { ops::diag(&a, k) }

    /// `x` with the elements above diagonal `k` set to zero.
    fn tril(x: Arr, k: i64 = 0, *) -> Array { ops::tril(&x, k) }

    /// `x` with the elements below diagonal `k` set to zero.
    fn triu(x: Arr, k: i64 = 0, *) -> Array { ops::triu(&x, k) }

    /// The bytes of `a` read as another dtype.
    fn view(a: Arr, /, dtype: DtypeArg, *) -> Array [method] { ops::view(&a, *dtype) }

    /// `a` converted to `dtype`.
    fn astype(a: Arr, /, dtype: DtypeArg, *) -> Array { ops::astype(&a, *dtype) }

    /// A row-major copy of `a` (`allow_col_major`: a column-major `a` may stay as it is).
    fn contiguous(a: Arr, /, allow_col_major: bool = false, *) -> Array {
        let _ = allow_col_major;
        ops::contiguous(&a)
    }
}
