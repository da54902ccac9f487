//! logical_not, bitwise_invert, the operators, and astype.

use super::*;

// ------------------------------------------------------ logical, bitwise

#[test]
fn logical_not() {
    for dt in ALL {
        let ctx = format!("logical_not({dt})");
        if dt == Dtype::Complex64 {
            let vals = [
                Complex32::new(0.0, 0.0),
                Complex32::new(0.0, 1.0),
                Complex32::new(-2.0, 0.0),
                Complex32::new(-0.0, -0.0),
            ];
            for (label, x, xv) in views(&vals, &|v, s| make_c(v, s)) {
                let y = ops::logical_not(&x).unwrap();
                let exp: Vec<bool> = xv.iter().map(|z| z.re == 0.0 && z.im == 0.0).collect();
                assert_eq!(read_b(&y), exp, "{ctx}, {label}");
            }
            continue;
        }
        if !dt.is_float() {
            let vals = if dt == Dtype::Bool { vec![0, 1] } else { int_pool(dt) };
            for (label, x, xv) in views(&vals, &|v, s| make_i(v, s, dt)) {
                let y = ops::logical_not(&x).unwrap();
                assert_eq!(read_b(&y), xv.iter().map(|&v| v == 0).collect::<Vec<_>>(), "{ctx}, {label}");
            }
            continue;
        }
        let vals = float_inputs(&[1.0, -2.5, 1e-3], dt);
        for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
            let y = ops::logical_not(&x).unwrap();
            assert_eq!(y.shape(), x.shape());
            // NaN is "true", so its negation is false; -0.0 is zero.
            let exp: Vec<bool> = xv.iter().map(|&v| v == 0.0).collect();
            assert_eq!(read_b(&y), exp, "{ctx}, {label}");
        }
    }
    // Large integers that would be zero in float32 are still non-zero.
    let x = Array::from_slice(&[1u64 << 63, 0], &[2]).unwrap();
    assert_eq!(read_b(&ops::logical_not(&x).unwrap()), vec![false, true]);
}

#[test]
fn bitwise_invert() {
    for dt in ALL {
        let ctx = format!("bitwise_invert({dt})");
        if dt.is_inexact() {
            let x =
                if dt == Dtype::Complex64 { make_c(&complex_inputs(), &[8]) } else { make_f(&[1.0, 2.0], &[2], dt) };
            expect_dtype_err(&ctx, ops::bitwise_invert(&x));
            continue;
        }
        let vals = if dt == Dtype::Bool { vec![0, 1] } else { int_pool(dt) };
        for (label, x, xv) in views(&vals, &|v, s| make_i(v, s, dt)) {
            let y = ops::bitwise_invert(&x).unwrap();
            assert_eq!((y.dtype(), y.shape()), (dt, x.shape()), "{ctx}");
            let exp: Vec<i128> = xv.iter().map(|&v| if dt == Dtype::Bool { 1 - v } else { wrap(!v, dt) }).collect();
            assert_eq!(read_i(&y), exp, "{ctx}, {label}");
        }
    }
}

#[test]
fn operators_match_the_ops() {
    let a = Array::from_slice(&[1i8, -128, 5], &[3]).unwrap();
    assert_eq!((-&a).to_vec::<i8>().unwrap(), vec![-1, -128, -5]);
    assert_eq!((!&a).to_vec::<i8>().unwrap(), vec![-2, 127, -6]);
    let b = Array::from_slice(&[true, false], &[2]).unwrap();
    assert_eq!((!&b).to_vec::<bool>().unwrap(), vec![false, true]);
}

// ------------------------------------------------------------- astype

#[test]
fn astype_basics() {
    let x = Array::from_slice(&[-2.75f32, -0.5, 0.0, 0.5, 2.75, 127.9], &[6]).unwrap();
    let y = ops::astype(&x, Dtype::Int8).unwrap();
    assert_eq!(y.dtype(), Dtype::Int8);
    assert_eq!(y.to_vec::<i8>().unwrap(), vec![-2, 0, 0, 0, 2, 127]);
    let y = ops::astype(&x, Dtype::Bool).unwrap();
    assert_eq!(y.to_vec::<bool>().unwrap(), vec![true, true, false, true, true, true]);
    // Same dtype: the array itself.
    let same = ops::astype(&x, Dtype::Float32).unwrap();
    assert_eq!(same.id(), x.id());
    // On a transposed view and on empty arrays.
    let m = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    let t = ops::astype(&ops::transpose(&m, &[1, 0]).unwrap(), Dtype::Float16).unwrap();
    assert_eq!(t.shape(), &[3, 2]);
    let v: Vec<f32> = t.to_vec::<f16>().unwrap().into_iter().map(f32::from).collect();
    assert_eq!(v, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let e = ops::astype(&Array::from_slice::<f32>(&[], &[0, 4]).unwrap(), Dtype::Complex64).unwrap();
    assert_eq!((e.shape(), e.dtype()), (&[0usize, 4][..], Dtype::Complex64));
    assert!(e.to_vec::<Complex32>().unwrap().is_empty());
    let z = ops::astype(&Array::scalar(7u8).unwrap(), Dtype::Float64).unwrap();
    assert_eq!((z.ndim(), z.item::<f64>().unwrap()), (0, 7.0));
}
