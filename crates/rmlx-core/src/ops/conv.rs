//! Convolutions in MLX's layout (channels last): inputs `(N, spatial..., C_in)`,
//! weights `(C_out, kernel..., C_in / groups)`, outputs `(N, spatial..., C_out)`.
//! `conv_general` makes one `Conv` node, which each backend runs with its own
//! kernel. Its jvp and vjp are convolutions too (`transforms/conv_rules.rs`);
//! vmap maps `conv_general_composed`, the same convolution as graph ops (the
//! input dilated and padded, its windows viewed with `as_strided` and
//! contracted with the weights in one matrix product per group).

use super::{
    as_strided, astype, contiguous, flip, matmul, pad, reshape_to, slice, swapaxes, transpose, zeros, Axes, SliceArg,
};
use crate::array::Array;
use crate::dtype::promote_types;
use crate::error::{Error, Result};
pub use crate::primitive::ConvArgs;
use crate::primitive::{PadMode, Primitive};
use crate::shape::{fmt_shape, row_major_strides};

/// `x` with `d - 1` zeros between its elements along `axis`.
fn dilate(x: &Array, axis: usize, d: usize) -> Result<Array> {
    let n = x.shape()[axis];
    if d == 1 || n <= 1 {
        return Ok(x.clone());
    }
    let mut s = x.shape().to_vec();
    s.insert(axis + 1, 1);
    let e = reshape_to(x, &s)?;
    let mut w = vec![(0usize, 0usize); e.ndim()];
    w[axis + 1] = (0, d - 1);
    let p = pad(&e, &w, PadMode::Constant, 0)?;
    let mut s2 = x.shape().to_vec();
    s2[axis] = n * d;
    let flat = reshape_to(&p, &s2)?;
    let mut args = vec![SliceArg::full(); x.ndim()];
    args[axis] = SliceArg::range(0, ((n - 1) * d + 1) as i64);
    slice(&flat, &args)
}

/// MLX's `conv_general`: a convolution (a correlation unless `flip`) over
/// any number of spatial dimensions with strides, padding, kernel and input
/// dilation and feature groups, as one `Conv` node whatever the device (the
/// GPU backend runs it through cuDNN when cuDNN takes it; `RMLX_DISABLE_CUDNN=1`
/// turns that off).
pub fn conv_general(input: &Array, weight: &Array, args: &ConvArgs) -> Result<Array> {
    conv_impl(input, weight, args, true)
}

/// `conv_general` as im2col views and matrix products of the graph (the
/// form the transformations of a `Conv` node differentiate).
pub(crate) fn conv_general_composed(input: &Array, weight: &Array, args: &ConvArgs) -> Result<Array> {
    conv_impl(input, weight, args, false)
}

