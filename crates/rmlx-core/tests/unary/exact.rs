//! Sign-type ops and rounding: abs, sign, negative, square, floor/ceil/trunc, round.

use super::*;

// ------------------------------------------------------ sign-type ops

/// Ops that keep the dtype: integers checked exactly (wrapping), floats
/// against `rf` (exact, NaN and ±inf included).
fn exact_unary(name: &str, f: fn(&Array) -> R, ri: fn(i128) -> i128, rf: fn(f64) -> f64, bool_ok: bool) {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            continue;
        }
        if dt == Dtype::Bool && !bool_ok {
            expect_dtype_err(&format!("{name}(bool)"), f(&make_i(&[0, 1], &[2], dt)));
            continue;
        }
        if dt.is_float() {
            let vals = float_inputs(&[-2.5, -1.5, -0.5, 0.5, 0.75, 1.5, 2.5, 3.7, -3.7, 300.0, 1e5, 0.49999997], dt);
            for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
                let ctx = format!("{name}({dt}, {label})");
                let y = f(&x).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                assert_eq!((y.dtype(), y.shape()), (dt, x.shape()), "{ctx}");
                let exp: Vec<f64> = xv.iter().map(|&v| q(rf(v), dt)).collect();
                assert_same(&ctx, &read_f(&y), &exp);
            }
        } else {
            let vals = if dt == Dtype::Bool { vec![0, 1] } else { int_pool(dt) };
            for (label, x, xv) in views(&vals, &|v, s| make_i(v, s, dt)) {
                let ctx = format!("{name}({dt}, {label})");
                let y = f(&x).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                assert_eq!((y.dtype(), y.shape()), (dt, x.shape()), "{ctx}");
                let exp: Vec<i128> = xv.iter().map(|&v| wrap(ri(v), dt)).collect();
                assert_eq!(read_i(&y), exp, "{ctx}");
            }
        }
    }
}

#[test]
fn abs() {
    exact_unary("abs", ops::abs, |v| v.abs(), f64::abs, true);
    // complex: the magnitude, as float32
    let vals = complex_inputs();
    for (label, x, xv) in views(&vals, &|v, s| make_c(v, s)) {
        let y = ops::abs(&x).unwrap();
        assert_eq!(y.dtype(), Dtype::Float32, "abs(complex64, {label})");
        let exp: Vec<f64> = xv.iter().map(|z| q((z.re as f64).hypot(z.im as f64), Dtype::Float32)).collect();
        assert_close(&format!("abs(complex64, {label})"), &read_f(&y), &exp, Dtype::Float32);
    }
}

#[test]
fn sign() {
    let rf = |x: f64| {
        if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            x
        }
    };
    exact_unary("sign", ops::sign, |v| v.signum(), rf, true);
    complex_unary("sign", ops::sign, |z| if z.norm() == 0.0 { z } else { z / z.norm() });
    let z = ops::sign(&make_c(&[Complex32::new(0.0, 0.0), Complex32::new(3.0, -4.0)], &[2])).unwrap();
    assert_eq!(z.to_vec::<Complex32>().unwrap(), vec![Complex32::new(0.0, 0.0), Complex32::new(0.6, -0.8)]);
}

#[test]
fn negative() {
    exact_unary("negative", ops::negative, |v| -v, |x| -x, false);
    complex_unary("negative", ops::negative, |z| -z);
}

#[test]
fn square() {
    exact_unary("square", ops::square, |v| v.wrapping_mul(v), |x| x * x, true);
    complex_unary("square", ops::square, |z| z * z);
}

#[test]
fn floor() {
    exact_unary("floor", ops::floor, |v| v, f64::floor, true);
    expect_dtype_err("floor(complex64)", ops::floor(&make_c(&complex_inputs(), &[8])));
}

#[test]
fn ceil() {
    exact_unary("ceil", ops::ceil, |v| v, f64::ceil, true);
    expect_dtype_err("ceil(complex64)", ops::ceil(&make_c(&complex_inputs(), &[8])));
}

#[test]
fn trunc() {
    exact_unary("trunc", ops::trunc, |v| v, f64::trunc, true);
    expect_dtype_err("trunc(complex64)", ops::trunc(&make_c(&complex_inputs(), &[8])));
}

#[test]
fn round_half_to_even() {
    exact_unary("round", |a| ops::round(a, 0), |v| v, f64::round_ties_even, true);
    let x = Array::from_slice(&[0.5f32, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 4.5000005, 8388609.0], &[9]).unwrap();
    let y = ops::round(&x, 0).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(y, vec![0.0, 2.0, 2.0, 4.0, -0.0, -2.0, -2.0, 5.0, 8388609.0]);
    // Complex: each part rounded (NumPy's rule).
    let zs = complex_inputs();
    for d in [-2, -1, 0, 1, 3] {
        let y = ops::round(&make_c(&zs, &[8]), d).unwrap();
        assert_eq!(y.dtype(), Dtype::Complex64);
        // In float32 arithmetic, as NumPy rounds a complex64 (x * 10^d, or x / 10^-d).
        let r = |v: f32| {
            if d >= 0 {
                let p = 10f32.powi(d);
                (v * p).round_ties_even() / p
            } else {
                let p = 10f32.powi(-d);
                (v / p).round_ties_even() * p
            }
        };
        let exp: Vec<Complex64> = zs.iter().map(|z| c64(Complex32::new(r(z.re), r(z.im)))).collect();
        let got: Vec<Complex64> = y.to_vec::<Complex32>().unwrap().into_iter().map(c64).collect();
        assert_close_c(&format!("round(complex64, {d})"), &got, &exp, 1e-5);
    }
}

