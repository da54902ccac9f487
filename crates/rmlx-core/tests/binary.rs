//! Binary and ternary ops: every op for every dtype, against values computed
//! here (exact integer arithmetic in i128 reduced to the dtype's width, f64
//! math rounded to the output dtype). Broadcasting, strided and empty inputs,
//! weak Rust scalars (MLX's promotion), division by zero, NaN handling, and
//! the errors for dtypes and shapes that an op does not take.

use half::{bf16, f16};
use num_complex::{Complex32, Complex64};
use rmlx_core::ops::{self, SliceArg};
use rmlx_core::{Array, Dtype, Error, Scalar};

use crate::common;
use common::*;

type Op = fn(&Array, &Array) -> R;

const INF: f64 = f64::INFINITY;
const NAN: f64 = f64::NAN;

// ---------------------------------------------------------------- helpers

fn bits(dt: Dtype) -> i128 {
    dt.size() as i128 * 8
}

/// First operands: extremes and small values of an integer dtype.
fn int_pool(dt: Dtype) -> Vec<i128> {
    if dt == Dtype::Bool {
        return vec![0, 1];
    }
    let (lo, hi) = int_range(dt);
    let mut v = vec![lo, lo + 1, -100, -7, -2, -1, 0, 1, 2, 3, 7, 100, hi - 1, hi];
    v.retain(|x| (lo..=hi).contains(x));
    v
}

/// Second operands: divisors of every sign, zero and the extremes.
fn int_pool_b(dt: Dtype) -> Vec<i128> {
    if dt == Dtype::Bool {
        return vec![0, 1];
    }
    let (lo, hi) = int_range(dt);
    let mut v = vec![lo, -7, -2, -1, 0, 1, 2, 3, 7, hi];
    v.retain(|x| (lo..=hi).contains(x));
    v
}

/// Shift amounts and exponents: in range, at and past the width, negative.
fn int_pool_shift(dt: Dtype) -> Vec<i128> {
    if dt == Dtype::Bool {
        return vec![0, 1];
    }
    let (lo, hi) = int_range(dt);
    let w = bits(dt);
    let mut v = vec![0, 1, 2, 3, 7, w - 1, w, w + 1, 100, -1, -2];
    v.retain(|x| (lo..=hi).contains(x));
    v
}

const FA: [f64; 11] = [-3.5, -1.0, -0.0, 0.0, 0.5, 2.0, 7.25, 100.0, INF, -INF, NAN];
const FB: [f64; 8] = [-2.0, -0.5, 0.0, 1.0, 3.0, INF, -INF, NAN];

fn qs(v: &[f64], dt: Dtype) -> Vec<f64> {
    v.iter().map(|&x| q(x, dt)).collect()
}

// ------------------------------------------------------------ references

/// Python's `//` on integers (0 for a zero divisor, as NumPy gives).
fn int_floor_div(a: i128, b: i128) -> i128 {
    if b == 0 {
        return 0;
    }
    let q = a / b;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

/// Python's `%` on integers (0 for a zero divisor, as NumPy gives).
fn int_rem(a: i128, b: i128) -> i128 {
    if b == 0 {
        return 0;
    }
    let r = a % b;
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

/// Integer power modulo 2^128 (then reduced to the dtype); a negative
/// exponent gives the truncated true value (1, ±1 or 0).
fn int_pow(a: i128, b: i128) -> i128 {
    if b < 0 {
        return match a {
            1 => 1,
            -1 => {
                if b % 2 == 0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        };
    }
    let mut acc: u128 = 1;
    for _ in 0..b {
        acc = acc.wrapping_mul(a as u128);
    }
    acc as i128
}

fn shl(a: i128, b: i128, dt: Dtype) -> i128 {
    if b < 0 || b >= bits(dt) {
        0
    } else {
        ((a as u128) << b) as i128
    }
}

fn shr(a: i128, b: i128, dt: Dtype) -> i128 {
    if b < 0 || b >= bits(dt) {
        if a < 0 {
            -1
        } else {
            0
        }
    } else {
        a >> b
    }
}

/// NumPy's float divmod (npy_divmod): the floor quotient and the remainder
/// with the divisor's sign.
fn np_divmod(a: f64, b: f64) -> (f64, f64) {
    let m = a % b;
    if b == 0.0 {
        return (a / b, m);
    }
    let mut m = m;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0f64.copysign(b);
    }
    let fd = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 {
            f + 1.0
        } else {
            f
        }
    } else {
        0f64.copysign(a / b)
    };
    (fd, m)
}

/// NumPy's logaddexp.
fn np_logaddexp(x: f64, y: f64) -> f64 {
    if x == y {
        return x + std::f64::consts::LN_2;
    }
    let t = x - y;
    if t > 0.0 {
        x + (-t).exp().ln_1p()
    } else if t <= 0.0 {
        y + t.exp().ln_1p()
    } else {
        t
    }
}

fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        NAN
    } else {
        a.max(b)
    }
}

fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        NAN
    } else {
        a.min(b)
    }
}

// --------------------------------------------------- broadcasting cases

fn bshape(a: &[usize], b: &[usize]) -> Vec<usize> {
    let n = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| if i + s.len() >= n { s[i + s.len() - n] } else { 1 };
    (0..n)
        .map(|i| {
            let (x, y) = (dim(a, i), dim(b, i));
            assert!(x == y || x == 1 || y == 1, "test bug: {a:?} and {b:?} do not broadcast");
            if x == 1 {
                y
            } else {
                x
            }
        })
        .collect()
}

/// The element of a row-major array of `shape` that output index `idx` reads.
fn at<V: Copy>(vals: &[V], shape: &[usize], idx: &[usize]) -> V {
    let off = idx.len() - shape.len();
    let mut k = 0;
    for (i, &d) in shape.iter().enumerate() {
        k = k * d + if d == 1 { 0 } else { idx[off + i] };
    }
    vals[k]
}

