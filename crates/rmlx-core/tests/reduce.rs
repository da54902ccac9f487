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
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(12345);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
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

// ---------------------------------------------------------------- sum / prod

#[test]
fn sum_every_dtype_axes_layouts() {
    sweep("sum", &ALL, |n, s, d| gen(n, d, s), sum_dtype, tol, ops::sum, ref_sum);
}

/// Values whose products stay small: {1, 2} unsigned, {1, -1, 2} signed,
/// {1, -1, 2, 0.5} floats.
fn prod_values(n: usize, seed: u64, dtype: Dtype) -> Vec<f64> {
    gen(n, Dtype::Uint8, seed)
        .into_iter()
        .map(|r| {
            let r = r as usize;
            if dtype == Dtype::Bool {
                [1.0, 1.0, 1.0, 0.0][r % 4]
            } else if dtype.is_unsigned() {
                [1.0, 2.0, 1.0][r % 3]
            } else if dtype.is_signed_int() {
                [1.0, -1.0, 2.0, 1.0][r % 4]
            } else {
                [1.0, -1.0, 2.0, 0.5][r % 4]
            }
        })
        .collect()
}

#[test]
fn prod_every_dtype_axes_layouts() {
    sweep("prod", &ALL, prod_values, sum_dtype, tol, ops::prod, ref_prod);
}

#[test]
fn sum_and_prod_widen_small_integers() {
    let a = arr(&[100.0, 100.0, 100.0], &[3], Dtype::Int8);
    let s = ops::sum(&a, Axes::All, false).unwrap();
    assert_eq!(s.dtype(), Dtype::Int32);
    assert_eq!(s.item::<i64>().unwrap(), 300);
    let p = ops::prod(&a, Axes::All, false).unwrap();
    assert_eq!(p.dtype(), Dtype::Int32);
    assert_eq!(p.item::<i64>().unwrap(), 1_000_000);

    let a = arr(&[200.0, 200.0, 200.0], &[3], Dtype::Uint8);
    let s = ops::sum(&a, 0, false).unwrap();
    assert_eq!(s.dtype(), Dtype::Uint32);
    assert_eq!(s.item::<u64>().unwrap(), 600);

    let a = arr(&[40000.0, 40000.0], &[2], Dtype::Uint16);
    assert_eq!(ops::sum(&a, 0, false).unwrap().item::<u64>().unwrap(), 80000);
    let a = arr(&[30000.0, 30000.0], &[2], Dtype::Int16);
    assert_eq!(ops::sum(&a, 0, false).unwrap().item::<i64>().unwrap(), 60000);

    let b = Array::from_slice(&[true, true, false, true], &[4]).unwrap();
    let s = ops::sum(&b, Axes::All, false).unwrap();
    assert_eq!(s.dtype(), Dtype::Int32);
    assert_eq!(s.item::<i32>().unwrap(), 3);

    for (d, want) in [
        (Dtype::Int32, Dtype::Int32),
        (Dtype::Int64, Dtype::Int64),
        (Dtype::Uint32, Dtype::Uint32),
        (Dtype::Uint64, Dtype::Uint64),
        (Dtype::Float16, Dtype::Float16),
        (Dtype::Bfloat16, Dtype::Bfloat16),
        (Dtype::Float64, Dtype::Float64),
        (Dtype::Complex64, Dtype::Complex64),
    ] {
        let a = arr(&[1.0, 2.0], &[2], d);
        assert_eq!(ops::sum(&a, 0, false).unwrap().dtype(), want, "sum {d}");
        assert_eq!(ops::prod(&a, 0, false).unwrap().dtype(), want, "prod {d}");
    }
}

#[test]
fn sum_and_prod_of_complex() {
    let v: Vec<Complex32> = (0..6).map(|i| Complex32::new(i as f32 - 2.0, 0.5 * i as f32)).collect();
    let a = Array::from_slice(&v, &[2, 3]).unwrap();
    let s = ops::sum(&a, 1, false).unwrap().to_vec::<Complex32>().unwrap();
    for r in 0..2 {
        let want: Complex32 = v[r * 3..r * 3 + 3].iter().sum();
        assert!((s[r] - want).norm() < 1e-5, "{s:?}");
    }
    let p = ops::prod(&a, 0, false).unwrap().to_vec::<Complex32>().unwrap();
    for c in 0..3 {
        let want = v[c] * v[c + 3];
        assert!((p[c] - want).norm() < 1e-5, "{p:?}");
    }
    let t = ops::transpose(&a, &[]).unwrap();
    let s = ops::sum(&t, 0, true).unwrap();
    assert_eq!(s.shape(), &[1, 2]);
    let s = s.to_vec::<Complex32>().unwrap();
    let want: Complex32 = v[..3].iter().sum();
    assert!((s[0] - want).norm() < 1e-5);
}

