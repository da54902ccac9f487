//! Unary ops: every op for every dtype it takes, against values computed
//! here with f64 std math (or exact integer arithmetic) on the same inputs.
//! Each check runs on contiguous, transposed, stepped, reversed, broadcast,
//! 0-d, empty and large (threaded) inputs; rejected dtypes must give Err.

use half::{bf16, f16};
use num_complex::{Complex32, Complex64};
use rmlx_core::ops::{self, SliceArg};
use rmlx_core::{Array, Dtype};

use crate::common;
use common::*;

const SPECIALS: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0];

// ---------------------------------------------------------------- helpers

/// The same logical values laid out in many ways: (label, array, row-major values).
fn views<V: Clone>(vals: &[V], build: Build<'_, V>) -> Vec<(String, Array, Vec<V>)> {
    let n = vals.len();
    assert!(n > 0);
    let mut out = vec![("contiguous".to_string(), build(vals, &[n]), vals.to_vec())];

    // (2, n) with rows vals and reversed vals, transposed to (n, 2).
    let mut two = vals.to_vec();
    two.extend(vals.iter().rev().cloned());
    let t = ops::transpose(&build(&two, &[2, n]), &[1, 0]).unwrap();
    let tv: Vec<V> = (0..n).flat_map(|i| [vals[i].clone(), vals[n - 1 - i].clone()]).collect();
    out.push(("transposed".into(), t, tv));

    // Every other element of an interleaved buffer.
    let inter: Vec<V> = (0..n).flat_map(|i| [vals[i].clone(), vals[(i + 1) % n].clone()]).collect();
    let s = ops::slice(&build(&inter, &[2 * n]), &[SliceArg::new(None, None, 2)]).unwrap();
    out.push(("step 2".into(), s, vals.to_vec()));

    // Reversed (negative stride).
    let r = ops::slice(&build(vals, &[n]), &[SliceArg::new(None, None, -1)]).unwrap();
    out.push(("reversed".into(), r, vals.iter().rev().cloned().collect()));

    // A (1, n) row broadcast to (3, n) (zero stride).
    let b = ops::broadcast_to(&build(vals, &[1, n]), &[3, n]).unwrap();
    out.push(("broadcast".into(), b, vals.iter().cloned().cycle().take(3 * n).collect()));

    // 0-d and empty.
    out.push(("0-d".into(), build(&vals[..1], &[]), vals[..1].to_vec()));
    out.push(("empty".into(), build(&[], &[0]), vec![]));
    out.push(("empty (2, 0, 3)".into(), build(&[], &[2, 0, 3]), vec![]));

    // Large enough for the threaded paths, contiguous and transposed.
    let big: Vec<V> = vals.iter().cloned().cycle().take(6000).collect();
    out.push(("large".into(), build(&big, &[6000]), big.clone()));
    let bt = ops::transpose(&build(&big, &[60, 100]), &[1, 0]).unwrap();
    let btv: Vec<V> =
        (0..100).flat_map(|i| (0..60).map(move |j| (i, j))).map(|(i, j)| big[j * 100 + i].clone()).collect();
    out.push(("large transposed".into(), bt, btv));
    out
}

/// Float values representable in `dt`: `reals` plus NaN, ±inf, ±0.
fn float_inputs(reals: &[f64], dt: Dtype) -> Vec<f64> {
    reals.iter().chain(SPECIALS.iter()).map(|&x| q(x, dt)).collect()
}

/// The integers of `ints` that `dt` can hold.
fn int_inputs(ints: &[i128], dt: Dtype) -> Vec<i128> {
    let (lo, hi) = int_range(dt);
    ints.iter().copied().filter(|v| (lo..=hi).contains(v)).collect()
}

/// Extremes and small values of an integer dtype.
fn int_pool(dt: Dtype) -> Vec<i128> {
    let (lo, hi) = int_range(dt);
    let mut v = vec![lo, lo + 1, -100, -7, -2, -1, 0, 1, 2, 3, 7, 100, 1000, hi - 1, hi];
    v.retain(|x| (lo..=hi).contains(x));
    v.dedup();
    v
}