/// `r` over the broadcast of two row-major arrays: (shape, values).
fn broadcast_ref<V: Copy, W>(
    av: &[V],
    sa: &[usize],
    bv: &[V],
    sb: &[usize],
    r: &dyn Fn(V, V) -> W,
) -> (Vec<usize>, Vec<W>) {
    let s = bshape(sa, sb);
    let n: usize = s.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; s.len()];
    for _ in 0..n {
        out.push(r(at(av, sa, &idx), at(bv, sb, &idx)));
        for d in (0..s.len()).rev() {
            idx[d] += 1;
            if idx[d] < s[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    (s, out)
}

/// Compares results: (context, got, expected).
type Check<'a, W> = &'a dyn Fn(&str, &[W], &[W]);

struct Case<V> {
    label: String,
    a: Array,
    av: Vec<V>,
    b: Array,
    bv: Vec<V>,
}

/// `vals` as an (n, m) array that is the transpose of an (m, n) one.
fn transposed<V: Copy>(vals: &[V], n: usize, m: usize, build: Build<'_, V>) -> Array {
    let base: Vec<V> = (0..m * n).map(|k| vals[(k % n) * m + k / n]).collect();
    ops::transpose(&build(&base, &[m, n]), &[1, 0]).unwrap()
}

/// Many layouts of the pairs `ap x bp`: broadcasting, views, 0-d, empty, large.
fn cases<V: Copy>(ap: &[V], bp: &[V], build: Build<'_, V>) -> Vec<Case<V>> {
    let (n, m) = (ap.len(), bp.len());
    let mut out = Vec::new();
    let mut push = |label: &str, a: Array, av: Vec<V>, b: Array, bv: Vec<V>| {
        out.push(Case { label: label.to_string(), a, av, b, bv });
    };
    // Every pair by broadcasting (n, 1) with (1, m).
    push("(n,1) x (1,m)", build(ap, &[n, 1]), ap.to_vec(), build(bp, &[1, m]), bp.to_vec());
    let ga: Vec<V> = (0..n * m).map(|k| ap[k / m]).collect();
    let gb: Vec<V> = (0..n * m).map(|k| bp[k % m]).collect();
    push("(n,m) x (n,m)", build(&ga, &[n, m]), ga.clone(), build(&gb, &[n, m]), gb.clone());
    // A transposed view with a view reversed along both axes.
    let rev: Vec<V> = gb.iter().rev().copied().collect();
    let b_rev =
        ops::slice(&build(&rev, &[n, m]), &[SliceArg::new(None, None, -1), SliceArg::new(None, None, -1)]).unwrap();
    push("transposed x reversed", transposed(&ga, n, m, build), ga.clone(), b_rev, gb.clone());
    // Every other column of a wider array, with a broadcast row.
    let wide: Vec<V> = (0..2 * n * m).map(|k| ga[(k / (2 * m)) * m + (k % (2 * m)) / 2]).collect();
    let a_step = ops::slice(&build(&wide, &[n, 2 * m]), &[SliceArg::full(), SliceArg::new(None, None, 2)]).unwrap();
    let b_bc = ops::broadcast_to(&build(bp, &[m]), &[n, m]).unwrap();
    push("stepped x broadcast view", a_step, ga.clone(), b_bc, gb.clone());
    // (2, n, m) with (m,), and (n,) with (2, n, 1)-shaped values.
    let ga2: Vec<V> = ga.iter().chain(ga.iter()).copied().collect();
    push("(2,n,m) x (m,)", build(&ga2, &[2, n, m]), ga2.clone(), build(bp, &[m]), bp.to_vec());
    let bcol: Vec<V> = (0..2 * m).map(|k| bp[k % m]).collect();
    push("(n,) x (2,m,1)", build(ap, &[n]), ap.to_vec(), build(&bcol, &[2, m, 1]), bcol.clone());
    // 0-d operands on either side.
    for k in 0..n {
        push("0-d x (m,)", build(&ap[k..k + 1], &[]), vec![ap[k]], build(bp, &[m]), bp.to_vec());
    }
    for k in 0..m {
        push("(n,) x 0-d", build(ap, &[n]), ap.to_vec(), build(&bp[k..k + 1], &[]), vec![bp[k]]);
    }
    push("0-d x 0-d", build(&ap[..1], &[]), vec![ap[0]], build(&bp[..1], &[]), vec![bp[0]]);
    // Empty arrays.
    push("(0,) x (0,)", build(&[], &[0]), vec![], build(&[], &[0]), vec![]);
    push("(2,0) x (2,1)", build(&[], &[2, 0]), vec![], build(&[bp[0], bp[0]], &[2, 1]), vec![bp[0], bp[0]]);
    push("(0,m) x (m,)", build(&[], &[0, m]), vec![], build(bp, &[m]), bp.to_vec());
    push("(1,) x (0,)", build(&ap[..1], &[1]), vec![ap[0]], build(&[], &[0]), vec![]);
    // Large enough for the threaded loops.
    let len = 6000;
    let la: Vec<V> = ga.iter().copied().cycle().take(len).collect();
    let lb: Vec<V> = gb.iter().copied().cycle().take(len).collect();
    push("large", build(&la, &[len]), la.clone(), build(&lb, &[len]), lb.clone());
    push("large x 0-d", build(&la, &[len]), la.clone(), build(&bp[..1], &[]), vec![bp[0]]);
    push("0-d x large", build(&ap[..1], &[]), vec![ap[0]], build(&lb, &[len]), lb.clone());
    push("large transposed", transposed(&la, 100, 60, build), la.clone(), build(&lb, &[100, 60]), lb.clone());
    push(
        "large (100,1) x (60,)",
        build(&la[..100], &[100, 1]),
        la[..100].to_vec(),
        build(&lb[..60], &[60]),
        lb[..60].to_vec(),
    );
    // Rows of a power-of-two width with a row or a column broadcast (the
    // vector row kernel on the GPU), and rows that start off a vector boundary.
    push(
        "large (60,64) x (64,)",
        build(&la[..3840], &[60, 64]),
        la[..3840].to_vec(),
        build(&lb[..64], &[64]),
        lb[..64].to_vec(),
    );
    push(
        "large (60,1) x (60,64)",
        build(&la[..60], &[60, 1]),
        la[..60].to_vec(),
        build(&lb[..3840], &[60, 64]),
        lb[..3840].to_vec(),
    );
    let shifted: Vec<V> =
        (0..60 * 65).map(|k| if k % 65 == 0 { la[0] } else { la[(k / 65) * 64 + k % 65 - 1] }).collect();
    let a_shift =
        ops::slice(&build(&shifted, &[60, 65]), &[SliceArg::full(), SliceArg::new(Some(1), None, 1)]).unwrap();
    push("large offset rows x (64,)", a_shift, la[..3840].to_vec(), build(&lb[..64], &[64]), lb[..64].to_vec());
    out
}

/// Runs `f` over all cases and checks against `r`; also on operands that
/// nothing else holds (whose buffers the kernel may reuse).
#[allow(clippy::too_many_arguments)]
fn run<V: Copy, W: Copy>(
    ctx: &str,
    f: Op,
    ap: &[V],
    bp: &[V],
    build: Build<'_, V>,
    out_dt: Dtype,
    r: &dyn Fn(V, V) -> W,
    read: &dyn Fn(&Array) -> Vec<W>,
    check: Check<'_, W>,
) {
    for c in cases(ap, bp, build) {
        let ctx = format!("{ctx}, {}", c.label);
        let y = f(&c.a, &c.b).unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let (s, exp) = broadcast_ref(&c.av, c.a.shape(), &c.bv, c.b.shape(), r);
        assert_eq!(y.dtype(), out_dt, "{ctx}: dtype");
        assert_eq!(y.shape(), &s[..], "{ctx}: shape");
        check(&ctx, &read(&y), &exp);
    }
    let (n, m) = (ap.len(), bp.len());
    let ga: Vec<V> = (0..n * m).map(|k| ap[k / m]).collect();
    let gb: Vec<V> = (0..n * m).map(|k| bp[k % m]).collect();
    let fresh = |v: &[V]| ops::contiguous(&transposed(v, n, m, build)).unwrap();
    let grid: Vec<W> = ga.iter().zip(&gb).map(|(&x, &y)| r(x, y)).collect();
    let y = f(&fresh(&ga), &build(&gb, &[n, m])).unwrap();
    check(&format!("{ctx}, temporary a"), &read(&y), &grid);
    let y = f(&build(&ga, &[n, m]), &fresh(&gb)).unwrap();
    check(&format!("{ctx}, temporary b"), &read(&y), &grid);
    let y = f(&fresh(&ga), &fresh(&gb)).unwrap();
    check(&format!("{ctx}, temporary a and b"), &read(&y), &grid);
    let col: Vec<W> = ap.iter().map(|&x| r(x, bp[0])).collect();
    let y = f(&ops::contiguous(&transposed(ap, n, 1, build)).unwrap(), &build(&bp[..1], &[])).unwrap();
    check(&format!("{ctx}, temporary a x 0-d"), &read(&y), &col);
    let row: Vec<W> = bp.iter().map(|&y| r(ap[0], y)).collect();
    let y = f(&build(&ap[..1], &[]), &ops::contiguous(&transposed(bp, m, 1, build)).unwrap()).unwrap();
    check(&format!("{ctx}, 0-d x temporary b"), &read(&y), &row);
}

fn check_i(ctx: &str, got: &[i128], exp: &[i128]) {
    assert_eq!(got.len(), exp.len(), "{ctx}: length");
    for (i, (g, e)) in got.iter().zip(exp).enumerate() {
        assert_eq!(g, e, "{ctx}: element {i}");
    }
}

fn check_b(ctx: &str, got: &[bool], exp: &[bool]) {
    assert_eq!(got, exp, "{ctx}");
}

/// Integer (or bool) `dt` to `dt`: exact, reduced to the width of `dt`.
fn int_same(name: &str, f: Op, dt: Dtype, bp: &[i128], r: &dyn Fn(i128, i128) -> i128) {
    let build = |v: &[i128], s: &[usize]| make_i(v, s, dt);
    let r = |a, b| wrap(r(a, b), dt);
    run(&format!("{name}({dt})"), f, &int_pool(dt), bp, &build, dt, &r, &read_i, &check_i);
}

/// Float `dt` to `dt`: `r` in f64 rounded to `dt`, exactly or within a couple of ulps.
fn float_same(name: &str, f: Op, dt: Dtype, ap: &[f64], bp: &[f64], r: &dyn Fn(f64, f64) -> f64, exact: bool) {
    let build = |v: &[f64], s: &[usize]| make_f(v, s, dt);
    let rq = |a, b| q(r(a, b), dt);
    let check = |ctx: &str, g: &[f64], e: &[f64]| {
        if exact {
            assert_same(ctx, g, e)
        } else {
            assert_close(ctx, g, e, dt)
        }
    };
    run(&format!("{name}({dt})"), f, &qs(ap, dt), &qs(bp, dt), &build, dt, &rq, &read_f, &check);
}

/// Integer or bool `dt` to float32 (true division and float functions).
fn int_to_f32(name: &str, f: Op, dt: Dtype, r: &dyn Fn(f64, f64) -> f64) {
    let build = |v: &[i128], s: &[usize]| make_i(v, s, dt);
    let small: Vec<i128> = int_pool(dt).into_iter().filter(|v| v.abs() <= 1000).collect();
    let bp: Vec<i128> = int_pool_b(dt).into_iter().filter(|v| v.abs() <= 1000).collect();
    let rq = |a: i128, b: i128| q(r(a as f64, b as f64), Dtype::Float32);
    let check = |ctx: &str, g: &[f64], e: &[f64]| assert_close(ctx, g, e, Dtype::Float32);
    run(&format!("{name}({dt})"), f, &small, &bp, &build, Dtype::Float32, &rq, &read_f, &check);
    // The extremes too (converted to float32 first, so compared loosely).
    let x = make_i(&int_pool(dt), &[int_pool(dt).len(), 1], dt);
    let y = make_i(&int_pool_b(dt), &[1, int_pool_b(dt).len()], dt);
    let out = f(&x, &y).unwrap();
    assert_eq!(out.dtype(), Dtype::Float32);
    let (_, exp) = broadcast_ref(&int_pool(dt), x.shape(), &int_pool_b(dt), y.shape(), &|a, b| {
        q(r(a as f32 as f64, b as f32 as f64), Dtype::Float32)
    });
    assert_close(&format!("{name}({dt}) extremes"), &read_f(&out), &exp, Dtype::Float32);
}

/// Any dtype to bool, integers given as i128 and floats as f64.
fn to_bool(name: &str, f: Op, dt: Dtype, ri: &dyn Fn(i128, i128) -> bool, rf: &dyn Fn(f64, f64) -> bool) {
    let ctx = format!("{name}({dt})");
    if dt.is_float() {
        let build = |v: &[f64], s: &[usize]| make_f(v, s, dt);
        run(&ctx, f, &qs(&FA, dt), &qs(&FB, dt), &build, Dtype::Bool, rf, &read_b, &check_b);
    } else {
        let build = |v: &[i128], s: &[usize]| make_i(v, s, dt);
        run(&ctx, f, &int_pool(dt), &int_pool_b(dt), &build, Dtype::Bool, ri, &read_b, &check_b);
    }
}

// ------------------------------------------------------------ complex

fn ca() -> Vec<Complex32> {
    [(1.0, 2.0), (-0.5, 0.25), (3.0, -4.0), (-2.0, 0.0), (0.0, 1.5), (1.0, 2.0)]
        .iter()
        .map(|&(r, i)| Complex32::new(r, i))
        .collect()
}

fn cb() -> Vec<Complex32> {
    [(0.5, -1.0), (2.0, 0.0), (-1.0, -1.0), (0.0, 0.75), (1.0, 2.0)]
        .iter()
        .map(|&(r, i)| Complex32::new(r, i))
        .collect()
}

fn complex_same(name: &str, f: Op, r: &dyn Fn(Complex64, Complex64) -> Complex64) {
    let build = |v: &[Complex32], s: &[usize]| make_c(v, s);
    let rr = |a: Complex32, b: Complex32| r(c64(a), c64(b));
    let check = |ctx: &str, g: &[Complex64], e: &[Complex64]| assert_close_c(ctx, g, e, 2e-6);
    run(&format!("{name}(complex64)"), f, &ca(), &cb(), &build, Dtype::Complex64, &rr, &read_c, &check);
}

fn complex_bool(name: &str, f: Op, r: &dyn Fn(Complex32, Complex32) -> bool) {
    let build = |v: &[Complex32], s: &[usize]| make_c(v, s);
    let mut a = ca();
    a.push(Complex32::new(f32::NAN, 0.0));
    run(&format!("{name}(complex64)"), f, &a, &cb(), &build, Dtype::Bool, r, &read_b, &check_b);
}

fn complex_rejected(name: &str, f: Op) {
    let z = make_c(&ca(), &[6]);
    expect_dtype_err(&format!("{name}(complex64, complex64)"), f(&z, &z));
    expect_dtype_err(&format!("{name}(complex64, float32)"), f(&z, &make_f(&[1.0], &[1], Dtype::Float32)));
}

/// Lexicographic order of complex numbers (real part, then imaginary), as NumPy orders them.
fn clt(a: Complex32, b: Complex32) -> bool {
    a.re < b.re || (a.re == b.re && a.im < b.im)
}

// ================================================================ tests

/// The dtype-keeping arithmetic ops over all real dtypes.
#[allow(clippy::too_many_arguments)]
fn arith(
    name: &str,
    f: Op,
    ri: fn(i128, i128, Dtype) -> i128,
    rf: fn(f64, f64) -> f64,
    exact: bool,
    bool_ok: bool,
    bpool: fn(Dtype) -> Vec<i128>,
) {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            continue;
        }
        if dt == Dtype::Bool && !bool_ok {
            let t = make_i(&[0, 1], &[2], dt);
            expect_dtype_err(&format!("{name}(bool)"), f(&t, &t));
            continue;
        }
        if dt.is_float() {
            float_same(name, f, dt, &FA, &FB, &|a, b| rf(a, b), exact);
        } else {
            int_same(name, f, dt, &bpool(dt), &|a, b| ri(a, b, dt));
        }
    }
}

