//! Complex parts, float predicates and nan_to_num.

use super::*;

// ------------------------------------------------------ complex parts

#[test]
fn real_imag_conj_of_complex() {
    let vals = complex_inputs();
    for (label, x, xv) in views(&vals, &|v, s| make_c(v, s)) {
        let re = ops::real(&x).unwrap();
        let im = ops::imag(&x).unwrap();
        assert_eq!((re.dtype(), im.dtype()), (Dtype::Float32, Dtype::Float32), "{label}");
        assert_eq!(re.shape(), x.shape());
        assert_eq!(re.to_vec::<f32>().unwrap(), xv.iter().map(|z| z.re).collect::<Vec<_>>(), "real, {label}");
        assert_eq!(im.to_vec::<f32>().unwrap(), xv.iter().map(|z| z.im).collect::<Vec<_>>(), "imag, {label}");
        let c = ops::conj(&x).unwrap();
        assert_eq!(c.dtype(), Dtype::Complex64);
        assert_eq!(c.to_vec::<Complex32>().unwrap(), xv.iter().map(|z| z.conj()).collect::<Vec<_>>(), "conj, {label}");
    }
    // Special values pass through untouched.
    let z = make_c(&[Complex32::new(f32::NAN, f32::INFINITY), Complex32::new(-0.0, f32::NEG_INFINITY)], &[2]);
    let re = ops::real(&z).unwrap().to_vec::<f32>().unwrap();
    assert!(re[0].is_nan() && re[1] == 0.0 && re[1].is_sign_negative());
    assert_eq!(ops::imag(&z).unwrap().to_vec::<f32>().unwrap(), vec![f32::INFINITY, f32::NEG_INFINITY]);
    let c = ops::conj(&z).unwrap().to_vec::<Complex32>().unwrap();
    assert_eq!((c[0].im, c[1].im), (f32::NEG_INFINITY, f32::INFINITY));
}

#[test]
fn real_imag_conj_of_real_dtypes() {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            continue;
        }
        let vals: Vec<f64> = if dt.is_float() {
            float_inputs(&[-1.5, 2.25], dt)
        } else {
            int_inputs(&[0, 1, 5], dt).into_iter().map(|v| v as f64).collect()
        };
        for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
            let ctx = format!("{dt}, {label}");
            let re = ops::real(&x).unwrap();
            assert_eq!((re.dtype(), re.shape()), (dt, x.shape()), "real {ctx}");
            assert_same(&ctx, &read_f(&re), &xv);
            let c = ops::conj(&x).unwrap();
            assert_eq!(c.dtype(), dt, "conj {ctx}");
            assert_same(&ctx, &read_f(&c), &xv);
            let im = ops::imag(&x).unwrap();
            assert_eq!((im.dtype(), im.shape()), (dt, x.shape()), "imag {ctx}");
            assert_same(&ctx, &read_f(&im), &vec![0.0; xv.len()]);
        }
    }
}

// ----------------------------------------------------- float predicates

fn predicate(name: &str, f: fn(&Array) -> R, r: fn(f64) -> bool, rc: Option<fn(Complex32) -> bool>) {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            let vals = [
                Complex32::new(1.0, 2.0),
                Complex32::new(f32::NAN, 0.0),
                Complex32::new(0.0, f32::NAN),
                Complex32::new(f32::INFINITY, 0.0),
                Complex32::new(1.0, f32::NEG_INFINITY),
                Complex32::new(f32::NEG_INFINITY, f32::NAN),
                Complex32::new(-0.0, 0.0),
            ];
            match rc {
                Some(rc) => {
                    for (label, x, xv) in views(&vals, &|v, s| make_c(v, s)) {
                        let y = f(&x).unwrap();
                        assert_eq!(y.shape(), x.shape());
                        assert_eq!(
                            read_b(&y),
                            xv.iter().map(|&z| rc(z)).collect::<Vec<_>>(),
                            "{name}(complex64, {label})"
                        );
                    }
                }
                None => expect_dtype_err(&format!("{name}(complex64)"), f(&make_c(&vals, &[7]))),
            }
            continue;
        }
        if !dt.is_float() {
            let vals = if dt == Dtype::Bool { vec![0, 1] } else { int_pool(dt) };
            for (label, x, xv) in views(&vals, &|v, s| make_i(v, s, dt)) {
                let y = f(&x).unwrap();
                assert_eq!(y.shape(), x.shape());
                assert_eq!(read_b(&y), xv.iter().map(|&v| r(v as f64)).collect::<Vec<_>>(), "{name}({dt}, {label})");
            }
            continue;
        }
        let vals = float_inputs(&[1.0, -2.5, 1e30, -1e30, 65504.0, 70000.0], dt);
        for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
            let y = f(&x).unwrap();
            assert_eq!(y.shape(), x.shape());
            let exp: Vec<bool> = xv.iter().map(|&v| r(v)).collect();
            assert_eq!(read_b(&y), exp, "{name}({dt}, {label})");
        }
    }
}

