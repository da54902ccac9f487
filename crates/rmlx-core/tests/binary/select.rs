//! where, clip, isclose/allclose/array_equal, and shapes that do not broadcast.

use super::*;

// ---------------------------------------------------- where, clip

#[test]
fn where_every_dtype() {
    let cond_vals = [1i128, 0, 1, 1, 0];
    for dt in ALL {
        for cdt in [Dtype::Bool, Dtype::Int32, Dtype::Float32] {
            let cond = make_i(&cond_vals, &[5, 1], cdt);
            let ctx = format!("where_({cdt}, {dt}, {dt})");
            if dt == Dtype::Complex64 {
                let x = make_c(&ca()[..3], &[1, 3]);
                let y = make_c(&cb()[..1], &[]);
                let out = ops::where_(&cond, &x, &y).unwrap();
                assert_eq!((out.dtype(), out.shape()), (dt, &[5, 3][..]), "{ctx}");
                let got = out.to_vec::<Complex32>().unwrap();
                for i in 0..5 {
                    for j in 0..3 {
                        let e = if cond_vals[i] != 0 { ca()[j] } else { cb()[0] };
                        assert_eq!(got[i * 3 + j], e, "{ctx}");
                    }
                }
                continue;
            }
            let (xv, yv): (Vec<i128>, Vec<i128>) = if dt == Dtype::Bool {
                (vec![1, 0, 1], vec![0])
            } else {
                let p = int_pool(dt);
                (vec![p[0], p[p.len() - 1], 3], vec![p[1]])
            };
            let x = make_i(&xv, &[1, 3], dt);
            let y = make_i(&yv, &[], dt);
            let out = ops::where_(&cond, &x, &y).unwrap();
            assert_eq!((out.dtype(), out.shape()), (dt, &[5, 3][..]), "{ctx}");
            let exp: Vec<i128> = (0..15).map(|k| if cond_vals[k / 3] != 0 { xv[k % 3] } else { yv[0] }).collect();
            if dt.is_float() {
                let e: Vec<f64> = exp.iter().map(|&v| q(v as f64, dt)).collect();
                assert_same(&ctx, &read_f(&out), &e);
            } else {
                assert_eq!(read_i(&out), exp, "{ctx}");
            }
        }
    }
}

#[test]
fn where_promotion_broadcasting_and_errors() {
    let cond = Array::from_slice(&[true, false, true], &[3]).unwrap();
    let y = ops::where_(&cond, 1, 2.5).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<f32>().unwrap()), (Dtype::Float32, vec![1.0, 2.5, 1.0]));
    let y = ops::where_(&cond, 1, 2).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<i32>().unwrap()), (Dtype::Int32, vec![1, 2, 1]));
    let i8a = Array::from_slice(&[5i8, 6, 7], &[3]).unwrap();
    let y = ops::where_(&cond, &i8a, -1).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<i8>().unwrap()), (Dtype::Int8, vec![5, -1, 7]));
    let h = Array::from_slice(&[f16::from_f32(0.5); 3], &[3]).unwrap();
    let y = ops::where_(&cond, 2.5, &h).unwrap();
    assert_eq!(y.dtype(), Dtype::Float16);
    let y = ops::where_(&cond, &i8a, Array::from_slice(&[0.25f32], &[1]).unwrap()).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<f32>().unwrap()), (Dtype::Float32, vec![5.0, 0.25, 7.0]));
    // NaN is a true condition.
    let c = Array::from_slice(&[f32::NAN, 0.0, -0.0], &[3]).unwrap();
    assert_eq!(ops::where_(&c, 1, 0).unwrap().to_vec::<i32>().unwrap(), vec![1, 0, 0]);
    // Scalar condition; all three broadcasting to (2, 3, 4).
    assert_eq!(ops::where_(false, &i8a, 9).unwrap().to_vec::<i8>().unwrap(), vec![9, 9, 9]);
    let c = Array::from_slice(&[true, false], &[2, 1, 1]).unwrap();
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3, 1]).unwrap();
    let z = Array::from_slice(&[10.0f32, 20.0, 30.0, 40.0], &[4]).unwrap();
    let y = ops::where_(&c, &x, &z).unwrap();
    assert_eq!(y.shape(), &[2, 3, 4]);
    let v = y.to_vec::<f32>().unwrap();
    assert_eq!(&v[..4], &[1.0; 4]);
    assert_eq!(&v[8..12], &[3.0; 4]);
    assert_eq!(&v[12..16], &[10.0, 20.0, 30.0, 40.0]);
    // Transposed and empty inputs.
    let m = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    let ct = Array::from_slice(&[true, false, false, true, true, false], &[3, 2]).unwrap();
    let y = ops::where_(&ct, ops::transpose(&m, &[1, 0]).unwrap(), 0).unwrap();
    assert_eq!(y.to_vec::<i32>().unwrap(), vec![1, 0, 0, 5, 3, 0]);
    let e = ops::where_(Array::from_slice::<bool>(&[], &[0]).unwrap(), 1, 2).unwrap();
    assert_eq!(e.shape(), &[0]);
    // Shapes that do not broadcast.
    let bad = ops::where_(Array::from_slice(&[true, false], &[2]).unwrap(), &i8a, 0);
    assert!(matches!(bad, Err(Error::Shape(_))), "{bad:?}");
    let bad = ops::where_(&cond, &i8a, Array::from_slice(&[1i8, 2], &[2]).unwrap());
    assert!(matches!(bad, Err(Error::Shape(_))), "{bad:?}");
}

