//! Reductions (sum, prod, mean, var, std, min, max, all, any, argmin, argmax,
//! logsumexp, count_nonzero, median) and softmax / log_softmax, checked
//! against plain f64 loops over single, several, negative and all axes, with
//! and without keepdims, on contiguous and strided inputs, for every dtype
//! each op supports.

use half::{bf16, f16};
use num_complex::Complex32;
use rmlx_core::{ops, Array, Axes, Dtype};

use crate::common;
use common::{arr, ravel, unravel, ALL, FLOATS};

mod edges;
mod extremes;
mod softmax;
mod stats;
mod sum_prod;

// ---------------------------------------------------------------- helpers

/// `x` as it reads after a round trip through `dtype`.
fn round_to(x: f64, dtype: Dtype) -> f64 {
    match dtype {
        Dtype::Float16 => f16::from_f64(x).to_f64(),
        Dtype::Bfloat16 => bf16::from_f64(x).to_f64(),
        Dtype::Float32 | Dtype::Complex64 => x as f32 as f64,
        _ => x,
    }
}

fn tol(dtype: Dtype) -> f64 {
    match dtype {
        Dtype::Float16 => 4e-3,
        Dtype::Bfloat16 => 3e-2,
        Dtype::Float32 | Dtype::Complex64 => 2e-5,
        Dtype::Float64 => 1e-12,
        _ => 0.0,
    }
}

fn close(got: f64, want: f64, rtol: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    if want.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= rtol * (1.0 + want.abs())
}

/// Small deterministic values that are exact in every dtype: bool 0/1,
/// unsigned 0..=9, signed -4..=5, floats -2.25..=2.25 in steps of 0.5.
fn gen(n: usize, dtype: Dtype, seed: u64) -> Vec<f64> {
    let mut rng = crate::common::Lcg::new(seed);
    (0..n)
        .map(|_| {
            let s = rng.next_u64();
            let r = ((s >> 33) % 10) as f64;
            if dtype == Dtype::Bool {
                (r as u64 % 2) as f64
            } else if dtype.is_unsigned() {
                r
            } else if dtype.is_signed_int() {
                r - 4.0
            } else {
                (r - 4.5) * 0.5
            }
        })
        .collect()
}

/// A reference n-d array of f64.
#[derive(Clone, Debug)]
struct Nd {
    data: Vec<f64>,
    shape: Vec<usize>,
}

impl Nd {
    fn new(data: Vec<f64>, shape: &[usize]) -> Nd {
        assert_eq!(data.len(), shape.iter().product::<usize>());
        Nd { data, shape: shape.to_vec() }
    }
    /// `transpose(self, perm)`.
    fn permute(&self, perm: &[usize]) -> Nd {
        let shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        let n = self.data.len();
        let data = (0..n)
            .map(|i| {
                let idx = unravel(i, &shape);
                let mut src = vec![0; shape.len()];
                for (k, &p) in perm.iter().enumerate() {
                    src[p] = idx[k];
                }
                self.data[ravel(&src, &self.shape)]
            })
            .collect();
        Nd { data, shape }
    }
    /// Picks `indices` along `axis`.
    fn take(&self, axis: usize, indices: &[usize]) -> Nd {
        let mut shape = self.shape.clone();
        shape[axis] = indices.len();
        let n = shape.iter().product();
        let data = (0..n)
            .map(|i| {
                let mut idx = unravel(i, &shape);
                idx[axis] = indices[idx[axis]];
                self.data[ravel(&idx, &self.shape)]
            })
            .collect();
        Nd { data, shape }
    }
    /// The input positions folded into each output element (outputs row-major).
    fn groups(&self, axes: &[usize]) -> (Vec<usize>, Vec<usize>, Vec<Vec<usize>>) {
        let kept: Vec<usize> =
            self.shape.iter().enumerate().map(|(i, &d)| if axes.contains(&i) { 1 } else { d }).collect();
        let dropped: Vec<usize> =
            self.shape.iter().enumerate().filter(|(i, _)| !axes.contains(i)).map(|(_, &d)| d).collect();
        let mut groups = vec![Vec::new(); kept.iter().product()];
        for i in 0..self.data.len() {
            let mut idx = unravel(i, &self.shape);
            for &a in axes {
                idx[a] = 0;
            }
            groups[ravel(&idx, &kept)].push(i);
        }
        (kept, dropped, groups)
    }
    fn reduce(&self, axes: &[usize], keepdims: bool, f: impl Fn(&[f64]) -> f64) -> Nd {
        let (kept, dropped, groups) = self.groups(axes);
        let data = groups.iter().map(|g| f(&g.iter().map(|&i| self.data[i]).collect::<Vec<_>>())).collect();
        Nd { data, shape: if keepdims { kept } else { dropped } }
    }
    /// Applies `f` to each lane over `axes`, writing results back in place.
    fn lanes(&self, axes: &[usize], f: impl Fn(&[f64]) -> Vec<f64>) -> Nd {
        let (_, _, groups) = self.groups(axes);
        let mut out = self.data.clone();
        for g in groups {
            let r = f(&g.iter().map(|&i| self.data[i]).collect::<Vec<_>>());
            for (&i, v) in g.iter().zip(r) {
                out[i] = v;
            }
        }
        Nd { data: out, shape: self.shape.clone() }
    }
}