#[test]
fn isnan() {
    predicate("isnan", ops::isnan, f64::is_nan, Some(|z| z.re.is_nan() || z.im.is_nan()));
}

#[test]
fn isinf() {
    predicate("isinf", ops::isinf, f64::is_infinite, Some(|z| z.re.is_infinite() || z.im.is_infinite()));
}

#[test]
fn isfinite() {
    predicate("isfinite", ops::isfinite, f64::is_finite, Some(|z| z.re.is_finite() && z.im.is_finite()));
}

#[test]
fn isposinf() {
    // Complex: equal to +inf + 0j (MLX's rule).
    predicate("isposinf", ops::isposinf, |x| x == f64::INFINITY, Some(|z| z.re == f32::INFINITY && z.im == 0.0));
}

#[test]
fn isneginf() {
    predicate(
        "isneginf",
        ops::isneginf,
        |x| x == f64::NEG_INFINITY,
        Some(|z| z.re == f32::NEG_INFINITY && z.im == 0.0),
    );
}

#[test]
fn nan_to_num() {
    for dt in FLOATS {
        let max = match dt {
            Dtype::Float16 => 65504.0,
            Dtype::Bfloat16 => bf16::MAX.to_f64(),
            Dtype::Float32 => f32::MAX as f64,
            _ => f64::MAX,
        };
        let vals = float_inputs(&[1.5, -2.0, 100.0], dt);
        for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
            let ctx = format!("nan_to_num({dt}, {label})");
            let y = ops::nan_to_num(&x, 0.0, None, None).unwrap();
            assert_eq!((y.dtype(), y.shape()), (dt, x.shape()), "{ctx}");
            let exp: Vec<f64> = xv
                .iter()
                .map(|&v| {
                    if v.is_nan() {
                        0.0
                    } else if v.is_infinite() {
                        v.signum() * max
                    } else {
                        v
                    }
                })
                .collect();
            assert_same(&ctx, &read_f(&y), &exp);

            let y = ops::nan_to_num(&x, -1.0, Some(1000.0), Some(-1000.0)).unwrap();
            let exp: Vec<f64> = xv
                .iter()
                .map(|&v| {
                    if v.is_nan() {
                        -1.0
                    } else if v.is_infinite() {
                        v.signum() * 1000.0
                    } else {
                        v
                    }
                })
                .collect();
            assert_same(&ctx, &read_f(&y), &exp);
        }
    }
    // Integers and bool have nothing to replace.
    for dt in ALL {
        if dt.is_inexact() {
            continue;
        }
        let vals = if dt == Dtype::Bool { vec![0, 1] } else { int_pool(dt) };
        let y = ops::nan_to_num(&make_i(&vals, &[vals.len()], dt), 0.0, None, None).unwrap();
        assert_eq!(y.dtype(), dt);
        assert_eq!(read_i(&y), vals, "nan_to_num({dt})");
    }
    expect_dtype_err("nan_to_num(complex64)", ops::nan_to_num(&make_c(&complex_inputs(), &[8]), 0.0, None, None));
}