#[test]
fn clip_every_real_dtype() {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            continue;
        }
        let ctx = format!("clip({dt})");
        if dt.is_float() {
            let xv = qs(&[-INF, -3.0, -0.5, 0.0, 2.5, 7.0, INF, NAN], dt);
            let x = make_f(&xv, &[8], dt);
            let lo = make_f(&[-1.0], &[], dt);
            let hi = make_f(&[5.0], &[], dt);
            let y = ops::clip(&x, Some((&lo).into()), Some((&hi).into())).unwrap();
            assert_eq!(y.dtype(), dt, "{ctx}");
            let exp: Vec<f64> = xv.iter().map(|&v| nan_min(nan_max(v, -1.0), 5.0)).collect();
            assert_same(&ctx, &read_f(&y), &exp);
            // Weak bounds keep the dtype.
            let y = ops::clip(&x, None, Some(2.0.into())).unwrap();
            assert_eq!(y.dtype(), dt, "{ctx}");
            assert_same(&ctx, &read_f(&y), &xv.iter().map(|&v| nan_min(v, 2.0)).collect::<Vec<_>>());
        } else {
            let xv = int_pool(dt);
            let (lo, hi) = (xv[1], xv[xv.len() - 2]);
            let x = make_i(&xv, &[xv.len()], dt);
            let y = ops::clip(&x, Some(make_i(&[lo], &[1], dt).into()), Some(make_i(&[hi], &[], dt).into())).unwrap();
            assert_eq!(y.dtype(), dt, "{ctx}");
            assert_eq!(read_i(&y), xv.iter().map(|&v| v.max(lo).min(hi)).collect::<Vec<_>>(), "{ctx}");
            let y = ops::clip(&x, Some(1.into()), None).unwrap();
            assert_eq!(y.dtype(), if dt == Dtype::Bool { Dtype::Int32 } else { dt }, "{ctx}");
            assert_eq!(read_i(&y), xv.iter().map(|&v| v.max(1)).collect::<Vec<_>>(), "{ctx}");
        }
    }
}

#[test]
fn clip_broadcasting_promotion_and_errors() {
    let a = Array::from_slice(&[1.0f32, 5.0, 9.0, -1.0, 4.0, 12.0], &[2, 3]).unwrap();
    let lo = Array::from_slice(&[0.0f32, 6.0, 0.0], &[3]).unwrap();
    let hi = Array::from_slice(&[8.0f32, 3.0], &[2, 1]).unwrap();
    let y = ops::clip(&a, Some((&lo).into()), Some((&hi).into())).unwrap();
    assert_eq!(y.shape(), &[2, 3]);
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![1.0, 6.0, 8.0, 0.0, 3.0, 3.0]);
    // min above max gives max everywhere (NumPy applies max last).
    let y = ops::clip(&a, Some(10.0.into()), Some(2.0.into())).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![2.0; 6]);
    // An integer array with float bounds becomes float32.
    let i = Array::from_slice(&[1i32, 5, 9], &[3]).unwrap();
    let y = ops::clip(&i, Some(1.5.into()), Some(7.into())).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<f32>().unwrap()), (Dtype::Float32, vec![1.5, 5.0, 7.0]));
    // On a transposed view.
    let y = ops::clip(&ops::transpose(&a, &[1, 0]).unwrap(), Some(0.0.into()), Some(8.0.into())).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![1.0, 0.0, 5.0, 4.0, 8.0, 8.0]);
    assert!(matches!(ops::clip(&a, None, None), Err(Error::Value(_))));
    let bad = ops::clip(&a, Some(Array::from_slice(&[0.0f32; 2], &[2]).unwrap().into()), None);
    assert!(matches!(bad, Err(Error::Shape(_))), "{bad:?}");
}

