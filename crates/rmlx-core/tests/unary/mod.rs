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

mod exact;
mod logic;
mod math;
mod predicates;

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