#[test]
fn sum_of_long_and_wide_rows() {
    // Long rows (past the 16-lane and 2048-block boundaries) and leading-axis
    // reductions of wide rows.
    for &(rows, len) in &[(3usize, 1usize), (3, 17), (5, 2049), (2, 5000)] {
        let v: Vec<f64> = (0..rows * len).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
        let nd = Nd::new(v.clone(), &[rows, len]);
        for dt in [Dtype::Float32, Dtype::Float64, Dtype::Int32, Dtype::Int64] {
            let a = arr(&v, &[rows, len], dt);
            for axis in [0usize, 1] {
                let got = ops::sum(&a, axis as i64, false).unwrap();
                check(
                    &got,
                    &nd.reduce(&[axis], false, ref_sum),
                    dt,
                    tol(dt),
                    &format!("sum {dt} {rows}x{len} axis {axis}"),
                );
                let got = ops::max(&a, axis as i64, false).unwrap();
                check(
                    &got,
                    &nd.reduce(&[axis], false, ref_max),
                    dt,
                    0.0,
                    &format!("max {dt} {rows}x{len} axis {axis}"),
                );
            }
        }
    }
    // Accuracy: a million 0.1s in float32.
    let a = ops::full(&[1_000_000], 0.1f32, Some(Dtype::Float32)).unwrap();
    let s = ops::sum(&a, Axes::All, false).unwrap().item::<f64>().unwrap();
    assert!((s - 100_000.0).abs() < 1.0, "{s}");
}

#[test]
fn reductions_of_zero_d_arrays() {
    let a = Array::scalar(3.5f32).unwrap();
    assert_eq!(ops::sum(&a, Axes::All, false).unwrap().item::<f32>().unwrap(), 3.5);
    assert_eq!(ops::sum(&a, Axes::All, true).unwrap().shape(), &[] as &[usize]);
    assert_eq!(ops::max(&a, Axes::All, false).unwrap().item::<f32>().unwrap(), 3.5);
    assert_eq!(ops::mean(&a, Axes::All, false).unwrap().item::<f32>().unwrap(), 3.5);
    assert!(ops::sum(&a, 0, false).is_err());
    assert_eq!(ops::argmax(&a, None, false).unwrap().item::<u32>().unwrap(), 0);
}

#[test]
fn reduction_axis_errors() {
    let a = arr(&gen(24, Dtype::Float32, 1), &[2, 3, 4], Dtype::Float32);
    assert!(ops::sum(&a, 3, false).is_err());
    assert!(ops::sum(&a, -4, false).is_err());
    assert!(ops::sum(&a, [0i64, 0], false).is_err(), "repeated axis");
    assert!(ops::sum(&a, [1i64, -2], false).is_err(), "repeated axis spelled two ways");
    assert!(ops::max(&a, 5, false).is_err());
    assert!(ops::mean(&a, 3, false).is_err());
    assert!(ops::var(&a, -4, false, 0).is_err());
    assert!(ops::argmax(&a, Some(3), false).is_err());
    assert!(ops::argmin(&a, Some(-4), false).is_err());
    assert!(ops::logsumexp(&a, 3, false).is_err());
    assert!(ops::softmax(&a, 3, false).is_err());
    assert!(ops::median(&a, [0i64, 3], false).is_err());
    let e = ops::sum(&a, 3, false).unwrap_err();
    assert!(matches!(e, rmlx_core::Error::Axis { .. }), "{e:?}");
}

// ---------------------------------------------------------------- min / max / all / any

#[test]
fn min_max_every_real_dtype() {
    let reals: Vec<Dtype> = ALL.iter().copied().filter(|d| !d.is_complex()).collect();
    sweep("min", &reals, |n, s, d| gen(n, d, s), |d| d, |_| 0.0, ops::min, ref_min);
    sweep("max", &reals, |n, s, d| gen(n, d, s), |d| d, |_| 0.0, ops::max, ref_max);
}

#[test]
fn min_max_of_integer_extremes() {
    let a = Array::from_slice(&[i64::MIN, 0, i64::MAX], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<i64>().unwrap(), i64::MIN);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<i64>().unwrap(), i64::MAX);
    let a = Array::from_slice(&[u64::MAX, 3, 0], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<u64>().unwrap(), 0);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<u64>().unwrap(), u64::MAX);
    let a = Array::from_slice(&[-128i8, 127, 5], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<i8>().unwrap(), -128);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<i8>().unwrap(), 127);
    let a = Array::from_slice(&[f32::NEG_INFINITY, 1.0, f32::INFINITY], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<f32>().unwrap(), f32::NEG_INFINITY);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<f32>().unwrap(), f32::INFINITY);
}