// ----------------------------------------- isclose, allclose, array_equal

/// NumPy's isclose: |a - b| <= atol + rtol |b| for finite b, or a == b.
fn isclose_ref(a: f64, b: f64, rtol: f64, atol: f64, equal_nan: bool) -> bool {
    ((a - b).abs() <= atol + rtol * b.abs() && b.is_finite()) || a == b || (equal_nan && a.is_nan() && b.is_nan())
}

#[test]
fn isclose() {
    let av = [1.0, 1.0, 1.0, INF, INF, -INF, NAN, NAN, 1e10, 0.0, 1.0, 100.0, -2.0, 1.0];
    let bv = [1.0 + 1e-6, 1.1, INF, INF, -INF, -INF, NAN, 1.0, 1.00001e10, 1e-9, NAN, 100.0009, -2.0, -INF];
    for dt in [Dtype::Float32, Dtype::Float64] {
        let (a, b) = (make_f(&qs(&av, dt), &[14], dt), make_f(&qs(&bv, dt), &[14], dt));
        for equal_nan in [false, true] {
            for (rtol, atol) in [(1e-5, 1e-8), (0.0, 0.0), (0.2, 0.0), (0.0, 1e-3)] {
                let y = ops::isclose(&a, &b, rtol, atol, equal_nan).unwrap();
                assert_eq!(y.dtype(), Dtype::Bool);
                let exp: Vec<bool> =
                    av.iter().zip(&bv).map(|(&x, &y)| isclose_ref(q(x, dt), q(y, dt), rtol, atol, equal_nan)).collect();
                assert_eq!(read_b(&y), exp, "isclose({dt}, rtol={rtol}, atol={atol}, equal_nan={equal_nan})");
            }
        }
    }
    // The known answers (NumPy).
    let a = make_f(&[1.0, 1.0, INF, INF, NAN], &[5], Dtype::Float32);
    let b = make_f(&[1.0 + 1e-6, INF, INF, -INF, NAN], &[5], Dtype::Float32);
    assert_eq!(read_b(&ops::isclose(&a, &b, 1e-5, 1e-8, false).unwrap()), vec![true, false, true, false, false]);
    assert_eq!(read_b(&ops::isclose(&a, &b, 1e-5, 1e-8, true).unwrap()), vec![true, false, true, false, true]);
    // Mixed dtypes, integers, broadcasting.
    let i = Array::from_slice(&[1i32, 2, 3], &[3, 1]).unwrap();
    let f = Array::from_slice(&[1.0f32, 2.00001, 3.5], &[1, 3]).unwrap();
    let y = ops::isclose(&i, &f, 1e-5, 1e-8, false).unwrap();
    assert_eq!(y.shape(), &[3, 3]);
    assert_eq!(read_b(&y), vec![true, false, false, false, true, false, false, false, false]);
    let u = Array::from_slice(&[0u8, 255], &[2]).unwrap();
    let s = Array::from_slice(&[0i8, -1], &[2]).unwrap();
    assert_eq!(read_b(&ops::isclose(&u, &s, 0.0, 0.0, false).unwrap()), vec![true, false]);
    let h = Array::from_slice(&[f16::from_f32(1.0)], &[1]).unwrap();
    assert!(ops::isclose(&h, &Array::from_slice(&[1.0004f32], &[1]).unwrap(), 1e-3, 0.0, false)
        .unwrap()
        .item::<bool>()
        .unwrap());
    let bad = ops::isclose(
        &make_f(&[1.0; 2], &[2], Dtype::Float32),
        &make_f(&[1.0; 3], &[3], Dtype::Float32),
        1e-5,
        1e-8,
        false,
    );
    assert!(matches!(bad, Err(Error::Shape(_))), "{bad:?}");
}

