//! `mlx.core`'s sorting, scans, gathers along an axis, dynamic slices, the
//! matmul family and convolutions, with MLX's names and arguments.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use rmlx_core::ops::{self, TensorAxes};
use rmlx_core::Array;

use crate::array::{wrap, PyArray};
use crate::convert::to_array;
use crate::device::on;
use crate::dtype::dtype_arg;
use crate::errors::Py as _;

type Obj<'py> = Bound<'py, PyAny>;
type Out = PyResult<Py<PyArray>>;

fn arr(o: &Obj<'_>) -> PyResult<Array> {
    to_array(o, None)
}

fn opt_arr(o: Option<&Obj<'_>>) -> PyResult<Option<Array>> {
    match o {
        Some(o) if !o.is_none() => Ok(Some(arr(o)?)),
        _ => Ok(None),
    }
}

fn ints(o: &Obj<'_>, what: &str) -> PyResult<Vec<i64>> {
    if let Ok(i) = o.extract::<i64>() {
        return Ok(vec![i]);
    }
    o.extract::<Vec<i64>>().map_err(|_| PyTypeError::new_err(format!("{what} must be a sequence of ints")))
}

// ---------------------------------------------------------------- sorting

// ---------------------------------------------------------------- scans

// ---------------------------------------------------------------- gathers

/// `a`'s elements at `indices` along `axis` (None: flattened).
#[pyfunction]
#[pyo3(signature = (a, /, indices, axis = -1, *, stream = None))]
pub fn take_along_axis(
    py: Python<'_>,
    a: &Obj<'_>,
    indices: &Obj<'_>,
    axis: Option<i64>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, i) = (arr(a)?, arr(indices)?);
    wrap(py, on(stream, || ops::take_along_axis(&a, &i, axis).py())?)
}

/// A copy of `a` with `values` written at `indices` along `axis` (None: flattened).
#[pyfunction]
#[pyo3(signature = (a, /, indices, values, axis = None, *, stream = None))]
pub fn put_along_axis(
    py: Python<'_>,
    a: &Obj<'_>,
    indices: &Obj<'_>,
    values: &Obj<'_>,
    axis: Option<i64>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, i) = (arr(a)?, arr(indices)?);
    let v = to_array(values, Some(a.dtype()))?;
    wrap(py, on(stream, || ops::put_along_axis(&a, &i, &v, axis).py())?)
}

/// The window of `slice_size` along `axes` from the start indices in an array.
#[pyfunction]
#[pyo3(signature = (a, start_indices, axes, slice_size, *, stream = None))]
pub fn slice(
    py: Python<'_>,
    a: &Obj<'_>,
    start_indices: &Obj<'_>,
    axes: &Obj<'_>,
    slice_size: &Obj<'_>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, s) = (arr(a)?, arr(start_indices)?);
    let axes = ints(axes, "axes")?;
    let sizes: Vec<usize> = ints(slice_size, "slice_size")?
        .into_iter()
        .map(|v| usize::try_from(v).map_err(|_| PyValueError::new_err(format!("slice: a size cannot be {v}"))))
        .collect::<PyResult<_>>()?;
    wrap(py, on(stream, || ops::slice_dynamic(&a, &s, &axes, &sizes).py())?)
}

/// A copy of `a` with `update` written from the start indices along `axes`.
#[pyfunction]
#[pyo3(signature = (a, update, start_indices, axes, *, stream = None))]
pub fn slice_update(
    py: Python<'_>,
    a: &Obj<'_>,
    update: &Obj<'_>,
    start_indices: &Obj<'_>,
    axes: &Obj<'_>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let a = arr(a)?;
    let u = to_array(update, Some(a.dtype()))?;
    let s = arr(start_indices)?;
    let axes = ints(axes, "axes")?;
    wrap(py, on(stream, || ops::slice_update_dynamic(&a, &u, &s, &axes).py())?)
}

// ---------------------------------------------------------------- the matmul family