#[test]
fn add() {
    arith("add", |a, b| ops::add(a, b), |a, b, _| a + b, |a, b| a + b, true, true, int_pool_b);
    complex_same("add", |a, b| ops::add(a, b), &|a, b| a + b);
}

#[test]
fn subtract() {
    arith("subtract", |a, b| ops::subtract(a, b), |a, b, _| a - b, |a, b| a - b, true, false, int_pool_b);
    complex_same("subtract", |a, b| ops::subtract(a, b), &|a, b| a - b);
}

#[test]
fn multiply() {
    arith("multiply", |a, b| ops::multiply(a, b), |a, b, _| a.wrapping_mul(b), |a, b| a * b, true, true, int_pool_b);
    complex_same("multiply", |a, b| ops::multiply(a, b), &|a, b| a * b);
}

#[test]
fn divide() {
    let f: Op = |a, b| ops::divide(a, b);
    for dt in ALL {
        if dt == Dtype::Complex64 {
            complex_same("divide", f, &|a, b| a / b);
        } else if dt.is_float() {
            float_same("divide", f, dt, &FA, &FB, &|a, b| a / b, true);
        } else {
            int_to_f32("divide", f, dt, &|a, b| a / b);
        }
    }
}

#[test]
fn floor_divide() {
    arith(
        "floor_divide",
        |a, b| ops::floor_divide(a, b),
        |a, b, _| int_floor_div(a, b),
        |a, b| np_divmod(a, b).0,
        false,
        true,
        int_pool_b,
    );
    complex_rejected("floor_divide", |a, b| ops::floor_divide(a, b));
}

