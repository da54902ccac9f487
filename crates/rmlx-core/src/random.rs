//! Random numbers as in MLX and JAX: explicit keys (two uint32 words),
//! split into independent keys, and bits from the Threefry-2x32 counter-based
//! hash (20 rounds, Salmon et al. 2011). The bits are MLX's, word for word,
//! for the same key and shape (tests pin values from MLX 0.32); every
//! distribution is built from them with ordinary ops, in MLX's order, so the
//! samples match MLX's too, on the CPU and the GPU alike.
//!
//! Without a key a function takes the next key of a process-wide sequence
//! (`seed` restarts it): the sequence's key is split in two, the first half
//! kept for next time and the second used.

use std::sync::Mutex;

use crate::array::Array;
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::ops::{self, node, Operand, SliceArg};
use crate::primitive::Primitive;
use crate::shape::fmt_shape;

/// The Threefry-2x32 hash (20 rounds) of the counter pair `(c0, c1)` under
/// the key `(k0, k1)`; the reference the CPU backend computes with (the GPU
/// kernel in kernels/elementwise.cu is the same algorithm).
pub fn threefry2x32(key: (u32, u32), count: (u32, u32)) -> (u32, u32) {
    const ROT: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];
    let ks = [key.0, key.1, 0x1BD1_1BDA ^ key.0 ^ key.1];
    let mut x0 = count.0.wrapping_add(ks[0]);
    let mut x1 = count.1.wrapping_add(ks[1]);
    for i in 0..5 {
        for &r in &ROT[i % 2] {
            x0 = x0.wrapping_add(x1);
            x1 = x1.rotate_left(r) ^ x0;
        }
        x0 = x0.wrapping_add(ks[(i + 1) % 3]);
        x1 = x1.wrapping_add(ks[(i + 2) % 3]).wrapping_add(i as u32 + 1);
    }
    (x0, x1)
}

/// A key for `seed`: the words `[seed >> 32, seed & 0xffffffff]` as uint32.
pub fn key(seed: u64) -> Result<Array> {
    Array::from_slice(&[(seed >> 32) as u32, seed as u32], &[2])
}

static GLOBAL: Mutex<Option<Array>> = Mutex::new(None);

/// Restarts the process-wide key sequence from `seed`.
pub fn seed(seed: u64) -> Result<()> {
    let k = key(seed)?;
    crate::eval(std::slice::from_ref(&k))?;
    *GLOBAL.lock().unwrap_or_else(|e| e.into_inner()) = Some(k);
    Ok(())
}

/// The next key of the process-wide sequence (seeded from the clock until
/// `seed` is called).
pub fn next_key() -> Result<Array> {
    let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let current = match g.take() {
        Some(k) => k,
        None => {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            key(t)?
        }
    };
    let parts = split(&current, 2)?;
    let row = |i: i64| -> Result<Array> {
        let r = ops::slice(&parts, &[SliceArg::new(Some(i), Some(i + 1), 1), SliceArg::full()])?;
        ops::reshape_to(&r, &[2])
    };
    let (keep, used) = (row(0)?, row(1)?);
    crate::eval(&[keep.clone(), used.clone()])?;
    *g = Some(keep);
    Ok(used)
}

fn check_key(k: &Array, op: &str) -> Result<()> {
    if k.dtype() != Dtype::Uint32 {
        return Err(Error::Dtype(format!("{op}: a key must have dtype uint32, got {}", k.dtype())));
    }
    if k.shape() != [2] {
        return Err(Error::shape(format!("{op}: a key must have shape (2,), got {}", fmt_shape(k.shape()))));
    }
    Ok(())
}

fn key_or_next(k: Option<&Array>, op: &str) -> Result<Array> {
    match k {
        Some(k) => {
            check_key(k, op)?;
            Ok(k.clone())
        }
        None => next_key(),
    }
}