/// `alpha * (a @ b) + beta * c`.
#[pyfunction]
#[pyo3(signature = (c, a, b, /, alpha = 1.0, beta = 1.0, *, stream = None))]
pub fn addmm(
    py: Python<'_>,
    c: &Obj<'_>,
    a: &Obj<'_>,
    b: &Obj<'_>,
    alpha: f64,
    beta: f64,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (c, a, b) = (arr(c)?, arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::addmm(&c, &a, &b, alpha, beta).py())?)
}

/// Sums of products over the last axes.
#[pyfunction]
#[pyo3(signature = (a, b, /, *, stream = None))]
pub fn inner(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::inner(&a, &b).py())?)
}

/// The outer product of the flattened arrays.
#[pyfunction]
#[pyo3(signature = (a, b, /, *, stream = None))]
pub fn outer(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::outer(&a, &b).py())?)
}

/// Sums of products over `axes` (a count, or two lists of axes).
#[pyfunction]
#[pyo3(signature = (a, b, /, axes = None, *, stream = None), text_signature = "(a, b, /, axes=2, *, stream=None)")]
pub fn tensordot(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, axes: Option<&Obj<'_>>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    let spec = match axes {
        None => TensorAxes::Count(2),
        Some(o) if o.is_none() => TensorAxes::Count(2),
        Some(o) => {
            if let Ok(n) = o.extract::<i64>() {
                TensorAxes::Count(
                    usize::try_from(n)
                        .map_err(|_| PyValueError::new_err(format!("tensordot: axes must be non-negative, got {n}")))?,
                )
            } else {
                let pair: Vec<Obj<'_>> = o.extract().map_err(|_| {
                    PyTypeError::new_err("tensordot: axes must be an int or a pair of sequences of ints")
                })?;
                if pair.len() != 2 {
                    return Err(PyValueError::new_err("tensordot: axes must be a pair of sequences of ints"));
                }
                TensorAxes::Pairs(ints(&pair[0], "axes")?, ints(&pair[1], "axes")?)
            }
        }
    };
    wrap(py, on(stream, || ops::tensordot(&a, &b, &spec).py())?)
}

/// `sum(conj(a) * b, axis)`.
#[pyfunction]
#[pyo3(signature = (a, b, /, axis = -1, *, stream = None))]
pub fn vecdot(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, axis: i64, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::vecdot(&a, &b, axis).py())?)
}

/// The Kronecker product.
#[pyfunction]
#[pyo3(signature = (a, b, *, stream = None))]
pub fn kron(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    wrap(py, on(stream, || ops::kron(&a, &b).py())?)
}

/// The sum along a diagonal.
#[pyfunction]
#[pyo3(signature = (a, /, offset = 0, axis1 = 0, axis2 = 1, dtype = None, *, stream = None))]
pub fn trace(
    py: Python<'_>,
    a: &Obj<'_>,
    offset: i64,
    axis1: i64,
    axis2: i64,
    dtype: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, dt) = (arr(a)?, dtype_arg(dtype)?);
    wrap(py, on(stream, || ops::trace(&a, offset, axis1, axis2, dt).py())?)
}

fn operand_list(operands: &Bound<'_, PyTuple>) -> PyResult<Vec<Array>> {
    operands.iter().map(|o| arr(&o)).collect()
}

/// Einstein summation over the operands.
#[pyfunction]
#[pyo3(signature = (subscripts, *operands, stream = None))]
pub fn einsum(py: Python<'_>, subscripts: &str, operands: &Bound<'_, PyTuple>, stream: Option<&Obj<'_>>) -> Out {
    let ops_ = operand_list(operands)?;
    wrap(py, on(stream, || ops::einsum(subscripts, &ops_).py())?)
}