#[test]
fn remainder() {
    arith(
        "remainder",
        |a, b| ops::remainder(a, b),
        |a, b, _| int_rem(a, b),
        |a, b| np_divmod(a, b).1,
        false,
        true,
        int_pool_b,
    );
    complex_rejected("remainder", |a, b| ops::remainder(a, b));
}

#[test]
fn divmod_gives_floor_quotient_and_remainder() {
    let q_of: Op = |a, b| ops::divmod(a, b).map(|p| p.0);
    let r_of: Op = |a, b| ops::divmod(a, b).map(|p| p.1);
    arith("divmod.0", q_of, |a, b, _| int_floor_div(a, b), |a, b| np_divmod(a, b).0, false, true, int_pool_b);
    arith("divmod.1", r_of, |a, b, _| int_rem(a, b), |a, b| np_divmod(a, b).1, false, true, int_pool_b);
    complex_rejected("divmod", q_of);

    // Both outputs of one node, evaluated together or one at a time.
    let a = Array::from_slice(&[-7i32, 7, -7, 7, 0, i32::MIN, 5], &[7]).unwrap();
    let b = Array::from_slice(&[2i32, -2, -2, 2, 3, -1, 0], &[7]).unwrap();
    let (q, r) = ops::divmod(&a, &b).unwrap();
    assert_eq!((q.dtype(), r.dtype()), (Dtype::Int32, Dtype::Int32));
    assert_eq!(q.siblings().len(), 1);
    rmlx_core::eval(&[q.clone(), r.clone()]).unwrap();
    assert_eq!(q.to_vec::<i32>().unwrap(), vec![-4, -4, 3, 3, 0, i32::MIN, 0]);
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![1, -1, -1, 1, 0, 0, 0]);
    let (q, r) = ops::divmod(&a, &b).unwrap();
    drop(q);
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![1, -1, -1, 1, 0, 0, 0]);
    let (q, r) = ops::divmod(&a, 3).unwrap();
    assert_eq!(q.to_vec::<i32>().unwrap(), vec![-3, 2, -3, 2, 0, -715827883, 1]);
    drop(r);
    // Weak scalars, broadcasting and float inputs.
    let x = Array::from_slice(&[-7.5f32, 7.5], &[2, 1]).unwrap();
    let (q, r) = ops::divmod(&x, Array::from_slice(&[2.0f32, -2.0], &[1, 2]).unwrap()).unwrap();
    assert_eq!(q.shape(), &[2, 2]);
    assert_eq!(q.to_vec::<f32>().unwrap(), vec![-4.0, 3.0, 3.0, -4.0]);
    assert_eq!(r.to_vec::<f32>().unwrap(), vec![0.5, -1.5, 1.5, -0.5]);
    let (q, _) = ops::divmod(Array::from_slice(&[7u8], &[1]).unwrap(), 2.0).unwrap();
    assert_eq!(q.dtype(), Dtype::Float32);
    assert!(matches!(ops::divmod(&a, Array::from_slice(&[1i32, 2], &[2]).unwrap()), Err(Error::Shape(_))));
}