/// Random bits of `shape` from `key` (or the next global key): `width` bytes
/// per element, 1 (uint8), 2 (uint16) or 4 (uint32).
pub fn bits(shape: &[usize], width: usize, key: Option<&Array>) -> Result<Array> {
    let dtype = match width {
        1 => Dtype::Uint8,
        2 => Dtype::Uint16,
        4 => Dtype::Uint32,
        _ => return Err(Error::value(format!("bits: width must be 1, 2 or 4 bytes, got {width}"))),
    };
    let k = key_or_next(key, "bits")?;
    node(shape.to_vec(), dtype, Primitive::RandomBits { width }, vec![k])
}

/// `num` new keys from `key`, as an array of shape `(num, 2)`.
pub fn split(key: &Array, num: usize) -> Result<Array> {
    check_key(key, "split")?;
    bits(&[num, 2], 4, Some(key))
}

fn float_dtype(dtype: Dtype, op: &str) -> Result<()> {
    if !dtype.is_float() {
        return Err(Error::Dtype(format!("{op}: can only generate values of a real floating dtype, got {dtype}")));
    }
    Ok(())
}

fn operand_array(v: Operand, dtype: Dtype) -> Result<Array> {
    match v {
        Operand::Array(a) => ops::astype(&a, dtype),
        Operand::Scalar(s) => s.to_array(dtype),
    }
}

/// The largest value below 1 in `dtype`.
fn below_one(dtype: Dtype) -> f64 {
    match dtype {
        Dtype::Float16 => 1.0 - 2f64.powi(-11),
        Dtype::Bfloat16 => 1.0 - 2f64.powi(-8),
        Dtype::Float64 => 1.0 - 2f64.powi(-53),
        _ => 1.0 - 2f64.powi(-24),
    }
}

/// Uniform values in `[low, high)` of `shape` and `dtype` (a real float).
/// `low` and `high` broadcast to `shape`.
pub fn uniform(
    low: impl Into<Operand>,
    high: impl Into<Operand>,
    shape: &[usize],
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    float_dtype(dtype, "uniform")?;
    let lo = operand_array(low.into(), dtype)?;
    let hi = operand_array(high.into(), dtype)?;
    let range = ops::subtract(&hi, &lo)?;
    let full = ops::broadcast_shapes(&[shape, range.shape()])?;
    if full != shape {
        return Err(Error::shape(format!(
            "uniform: the bounds have shape {} and do not broadcast to the shape asked for, {}",
            fmt_shape(range.shape()),
            fmt_shape(shape)
        )));
    }
    let k = key_or_next(key, "uniform")?;
    // Bits over the largest uint32, kept below 1, then scaled into [low, high).
    let b = bits(shape, 4, Some(&k))?;
    let u = ops::divide(&ops::astype(&b, Dtype::Float32)?, &Array::scalar(u32::MAX as f32)?)?;
    let upper = ops::astype(&Array::scalar(below_one(dtype))?, Dtype::Float32)?;
    let u = ops::astype(&ops::minimum(&u, &upper)?, dtype)?;
    ops::add(&ops::multiply(&range, &u)?, &lo)
}

/// `-1 + 2^-24`, the float32 just above -1: the low end of the uniform
/// values behind `normal` and `laplace`.
const ABOVE_MINUS_ONE: f32 = -1.0 + f32::EPSILON / 2.0;

/// Normal values of `shape` and `dtype`, with mean `loc` and standard
/// deviation `scale` (0 and 1 when not given).
pub fn normal(
    shape: &[usize],
    dtype: Dtype,
    loc: Option<Operand>,
    scale: Option<Operand>,
    key: Option<&Array>,
) -> Result<Array> {
    if dtype == Dtype::Complex64 {
        // A standard complex normal (as MLX): real and imaginary parts
        // independent, each of variance 1/2; then scale and loc, complex or real.
        let mut s2 = shape.to_vec();
        s2.push(2);
        let parts = ops::multiply(&normal(&s2, Dtype::Float32, None, None, key)?, std::f64::consts::FRAC_1_SQRT_2)?;
        let re = ops::squeeze(&ops::slice_axis(&parts, -1, SliceArg::range(0, 1))?, ops::Axes::Some(vec![-1]))?;
        let im = ops::squeeze(&ops::slice_axis(&parts, -1, SliceArg::range(1, 2))?, ops::Axes::Some(vec![-1]))?;
        let mut out = ops::complex_of(&re, &im)?;
        if let Some(s) = scale {
            out = ops::multiply(&operand_array(s, dtype)?, &out)?;
        }
        if let Some(l) = loc {
            out = ops::add(&operand_array(l, dtype)?, &out)?;
        }
        return Ok(out);
    }
    float_dtype(dtype, "normal")?;
    // sqrt(2) erfinv(u) for u uniform in (-1, 1), in one float32 kernel
    // (the steps `Primitive::RandomNormal` names), then cast.
    let k = key_or_next(key, "normal")?;
    let mut out = ops::astype(&node(shape.to_vec(), Dtype::Float32, Primitive::RandomNormal, vec![k])?, dtype)?;
    if let Some(s) = scale {
        out = ops::multiply(&operand_array(s, dtype)?, &out)?;
    }
    if let Some(l) = loc {
        out = ops::add(&operand_array(l, dtype)?, &out)?;
    }
    Ok(out)
}