fn check(got: &Array, want: &Nd, dtype: Dtype, rtol: f64, ctx: &str) {
    assert_eq!(got.shape(), &want.shape[..], "{ctx}: shape");
    assert_eq!(got.dtype(), dtype, "{ctx}: dtype");
    let v = got.to_vec::<f64>().unwrap_or_else(|e| panic!("{ctx}: {e}"));
    for (i, (&g, &w)) in v.iter().zip(&want.data).enumerate() {
        let w = round_to(w, dtype);
        assert!(close(g, w, rtol), "{ctx}: element {i}: got {g}, want {w}\n got {v:?}\nwant {:?}", want.data);
    }
}

/// Resolves axes as the reference wants them (sorted, non-negative).
fn norm_axes(axes: &Axes, ndim: usize) -> Vec<usize> {
    match axes {
        Axes::All => (0..ndim).collect(),
        Axes::Some(v) => {
            let mut r: Vec<usize> =
                v.iter().map(|&a| if a < 0 { (a + ndim as i64) as usize } else { a as usize }).collect();
            r.sort_unstable();
            r
        }
    }
}

/// Axis sets to try on a 3-D array.
fn axis_sets() -> Vec<Axes> {
    vec![
        Axes::from(0i64),
        Axes::from(1i64),
        Axes::from(2i64),
        Axes::from(-1i64),
        Axes::from(-3i64),
        Axes::from([0i64, 2]),
        Axes::from([2i64, 0]),
        Axes::from([-1i64, 1]),
        Axes::from([0i64, 1]),
        Axes::from([0i64, 1, 2]),
        Axes::All,
    ]
}