#[test]
fn power() {
    arith("power", |a, b| ops::power(a, b), |a, b, _| int_pow(a, b), f64::powf, false, true, int_pool_shift);
    let build = |v: &[Complex32], s: &[usize]| make_c(v, s);
    let a: Vec<Complex32> = ca();
    let rr = |a: Complex32, b: Complex32| c64(a).powc(c64(b));
    let check = |ctx: &str, g: &[Complex64], e: &[Complex64]| assert_close_c(ctx, g, e, 1e-5);
    run("power(complex64)", |a, b| ops::power(a, b), &a, &cb(), &build, Dtype::Complex64, &rr, &read_c, &check);
    // Zero to the zero is one; zero to a positive real power is zero.
    let z = make_c(&[Complex32::new(0.0, 0.0); 2], &[2]);
    let e = make_c(&[Complex32::new(0.0, 0.0), Complex32::new(2.0, 0.0)], &[2]);
    assert_eq!(
        ops::power(&z, &e).unwrap().to_vec::<Complex32>().unwrap(),
        vec![Complex32::new(1.0, 0.0), Complex32::new(0.0, 0.0)]
    );
    // Known integer values.
    let x = Array::from_slice(&[2i32, -3, 10, 2, 1, -1, -1, 0], &[8]).unwrap();
    let y = Array::from_slice(&[10i32, 3, 9, 31, -5, -3, -4, 0], &[8]).unwrap();
    assert_eq!(
        ops::power(&x, &y).unwrap().to_vec::<i32>().unwrap(),
        vec![1024, -27, 1_000_000_000, i32::MIN, 1, -1, 1, 1]
    );
    let x = Array::from_slice(&[2.0f32, 4.0, -8.0, 0.0, 1.0], &[5]).unwrap();
    let y = ops::power(&x, Array::from_slice(&[0.5f32, -0.5, 1.0 / 3.0, -1.0, f32::NAN], &[5]).unwrap()).unwrap();
    let v = y.to_vec::<f32>().unwrap();
    assert_eq!(&v[..2], &[2f32.sqrt(), 0.5]);
    assert!(v[2].is_nan(), "a negative base to a fractional power is NaN");
    assert_eq!(&v[3..], &[f32::INFINITY, 1.0]);
}

#[test]
fn maximum() {
    arith("maximum", |a, b| ops::maximum(a, b), |a, b, _| a.max(b), nan_max, true, true, int_pool_b);
    complex_same_lex("maximum", |a, b| ops::maximum(a, b), true);
}

#[test]
fn minimum() {
    arith("minimum", |a, b| ops::minimum(a, b), |a, b, _| a.min(b), nan_min, true, true, int_pool_b);
    complex_same_lex("minimum", |a, b| ops::minimum(a, b), false);
}

/// Complex max/min order lexicographically; a NaN operand wins.
fn complex_same_lex(name: &str, f: Op, max: bool) {
    let mut a = ca();
    a.push(Complex32::new(1.0, -3.0));
    a.push(Complex32::new(f32::NAN, 1.0));
    let b = cb();
    let x = make_c(&a, &[a.len(), 1]);
    let y = make_c(&b, &[1, b.len()]);
    let out = f(&x, &y).unwrap();
    assert_eq!((out.dtype(), out.shape()), (Dtype::Complex64, &[a.len(), b.len()][..]));
    let got = out.to_vec::<Complex32>().unwrap();
    for (i, &p) in a.iter().enumerate() {
        for (j, &r) in b.iter().enumerate() {
            let g = got[i * b.len() + j];
            if p.re.is_nan() {
                assert!(g.re.is_nan(), "{name}({p}, {r}) = {g}");
                continue;
            }
            let e = if clt(p, r) == max { r } else { p };
            assert_eq!(g, e, "{name}({p}, {r})");
        }
    }
}

#[test]
fn logaddexp() {
    let f: Op = |a, b| ops::logaddexp(a, b);
    for dt in ALL {
        if dt == Dtype::Complex64 {
            // log(exp(a) + exp(b)) on MLX's branch (m + log(1 + exp(o - m)), m
            // the operand of larger real part): compared through exp, which
            // every branch shares, and by the real part.
            let (a, b) = (ca(), ca().into_iter().rev().collect::<Vec<_>>());
            let y = f(&make_c(&a, &[6]), &make_c(&b, &[6])).unwrap().to_vec::<Complex32>().unwrap();
            let got: Vec<Complex64> = y.into_iter().map(|z| Complex64::new(z.re as f64, z.im as f64).exp()).collect();
            let exp: Vec<Complex64> = a
                .iter()
                .zip(&b)
                .map(|(x, y)| {
                    let (x, y) = (Complex64::new(x.re as f64, x.im as f64), Complex64::new(y.re as f64, y.im as f64));
                    x.exp() + y.exp()
                })
                .collect();
            assert_close_c("logaddexp(complex64)", &got, &exp, 1e-4);
        } else if dt.is_float() {
            float_same("logaddexp", f, dt, &FA, &FB, &np_logaddexp, false);
        } else {
            int_to_f32("logaddexp", f, dt, &np_logaddexp);
        }
    }
    // No overflow for large inputs.
    let x = Array::from_slice(&[1000.0f32, -1000.0], &[2]).unwrap();
    let v = ops::logaddexp(&x, &x).unwrap().to_vec::<f32>().unwrap();
    assert!(
        (v[0] - (1000.0 + std::f32::consts::LN_2)).abs() < 1e-3
            && (v[1] + 1000.0 - std::f32::consts::LN_2).abs() < 1e-3
    );
}

