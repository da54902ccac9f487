//! The cotangents of a convolution, as convolutions (so that a backend's
//! convolution path, cuDNN on the GPU, serves the backward pass too).
//!
//! Per spatial dimension, with stride `s`, kernel dilation `kd`, input
//! dilation `id`, padding `(lo, hi)`, kernel size `K`, input size `L` and
//! output size `O` (`Ld = (L - 1) id + 1` the dilated input, `ext = (K - 1) kd`):
//! - the input's: the cotangent dilated by `s` and correlated with the kernel
//!   flipped (and its channels swapped within each group), padded by
//!   `ext - lo` below and `Ld + lo - ((O - 1) s + 1)` above (a negative
//!   padding crops: the result is sliced instead), then every `id`-th element;
//! - the kernel's: the input (batch and channels swapped) correlated with the
//!   cotangent as the kernel, dilated by `s`, with stride `kd` and the
//!   forward's padding and input dilation, its first `K` outputs; one
//!   product per group; reversed when the forward flipped the kernel.

use crate::array::Array;
use crate::error::Result;
use crate::ops::{self, SliceArg};
use crate::primitive::ConvArgs;

/// `(d input, d weight)` of `conv_general(x, w, args)` for the cotangent `dy`.
pub(super) fn conv_vjp(x: &Array, w: &Array, args: &ConvArgs, dy: &Array) -> Result<(Array, Array)> {
    Ok((input_cotangent(x, w, args, dy)?, weight_cotangent(x, w, args, dy)?))
}

fn input_cotangent(x: &Array, w: &Array, args: &ConvArgs, dy: &Array) -> Result<Array> {
    let nd = x.ndim();
    let d = nd - 2;
    let g = args.groups;
    let (c_out, cg) = (w.shape()[0], w.shape()[nd - 1]);
    let og = c_out / g;
    let ks = &w.shape()[1..=d];
    // (C_out, K..., Cg) -> (g, Og, K..., Cg) -> (g, Cg, K..., Og) -> (C_in, K..., Og).
    let mut split: Vec<i64> = vec![g as i64, og as i64];
    split.extend(ks.iter().map(|&k| k as i64));
    split.push(cg as i64);
    let mut perm: Vec<i64> = vec![0, d as i64 + 2];
    perm.extend(2..d as i64 + 2);
    perm.push(1);
    let mut merged: Vec<i64> = vec![(g * cg) as i64];
    merged.extend(ks.iter().map(|&k| k as i64));
    merged.push(og as i64);
    let wt = ops::reshape(&ops::transpose(&ops::reshape(w, &split)?, &perm)?, &merged)?;

    let mut back = ConvArgs::new(d);
    back.kernel_dilation = args.kernel_dilation.clone();
    back.input_dilation = args.stride.clone();
    back.groups = g;
    back.flip = !args.flip;
    back.padding = Vec::with_capacity(d);
    let mut crop = vec![SliceArg::full()];
    for (i, &k) in ks.iter().enumerate() {
        let (k, kd, s, id) =
            (k as i64, args.kernel_dilation[i] as i64, args.stride[i] as i64, args.input_dilation[i] as i64);
        let (l, o) = (x.shape()[1 + i] as i64, dy.shape()[1 + i] as i64);
        let (lo, _) = args.padding[i];
        let ld = (l - 1) * id + 1;
        let low = (k - 1) * kd - lo as i64;
        let high = ld + lo as i64 - ((o - 1) * s + 1);
        back.padding.push((low.max(0) as usize, high.max(0) as usize));
        let start = (-low).max(0);
        crop.push(SliceArg::new(Some(start), Some(start + ld), id));
    }
    crop.push(SliceArg::full());
    ops::slice(&ops::conv_general(dy, &wt, &back)?, &crop)
}

fn weight_cotangent(x: &Array, w: &Array, args: &ConvArgs, dy: &Array) -> Result<Array> {
    let nd = x.ndim();
    let d = nd - 2;
    let g = args.groups;
    let (c_in, c_out) = (x.shape()[nd - 1], dy.shape()[nd - 1]);
    let (cg, og) = (c_in / g, c_out / g);
    // Batch and channels swapped: (N, S..., C) -> (C, S..., N).
    let mut swap: Vec<i64> = vec![nd as i64 - 1];
    swap.extend(1..nd as i64 - 1);
    swap.push(0);
    let mut fwd = ConvArgs::new(d);
    fwd.stride = args.kernel_dilation.clone();
    fwd.padding = args.padding.clone();
    fwd.kernel_dilation = args.stride.clone();
    fwd.input_dilation = args.input_dilation.clone();
    let mut first_k = vec![SliceArg::full()];
    first_k.extend(w.shape()[1..=d].iter().map(|&k| SliceArg::new(Some(0), Some(k as i64), 1)));
    first_k.push(SliceArg::full());
    let channels = |a: &Array, from: usize, n: usize| -> Result<Array> {
        if n == a.shape()[nd - 1] {
            return Ok(a.clone());
        }
        let mut s = vec![SliceArg::full(); nd - 1];
        s.push(SliceArg::new(Some(from as i64), Some((from + n) as i64), 1));
        ops::slice(a, &s)
    };
    let mut parts = Vec::with_capacity(g);
    for gi in 0..g {
        let xs = ops::transpose(&channels(x, gi * cg, cg)?, &swap)?;
        let ds = ops::transpose(&channels(dy, gi * og, og)?, &swap)?;
        // (Cg, K'..., Og) -> its first K -> (Og, K..., Cg).
        let z = ops::slice(&ops::conv_general(&xs, &ds, &fwd)?, &first_k)?;
        parts.push(ops::transpose(&z, &swap)?);
    }
    let dw = if parts.len() == 1 { parts.remove(0) } else { ops::concatenate(&parts, 0)? };
    if args.flip {
        return ops::flip(&dw, crate::ops::Axes::Some((1..=d as i64).collect()));
    }
    Ok(dw)
}
