//! mean, var/std, argmin/argmax, logsumexp, count_nonzero, median.

use super::*;

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