#[test]
fn allclose() {
    let a = make_f(&[1.0, 2.0, NAN], &[3], Dtype::Float32);
    let b = make_f(&[1.0 + 1e-7, 2.0, NAN], &[3], Dtype::Float32);
    let y = ops::allclose(&a, &b, 1e-5, 1e-8, false).unwrap();
    assert_eq!((y.dtype(), y.ndim()), (Dtype::Bool, 0));
    assert!(!y.item::<bool>().unwrap());
    assert!(ops::allclose(&a, &b, 1e-5, 1e-8, true).unwrap().item::<bool>().unwrap());
    let c = make_f(&[1.0, 2.1, NAN], &[3], Dtype::Float32);
    assert!(!ops::allclose(&a, &c, 1e-5, 1e-8, true).unwrap().item::<bool>().unwrap());
    assert!(ops::allclose(&a, &c, 0.1, 0.0, true).unwrap().item::<bool>().unwrap());
    // A value near an infinity is not close to it.
    let big = make_f(&[1e30], &[1], Dtype::Float32);
    assert!(!ops::allclose(&big, &make_f(&[INF], &[1], Dtype::Float32), 1e-5, 1e-8, false)
        .unwrap()
        .item::<bool>()
        .unwrap());
    // Broadcasting and empty arrays (vacuously true).
    let col = make_f(&[2.0], &[1, 1], Dtype::Float64);
    assert!(ops::allclose(&make_f(&[2.0; 6], &[2, 3], Dtype::Float64), &col, 0.0, 0.0, false)
        .unwrap()
        .item::<bool>()
        .unwrap());
    let e = make_f(&[], &[0], Dtype::Float32);
    assert!(ops::allclose(&e, &e, 1e-5, 1e-8, false).unwrap().item::<bool>().unwrap());
}

#[test]
fn array_equal() {
    let i = Array::from_slice(&[1i32, 2, 3], &[3]).unwrap();
    let f = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3]).unwrap();
    let y = ops::array_equal(&i, &f, false).unwrap();
    assert_eq!((y.dtype(), y.ndim()), (Dtype::Bool, 0));
    assert!(y.item::<bool>().unwrap(), "values compare across dtypes");
    let g = Array::from_slice(&[1.0f32, 2.0, 3.5], &[3]).unwrap();
    assert!(!ops::array_equal(&i, &g, false).unwrap().item::<bool>().unwrap());
    // Different shapes are never equal, even when they broadcast.
    let row = Array::from_slice(&[1i32, 2, 3], &[1, 3]).unwrap();
    assert!(!ops::array_equal(&i, &row, false).unwrap().item::<bool>().unwrap());
    let one = Array::from_slice(&[1i32], &[1]).unwrap();
    assert!(!ops::array_equal(&one, &Array::scalar(1i32).unwrap(), false).unwrap().item::<bool>().unwrap());
    assert!(!ops::array_equal(&i, &Array::from_slice(&[1i32, 2], &[2]).unwrap(), false)
        .unwrap()
        .item::<bool>()
        .unwrap());
    // NaN only equals NaN with equal_nan.
    let n = make_f(&[1.0, NAN], &[2], Dtype::Float64);
    assert!(!ops::array_equal(&n, &n, false).unwrap().item::<bool>().unwrap());
    assert!(ops::array_equal(&n, &n, true).unwrap().item::<bool>().unwrap());
    let h = make_f(&[1.0, NAN], &[2], Dtype::Float16);
    assert!(ops::array_equal(&n, &h, true).unwrap().item::<bool>().unwrap());
    // Views, empty arrays, complex, bool.
    let m = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2]).unwrap();
    let mt = Array::from_slice(&[1i32, 3, 2, 4], &[2, 2]).unwrap();
    assert!(ops::array_equal(&ops::transpose(&m, &[1, 0]).unwrap(), &mt, false).unwrap().item::<bool>().unwrap());
    let e = Array::from_slice::<f32>(&[], &[0, 2]).unwrap();
    assert!(ops::array_equal(&e, &e, false).unwrap().item::<bool>().unwrap());
    let z = make_c(&ca(), &[6]);
    assert!(ops::array_equal(&z, &z, false).unwrap().item::<bool>().unwrap());
    let b = Array::from_slice(&[true, false], &[2]).unwrap();
    assert!(ops::array_equal(&b, &Array::from_slice(&[1u8, 0], &[2]).unwrap(), false).unwrap().item::<bool>().unwrap());
}

// ------------------------------------------------------ shape errors