#[test]
fn arctan2() {
    let f: Op = |a, b| ops::arctan2(a, b);
    for dt in ALL {
        if dt == Dtype::Complex64 {
            complex_rejected("arctan2", f);
        } else if dt.is_float() {
            float_same("arctan2", f, dt, &FA, &FB, &f64::atan2, false);
        } else {
            int_to_f32("arctan2", f, dt, &f64::atan2);
        }
    }
    // Quadrants: arctan2(y, x).
    let y = Array::from_slice(&[1.0f64, 1.0, -1.0, -1.0, 0.0, -0.0], &[6]).unwrap();
    let x = Array::from_slice(&[1.0f64, -1.0, -1.0, 1.0, -1.0, -1.0], &[6]).unwrap();
    let pi = std::f64::consts::PI;
    let v = ops::arctan2(&y, &x).unwrap().to_vec::<f64>().unwrap();
    let e = [pi / 4.0, 3.0 * pi / 4.0, -3.0 * pi / 4.0, -pi / 4.0, pi, -pi];
    for (g, e) in v.iter().zip(e) {
        assert!((g - e).abs() < 1e-15, "{v:?}");
    }
}

fn comparison(
    name: &str,
    f: Op,
    ri: fn(&i128, &i128) -> bool,
    rf: fn(&f64, &f64) -> bool,
    rc: fn(Complex32, Complex32) -> bool,
) {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            complex_bool(name, f, &rc);
        } else {
            to_bool(name, f, dt, &|a, b| ri(&a, &b), &|a, b| rf(&a, &b));
        }
    }
}

#[test]
fn equal() {
    comparison("equal", |a, b| ops::equal(a, b), i128::eq, f64::eq, |a, b| a == b);
}

#[test]
fn not_equal() {
    comparison("not_equal", |a, b| ops::not_equal(a, b), i128::ne, f64::ne, |a, b| a != b);
}

#[test]
fn less() {
    comparison("less", |a, b| ops::less(a, b), i128::lt, f64::lt, clt);
}

#[test]
fn less_equal() {
    comparison("less_equal", |a, b| ops::less_equal(a, b), i128::le, f64::le, |a, b| clt(a, b) || a == b);
}

#[test]
fn greater() {
    comparison("greater", |a, b| ops::greater(a, b), i128::gt, f64::gt, |a, b| clt(b, a));
}

#[test]
fn greater_equal() {
    comparison("greater_equal", |a, b| ops::greater_equal(a, b), i128::ge, f64::ge, |a, b| clt(b, a) || a == b);
}

fn logical(name: &str, f: Op, r: fn(bool, bool) -> bool) {
    for dt in ALL {
        if dt == Dtype::Complex64 {
            let nz = |z: Complex32| z.re != 0.0 || z.im != 0.0;
            let build = |v: &[Complex32], s: &[usize]| make_c(v, s);
            let a = [Complex32::new(0.0, 0.0), Complex32::new(0.0, 1.0), Complex32::new(-2.0, 0.0)];
            let b = [Complex32::new(0.0, 0.0), Complex32::new(1.0, 1.0)];
            let rr = |x: Complex32, y: Complex32| r(nz(x), nz(y));
            run(&format!("{name}(complex64)"), f, &a, &b, &build, Dtype::Bool, &rr, &read_b, &check_b);
        } else {
            // NaN counts as true, -0.0 as false.
            to_bool(name, f, dt, &|a, b| r(a != 0, b != 0), &|a, b| r(a != 0.0, b != 0.0));
        }
    }
}

#[test]
fn logical_and() {
    logical("logical_and", |a, b| ops::logical_and(a, b), |a, b| a && b);
}

#[test]
fn logical_or() {
    logical("logical_or", |a, b| ops::logical_or(a, b), |a, b| a || b);
}

#[test]
fn logical_xor() {
    logical("logical_xor", |a, b| ops::logical_xor(a, b), |a, b| a != b);
}

fn bitwise(name: &str, f: Op, r: fn(i128, i128, Dtype) -> i128, bpool: fn(Dtype) -> Vec<i128>) {
    for dt in ALL {
        if dt.is_inexact() {
            let x = if dt == Dtype::Complex64 { make_c(&ca(), &[6]) } else { make_f(&[1.0, 2.0], &[2], dt) };
            expect_dtype_err(&format!("{name}({dt})"), f(&x, &x));
            // Also with an integer on the other side.
            expect_dtype_err(&format!("{name}({dt}, int32)"), f(&x, &make_i(&[1], &[1], Dtype::Int32)));
            continue;
        }
        int_same(name, f, dt, &bpool(dt), &|a, b| r(a, b, dt));
    }
}

#[test]
fn bitwise_and() {
    bitwise("bitwise_and", |a, b| ops::bitwise_and(a, b), |a, b, _| a & b, int_pool);
}

#[test]
fn bitwise_or() {
    bitwise("bitwise_or", |a, b| ops::bitwise_or(a, b), |a, b, _| a | b, int_pool);
}

#[test]
fn bitwise_xor() {
    bitwise("bitwise_xor", |a, b| ops::bitwise_xor(a, b), |a, b, _| a ^ b, int_pool);
}

#[test]
fn left_shift() {
    let f: Op = |a, b| ops::left_shift(a, b);
    for dt in ALL {
        if dt == Dtype::Bool {
            continue;
        }
        if dt.is_inexact() {
            let x = if dt == Dtype::Complex64 { make_c(&ca(), &[6]) } else { make_f(&[1.0, 2.0], &[2], dt) };
            expect_dtype_err(&format!("left_shift({dt})"), f(&x, &x));
            continue;
        }
        int_same("left_shift", f, dt, &int_pool_shift(dt), &|a, b| shl(a, b, dt));
    }
    // bool operands shift as uint8 (MLX).
    let t = Array::from_slice(&[true, false, true], &[3]).unwrap();
    let y = ops::left_shift(&t, Array::from_slice(&[true, true, false], &[3]).unwrap()).unwrap();
    assert_eq!(y.dtype(), Dtype::Uint8);
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![2, 0, 1]);
    let y = ops::left_shift(Array::from_slice(&[1u8, 255], &[2]).unwrap(), 7).unwrap();
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![128, 128]);
}

#[test]
fn right_shift() {
    let f: Op = |a, b| ops::right_shift(a, b);
    for dt in ALL {
        if dt == Dtype::Bool {
            continue;
        }
        if dt.is_inexact() {
            let x = if dt == Dtype::Complex64 { make_c(&ca(), &[6]) } else { make_f(&[1.0, 2.0], &[2], dt) };
            expect_dtype_err(&format!("right_shift({dt})"), f(&x, &x));
            continue;
        }
        int_same("right_shift", f, dt, &int_pool_shift(dt), &|a, b| shr(a, b, dt));
    }
    let t = Array::from_slice(&[true, false, true], &[3]).unwrap();
    let y = ops::right_shift(&t, Array::from_slice(&[true, true, false], &[3]).unwrap()).unwrap();
    assert_eq!(y.dtype(), Dtype::Uint8);
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![0, 0, 1]);
    // Arithmetic shift for signed integers, logical for unsigned.
    let y = ops::right_shift(Array::from_slice(&[-16i8, -1, 16], &[3]).unwrap(), 2).unwrap();
    assert_eq!(y.to_vec::<i8>().unwrap(), vec![-4, -1, 4]);
    let y = ops::right_shift(Array::from_slice(&[0xF0u8], &[1]).unwrap(), 2).unwrap();
    assert_eq!(y.to_vec::<u8>().unwrap(), vec![0x3C]);
}