/// The contraction order `einsum` takes and a report of its cost.
#[pyfunction]
#[pyo3(signature = (subscripts, *operands))]
pub fn einsum_path<'py>(
    py: Python<'py>,
    subscripts: &str,
    operands: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTuple>> {
    let arrays = operand_list(operands)?;
    let shapes: Vec<&[usize]> = arrays.iter().map(|a| a.shape()).collect();
    let (path, report) = ops::einsum_path(subscripts, &shapes).py()?;
    let list = PyList::empty(py);
    for (i, j) in path {
        list.append(PyTuple::new(py, [i, j])?)?;
    }
    PyTuple::new(py, [list.into_any(), report.into_pyobject(py)?.into_any()])
}

/// `a @ b` with blocks of the operands and the output masked.
#[pyfunction]
#[pyo3(signature = (a, b, /, block_size = 64, mask_out = None, mask_lhs = None, mask_rhs = None, *, stream = None))]
#[allow(clippy::too_many_arguments)]
pub fn block_masked_mm(
    py: Python<'_>,
    a: &Obj<'_>,
    b: &Obj<'_>,
    block_size: i64,
    mask_out: Option<&Obj<'_>>,
    mask_lhs: Option<&Obj<'_>>,
    mask_rhs: Option<&Obj<'_>>,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (a, b) = (arr(a)?, arr(b)?);
    let bs = usize::try_from(block_size).map_err(|_| {
        PyValueError::new_err(format!("block_masked_mm: block_size must be positive, got {block_size}"))
    })?;
    let (mo, ml, mr) = (opt_arr(mask_out)?, opt_arr(mask_lhs)?, opt_arr(mask_rhs)?);
    wrap(py, on(stream, || ops::block_masked_mm(&a, &b, bs, mo.as_ref(), ml.as_ref(), mr.as_ref()).py())?)
}

/// Matrix products of the matrices of `a` and `b` picked by index arrays.
#[pyfunction]
#[pyo3(signature = (a, b, /, lhs_indices = None, rhs_indices = None, *, sorted_indices = false, stream = None))]
pub fn gather_mm(
    py: Python<'_>,
    a: &Obj<'_>,
    b: &Obj<'_>,
    lhs_indices: Option<&Obj<'_>>,
    rhs_indices: Option<&Obj<'_>>,
    sorted_indices: bool,
    stream: Option<&Obj<'_>>,
) -> Out {
    let _ = sorted_indices; // a hint only; the result is the same
    let (a, b) = (arr(a)?, arr(b)?);
    let (li, ri) = (opt_arr(lhs_indices)?, opt_arr(rhs_indices)?);
    wrap(py, on(stream, || ops::gather_mm(&a, &b, li.as_ref(), ri.as_ref()).py())?)
}

/// Products of `a` and `b` over segments of the inner dimension.
#[pyfunction]
#[pyo3(signature = (a, b, /, segments, *, stream = None))]
pub fn segmented_mm(py: Python<'_>, a: &Obj<'_>, b: &Obj<'_>, segments: &Obj<'_>, stream: Option<&Obj<'_>>) -> Out {
    let (a, b, s) = (arr(a)?, arr(b)?, arr(segments)?);
    wrap(py, on(stream, || ops::segmented_mm(&a, &b, &s).py())?)
}

// ---------------------------------------------------------------- convolution

/// One value per spatial dimension from an int or a sequence.
fn per_dim(o: Option<&Obj<'_>>, d: usize, default: usize, what: &str) -> PyResult<Vec<usize>> {
    let Some(o) = o.filter(|o| !o.is_none()) else { return Ok(vec![default; d]) };
    let v = ints(o, what)?;
    let v: Vec<usize> = v
        .into_iter()
        .map(|x| usize::try_from(x).map_err(|_| PyValueError::new_err(format!("{what} cannot be negative, got {x}"))))
        .collect::<PyResult<_>>()?;
    match v.len() {
        1 => Ok(vec![v[0]; d]),
        n if n == d => Ok(v),
        n => Err(PyValueError::new_err(format!("{what} needs 1 or {d} values, got {n}"))),
    }
}