/// sqrt(2) rounded to `dtype`.
fn sqrt2(dtype: Dtype) -> Result<Array> {
    ops::astype(&Array::scalar(std::f64::consts::SQRT_2)?, dtype)
}

/// Normal values truncated to `[lower, upper]` (inverse-CDF sampling), of
/// `shape` (the bounds' broadcast shape when not given).
pub fn truncated_normal(
    lower: impl Into<Operand>,
    upper: impl Into<Operand>,
    shape: Option<&[usize]>,
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    float_dtype(dtype, "truncated_normal")?;
    let lo = operand_array(lower.into(), dtype)?;
    let hi = operand_array(upper.into(), dtype)?;
    let shape = match shape {
        Some(s) => s.to_vec(),
        None => ops::broadcast_shapes(&[lo.shape(), hi.shape()])?,
    };
    let sqrt2 = sqrt2(dtype)?;
    let a = ops::erf(&ops::divide(&lo, &sqrt2)?)?;
    let b = ops::erf(&ops::divide(&hi, &sqrt2)?)?;
    let u = uniform(a, b, &shape, dtype, key)?;
    let out = ops::multiply(&sqrt2, &ops::erfinv(&u)?)?;
    ops::maximum(&ops::minimum(&hi, &out)?, &lo)
}

/// Integers in `[low, high)` of `shape` and the integer `dtype`.
pub fn randint(
    low: impl Into<Operand>,
    high: impl Into<Operand>,
    shape: &[usize],
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    if !dtype.is_integer() {
        return Err(Error::Dtype(format!("randint: can only generate integers of an integer dtype, got {dtype}")));
    }
    let lo = operand_array(low.into(), Dtype::Float32)?;
    let u = uniform(lo.clone(), high, shape, Dtype::Float32, key)?;
    ops::astype(&ops::floor(&ops::maximum(&u, &lo)?)?, dtype)
}

/// True with probability `p` (broadcast to `shape`, which defaults to p's shape).
pub fn bernoulli(p: impl Into<Operand>, shape: Option<&[usize]>, key: Option<&Array>) -> Result<Array> {
    let p = match p.into() {
        Operand::Array(a) => a,
        Operand::Scalar(s @ crate::Scalar::Float(_)) => s.to_array(Dtype::Float32)?,
        Operand::Scalar(s) => {
            return Err(Error::Dtype(format!("bernoulli: the probability p must be a float, got {s:?}")));
        }
    };
    // As MLX: an integer or boolean p is refused, not read as 0 or 1.
    if !p.dtype().is_inexact() || p.dtype().is_complex() {
        return Err(Error::Dtype(format!("bernoulli: the probability p must be of a float dtype, got {}", p.dtype())));
    }
    let dt = crate::dtype::promote_types(p.dtype(), Dtype::Float32);
    float_dtype(dt, "bernoulli")?;
    let shape = shape.map(|s| s.to_vec()).unwrap_or_else(|| p.shape().to_vec());
    if ops::broadcast_shapes(&[&shape, p.shape()])? != shape {
        return Err(Error::shape(format!(
            "bernoulli: p of shape {} does not broadcast to the shape asked for, {}",
            fmt_shape(p.shape()),
            fmt_shape(&shape)
        )));
    }
    let u = uniform(0.0f32, 1.0f32, &shape, dt, key)?;
    ops::less(&u, &p)
}