// ------------------------------------------------ integer edge cases

#[test]
fn integer_division_by_zero_gives_zero() {
    for dt in ALL {
        if dt.is_inexact() || dt == Dtype::Bool {
            continue;
        }
        let (lo, hi) = int_range(dt);
        let a = make_i(&[lo, -5, 0, 5, hi], &[5], dt);
        let z = make_i(&[0], &[], dt);
        for (name, f) in [
            ("floor_divide", (|a, b| ops::floor_divide(a, b)) as Op),
            ("remainder", |a, b| ops::remainder(a, b)),
            ("divmod.0", |a, b| ops::divmod(a, b).map(|p| p.0)),
            ("divmod.1", |a, b| ops::divmod(a, b).map(|p| p.1)),
        ] {
            let y = f(&a, &z).unwrap();
            assert_eq!(y.dtype(), dt);
            assert_eq!(read_i(&y), vec![0; 5], "{name}({dt}) by zero");
        }
        // True division by zero follows IEEE in float32.
        let v = ops::divide(&a, &z).unwrap().to_vec::<f32>().unwrap();
        assert!(v[2].is_nan(), "0 / 0");
        assert_eq!(v[3], f32::INFINITY);
    }
}

#[test]
fn integer_min_over_minus_one_wraps() {
    for dt in [Dtype::Int8, Dtype::Int16, Dtype::Int32, Dtype::Int64] {
        let (lo, _) = int_range(dt);
        let a = make_i(&[lo, lo], &[2], dt);
        let b = make_i(&[-1, 1], &[2], dt);
        assert_eq!(read_i(&ops::floor_divide(&a, &b).unwrap()), vec![lo, lo], "{dt}");
        assert_eq!(read_i(&ops::remainder(&a, &b).unwrap()), vec![0, 0], "{dt}");
        assert_eq!(read_i(&ops::multiply(&a, &b).unwrap()), vec![lo, lo], "{dt}");
        assert_eq!(read_i(&ops::negative(&a).unwrap()), vec![lo, lo], "{dt}");
        assert_eq!(read_i(&ops::subtract(&a, 1).unwrap()), vec![-lo - 1; 2], "{dt}");
    }
    let a = Array::from_slice(&[i32::MIN], &[1]).unwrap();
    assert_eq!(ops::floor_divide(&a, -1).unwrap().to_vec::<i32>().unwrap(), vec![i32::MIN]);
}

#[test]
fn floor_divide_and_remainder_follow_python_signs() {
    // Python: -7 // 2 == -4, -7 % 2 == 1, 7 // -2 == -4, 7 % -2 == -1, -7 // -2 == 3, -7 % -2 == -1
    let a = Array::from_slice(&[-7i64, 7, -7, 7, -1, 1, 6, -6], &[8]).unwrap();
    let b = Array::from_slice(&[2i64, -2, -2, 2, 3, -3, 3, 3], &[8]).unwrap();
    assert_eq!(ops::floor_divide(&a, &b).unwrap().to_vec::<i64>().unwrap(), vec![-4, -4, 3, 3, -1, -1, 2, -2]);
    assert_eq!(ops::remainder(&a, &b).unwrap().to_vec::<i64>().unwrap(), vec![1, -1, -1, 1, 2, -2, 0, 0]);
    // Floats: Python's // and %, including infinities (-1.0 // inf == -1.0, -1.0 % inf == inf).
    let a = Array::from_slice(&[-7.5f64, 7.5, -1.0, 1.0, -1.0, 1.0, 5.0, f64::INFINITY, 0.3], &[9]).unwrap();
    let b = Array::from_slice(
        &[2.0f64, -2.0, f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY, 0.0, 2.0, 0.1],
        &[9],
    )
    .unwrap();
    let q = ops::floor_divide(&a, &b).unwrap().to_vec::<f64>().unwrap();
    let r = ops::remainder(&a, &b).unwrap().to_vec::<f64>().unwrap();
    let eq = vec![-4.0, -4.0, -1.0, 0.0, 0.0, -1.0, f64::INFINITY, NAN, 2.0];
    let er = vec![0.5, -0.5, f64::INFINITY, 1.0, -1.0, f64::NEG_INFINITY, NAN, NAN, 0.3 % 0.1];
    assert_same("floor_divide", &q, &eq);
    assert_same("remainder", &r, &er);
    // The remainder of a float takes the divisor's sign, zero included.
    let z = ops::remainder(Array::from_slice(&[4.0f32, -4.0], &[2]).unwrap(), -2.0).unwrap().to_vec::<f32>().unwrap();
    assert!(z.iter().all(|v| *v == 0.0 && v.is_sign_negative()), "{z:?}");
}

// --------------------------------------------------- mixed dtypes