fn spatial(input: &Array, name: &str) -> PyResult<usize> {
    if input.ndim() < 3 {
        return Err(PyValueError::new_err(format!(
            "{name}: the input must be (N, spatial..., C), got {} dimensions",
            input.ndim()
        )));
    }
    Ok(input.ndim() - 2)
}

fn check_dims(input: &Array, d: usize, name: &str) -> PyResult<()> {
    if input.ndim() != d + 2 {
        return Err(PyValueError::new_err(format!(
            "{name}: expected an input of {} dimensions (N, {d} spatial, C), got shape {:?}",
            d + 2,
            input.shape()
        )));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn conv_any(
    py: Python<'_>,
    input: &Obj<'_>,
    weight: &Obj<'_>,
    d: usize,
    stride: Option<&Obj<'_>>,
    padding: Option<&Obj<'_>>,
    dilation: Option<&Obj<'_>>,
    groups: i64,
    stream: Option<&Obj<'_>>,
    name: &str,
) -> Out {
    let (x, w) = (arr(input)?, arr(weight)?);
    check_dims(&x, d, name)?;
    let groups =
        usize::try_from(groups).map_err(|_| PyValueError::new_err(format!("{name}: groups must be positive")))?;
    let mut args = ops::ConvArgs::new(d);
    args.stride = per_dim(stride, d, 1, "stride")?;
    args.padding = per_dim(padding, d, 0, "padding")?.into_iter().map(|p| (p, p)).collect();
    args.kernel_dilation = per_dim(dilation, d, 1, "dilation")?;
    args.groups = groups;
    wrap(py, on(stream, || ops::conv_general(&x, &w, &args).py())?)
}

macro_rules! conv_fn {
    ($name:ident, $d:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(
            signature = (input, weight, /, stride = None, padding = None, dilation = None, groups = 1, *, stream = None),
            text_signature = "(input, weight, /, stride=1, padding=0, dilation=1, groups=1, *, stream=None)"
        )]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            py: Python<'_>,
            input: &Obj<'_>,
            weight: &Obj<'_>,
            stride: Option<&Obj<'_>>,
            padding: Option<&Obj<'_>>,
            dilation: Option<&Obj<'_>>,
            groups: i64,
            stream: Option<&Obj<'_>>,
        ) -> Out {
            conv_any(py, input, weight, $d, stride, padding, dilation, groups, stream, stringify!($name))
        }
    };
}
conv_fn!(conv1d, 1, "1-D convolution: input (N, L, C_in), weight (C_out, K, C_in / groups).");
conv_fn!(conv2d, 2, "2-D convolution: input (N, H, W, C_in), weight (C_out, KH, KW, C_in / groups).");
conv_fn!(conv3d, 3, "3-D convolution: input (N, D, H, W, C_in), weight (C_out, KD, KH, KW, C_in / groups).");

macro_rules! conv_t_fn {
    ($name:ident, $d:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(
            signature = (input, weight, /, stride = None, padding = None, dilation = None, output_padding = None, groups = 1, *, stream = None),
            text_signature = "(input, weight, /, stride=1, padding=0, dilation=1, output_padding=0, groups=1, *, stream=None)"
        )]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            py: Python<'_>,
            input: &Obj<'_>,
            weight: &Obj<'_>,
            stride: Option<&Obj<'_>>,
            padding: Option<&Obj<'_>>,
            dilation: Option<&Obj<'_>>,
            output_padding: Option<&Obj<'_>>,
            groups: i64,
            stream: Option<&Obj<'_>>,
        ) -> Out {
            let name = stringify!($name);
            let (x, w) = (arr(input)?, arr(weight)?);
            check_dims(&x, $d, name)?;
            let g = usize::try_from(groups).map_err(|_| PyValueError::new_err(format!("{name}: groups must be positive")))?;
            let s = per_dim(stride, $d, 1, "stride")?;
            let p = per_dim(padding, $d, 0, "padding")?;
            let dl = per_dim(dilation, $d, 1, "dilation")?;
            let op = per_dim(output_padding, $d, 0, "output_padding")?;
            wrap(py, on(stream, || ops::conv_transpose(&x, &w, &s, &p, &dl, &op, g).py())?)
        }
    };
}
conv_t_fn!(conv_transpose1d, 1, "1-D transposed convolution: weight (C_out, K, C_in).");
conv_t_fn!(conv_transpose2d, 2, "2-D transposed convolution: weight (C_out, KH, KW, C_in).");
conv_t_fn!(conv_transpose3d, 3, "3-D transposed convolution: weight (C_out, KD, KH, KW, C_in).");

