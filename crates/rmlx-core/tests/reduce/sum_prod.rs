//! sum and prod: every dtype, axes and layout, widening, complex, long rows, 0-d arrays and axis errors.

use super::*;

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
