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

mod arith;
mod compare;
mod edges;
mod select;

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