/// A convolution over any number of spatial dimensions.
#[pyfunction]
#[pyo3(
    signature = (input, weight, /, stride = None, padding = None, kernel_dilation = None, input_dilation = None, groups = 1, flip = false, *, stream = None),
    text_signature = "(input, weight, /, stride=1, padding=0, kernel_dilation=1, input_dilation=1, groups=1, flip=False, *, stream=None)"
)]
#[allow(clippy::too_many_arguments)]
pub fn conv_general(
    py: Python<'_>,
    input: &Obj<'_>,
    weight: &Obj<'_>,
    stride: Option<&Obj<'_>>,
    padding: Option<&Obj<'_>>,
    kernel_dilation: Option<&Obj<'_>>,
    input_dilation: Option<&Obj<'_>>,
    groups: i64,
    flip: bool,
    stream: Option<&Obj<'_>>,
) -> Out {
    let (x, w) = (arr(input)?, arr(weight)?);
    let d = spatial(&x, "conv_general")?;
    let mut args = ops::ConvArgs::new(d);
    args.stride = per_dim(stride, d, 1, "stride")?;
    args.padding = match padding.filter(|p| !p.is_none()) {
        Some(p) if p.is_instance_of::<PyTuple>() && p.len()? == 2 && p.get_item(0)?.extract::<i64>().is_err() => {
            let lo = per_dim(Some(&p.get_item(0)?), d, 0, "padding")?;
            let hi = per_dim(Some(&p.get_item(1)?), d, 0, "padding")?;
            lo.into_iter().zip(hi).collect()
        }
        other => per_dim(other, d, 0, "padding")?.into_iter().map(|p| (p, p)).collect(),
    };
    args.kernel_dilation = per_dim(kernel_dilation, d, 1, "kernel_dilation")?;
    args.input_dilation = per_dim(input_dilation, d, 1, "input_dilation")?;
    args.groups =
        usize::try_from(groups).map_err(|_| PyValueError::new_err("conv_general: groups must be positive"))?;
    args.flip = flip;
    wrap(py, on(stream, || ops::conv_general(&x, &w, &args).py())?)
}

/// NumPy's 1-D `convolve` ("full", "same" or "valid").
#[pyfunction]
#[pyo3(signature = (a, v, /, mode = "full", *, stream = None))]
pub fn convolve(py: Python<'_>, a: &Obj<'_>, v: &Obj<'_>, mode: &str, stream: Option<&Obj<'_>>) -> Out {
    let (a, v) = (arr(a)?, arr(v)?);
    wrap(py, on(stream, || ops::convolve(&a, &v, mode).py())?)
}

/// Registers the functions.
pub fn add(m: &Bound<'_, PyModule>) -> PyResult<()> {
    macro_rules! add {
        ($($f:ident),* $(,)?) => {$(m.add_function(wrap_pyfunction!($f, m)?)?;)*};
    }
    add!(
        take_along_axis,
        put_along_axis,
        slice,
        slice_update,
        addmm,
        inner,
        outer,
        tensordot,
        vecdot,
        kron,
        trace,
        einsum,
        einsum_path,
        block_masked_mm,
        gather_mm,
        segmented_mm,
        conv1d,
        conv2d,
        conv3d,
        conv_transpose1d,
        conv_transpose2d,
        conv_transpose3d,
        conv_general,
        convolve,
    );
    Ok(())
}