/// NumPy's round with decimals, in the arithmetic of `dt`: x * 10^d rounded
/// half to even, divided back (for d < 0: divided by 10^-d, multiplied back).
fn round_ref(x: f64, d: i32, dt: Dtype) -> f64 {
    if d >= 0 {
        let s = q(10f64.powi(d), dt);
        q(q(x * s, dt).round_ties_even() / s, dt)
    } else {
        let s = q(10f64.powi(-d), dt);
        q(q(x / s, dt).round_ties_even() * s, dt)
    }
}

#[test]
fn round_with_decimals() {
    let mut reals = vec![1.2345, 2.675, 0.125, -0.125, 1.005, -7.4449, 12345.678, 250.0, 350.0, -450.0, 0.0];
    // Many magnitudes; in float16 and bfloat16 the scale must be the exact power of ten.
    reals.extend((0..3000).map(|i| (i as f64 * 0.7371).sin() * 10f64.powi(i % 7 - 1)));
    for dt in FLOATS {
        let vals = float_inputs(&reals, dt);
        for d in [1, 2, 3, -1, -2] {
            for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
                let ctx = format!("round({dt}, {d}, {label})");
                let y = ops::round(&x, d).unwrap();
                assert_eq!(y.dtype(), dt, "{ctx}");
                let exp: Vec<f64> = xv.iter().map(|&v| round_ref(v, d, dt)).collect();
                assert_same(&ctx, &read_f(&y), &exp);
            }
        }
    }
    // Exact cases, as NumPy gives them (2.675 * 100 is 267.5 in f64, so 2.68).
    let x = Array::from_slice(&[2.675f64, 0.125, -0.125, 1.005, 0.5, 1.5, 12345.678], &[7]).unwrap();
    assert_eq!(ops::round(&x, 2).unwrap().to_vec::<f64>().unwrap(), vec![2.68, 0.12, -0.12, 1.0, 0.5, 1.5, 12345.68]);
    assert_eq!(ops::round(&x, -1).unwrap().to_vec::<f64>().unwrap(), vec![0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 12350.0]);
    let x = Array::from_slice(&[1250.0f64, 1350.0, 15.0, 25.0, 123456789.0], &[5]).unwrap();
    assert_eq!(ops::round(&x, -2).unwrap().to_vec::<f64>().unwrap(), vec![1200.0, 1400.0, 0.0, 0.0, 123456800.0]);
    assert_eq!(ops::round(&x, -1).unwrap().to_vec::<f64>().unwrap(), vec![1250.0, 1350.0, 20.0, 20.0, 123456790.0]);
}

#[test]
fn round_integers_with_decimals() {
    for dt in ALL {
        if dt.is_inexact() || dt == Dtype::Bool {
            continue;
        }
        let vals = int_inputs(
            &[
                -1250,
                -151,
                -150,
                -149,
                -5,
                0,
                7,
                15,
                25,
                149,
                150,
                151,
                1234,
                1250,
                1350,
                9999,
                32749,
                -32750,
                65450,
                1_234_567_850,
                2_000_000_050,
                -1_234_567_850,
                987_654_321,
                4_294_967_250,
                (1 << 40) + 55,
                -(1 << 45) - 149,
            ],
            dt,
        );
        // Positive decimals leave integers alone.
        let x = make_i(&vals, &[vals.len()], dt);
        for d in [0, 1, 5] {
            let y = ops::round(&x, d).unwrap();
            assert_eq!(y.dtype(), dt);
            assert_eq!(read_i(&y), vals, "round({dt}, {d})");
        }
        // Negative decimals round to tens/hundreds, halves to even, in the same dtype.
        for d in [-1i32, -2] {
            let p = 10i128.pow((-d) as u32);
            let exp: Vec<i128> = vals
                .iter()
                .map(|&v| {
                    let (fl, r) = (v.div_euclid(p), v.rem_euclid(p));
                    let k = match (2 * r).cmp(&p) {
                        std::cmp::Ordering::Less => fl,
                        std::cmp::Ordering::Greater => fl + 1,
                        std::cmp::Ordering::Equal => fl + fl.rem_euclid(2),
                    };
                    wrap(k * p, dt)
                })
                .collect();
            let y = ops::round(&x, d).unwrap();
            assert_eq!(y.dtype(), dt, "round({dt}, {d})");
            assert_eq!(read_i(&y), exp, "round({dt}, {d})");
        }
    }
}
