//! Integer edge cases (division by zero, MIN / -1, Python signs), mixed dtypes and weak scalars.

use super::*;

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