/// Gumbel values of `shape` and `dtype`: `-log(-log(u))` for uniform `u`.
pub fn gumbel(shape: &[usize], dtype: Dtype, key: Option<&Array>) -> Result<Array> {
    float_dtype(dtype, "gumbel")?;
    let u = uniform(0.0f32, 1.0f32, shape, dtype, key)?;
    ops::negative(&ops::log(&ops::negative(&ops::log(&u)?)?)?)
}

/// Laplace values of `shape` and `dtype` with location `loc` and scale `scale`.
pub fn laplace(shape: &[usize], dtype: Dtype, loc: f64, scale: f64, key: Option<&Array>) -> Result<Array> {
    float_dtype(dtype, "laplace")?;
    let u = uniform(ABOVE_MINUS_ONE, 1.0f32, shape, Dtype::Float32, key)?;
    let s = ops::multiply(&ops::sign(&u)?, &ops::log1p(&ops::negative(&ops::abs(&u)?)?)?)?;
    let mut out = ops::astype(&s, dtype)?;
    if scale != 1.0 {
        out = ops::multiply(&ops::astype(&Array::scalar(scale)?, dtype)?, &out)?;
    }
    if loc != 0.0 {
        out = ops::add(&ops::astype(&Array::scalar(loc)?, dtype)?, &out)?;
    }
    Ok(out)
}

/// How many samples `categorical` draws.
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    /// One per distribution (the logits without `axis`).
    One,
    /// An output of this shape, which the logits without `axis` broadcast to.
    Shape(Vec<usize>),
    /// This many per distribution, on a new last axis.
    Count(usize),
}

/// Indices sampled from the categorical distributions whose unnormalised
/// log-probabilities lie along `axis` of `logits` (uint32, like `argmax`).
pub fn categorical(logits: &Array, axis: i64, samples: Samples, key: Option<&Array>) -> Result<Array> {
    float_dtype(logits.dtype(), "categorical")?;
    let nd = logits.ndim() as i64;
    if axis < -nd || axis >= nd {
        return Err(Error::Axis { op: "categorical", axis, ndim: logits.ndim() });
    }
    let ax = if axis < 0 { axis + nd } else { axis } as usize;
    let mut rest = logits.shape().to_vec();
    let n = rest.remove(ax);
    let (noise_shape, lg, arg_axis) = match samples {
        Samples::One => (logits.shape().to_vec(), logits.clone(), ax),
        Samples::Shape(s) => {
            if ops::broadcast_shapes(&[&s, &rest])? != s {
                return Err(Error::shape(format!(
                    "categorical: the logits without axis {axis} have shape {}, which does not broadcast to the \
                     shape asked for, {}",
                    fmt_shape(&rest),
                    fmt_shape(&s)
                )));
            }
            let mut full = s.clone();
            full.insert(full.len() - rest.len() + ax, n);
            (full, logits.clone(), s.len() - rest.len() + ax)
        }
        Samples::Count(k) => {
            // Noise of the logits' shape plus a last axis of k; the logits
            // gain that axis and the argmax runs over `axis`.
            let mut full = logits.shape().to_vec();
            full.push(k);
            (full, ops::expand_dims(logits, vec![-1])?, ax)
        }
    };
    let k = key_or_next(key, "categorical")?;
    let g = gumbel(&noise_shape, logits.dtype(), Some(&k))?;
    ops::argmax(&ops::add(&g, &lg)?, Some(arg_axis as i64), false)
}

/// A random permutation of `0..n` (uint32): the order that sorts `n` random
/// words, as MLX draws it.
pub fn permutation(n: usize, key: Option<&Array>) -> Result<Array> {
    if n > u32::MAX as usize {
        return Err(Error::value(format!("permutation: {n} elements have indices that do not fit uint32")));
    }
    let b = bits(&[n], 4, key)?;
    ops::argsort(&b, Some(0))
}

