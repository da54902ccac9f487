//! Comparisons, logical and bitwise ops, shifts.

use super::*;

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
