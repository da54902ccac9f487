//! Arithmetic: add to power, maximum/minimum, logaddexp, arctan2, over every dtype.

use super::*;

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