/// `x` with its entries along `axis` in a random order (MLX's draw).
pub fn permutation_of(x: &Array, axis: i64, key: Option<&Array>) -> Result<Array> {
    if x.ndim() == 0 {
        return Err(Error::value("permutation: cannot permute a 0-d array"));
    }
    let ax = crate::shape::normalize_axis("permutation", axis, x.ndim())?;
    let p = permutation(x.shape()[ax], key)?;
    ops::take(x, &p, Some(ax as i64))
}

/// Eigenvalues and eigenvectors (columns, row-major `n x n`) of a symmetric
/// matrix by cyclic Jacobi rotations, eigenvalues in descending order.
fn symmetric_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        let diag: f64 = (0..n).map(|i| a[i * n + i].powi(2)).sum();
        if off <= 1e-30 * diag.max(1e-300) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    let vals: Vec<f64> = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vecs = vec![0.0; n * n];
    for (c, &i) in order.iter().enumerate() {
        for r in 0..n {
            vecs[r * n + c] = v[r * n + i];
        }
    }
    (vals, vecs)
}

/// Jointly normal samples with `mean` (`(..., n)`) and covariance `cov`
/// (`(..., n, n)`, positive semi-definite), of shape `shape + (n,)` (`shape`
/// must take the broadcast batch shape of `mean` and `cov`). As MLX does,
/// standard normals are mapped through `U sqrt(S)` of the covariance's
/// decomposition (here a symmetric eigendecomposition on the host, so `cov`
/// is evaluated when this is called); only float32 is supported.
pub fn multivariate_normal(
    mean: &Array,
    cov: &Array,
    shape: &[usize],
    dtype: Dtype,
    key: Option<&Array>,
) -> Result<Array> {
    if dtype != Dtype::Float32 {
        return Err(Error::Dtype(format!("multivariate_normal: only float32 is supported, got {dtype}")));
    }
    if mean.ndim() < 1 || cov.ndim() < 2 {
        return Err(Error::shape(format!(
            "multivariate_normal: mean must be (..., n) and cov (..., n, n), got shapes {} and {}",
            fmt_shape(mean.shape()),
            fmt_shape(cov.shape())
        )));
    }
    let n = mean.shape()[mean.ndim() - 1];
    let (r, c) = (cov.shape()[cov.ndim() - 2], cov.shape()[cov.ndim() - 1]);
    if r != n || c != n {
        return Err(Error::shape(format!(
            "multivariate_normal: a mean of {n} variables needs a covariance ending in ({n}, {n}), got shape {}",
            fmt_shape(cov.shape())
        )));
    }
    let batch = ops::broadcast_shapes(&[&mean.shape()[..mean.ndim() - 1], &cov.shape()[..cov.ndim() - 2]])?;
    if ops::broadcast_shapes(&[shape, &batch])? != shape {
        return Err(Error::shape(format!(
            "multivariate_normal: the batch shape of mean and cov, {}, does not broadcast to the shape asked for, {}",
            fmt_shape(&batch),
            fmt_shape(shape)
        )));
    }
    let k = key_or_next(key, "multivariate_normal")?;
    let covf: Vec<f64> = ops::astype(cov, Dtype::Float64)?.to_vec()?;
    let mats = covf.len() / (n * n).max(1);
    let mut factor = Vec::with_capacity(covf.len());
    for m in 0..mats {
        let (vals, vecs) = symmetric_eigen(covf[m * n * n..(m + 1) * n * n].to_vec(), n);
        for i in 0..n {
            for j in 0..n {
                factor.push((vecs[i * n + j] * vals[j].max(0.0).sqrt()) as f32);
            }
        }
    }
    let factor = Array::from_slice(&factor, cov.shape())?;
    let mut zs = shape.to_vec();
    zs.push(n);
    let z = normal(&zs, Dtype::Float32, None, None, Some(&k))?;
    // z @ factor^T, with z as a row vector per sample.
    let zf = ops::expand_dims(&z, vec![-2])?;
    let ft = ops::swapaxes(&factor, -1, -2)?;
    let y = ops::squeeze(&ops::matmul(&zf, &ft)?, vec![-2])?;
    ops::add(&y, &ops::astype(mean, Dtype::Float32)?)
}
