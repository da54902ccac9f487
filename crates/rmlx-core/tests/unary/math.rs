//! Float functions (exp to sigmoid) over every dtype.

use super::*;

// ------------------------------------------------------- float functions

fn sigmoid_ref(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn exp() {
    float_unary("exp", ops::exp, f64::exp, &[-3.5, -1.0, -0.5, 0.25, 1.0, 2.5, 7.0, 10.0], &[-3, -1, 0, 1, 2, 5, 10]);
    complex_unary("exp", ops::exp, |z| z.exp());
}

#[test]
fn expm1() {
    float_unary("expm1", ops::expm1, f64::exp_m1, &[-2.0, -1e-3, 1e-4, 0.5, 3.0], &[-3, -1, 0, 1, 4]);
    complex_unary("expm1", ops::expm1, |z| z.exp() - 1.0);
}

#[test]
fn log() {
    float_unary("log", ops::log, f64::ln, &[1e-3, 0.5, 1.0, 2.0, 10.0, 1000.0, -1.0], &[-2, 0, 1, 2, 10, 100]);
    complex_unary("log", ops::log, |z| z.ln());
}

#[test]
fn log2() {
    float_unary("log2", ops::log2, f64::log2, &[0.125, 0.3, 1.0, 3.0, 1024.0, -2.0], &[-1, 0, 1, 2, 3, 8, 64]);
    complex_unary("log2", ops::log2, |z| z.ln() / std::f64::consts::LN_2);
}

#[test]
fn log10() {
    float_unary("log10", ops::log10, f64::log10, &[1e-3, 0.3, 1.0, 7.0, 1000.0, -2.0], &[-1, 0, 1, 10, 100]);
    complex_unary("log10", ops::log10, |z| z.ln() / std::f64::consts::LN_10);
}

#[test]
fn log1p() {
    float_unary("log1p", ops::log1p, f64::ln_1p, &[-0.5, -1e-3, 1e-4, 1.0, 9.0, -1.0, -2.0], &[-2, -1, 0, 1, 9]);
    complex_unary("log1p", ops::log1p, |z| (z + 1.0).ln());
}

#[test]
fn sqrt() {
    float_unary("sqrt", ops::sqrt, f64::sqrt, &[0.25, 2.0, 9.0, 1e4, -1.0], &[-4, 0, 1, 4, 10, 100]);
    complex_unary("sqrt", ops::sqrt, |z| z.sqrt());
}

#[test]
fn rsqrt() {
    float_unary("rsqrt", ops::rsqrt, |x| 1.0 / x.sqrt(), &[0.25, 2.0, 9.0, 1e4, -1.0], &[-4, 0, 1, 4, 10]);
    complex_unary("rsqrt", ops::rsqrt, |z| 1.0 / z.sqrt());
}

#[test]
fn reciprocal() {
    float_unary("reciprocal", ops::reciprocal, |x| 1.0 / x, &[-4.0, -0.3, 0.5, 3.0, 1e3], &[-4, -1, 0, 1, 3, 7]);
    complex_unary("reciprocal", ops::reciprocal, |z| 1.0 / z);
}

const ANGLES: [f64; 8] = [-3.0, -1.0, -0.25, 0.5, 1.5, std::f64::consts::PI, 10.0, 100.0];
const SMALL_INTS: [i128; 7] = [-3, -1, 0, 1, 2, 10, 100];

#[test]
fn sin() {
    float_unary("sin", ops::sin, f64::sin, &ANGLES, &SMALL_INTS);
    complex_unary("sin", ops::sin, |z| z.sin());
}

#[test]
fn cos() {
    float_unary("cos", ops::cos, f64::cos, &ANGLES, &SMALL_INTS);
    complex_unary("cos", ops::cos, |z| z.cos());
}

#[test]
fn tan() {
    float_unary("tan", ops::tan, f64::tan, &ANGLES, &SMALL_INTS);
    complex_unary("tan", ops::tan, |z| z.tan());
}

#[test]
fn arcsin() {
    float_unary("arcsin", ops::arcsin, f64::asin, &[-1.0, -0.7, -0.2, 0.3, 0.9, 1.0, 1.5], &[-2, -1, 0, 1, 2]);
    complex_unary("arcsin", ops::arcsin, |z| z.asin());
}

#[test]
fn arccos() {
    float_unary("arccos", ops::arccos, f64::acos, &[-1.0, -0.7, -0.2, 0.3, 0.9, 1.0, 1.5], &[-2, -1, 0, 1, 2]);
    complex_unary("arccos", ops::arccos, |z| z.acos());
}

#[test]
fn arctan() {
    float_unary("arctan", ops::arctan, f64::atan, &[-100.0, -1.0, -0.3, 0.4, 2.0, 1e4], &[-5, 0, 1, 7, 1000]);
    complex_unary("arctan", ops::arctan, |z| z.atan());
}

#[test]
fn sinh() {
    float_unary("sinh", ops::sinh, f64::sinh, &[-5.0, -1.0, -0.1, 0.2, 1.0, 3.0, 8.0], &[-5, 0, 1, 3, 8]);
    complex_unary("sinh", ops::sinh, |z| z.sinh());
}

#[test]
fn cosh() {
    float_unary("cosh", ops::cosh, f64::cosh, &[-5.0, -1.0, -0.1, 0.2, 1.0, 3.0, 8.0], &[-5, 0, 1, 3, 8]);
    complex_unary("cosh", ops::cosh, |z| z.cosh());
}

#[test]
fn tanh() {
    float_unary("tanh", ops::tanh, f64::tanh, &[-20.0, -2.0, -0.5, 0.1, 1.0, 3.0, 20.0], &[-20, -1, 0, 1, 3]);
    complex_unary("tanh", ops::tanh, |z| z.tanh());
}

#[test]
fn arcsinh() {
    float_unary("arcsinh", ops::arcsinh, f64::asinh, &[-100.0, -2.0, -0.1, 0.3, 1.0, 50.0], &[-3, 0, 1, 50]);
    complex_unary("arcsinh", ops::arcsinh, |z| z.asinh());
}

#[test]
fn arccosh() {
    float_unary("arccosh", ops::arccosh, f64::acosh, &[1.0, 1.5, 2.0, 10.0, 1000.0, 0.5], &[-1, 0, 1, 2, 10, 100]);
    complex_unary("arccosh", ops::arccosh, |z| z.acosh());
}

#[test]
fn arctanh() {
    float_unary("arctanh", ops::arctanh, f64::atanh, &[-0.99, -0.5, 0.1, 0.6, 0.9, 1.0, -1.0, 1.5], &[-2, -1, 0, 1, 2]);
    complex_unary("arctanh", ops::arctanh, |z| z.atanh());
}

#[test]
fn erf() {
    float_unary("erf", ops::erf, erf_ref, &[-3.0, -1.0, -0.2, 0.05, 0.5, 1.2, 4.0], &[-2, 0, 1, 3]);
    expect_dtype_err("erf(complex64)", ops::erf(&make_c(&complex_inputs(), &[8])));
}

#[test]
fn erfinv() {
    float_unary(
        "erfinv",
        ops::erfinv,
        erfinv_ref,
        &[-0.999, -0.5, -0.1, 0.3, 0.75, 0.99, 1.0, -1.0, 1.5],
        &[-2, -1, 0, 1, 2],
    );
    expect_dtype_err("erfinv(complex64)", ops::erfinv(&make_c(&complex_inputs(), &[8])));
}

#[test]
fn sigmoid() {
    float_unary("sigmoid", ops::sigmoid, sigmoid_ref, &[-20.0, -3.0, -0.5, 0.5, 3.0, 20.0], &[-5, 0, 1, 5]);
    complex_unary("sigmoid", ops::sigmoid, |z| 1.0 / (1.0 + (-z).exp()));
}

#[test]
fn degrees() {
    let r = |x: f64| x * 180.0 / std::f64::consts::PI;
    float_unary(
        "degrees",
        ops::degrees,
        r,
        &[-std::f64::consts::PI, 0.5, 1.0, std::f64::consts::TAU, 100.0],
        &[-3, 0, 1, 2, 100],
    );
    complex_unary("degrees", ops::degrees, |z| z * (180.0 / std::f64::consts::PI));
}

#[test]
fn radians() {
    let r = |x: f64| x * std::f64::consts::PI / 180.0;
    float_unary("radians", ops::radians, r, &[-180.0, 45.0, 90.0, 360.0, 0.5], &[-180, 0, 1, 45, 90]);
    complex_unary("radians", ops::radians, |z| z * (std::f64::consts::PI / 180.0));
}

#[test]
fn math_of_large_integers_is_in_float32() {
    // Integers are converted to float32 first, like MLX does.
    let x = Array::from_slice(&[u64::MAX, 1 << 40], &[2]).unwrap();
    let y = ops::sqrt(&x).unwrap();
    assert_eq!(y.dtype(), Dtype::Float32);
    let v = y.to_vec::<f32>().unwrap();
    assert!(((v[0] as f64) - 4294967296.0).abs() <= 1.0, "{v:?}");
    assert_eq!(v[1], 1048576.0);
    let x = Array::from_slice(&[i64::MIN, -1], &[2]).unwrap();
    let v = ops::negative(&ops::log(&ops::abs(&x).unwrap()).unwrap()).unwrap().to_vec::<f32>().unwrap();
    // abs(i64::MIN) wraps to itself, whose log is NaN; log(1) is 0.
    assert!(v[0].is_nan());
    assert_eq!(v[1], 0.0);
}