// --------------------------------------------------- float math checkers

/// A float function: floats keep their dtype, ints and bool give float32.
fn float_unary(name: &str, f: fn(&Array) -> R, r: fn(f64) -> f64, reals: &[f64], ints: &[i128]) {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            continue;
        }
        let (vals, out_dt) = if dt.is_float() {
            (float_inputs(reals, dt), dt)
        } else {
            (int_inputs(ints, dt).into_iter().map(|v| v as f64).collect::<Vec<_>>(), Dtype::Float32)
        };
        assert!(!vals.is_empty(), "{name}: no inputs for {dt}");
        for (label, x, xv) in views(&vals, &|v, s| make_f(v, s, dt)) {
            let ctx = format!("{name}({dt}, {label})");
            let y = f(&x).unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_eq!(y.dtype(), out_dt, "{ctx}: dtype");
            assert_eq!(y.shape(), x.shape(), "{ctx}: shape");
            let exp: Vec<f64> = xv.iter().map(|&v| q(r(v), out_dt)).collect();
            assert_close(&ctx, &read_f(&y), &exp, out_dt);
        }
        // An input nothing else holds (its buffer may be reused for the output).
        let t = ops::transpose(&make_f(&vals, &[1, vals.len()], dt), &[1, 0]).unwrap();
        let y = f(&ops::contiguous(&t).unwrap()).unwrap();
        let exp: Vec<f64> = vals.iter().map(|&v| q(r(v), out_dt)).collect();
        assert_close(&format!("{name}({dt}, temporary)"), &read_f(&y), &exp, out_dt);
    }
}

/// Complex inputs used by the complex checks (none on a branch cut).
fn complex_inputs() -> Vec<Complex32> {
    [(0.5, 0.25), (-1.2, 0.7), (2.0, -1.5), (-0.3, -0.8), (1.0, 0.0), (0.0, 1.0), (0.1, -0.05), (-2.5, 1.75)]
        .iter()
        .map(|&(re, im)| Complex32::new(re, im))
        .collect()
}

fn complex_unary(name: &str, f: fn(&Array) -> R, r: fn(Complex64) -> Complex64) {
    let vals = complex_inputs();
    for (label, x, xv) in views(&vals, &|v, s| make_c(v, s)) {
        let ctx = format!("{name}(complex64, {label})");
        let y = f(&x).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        assert_eq!(y.dtype(), Dtype::Complex64, "{ctx}: dtype");
        assert_eq!(y.shape(), x.shape(), "{ctx}: shape");
        let exp: Vec<Complex64> = xv.iter().map(|&z| r(c64(z))).collect();
        assert_close_c(&ctx, &read_c(&y), &exp, 2e-5);
    }
}

// ------------------------------------------------------------ erf, erfinv

/// erf by its everywhere-convergent series of positive terms:
/// erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)).
fn erf_ref(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.abs() > 6.0 {
        return x.signum();
    }
    let mut term = x;
    let mut sum = x;
    let mut n = 0.0;
    while term.abs() > 1e-18 * sum.abs() {
        n += 1.0;
        term *= 2.0 * x * x / (2.0 * n + 1.0);
        sum += term;
    }
    std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp() * sum
}

/// erfinv by bisection on `erf_ref`.
fn erfinv_ref(y: f64) -> f64 {
    if y.is_nan() || y.abs() > 1.0 {
        return f64::NAN;
    }
    if y == 0.0 {
        return y;
    }
    if y.abs() == 1.0 {
        return y * f64::INFINITY;
    }
    let (mut lo, mut hi) = (-7.0f64, 7.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if erf_ref(mid) < y {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn erf_reference_is_sound() {
    // Known values of erf, checked so that the references below can be trusted.
    assert!((erf_ref(0.5) - 0.520_499_877_813_046_5).abs() < 1e-15);
    assert!((erf_ref(1.0) - 0.842_700_792_949_714_9).abs() < 1e-15);
    assert!((erf_ref(2.0) - 0.995_322_265_018_952_7).abs() < 1e-15);
    assert!((erfinv_ref(0.5) - 0.476_936_276_204_469_9).abs() < 1e-13);
}

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