#[test]
fn complex_min_max_argmax_are_lexicographic() {
    // NumPy and MLX order complex numbers by real part, then imaginary part.
    let v = [Complex32::new(1.0, 2.0), Complex32::new(1.0, 3.0), Complex32::new(0.0, 5.0), Complex32::new(-1.0, 9.0)];
    let a = Array::from_slice(&v, &[4]).unwrap();
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<Complex32>().unwrap(), v[1]);
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<Complex32>().unwrap(), v[3]);
    assert_eq!(ops::argmax(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    assert_eq!(ops::argmin(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 3);
}

#[test]
fn all_any_treat_negative_zero_as_zero() {
    let a = Array::from_slice(&[-0.0f32, 1.0], &[2]).unwrap();
    assert!(!ops::all(&a, 0, false).unwrap().item::<bool>().unwrap());
    let a = Array::from_slice(&[-0.0f64, 0.0], &[2]).unwrap();
    assert!(!ops::any(&a, 0, false).unwrap().item::<bool>().unwrap());
    assert_eq!(ops::count_nonzero(&a, 0, false).unwrap().item::<i32>().unwrap(), 0);
}

#[test]
fn min_max_propagate_nan() {
    for dt in FLOATS {
        for len in [3usize, 17, 40] {
            for pos in [0, len / 2, len - 1] {
                let mut v: Vec<f64> = (0..len).map(|i| i as f64 - 5.0).collect();
                v[pos] = f64::NAN;
                let a = arr(&v, &[len], dt);
                for (name, r) in [("max", ops::max(&a, 0, false)), ("min", ops::min(&a, 0, false))] {
                    let r = r.unwrap().item::<f64>().unwrap();
                    assert!(r.is_nan(), "{name} {dt} len {len} NaN at {pos}: got {r}");
                }
            }
        }
        // Along a leading axis: column 1 has a NaN in row 2.
        let mut v: Vec<f64> = (0..12).map(|i| i as f64).collect();
        v[2 * 3 + 1] = f64::NAN;
        let a = arr(&v, &[4, 3], dt);
        for r in [ops::max(&a, 0, false).unwrap(), ops::min(&a, 0, false).unwrap()] {
            let r = r.to_vec::<f64>().unwrap();
            assert!(!r[0].is_nan() && r[1].is_nan() && !r[2].is_nan(), "{dt}: {r:?}");
        }
    }
}

#[test]
fn all_any_every_dtype() {
    // Values with plenty of zeros.
    let values = |n: usize, s: u64, d: Dtype| -> Vec<f64> {
        gen(n, Dtype::Uint8, s)
            .into_iter()
            .map(|r| {
                if r < 3.0 {
                    0.0
                } else if d == Dtype::Bool {
                    1.0
                } else {
                    r - 2.0
                }
            })
            .collect()
    };
    let all = |x: &[f64]| if x.iter().all(|&v| v != 0.0) { 1.0 } else { 0.0 };
    let any = |x: &[f64]| if x.iter().any(|&v| v != 0.0) { 1.0 } else { 0.0 };
    sweep("all", &ALL, values, |_| Dtype::Bool, |_| 0.0, ops::all, all);
    sweep("any", &ALL, values, |_| Dtype::Bool, |_| 0.0, ops::any, any);
    // Mostly non-zero values so `all` is true somewhere.
    let dense = |n: usize, s: u64, _d: Dtype| -> Vec<f64> {
        gen(n, Dtype::Uint8, s).into_iter().map(|r| if r == 0.0 { 0.0 } else { 1.0 }).collect()
    };
    sweep("all (dense)", &ALL, dense, |_| Dtype::Bool, |_| 0.0, ops::all, all);
    // NaN and complex with only an imaginary part count as non-zero.
    let a = Array::from_slice(&[f32::NAN, 1.0], &[2]).unwrap();
    assert!(ops::all(&a, Axes::All, false).unwrap().item::<bool>().unwrap());
    let c = Array::from_slice(&[Complex32::new(0.0, 1.0)], &[1]).unwrap();
    assert!(ops::any(&c, Axes::All, false).unwrap().item::<bool>().unwrap());
}

// ---------------------------------------------------------------- mean / var / std

#[test]
fn mean_every_dtype() {
    let real: Vec<Dtype> = ALL.iter().copied().filter(|d| !d.is_complex()).collect();
    sweep("mean", &real, |n, s, d| gen(n, d, s), inexact, |d| 2.0 * tol(d), ops::mean, ref_mean);
    for d in ALL {
        let a = arr(&[1.0, 2.0], &[2], d);
        assert_eq!(ops::mean(&a, 0, false).unwrap().dtype(), inexact(d), "mean dtype of {d}");
    }
    let v: Vec<Complex32> = vec![Complex32::new(1.0, 2.0), Complex32::new(3.0, -4.0)];
    let m = ops::mean(&Array::from_slice(&v, &[2]).unwrap(), 0, false).unwrap();
    assert_eq!(m.dtype(), Dtype::Complex64);
    assert!((m.item::<Complex32>().unwrap() - Complex32::new(2.0, -1.0)).norm() < 1e-6);
}

#[test]
fn var_and_std_with_ddof() {
    let dtypes =
        [Dtype::Float16, Dtype::Bfloat16, Dtype::Float32, Dtype::Float64, Dtype::Int32, Dtype::Uint8, Dtype::Bool];
    let rtol = |d: Dtype| match d {
        Dtype::Float16 => 2e-2,
        Dtype::Bfloat16 => 8e-2,
        d => 10.0 * tol(d),
    };
    for ddof in [0usize, 1] {
        sweep(
            &format!("var ddof={ddof}"),
            &dtypes,
            |n, s, d| gen(n, d, s),
            inexact,
            rtol,
            |a, ax, k| ops::var(a, ax, k, ddof),
            |x| ref_var(x, ddof),
        );
        sweep(
            &format!("std ddof={ddof}"),
            &dtypes,
            |n, s, d| gen(n, d, s),
            inexact,
            rtol,
            |a, ax, k| ops::std(a, ax, k, ddof),
            |x| ref_var(x, ddof).sqrt(),
        );
    }
    // ddof equal to the count divides by zero: inf or nan, as NumPy.
    let a = arr(&[1.0, 2.0, 4.0], &[3], Dtype::Float32);
    let v = ops::var(&a, 0, false, 3).unwrap().item::<f64>().unwrap();
    assert!(v.is_infinite() || v.is_nan(), "{v}");
    // Var of a constant is exactly 0.
    let a = arr(&[2.5; 7], &[7], Dtype::Float32);
    assert_eq!(ops::var(&a, 0, false, 0).unwrap().item::<f32>().unwrap(), 0.0);
    // Complex: the mean squared magnitude of the deviations, a real number.
    let v = [Complex32::new(1.0, 1.0), Complex32::new(-1.0, -1.0)];
    let r = ops::var(&Array::from_slice(&v, &[2]).unwrap(), 0, false, 0).unwrap();
    assert!(!r.dtype().is_complex() || r.to_vec::<Complex32>().unwrap()[0].im == 0.0);
    assert!((r.item::<f64>().unwrap() - 2.0).abs() < 1e-5);
}

// ---------------------------------------------------------------- argmin / argmax

#[test]
fn argmin_argmax_every_real_dtype() {
    let reals: Vec<Dtype> = ALL.iter().copied().filter(|d| !d.is_complex()).collect();
    let first = |x: &[f64], better: fn(f64, f64) -> bool| -> f64 {
        let mut b = 0;
        for i in 1..x.len() {
            if better(x[i], x[b]) {
                b = i;
            }
        }
        b as f64
    };
    for dt in reals {
        for (layout, a, nd) in layouts(dt, 11, |n, s| gen(n, dt, s)) {
            for axis in [0i64, 1, 2, -1, -2] {
                for keepdims in [false, true] {
                    let ax = if axis < 0 { (axis + 3) as usize } else { axis as usize };
                    let ctx = format!("argmax {dt} {layout} axis {axis} keepdims {keepdims}");
                    let got = ops::argmax(&a, Some(axis), keepdims).unwrap();
                    check(&got, &nd.reduce(&[ax], keepdims, |x| first(x, |p, q| p > q)), Dtype::Uint32, 0.0, &ctx);
                    let got = ops::argmin(&a, Some(axis), keepdims).unwrap();
                    check(&got, &nd.reduce(&[ax], keepdims, |x| first(x, |p, q| p < q)), Dtype::Uint32, 0.0, &ctx);
                }
            }
            // Over the flattened array.
            let flat = Nd::new(nd.data.clone(), &[24]);
            for keepdims in [false, true] {
                let ctx = format!("argmax {dt} {layout} flat keepdims {keepdims}");
                let got = ops::argmax(&a, None, keepdims).unwrap();
                let want = first(&flat.data, |p, q| p > q);
                assert_eq!(got.dtype(), Dtype::Uint32, "{ctx}");
                assert_eq!(got.shape(), if keepdims { &[1usize, 1, 1][..] } else { &[][..] }, "{ctx}");
                assert_eq!(got.item::<f64>().unwrap(), want, "{ctx}");
                let got = ops::argmin(&a, None, keepdims).unwrap();
                assert_eq!(got.item::<f64>().unwrap(), first(&flat.data, |p, q| p < q), "{ctx}");
            }
        }
    }
}

#[test]
fn argmax_first_occurrence_and_nan() {
    let a = Array::from_slice(&[1.0f32, 3.0, 3.0, 0.0, 3.0], &[5]).unwrap();
    assert_eq!(ops::argmax(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    let a = Array::from_slice(&[2i32, 0, 5, 0, 0], &[5]).unwrap();
    assert_eq!(ops::argmin(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    let a = Array::from_slice(&[7u8; 40], &[40]).unwrap();
    assert_eq!(ops::argmax(&a, None, false).unwrap().item::<u32>().unwrap(), 0);
    assert_eq!(ops::argmin(&a, None, false).unwrap().item::<u32>().unwrap(), 0);
    let a = Array::from_slice(&[false, true, true], &[3]).unwrap();
    assert_eq!(ops::argmax(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    assert_eq!(ops::argmin(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 0);
    // NaN counts as the extreme (NumPy): the first NaN wins.
    let a = Array::from_slice(&[1.0f32, f32::NAN, 5.0, f32::NAN], &[4]).unwrap();
    assert_eq!(ops::argmax(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    assert_eq!(ops::argmin(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    // Ties along a leading axis.
    let a = Array::from_slice(&[1i64, 9, 9, 1, 9, 9], &[3, 2]).unwrap();
    assert_eq!(ops::argmax(&a, Some(0), false).unwrap().to_vec::<u32>().unwrap(), vec![1, 0]);
    assert_eq!(ops::argmin(&a, Some(0), false).unwrap().to_vec::<u32>().unwrap(), vec![0, 1]);
}

// ---------------------------------------------------------------- logsumexp / count_nonzero / median

#[test]
fn logsumexp_dtypes_and_axes() {
    let dtypes =
        [Dtype::Float16, Dtype::Bfloat16, Dtype::Float32, Dtype::Float64, Dtype::Int32, Dtype::Uint8, Dtype::Bool];
    sweep("logsumexp", &dtypes, |n, s, d| gen(n, d, s), inexact, |d| 2.0 * tol(d), ops::logsumexp, ref_lse);
    assert!(ops::logsumexp(&arr(&[1.0], &[1], Dtype::Complex64), 0, false).is_err());
}

#[test]
fn logsumexp_is_stable() {
    let a = Array::from_slice(&[1000.0f32, 1000.0, 999.0, -1000.0, -1000.0, -1001.0], &[2, 3]).unwrap();
    let r = ops::logsumexp(&a, 1, false).unwrap().to_vec::<f64>().unwrap();
    let w0 = ref_lse(&[1000.0, 1000.0, 999.0]);
    let w1 = ref_lse(&[-1000.0, -1000.0, -1001.0]);
    assert!((r[0] - w0).abs() < 1e-3 && (r[1] - w1).abs() < 1e-3, "{r:?}");
    // All -inf gives -inf; +inf gives +inf; NaN gives NaN.
    let a =
        Array::from_slice(&[f32::NEG_INFINITY, f32::NEG_INFINITY, 1.0, f32::INFINITY, 1.0, f32::NAN], &[3, 2]).unwrap();
    let r = ops::logsumexp(&a, 1, false).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(r[0], f32::NEG_INFINITY);
    assert_eq!(r[1], f32::INFINITY);
    assert!(r[2].is_nan());
}

#[test]
fn count_nonzero_every_dtype() {
    let values = |n: usize, s: u64, d: Dtype| -> Vec<f64> {
        gen(n, Dtype::Uint8, s)
            .into_iter()
            .map(|r| {
                if r < 4.0 {
                    0.0
                } else if d == Dtype::Bool {
                    1.0
                } else {
                    r - 3.0
                }
            })
            .collect()
    };
    let count = |x: &[f64]| x.iter().filter(|&&v| v != 0.0).count() as f64;
    sweep("count_nonzero", &ALL, values, |_| Dtype::Int32, |_| 0.0, ops::count_nonzero, count);
}

#[test]
fn median_dtypes_axes() {
    let dtypes =
        [Dtype::Float16, Dtype::Bfloat16, Dtype::Float32, Dtype::Float64, Dtype::Int32, Dtype::Int8, Dtype::Uint16];
    sweep("median", &dtypes, |n, s, d| gen(n, d, s), inexact, tol, ops::median, ref_median);
    // Odd and even lengths, NaN.
    let a = Array::from_slice(&[5.0f32, 1.0, 3.0], &[3]).unwrap();
    assert_eq!(ops::median(&a, 0, false).unwrap().item::<f32>().unwrap(), 3.0);
    let a = Array::from_slice(&[5i32, 1, 3, 10], &[4]).unwrap();
    let m = ops::median(&a, 0, false).unwrap();
    assert_eq!(m.dtype(), Dtype::Float32);
    assert_eq!(m.item::<f32>().unwrap(), 4.0);
    let a = Array::from_slice(&[5.0f64, f64::NAN, 3.0, 1.0, 2.0, 3.0], &[2, 3]).unwrap();
    let m = ops::median(&a, 1, false).unwrap().to_vec::<f64>().unwrap();
    assert!(m[0].is_nan() && m[1] == 2.0, "{m:?}");
    assert!(ops::median(&arr(&[], &[0], Dtype::Float32), 0, false).is_err());
}

// ---------------------------------------------------------------- softmax / log_softmax

#[test]
fn softmax_and_log_softmax_axes_layouts() {
    let axis_sets = [
        Axes::from(0i64),
        Axes::from(2i64),
        Axes::from(-2i64),
        Axes::from([0i64, 2]),
        Axes::from([2i64, 1]),
        Axes::All,
    ];
    for dt in FLOATS.iter().copied().chain([Dtype::Int32]) {
        let out_dt = inexact(dt);
        for (layout, a, nd) in layouts(dt, 3, |n, s| gen(n, dt, s)) {
            for axes in axis_sets.iter() {
                for precise in [false, true] {
                    let ax = norm_axes(axes, 3);
                    let ctx = format!("softmax {dt} {layout} {axes:?} precise {precise}");
                    let rtol = if precise && dt.size() == 2 { tol(out_dt) / 2.0 } else { tol(out_dt) * 2.0 };
                    let got = ops::softmax(&a, axes.clone(), precise).unwrap();
                    check(&got, &nd.lanes(&ax, ref_softmax), out_dt, rtol, &ctx);
                    let ctx = format!("log_softmax {dt} {layout} {axes:?} precise {precise}");
                    let got = ops::log_softmax(&a, axes.clone(), precise).unwrap();
                    check(&got, &nd.lanes(&ax, ref_log_softmax), out_dt, rtol, &ctx);
                }
            }
        }
    }
    assert!(ops::softmax(&arr(&[1.0], &[1], Dtype::Complex64), 0, false).is_err());
}

#[test]
fn softmax_precise_half_is_close_to_exact() {
    // 40-element rows: precise mode computes in float32 and rounds once.
    for dt in [Dtype::Float16, Dtype::Bfloat16] {
        let v: Vec<f64> = (0..80).map(|i| ((i * 37) % 23) as f64 * 0.25 - 2.0).collect();
        let nd = Nd::new(v.clone(), &[2, 40]);
        let a = arr(&v, &[2, 40], dt);
        let want = nd.lanes(&[1], ref_softmax);
        let got = ops::softmax(&a, -1, true).unwrap().to_vec::<f64>().unwrap();
        let ulp = if dt == Dtype::Float16 { 2f64.powi(-10) } else { 2f64.powi(-7) };
        for (g, w) in got.iter().zip(&want.data) {
            assert!((g - w).abs() <= ulp * w.abs() + 1e-7, "{dt} precise: {g} vs {w}");
        }
        let fast = ops::softmax(&a, -1, false).unwrap().to_vec::<f64>().unwrap();
        for (g, w) in fast.iter().zip(&want.data) {
            assert!((g - w).abs() <= 4.0 * ulp * w.abs() + 1e-6, "{dt} fast: {g} vs {w}");
        }
    }
}

#[test]
fn softmax_large_values_and_row_sums() {
    for dt in FLOATS {
        let v = [1000.0, 1000.0, 999.0, 0.0, -1000.0, -1000.0, -999.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let a = arr(&v, &[3, 4], dt);
        let s = ops::softmax(&a, 1, false).unwrap().to_vec::<f64>().unwrap();
        assert!(s.iter().all(|x| x.is_finite()), "{dt}: {s:?}");
        for r in 0..3 {
            let sum: f64 = s[r * 4..r * 4 + 4].iter().sum();
            assert!((sum - 1.0).abs() < 1e-2, "{dt} row {r} sums to {sum}");
        }
        // The reference sees the inputs as the dtype holds them (bfloat16 rounds 999 to 1000).
        let rounded: Vec<f64> = v.iter().map(|&x| round_to(x, dt)).collect();
        let want = Nd::new(rounded.clone(), &[3, 4]).lanes(&[1], ref_softmax);
        for (g, w) in s.iter().zip(&want.data) {
            assert!((g - w).abs() < 1e-2, "{dt}: {g} vs {w}");
        }
        let l = ops::log_softmax(&a, 1, false).unwrap().to_vec::<f64>().unwrap();
        assert!(l.iter().all(|x| x.is_finite()), "{dt}: {l:?}");
        let want = Nd::new(rounded, &[3, 4]).lanes(&[1], ref_log_softmax);
        for (g, w) in l.iter().zip(&want.data) {
            assert!(close(*g, round_to(*w, dt), tol(dt)), "{dt} log_softmax: {g} vs {w}");
        }
    }
    // A long float32 row (SIMD path) of large values.
    let v: Vec<f32> = (0..100).map(|i| 1000.0 + (i % 7) as f32).collect();
    let a = Array::from_slice(&v, &[100]).unwrap();
    let s = ops::softmax(&a, 0, false).unwrap().to_vec::<f64>().unwrap();
    assert!(s.iter().all(|x| x.is_finite()));
    assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-5);
    // A NaN poisons its row only.
    let a = Array::from_slice(&[1.0f32, f32::NAN, 2.0, 1.0, 2.0, 3.0], &[2, 3]).unwrap();
    let s = ops::softmax(&a, 1, false).unwrap().to_vec::<f32>().unwrap();
    assert!(s[..3].iter().all(|x| x.is_nan()) && s[3..].iter().all(|x| x.is_finite()), "{s:?}");
    // -inf entries get probability 0.
    let a = Array::from_slice(&[f32::NEG_INFINITY, 0.0, 0.0], &[3]).unwrap();
    let s = ops::softmax(&a, 0, false).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(s, vec![0.0, 0.5, 0.5]);
}

#[test]
fn softmax_of_long_rows() {
    // Rows long enough to be cut over several GPU blocks (2, 4 and 8 pieces),
    // one too long for that, and a length that does not divide evenly; with
    // a NaN and a -inf row among them.
    for &len in &[16384usize, 32768, 40000, 65536 + 32, 12345] {
        for dt in [Dtype::Float32, Dtype::Bfloat16] {
            let rows = 3;
            let mut v: Vec<f64> = (0..rows * len).map(|i| ((i * 37) % 101) as f64 / 10.0 - 5.0).collect();
            v[len + 7] = f64::NAN;
            v[2 * len + 3] = f64::NEG_INFINITY;
            let v: Vec<f64> = v.iter().map(|&x| round_to(x, dt)).collect();
            let a = arr(&v, &[rows, len], dt);
            let got = ops::softmax(&a, -1, false).unwrap().to_vec::<f64>().unwrap();
            let want = Nd::new(v.clone(), &[rows, len]).lanes(&[1], ref_softmax);
            let ulp = if dt == Dtype::Float32 { 1.2e-7 } else { 7.9e-3 };
            for (i, (g, w)) in got.iter().zip(&want.data).enumerate() {
                if w.is_nan() {
                    assert!(g.is_nan(), "{dt} len {len} at {i}: {g} for NaN");
                } else {
                    assert!((g - w).abs() <= 8.0 * ulp * w.abs() + 1e-9, "{dt} len {len} at {i}: {g} vs {w}");
                }
            }
            let got = ops::log_softmax(&a, -1, false).unwrap().to_vec::<f64>().unwrap();
            let want = Nd::new(v, &[rows, len]).lanes(&[1], ref_log_softmax);
            for (i, (g, w)) in got.iter().zip(&want.data).enumerate() {
                if w.is_nan() {
                    assert!(g.is_nan(), "{dt} len {len} log at {i}");
                } else if w.is_finite() {
                    assert!(
                        (g - w).abs() <= 1e-4 * w.abs().max(1.0) * (ulp / 1.2e-7).sqrt(),
                        "{dt} len {len} log at {i}: {g} vs {w}"
                    );
                }
            }
        }
    }
}

#[test]
fn long_reductions_over_each_layout() {
    // Many rows (a warp per row on the GPU), leading-axis sums of wide
    // float32 and float16 matrices (vector loads), and odd widths.
    for &(rows, len) in &[(2048usize, 300usize), (3000, 64), (513, 1000), (7, 4099)] {
        for dt in [Dtype::Float32, Dtype::Float16, Dtype::Int32] {
            let v: Vec<f64> = (0..rows * len).map(|i| ((i * 13) % 9) as f64 - 4.0).collect();
            let a = arr(&v, &[rows, len], dt);
            let nd = Nd::new(v, &[rows, len]);
            for axis in [0usize, 1] {
                let got = ops::sum(&a, axis as i64, false).unwrap();
                let want = nd.reduce(&[axis], false, ref_sum);
                check(&got, &want, dt, tol(dt) * 4.0, &format!("sum {dt} {rows}x{len} axis {axis}"));
                let got = ops::max(&a, axis as i64, false).unwrap();
                check(
                    &got,
                    &nd.reduce(&[axis], false, ref_max),
                    dt,
                    0.0,
                    &format!("max {dt} {rows}x{len} axis {axis}"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------- empty reductions

#[test]
fn empty_reductions() {
    for dt in [Dtype::Float32, Dtype::Int32, Dtype::Uint8, Dtype::Float16, Dtype::Bool, Dtype::Int64] {
        let a = arr(&[], &[2, 0, 3], dt);
        let s = ops::sum(&a, 1, false).unwrap();
        assert_eq!(s.shape(), &[2, 3]);
        assert_eq!(s.dtype(), sum_dtype(dt));
        assert_eq!(s.to_vec::<f64>().unwrap(), vec![0.0; 6], "sum {dt}");
        let s = ops::sum(&a, 1, true).unwrap();
        assert_eq!(s.shape(), &[2, 1, 3]);
        let p = ops::prod(&a, 1, false).unwrap();
        assert_eq!(p.to_vec::<f64>().unwrap(), vec![1.0; 6], "prod {dt}");
        assert_eq!(ops::sum(&a, Axes::All, false).unwrap().item::<f64>().unwrap(), 0.0);
        assert_eq!(ops::prod(&a, Axes::All, false).unwrap().item::<f64>().unwrap(), 1.0);
        // Reducing a non-empty axis of an empty array gives an empty result.
        let s = ops::sum(&a, 2, false).unwrap();
        assert_eq!(s.shape(), &[2, 0]);
        assert!(s.to_vec::<f64>().unwrap().is_empty());
        let m = ops::max(&a, 0, false).unwrap();
        assert_eq!(m.shape(), &[0, 3]);
        assert!(m.to_vec::<f64>().unwrap().is_empty());
        // No identity: errors.
        assert!(ops::min(&a, 1, false).is_err(), "min {dt}");
        assert!(ops::max(&a, 1, false).is_err(), "max {dt}");
        assert!(ops::max(&a, Axes::All, false).is_err(), "max all {dt}");
        assert!(ops::argmax(&a, Some(1), false).is_err(), "argmax {dt}");
        assert!(ops::argmin(&a, Some(1), false).is_err(), "argmin {dt}");
        assert!(ops::argmax(&a, None, false).is_err(), "argmax flat {dt}");
        // all of nothing is true, any of nothing is false.
        assert_eq!(ops::all(&a, 1, false).unwrap().to_vec::<bool>().unwrap(), vec![true; 6]);
        assert_eq!(ops::any(&a, 1, false).unwrap().to_vec::<bool>().unwrap(), vec![false; 6]);
        assert_eq!(ops::count_nonzero(&a, 1, false).unwrap().to_vec::<i32>().unwrap(), vec![0; 6]);
    }
    // Mean of nothing is NaN.
    let a = arr(&[], &[0], Dtype::Float32);
    assert!(ops::mean(&a, 0, false).unwrap().item::<f32>().unwrap().is_nan());
    // logsumexp of nothing is -inf.
    assert_eq!(ops::logsumexp(&a, 0, false).unwrap().item::<f32>().unwrap(), f32::NEG_INFINITY);
    // Softmax of an empty array is empty.
    let s = ops::softmax(&arr(&[], &[2, 0], Dtype::Float32), 1, false).unwrap();
    assert_eq!(s.shape(), &[2, 0]);
    assert!(s.to_vec::<f32>().unwrap().is_empty());
}

// ---------------------------------------------------------------- large inputs (threaded paths)

#[test]
fn large_reductions_match_the_reference() {
    // Big enough for the threaded row, column and arg-reduce paths.
    let shapes: [&[usize]; 3] = [&[3, 40_000], &[40_000, 3], &[20, 300, 12]];
    for shape in shapes {
        let n: usize = shape.iter().product();
        let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        let nd = Nd::new(v.clone(), shape);
        for dt in [Dtype::Float32, Dtype::Int32, Dtype::Float16] {
            let a = arr(&v, shape, dt);
            for axis in 0..shape.len() {
                let ctx = format!("{dt} {shape:?} axis {axis}");
                let got = ops::sum(&a, axis as i64, false).unwrap();
                check(&got, &nd.reduce(&[axis], false, ref_sum), dt, tol(dt), &format!("sum {ctx}"));
                let got = ops::min(&a, axis as i64, true).unwrap();
                check(&got, &nd.reduce(&[axis], true, ref_min), dt, 0.0, &format!("min {ctx}"));
                let got = ops::argmax(&a, Some(axis as i64), false).unwrap();
                let want = nd.reduce(&[axis], false, |x| {
                    let m = ref_max(x);
                    x.iter().position(|&y| y == m).unwrap() as f64
                });
                check(&got, &want, Dtype::Uint32, 0.0, &format!("argmax {ctx}"));
            }
            // Middle and outer axes together, on a transposed view.
            if shape.len() == 3 {
                let t = ops::transpose(&a, &[2, 0, 1]).unwrap();
                let got = ops::max(&t, [0i64, 2], false).unwrap();
                check(
                    &got,
                    &nd.permute(&[2, 0, 1]).reduce(&[0, 2], false, ref_max),
                    dt,
                    0.0,
                    &format!("max {dt} transposed"),
                );
            }
        }
        let a = arr(&v, shape, Dtype::Float32);
        let last = shape.len() - 1;
        let got = ops::softmax(&a, -1, false).unwrap();
        check(&got, &nd.lanes(&[last], ref_softmax), Dtype::Float32, 1e-5, &format!("softmax {shape:?}"));
        let got = ops::logsumexp(&a, 0, false).unwrap();
        check(&got, &nd.reduce(&[0], false, ref_lse), Dtype::Float32, 1e-5, &format!("logsumexp {shape:?}"));
    }
}