fn conv_impl(input: &Array, weight: &Array, args: &ConvArgs, as_node: bool) -> Result<Array> {
    let name = "conv_general";
    let nd = input.ndim();
    if nd < 3 || weight.ndim() != nd {
        return Err(Error::shape(format!(
            "{name}: input (N, spatial..., C_in) and weight (C_out, kernel..., C_in) need the same number of \
             dimensions, at least 3; got shapes {} and {}",
            fmt_shape(input.shape()),
            fmt_shape(weight.shape())
        )));
    }
    let d = nd - 2;
    for (what, len) in [
        ("stride", args.stride.len()),
        ("padding", args.padding.len()),
        ("kernel_dilation", args.kernel_dilation.len()),
        ("input_dilation", args.input_dilation.len()),
    ] {
        if len != d {
            return Err(Error::value(format!(
                "{name}: {what} needs {d} values (one per spatial dimension), got {len}"
            )));
        }
    }
    if args.stride.contains(&0) || args.kernel_dilation.contains(&0) || args.input_dilation.contains(&0) {
        return Err(Error::value(format!("{name}: strides and dilations must be positive")));
    }
    let (n, c_in) = (input.shape()[0], input.shape()[nd - 1]);
    let (c_out, cg) = (weight.shape()[0], weight.shape()[nd - 1]);
    let g = args.groups;
    if g == 0 || c_in % g != 0 || c_out % g != 0 {
        return Err(Error::value(format!(
            "{name}: groups = {g} must divide the {c_in} input channels and the {c_out} output channels"
        )));
    }
    if cg * g != c_in {
        return Err(Error::shape(format!(
            "{name}: the weight has {cg} input channels per group, but the input's {c_in} channels in {g} \
             group(s) give {} (shapes {} and {})",
            c_in / g,
            fmt_shape(input.shape()),
            fmt_shape(weight.shape())
        )));
    }
    let dt = promote_types(input.dtype(), weight.dtype());
    if !dt.is_inexact() {
        return Err(Error::Dtype(format!("{name}: needs floating-point arrays, got {dt}")));
    }
    let (x, w) = (astype(input, dt)?, astype(weight, dt)?);
    let ks: Vec<usize> = weight.shape()[1..nd - 1].to_vec();
    // Output sizes, from those of the dilated, padded input.
    let mut out_sp = Vec::with_capacity(d);
    for (i, &k) in ks.iter().enumerate() {
        let len = input.shape()[1 + i];
        let dilated = if len == 0 { 0 } else { (len - 1) * args.input_dilation[i] + 1 };
        let p = dilated + args.padding[i].0 + args.padding[i].1;
        let span = (k.max(1) - 1) * args.kernel_dilation[i] + 1;
        if k == 0 || p < span {
            return Err(Error::shape(format!(
                "{name}: a kernel spanning {span} does not fit spatial dimension {i} of the (padded, dilated) \
                 input, of size {p} (input {}, weight {})",
                fmt_shape(input.shape()),
                fmt_shape(weight.shape())
            )));
        }
        out_sp.push((p - span) / args.stride[i] + 1);
    }
    let mut out_shape = vec![n];
    out_shape.extend(&out_sp);
    out_shape.push(c_out);
    if n == 0 || c_out == 0 {
        return zeros(&out_shape, dt);
    }
    if as_node {
        return super::node(out_shape, dt, Primitive::Conv(args.clone()), vec![x, w]);
    }
    // Input dilation, then padding.
    let mut x = x;
    for (i, &dl) in args.input_dilation.iter().enumerate() {
        x = dilate(&x, 1 + i, dl)?;
    }
    let mut widths = vec![(0usize, 0usize); nd];
    widths[1..nd - 1].copy_from_slice(&args.padding);
    if widths.iter().any(|&(a, b)| a + b > 0) {
        x = pad(&x, &widths, PadMode::Constant, 0)?;
    }
    let x = contiguous(&x)?;
    // The windows: (N, out..., kernel..., C_in), a view of the padded input.
    let xs = row_major_strides(x.shape());
    let mut wshape = vec![n];
    wshape.extend(&out_sp);
    wshape.extend(&ks);
    wshape.push(c_in);
    let mut wstrides = vec![xs[0] as i64];
    wstrides.extend((0..d).map(|i| xs[1 + i] as i64 * args.stride[i] as i64));
    wstrides.extend((0..d).map(|i| xs[1 + i] as i64 * args.kernel_dilation[i] as i64));
    wstrides.push(1);
    let win = as_strided(&x, &wshape, &wstrides, 0)?;
    let w = if args.flip { flip(&w, Axes::Some((1..nd as i64 - 1).collect()))? } else { w };
    let rows: usize = n * out_sp.iter().product::<usize>();
    let kk: usize = ks.iter().product();
    let og = c_out / g;
    let out = if g == 1 {
        let a = reshape_to(&contiguous(&win)?, &[rows, kk * c_in])?;
        let b = reshape_to(&w, &[c_out, kk * c_in])?;
        matmul(&a, &swapaxes(&b, 0, 1)?)?
    } else {
        // (rows, K, G, Cg) -> (G, rows, K, Cg) -> (G, rows, K * Cg).
        let a = reshape_to(&win, &[rows, kk, g, cg])?;
        let a = reshape_to(&contiguous(&transpose(&a, &[2, 0, 1, 3])?)?, &[g, rows, kk * cg])?;
        // (G * Og, K, Cg) -> (G, Og, K * Cg) -> (G, K * Cg, Og).
        let b = reshape_to(&w, &[g, og, kk * cg])?;
        let p = matmul(&a, &swapaxes(&b, 1, 2)?)?; // (G, rows, Og)
        reshape_to(&contiguous(&transpose(&p, &[1, 0, 2])?)?, &[rows, c_out])?
    };
    reshape_to(&out, &out_shape)
}

fn conv_nd(
    input: &Array,
    weight: &Array,
    stride: &[usize],
    padding: &[usize],
    dilation: &[usize],
    groups: usize,
) -> Result<Array> {
    let args = ConvArgs {
        stride: stride.to_vec(),
        padding: padding.iter().map(|&p| (p, p)).collect(),
        kernel_dilation: dilation.to_vec(),
        input_dilation: vec![1; stride.len()],
        groups,
        flip: false,
    };
    conv_general(input, weight, &args)
}