#[test]
fn shapes_that_do_not_broadcast_are_errors() {
    let ops_list: Vec<(&str, Op)> = vec![
        ("add", |a, b| ops::add(a, b)),
        ("subtract", |a, b| ops::subtract(a, b)),
        ("multiply", |a, b| ops::multiply(a, b)),
        ("divide", |a, b| ops::divide(a, b)),
        ("floor_divide", |a, b| ops::floor_divide(a, b)),
        ("remainder", |a, b| ops::remainder(a, b)),
        ("divmod", |a, b| ops::divmod(a, b).map(|p| p.0)),
        ("power", |a, b| ops::power(a, b)),
        ("maximum", |a, b| ops::maximum(a, b)),
        ("minimum", |a, b| ops::minimum(a, b)),
        ("logaddexp", |a, b| ops::logaddexp(a, b)),
        ("arctan2", |a, b| ops::arctan2(a, b)),
        ("equal", |a, b| ops::equal(a, b)),
        ("not_equal", |a, b| ops::not_equal(a, b)),
        ("less", |a, b| ops::less(a, b)),
        ("less_equal", |a, b| ops::less_equal(a, b)),
        ("greater", |a, b| ops::greater(a, b)),
        ("greater_equal", |a, b| ops::greater_equal(a, b)),
        ("logical_and", |a, b| ops::logical_and(a, b)),
        ("logical_or", |a, b| ops::logical_or(a, b)),
        ("logical_xor", |a, b| ops::logical_xor(a, b)),
        ("bitwise_and", |a, b| ops::bitwise_and(a, b)),
        ("bitwise_or", |a, b| ops::bitwise_or(a, b)),
        ("bitwise_xor", |a, b| ops::bitwise_xor(a, b)),
        ("left_shift", |a, b| ops::left_shift(a, b)),
        ("right_shift", |a, b| ops::right_shift(a, b)),
        ("isclose", |a, b| ops::isclose(a, b, 1e-5, 1e-8, false)),
        ("allclose", |a, b| ops::allclose(a, b, 1e-5, 1e-8, false)),
    ];
    let pairs =
        [(vec![2, 3], vec![4]), (vec![3, 2], vec![2, 3]), (vec![2, 0], vec![3]), (vec![4, 1, 3], vec![2, 2, 1])];
    for (name, f) in ops_list {
        for (sa, sb) in &pairs {
            let a = make_i(&vec![1; sa.iter().product()], sa, Dtype::Int32);
            let b = make_i(&vec![1; sb.iter().product()], sb, Dtype::Int32);
            let e = expect_err(&format!("{name}({sa:?}, {sb:?})"), f(&a, &b));
            assert!(matches!(e, Error::Shape(_)), "{name}({sa:?}, {sb:?}): {e:?}");
            let e = expect_err(&format!("{name}({sb:?}, {sa:?})"), f(&b, &a));
            assert!(matches!(e, Error::Shape(_)), "{name}({sb:?}, {sa:?}): {e:?}");
        }
    }
}

#[test]
fn broadcasting_examples() {
    let col = Array::from_slice(&[0i32, 10, 20], &[3, 1]).unwrap();
    let row = Array::from_slice(&[1i32, 2, 3, 4], &[1, 4]).unwrap();
    let y = ops::add(&col, &row).unwrap();
    assert_eq!(y.shape(), &[3, 4]);
    assert_eq!(y.to_vec::<i32>().unwrap(), vec![1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]);

    let cube = Array::from_slice(&(0..24).map(|v| v as f32).collect::<Vec<_>>(), &[2, 3, 4]).unwrap();
    let last = Array::from_slice(&[100.0f32, 200.0, 300.0, 400.0], &[4]).unwrap();
    let y = ops::add(&cube, &last).unwrap();
    assert_eq!(y.shape(), &[2, 3, 4]);
    let exp: Vec<f32> = (0..24).map(|k| k as f32 + 100.0 * (k % 4 + 1) as f32).collect();
    assert_eq!(y.to_vec::<f32>().unwrap(), exp);

    // 0-d arrays broadcast against anything, on either side.
    let s = Array::scalar(2.0f32).unwrap();
    assert_eq!(ops::multiply(&s, &cube).unwrap().shape(), &[2, 3, 4]);
    assert_eq!(ops::subtract(&cube, &s).unwrap().shape(), &[2, 3, 4]);
    assert_eq!(ops::add(&s, &s).unwrap().shape(), &[] as &[usize]);
    // Size-1 dimensions stretch to size 0; missing leading dimensions are added.
    let e = Array::from_slice::<f32>(&[], &[0, 4]).unwrap();
    assert_eq!(ops::add(&e, ops::astype(&row, Dtype::Float32).unwrap()).unwrap().shape(), &[0, 4]);
    let y = ops::add(Array::from_slice(&[1i8], &[1, 1, 1]).unwrap(), &col).unwrap();
    assert_eq!(y.shape(), &[1, 3, 1]);
}