#[test]
fn mixed_dtypes_promote_like_mlx() {
    let i8a = Array::from_slice(&[100i8, -100], &[2]).unwrap();
    let u8a = Array::from_slice(&[200u8, 255], &[2]).unwrap();
    let y = ops::add(&i8a, &u8a).unwrap();
    assert_eq!(y.dtype(), Dtype::Int16);
    assert_eq!(y.to_vec::<i16>().unwrap(), vec![300, 155]);

    let u32a = Array::from_slice(&[4_000_000_000u32], &[1]).unwrap();
    let y = ops::subtract(&u32a, Array::from_slice(&[-1i8], &[1]).unwrap()).unwrap();
    assert_eq!(y.dtype(), Dtype::Int64);
    assert_eq!(y.to_vec::<i64>().unwrap(), vec![4_000_000_001]);

    let y =
        ops::add(Array::from_slice(&[1u64 << 40], &[1]).unwrap(), Array::from_slice(&[-1i64], &[1]).unwrap()).unwrap();
    assert_eq!(y.dtype(), Dtype::Float32, "uint64 with a signed integer gives float32 in MLX");
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![(1u64 << 40) as f32]);

    let h = Array::from_slice(&[f16::from_f32(1.5)], &[1]).unwrap();
    let b = Array::from_slice(&[bf16::from_f32(2.25)], &[1]).unwrap();
    let y = ops::multiply(&h, &b).unwrap();
    assert_eq!(y.dtype(), Dtype::Float32);
    assert_eq!(y.item::<f32>().unwrap(), 3.375);

    let y = ops::add(Array::from_slice(&[70000i32], &[1]).unwrap(), &h).unwrap();
    assert_eq!(y.dtype(), Dtype::Float16, "integers with float16 give float16");
    assert_eq!(y.item::<f16>().unwrap(), f16::INFINITY);

    let y = ops::add(Array::from_slice(&[true], &[1]).unwrap(), Array::from_slice(&[5i8], &[1]).unwrap()).unwrap();
    assert_eq!((y.dtype(), y.item::<i8>().unwrap()), (Dtype::Int8, 6));

    let z = Array::from_slice(&[Complex32::new(1.0, 2.0)], &[1]).unwrap();
    let y = ops::multiply(Array::from_slice(&[0.5f64], &[1]).unwrap(), &z).unwrap();
    assert_eq!(y.dtype(), Dtype::Complex64, "float64 with complex64 gives complex64");
    assert_eq!(y.item::<Complex32>().unwrap(), Complex32::new(0.5, 1.0));

    let y = ops::less(Array::from_slice(&[-1i8], &[1]).unwrap(), Array::from_slice(&[255u8], &[1]).unwrap()).unwrap();
    assert!(y.item::<bool>().unwrap(), "int8 -1 < uint8 255 compares in int16");

    let y =
        ops::divide(Array::from_slice(&[1.0f64], &[1]).unwrap(), Array::from_slice(&[3i64], &[1]).unwrap()).unwrap();
    assert_eq!((y.dtype(), y.item::<f64>().unwrap()), (Dtype::Float64, 1.0 / 3.0));
}

#[test]
fn weak_scalars_take_the_array_dtype() {
    let i8a = Array::from_slice(&[127i8, -3], &[2]).unwrap();
    let y = ops::add(&i8a, 1).unwrap();
    assert_eq!(y.dtype(), Dtype::Int8);
    assert_eq!(y.to_vec::<i8>().unwrap(), vec![-128, -2], "int8 + 1 stays int8 and wraps");
    let y = ops::subtract(10, &i8a).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<i8>().unwrap()), (Dtype::Int8, vec![-117, 13]));

    let i32a = Array::from_slice(&[1i32, 2], &[2]).unwrap();
    let y = ops::add(&i32a, 1.5).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<f32>().unwrap()), (Dtype::Float32, vec![2.5, 3.5]));
    let y = ops::multiply(Array::from_slice(&[3i64], &[1]).unwrap(), 0.5f64).unwrap();
    assert_eq!(y.dtype(), Dtype::Float32, "int64 with a float scalar gives float32");

    let h = Array::from_slice(&[f16::from_f32(1.5), f16::from_f32(30000.0)], &[2]).unwrap();
    let y = ops::multiply(&h, 2.5).unwrap();
    assert_eq!(y.dtype(), Dtype::Float16);
    assert_eq!(y.to_vec::<f16>().unwrap(), vec![f16::from_f32(3.75), f16::INFINITY]);
    let bfa = Array::from_slice(&[bf16::from_f32(1.0)], &[1]).unwrap();
    assert_eq!(ops::add(&bfa, 1).unwrap().dtype(), Dtype::Bfloat16);
    assert_eq!(ops::add(Array::from_slice(&[1.0f64], &[1]).unwrap(), 1.5).unwrap().dtype(), Dtype::Float64);

    let ba = Array::from_slice(&[true, false], &[2]).unwrap();
    let y = ops::add(&ba, 1).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<i32>().unwrap()), (Dtype::Int32, vec![2, 1]), "bool + 1 gives int32");
    let y = ops::add(&ba, true).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<bool>().unwrap()), (Dtype::Bool, vec![true, true]));
    let y = ops::multiply(&ba, 2.5).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<f32>().unwrap()), (Dtype::Float32, vec![2.5, 0.0]));

    let u8a = Array::from_slice(&[1u8, 200], &[2]).unwrap();
    let y = ops::add(&u8a, -1).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<u8>().unwrap()), (Dtype::Uint8, vec![0, 199]));
    let y = ops::add(Array::from_slice(&[u64::MAX - 1], &[1]).unwrap(), 1).unwrap();
    assert_eq!((y.dtype(), y.item::<u64>().unwrap()), (Dtype::Uint64, u64::MAX));

    let y = ops::add(&i32a, Complex32::new(0.0, 1.0)).unwrap();
    assert_eq!(y.dtype(), Dtype::Complex64);
    assert_eq!(y.to_vec::<Complex32>().unwrap(), vec![Complex32::new(1.0, 1.0), Complex32::new(2.0, 1.0)]);

    // A 0-d array is strong: int8 with an int32 0-d array gives int32.
    let y = ops::add(&i8a, Array::scalar(1i32).unwrap()).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<i32>().unwrap()), (Dtype::Int32, vec![128, -2]));

    // Scalars alone take their default dtypes.
    let y = ops::add(1, 2).unwrap();
    assert_eq!((y.dtype(), y.ndim(), y.item::<i32>().unwrap()), (Dtype::Int32, 0, 3));
    let y = ops::add(1, 2.5).unwrap();
    assert_eq!((y.dtype(), y.item::<f32>().unwrap()), (Dtype::Float32, 3.5));
    assert_eq!(ops::add(true, false).unwrap().dtype(), Dtype::Bool);
    assert_eq!(ops::divide(7, 2).unwrap().item::<f32>().unwrap(), 3.5);

    // Comparisons and other ops keep the array dtype for the scalar.
    let y = ops::less(&h, 2).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<bool>().unwrap()), (Dtype::Bool, vec![true, false]));
    assert_eq!(ops::floor_divide(&i8a, 2).unwrap().dtype(), Dtype::Int8);
    assert_eq!(ops::power(&i8a, 2).unwrap().dtype(), Dtype::Int8);
    assert_eq!(ops::power(&h, 0.5).unwrap().dtype(), Dtype::Float16);
    assert_eq!(ops::divide(&i8a, 2).unwrap().dtype(), Dtype::Float32);
    assert_eq!(ops::maximum(&u8a, Scalar::Int(7)).unwrap().to_vec::<u8>().unwrap(), vec![7, 200]);
    // The operators do the same.
    assert_eq!((&i8a + 1).dtype(), Dtype::Int8);
    assert_eq!((&i8a * 1.5).dtype(), Dtype::Float32);
    assert_eq!((&h / 2.0).dtype(), Dtype::Float16);
}

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