/// Inputs of shape (2, 3, 4) with different layouts, with their references.
fn layouts(dtype: Dtype, seed: u64, values: impl Fn(usize, u64) -> Vec<f64>) -> Vec<(&'static str, Array, Nd)> {
    let mut out = Vec::new();
    // Contiguous.
    let v = values(24, seed);
    out.push(("contiguous", arr(&v, &[2, 3, 4], dtype), Nd::new(v, &[2, 3, 4])));
    // Transposed: base (4, 2, 3) permuted by (1, 2, 0).
    let v = values(24, seed + 1);
    let base = arr(&v, &[4, 2, 3], dtype);
    let t = ops::transpose(&base, &[1, 2, 0]).unwrap();
    out.push(("transposed", t, Nd::new(v, &[4, 2, 3]).permute(&[1, 2, 0])));
    // Sliced with step 2 along the middle axis: base (2, 6, 4)[:, ::2, :].
    let v = values(48, seed + 2);
    let base = arr(&v, &[2, 6, 4], dtype);
    let s = ops::slice_axis(&base, 1, ops::SliceArg::new(None, None, 2)).unwrap();
    out.push(("step-sliced", s, Nd::new(v, &[2, 6, 4]).take(1, &[0, 2, 4])));
    // Reversed with step -2 along the last axis: base (2, 3, 8)[:, :, ::-2].
    let v = values(48, seed + 3);
    let base = arr(&v, &[2, 3, 8], dtype);
    let s = ops::slice_axis(&base, 2, ops::SliceArg::new(None, None, -2)).unwrap();
    out.push(("reverse-sliced", s, Nd::new(v, &[2, 3, 8]).take(2, &[7, 5, 3, 1])));
    // Broadcast: (1, 3, 4) to (2, 3, 4).
    let v = values(12, seed + 4);
    let base = arr(&v, &[1, 3, 4], dtype);
    let b = ops::broadcast_to(&base, &[2, 3, 4]).unwrap();
    let mut bv = v.clone();
    bv.extend(&v);
    out.push(("broadcast", b, Nd::new(bv, &[2, 3, 4])));
    out
}

fn sum_dtype(d: Dtype) -> Dtype {
    match d {
        Dtype::Bool | Dtype::Int8 | Dtype::Int16 | Dtype::Int32 => Dtype::Int32,
        Dtype::Uint8 | Dtype::Uint16 | Dtype::Uint32 => Dtype::Uint32,
        d => d,
    }
}

fn inexact(d: Dtype) -> Dtype {
    if d.is_float() || d.is_complex() {
        d
    } else {
        Dtype::Float32
    }
}

/// Runs `op` over every layout, axis set and keepdims and compares with `reference`.
fn sweep(
    name: &str,
    dtypes: &[Dtype],
    values: impl Fn(usize, u64, Dtype) -> Vec<f64>,
    out_dtype: impl Fn(Dtype) -> Dtype,
    rtol: impl Fn(Dtype) -> f64,
    op: impl Fn(&Array, Axes, bool) -> rmlx_core::Result<Array>,
    reference: impl Fn(&[f64]) -> f64,
) {
    for &dt in dtypes {
        for (layout, a, nd) in layouts(dt, 7, |n, s| values(n, s, dt)) {
            for axes in axis_sets() {
                for keepdims in [false, true] {
                    let ctx = format!("{name} {dt} {layout} axes={axes:?} keepdims={keepdims}");
                    let got = op(&a, axes.clone(), keepdims).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                    let want = nd.reduce(&norm_axes(&axes, 3), keepdims, &reference);
                    check(&got, &want, out_dtype(dt), rtol(out_dtype(dt)), &ctx);
                }
            }
        }
    }
}

fn ref_sum(x: &[f64]) -> f64 {
    x.iter().sum()
}
fn ref_prod(x: &[f64]) -> f64 {
    x.iter().product()
}
fn ref_mean(x: &[f64]) -> f64 {
    ref_sum(x) / x.len() as f64
}
fn ref_var(x: &[f64], ddof: usize) -> f64 {
    let m = ref_mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - ddof as f64)
}
fn ref_min(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::INFINITY, |a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.min(b) })
}
fn ref_max(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, |a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) })
}
fn ref_lse(x: &[f64]) -> f64 {
    let m = ref_max(x);
    if m.is_infinite() {
        return m;
    }
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}
fn ref_median(x: &[f64]) -> f64 {
    if x.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}
fn ref_softmax(x: &[f64]) -> Vec<f64> {
    let m = ref_max(x);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| v / s).collect()
}
fn ref_log_softmax(x: &[f64]) -> Vec<f64> {
    let l = ref_lse(x);
    x.iter().map(|v| v - l).collect()
}
