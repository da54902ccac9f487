//! Convolutions: 1-D to 3-D, transposed, general, and NumPy's `convolve`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rmlx_core::{ops, Array};

use crate::errors::Py as _;
use crate::table::{py_ops, Arr, Dims};

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

fn group_count(groups: i64, name: &str) -> PyResult<usize> {
    usize::try_from(groups).map_err(|_| PyValueError::new_err(format!("{name}: groups must be positive")))
}

/// A convolution of `d` spatial dimensions with symmetric padding.
#[allow(clippy::too_many_arguments)]
fn conv_nd(x: &Array, w: &Array, d: usize, s: &Dims, p: &Dims, dl: &Dims, groups: i64, name: &str) -> PyResult<Array> {
    check_dims(x, d, name)?;
    let mut args = ops::ConvArgs::new(d);
    args.stride = s.per_dim(d, "stride")?;
    args.padding = p.per_dim(d, "padding")?.into_iter().map(|p| (p, p)).collect();
    args.kernel_dilation = dl.per_dim(d, "dilation")?;
    args.groups = group_count(groups, name)?;
    ops::conv_general(x, w, &args).py()
}

#[allow(clippy::too_many_arguments)]
fn conv_t_nd(
    x: &Array,
    w: &Array,
    d: usize,
    s: &Dims,
    p: &Dims,
    dl: &Dims,
    op: &Dims,
    groups: i64,
    name: &str,
) -> PyResult<Array> {
    check_dims(x, d, name)?;
    let g = group_count(groups, name)?;
    let (s, p) = (s.per_dim(d, "stride")?, p.per_dim(d, "padding")?);
    let (dl, op) = (dl.per_dim(d, "dilation")?, op.per_dim(d, "output_padding")?);
    ops::conv_transpose(x, w, &s, &p, &dl, &op, g).py()
}

macro_rules! convs {
    ($($name:ident, $t:ident, $d:expr, $doc:literal, $tdoc:literal;)*) => {
        py_ops! { group "conv"; $(
            #[doc = $doc]
            fn $name(input: Arr, weight: Arr, /, stride: Dims = (Dims::int(1)), padding: Dims = (Dims::int(0)), dilation: Dims = (Dims::int(1)), groups: i64 = 1, *) -> Array {
                conv_nd(&input, &weight, $d, &stride, &padding, &dilation, groups, stringify!($name))
            }

            #[doc = $tdoc]
            fn $t(input: Arr, weight: Arr, /, stride: Dims = (Dims::int(1)), padding: Dims = (Dims::int(0)), dilation: Dims = (Dims::int(1)), output_padding: Dims = (Dims::int(0)), groups: i64 = 1, *) -> Array {
                conv_t_nd(&input, &weight, $d, &stride, &padding, &dilation, &output_padding, groups, stringify!($t))
            }
        )* }
    };
}

mod nd {
    use super::*;
    convs! {
        conv1d, conv_transpose1d, 1,
            "1-D convolution: input (N, L, C_in), weight (C_out, K, C_in / groups).",
            "1-D transposed convolution: weight (C_out, K, C_in).";
        conv2d, conv_transpose2d, 2,
            "2-D convolution: input (N, H, W, C_in), weight (C_out, KH, KW, C_in / groups).",
            "2-D transposed convolution: weight (C_out, KH, KW, C_in).";
        conv3d, conv_transpose3d, 3,
            "3-D convolution: input (N, D, H, W, C_in), weight (C_out, KD, KH, KW, C_in / groups).",
            "3-D transposed convolution: weight (C_out, KD, KH, KW, C_in).";
    }
}

mod general {
    use super::*;
    py_ops! { group "conv";
        /// A convolution over any number of spatial dimensions (`padding`: per
        /// dimension, or a pair of low and high paddings).
        fn conv_general(input: Arr, weight: Arr, /, stride: Dims = (Dims::int(1)), padding: Dims = (Dims::int(0)), kernel_dilation: Dims = (Dims::int(1)), input_dilation: Dims = (Dims::int(1)), groups: i64 = 1, flip: bool = false, *) -> Array {
            if input.ndim() < 3 {
                return Err(PyValueError::new_err(format!(
                    "conv_general: the input must be (N, spatial..., C), got {} dimensions",
                    input.ndim()
                )));
            }
            let d = input.ndim() - 2;
            let mut args = ops::ConvArgs::new(d);
            args.stride = stride.per_dim(d, "stride")?;
            args.padding = padding.pairs(d, "padding")?;
            args.kernel_dilation = kernel_dilation.per_dim(d, "kernel_dilation")?;
            args.input_dilation = input_dilation.per_dim(d, "input_dilation")?;
            args.groups = group_count(groups, "conv_general")?;
            args.flip = flip;
            ops::conv_general(&input, &weight, &args).py()
        }

        /// NumPy's 1-D `convolve` ("full", "same" or "valid").
        fn convolve(a: Arr, v: Arr, /, mode: &str = "full", *) -> Array { ops::convolve(&a, &v, mode) }
    }
}

crate::table::tables!(self::nd, self::general);