/// MLX's `conv1d`: input `(N, L, C_in)`, weight `(C_out, K, C_in / groups)`.
pub fn conv1d(
    input: &Array,
    weight: &Array,
    stride: usize,
    padding: usize,
    dilation: usize,
    groups: usize,
) -> Result<Array> {
    conv_nd(input, weight, &[stride], &[padding], &[dilation], groups)
}

/// MLX's `conv2d`: input `(N, H, W, C_in)`, weight `(C_out, KH, KW, C_in / groups)`.
pub fn conv2d(
    input: &Array,
    weight: &Array,
    stride: [usize; 2],
    padding: [usize; 2],
    dilation: [usize; 2],
    groups: usize,
) -> Result<Array> {
    conv_nd(input, weight, &stride, &padding, &dilation, groups)
}

/// MLX's `conv3d`: input `(N, D, H, W, C_in)`, weight `(C_out, KD, KH, KW, C_in / groups)`.
pub fn conv3d(
    input: &Array,
    weight: &Array,
    stride: [usize; 3],
    padding: [usize; 3],
    dilation: [usize; 3],
    groups: usize,
) -> Result<Array> {
    conv_nd(input, weight, &stride, &padding, &dilation, groups)
}

/// MLX's transposed convolutions (the gradient of a convolution with
/// respect to its input): weight `(C_out, kernel..., C_in / groups)`;
/// `output_padding` adds to the high side of each output dimension.
pub fn conv_transpose(
    input: &Array,
    weight: &Array,
    stride: &[usize],
    padding: &[usize],
    dilation: &[usize],
    output_padding: &[usize],
    groups: usize,
) -> Result<Array> {
    let d = stride.len();
    if weight.ndim() != d + 2 {
        return Err(Error::shape(format!(
            "conv_transpose: a weight of {} spatial dimensions needs {} dimensions, got shape {}",
            d,
            d + 2,
            fmt_shape(weight.shape())
        )));
    }
    let mut pads = Vec::with_capacity(d);
    for i in 0..d {
        let k = weight.shape()[1 + i];
        let full = dilation[i] * (k.max(1) - 1);
        if padding[i] > full {
            return Err(Error::value(format!(
                "conv_transpose: padding {} is more than the kernel's span less one ({full}) in dimension {i}",
                padding[i]
            )));
        }
        if output_padding[i] >= stride[i].max(dilation[i]) {
            return Err(Error::value(format!(
                "conv_transpose: output_padding {} must be smaller than the stride or the dilation in dimension {i}",
                output_padding[i]
            )));
        }
        pads.push((full - padding[i], full - padding[i] + output_padding[i]));
    }
    let args = ConvArgs {
        stride: vec![1; d],
        padding: pads,
        kernel_dilation: dilation.to_vec(),
        input_dilation: stride.to_vec(),
        groups,
        flip: true,
    };
    conv_general(input, weight, &args)
}

/// NumPy's `convolve` of two 1-D arrays: `mode` "full", "same" or "valid".
pub fn convolve(a: &Array, v: &Array, mode: &str) -> Result<Array> {
    if a.ndim() != 1 || v.ndim() != 1 {
        return Err(Error::shape(format!(
            "convolve: needs two 1-D arrays, got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(v.shape())
        )));
    }
    let (a, v) = if v.size() > a.size() { (v.clone(), a.clone()) } else { (a.clone(), v.clone()) };
    let (n, m) = (a.size(), v.size());
    if m == 0 {
        return Err(Error::value("convolve: the arrays cannot be empty"));
    }
    let (lo, hi) = match mode {
        "full" => (m - 1, m - 1),
        "same" => (m - 1 - (m - 1) / 2, (m - 1) / 2),
        "valid" => (0, 0),
        _ => return Err(Error::value(format!("convolve: mode must be 'full', 'same' or 'valid', got '{mode}'"))),
    };
    let dt = promote_types(a.dtype(), v.dtype());
    let dt = if dt.is_inexact() { dt } else { crate::dtype::Dtype::Float32 };
    let x = reshape_to(&astype(&a, dt)?, &[1, n, 1])?;
    let w = reshape_to(&astype(&v, dt)?, &[1, m, 1])?;
    let mut args = ConvArgs::new(1);
    args.padding = vec![(lo, hi)];
    args.flip = true;
    let r = conv_general(&x, &w, &args)?;
    let len = r.shape()[1];
    let r = reshape_to(&r, &[len])?;
    if a.dtype().is_inexact() || v.dtype().is_inexact() {
        Ok(r)
    } else {
        // Integer inputs: NumPy keeps them integral.
        astype(&super::round(&r, 0)?, promote_types(a.dtype(), v.dtype()))
    }
}
