//! Creation ops: from_slice, scalar, zeros, ones, full, arange, linspace,
//! eye, identity, tri and the `_like` forms, for several dtypes.

use half::{bf16, f16};
use num_complex::Complex32;
use rmlx_core::{ops, Array, Dtype, Error, Scalar};

use crate::common;
use common::ALL;

fn values(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().unwrap()
}

#[test]
fn from_slice_checks_the_length() {
    let a = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(a.dtype(), Dtype::Float32);
    assert_eq!(a.ndim(), 2);
    assert_eq!(a.size(), 6);
    assert_eq!(a.nbytes(), 24);
    assert!(a.is_evaluated());
    assert_eq!(a.strides().unwrap(), vec![3, 1]);
    assert_eq!(a.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let e = Array::from_slice(&[1.0f32, 2.0, 3.0], &[2, 2]).unwrap_err();
    assert!(matches!(e, Error::Shape(_)), "{e:?}");
    assert!(e.to_string().contains("(2, 2)"), "{e}");
    assert!(Array::from_slice(&[1i32], &[]).is_ok());
    assert!(Array::from_slice(&[1i32, 2], &[]).is_err());
    assert!(Array::from_slice::<i32>(&[], &[1]).is_err());
    let e = Array::from_slice::<f32>(&[], &[0, 4]).unwrap();
    assert_eq!(e.shape(), &[0, 4]);
    assert!(e.to_vec::<f32>().unwrap().is_empty());
    assert!(Array::from_slice::<u8>(&[], &[usize::MAX, 2]).is_err(), "size overflow");
    let v = Array::from_vec(vec![1u16, 2, 3]).unwrap();
    assert_eq!(v.shape(), &[3]);
    assert_eq!(v.dtype(), Dtype::Uint16);

    // Every element type.
    assert_eq!(Array::from_slice(&[true, false], &[2]).unwrap().dtype(), Dtype::Bool);
    assert_eq!(Array::from_slice(&[1u8], &[1]).unwrap().dtype(), Dtype::Uint8);
    assert_eq!(Array::from_slice(&[1u32], &[1]).unwrap().dtype(), Dtype::Uint32);
    assert_eq!(Array::from_slice(&[1u64], &[1]).unwrap().dtype(), Dtype::Uint64);
    assert_eq!(Array::from_slice(&[1i8], &[1]).unwrap().dtype(), Dtype::Int8);
    assert_eq!(Array::from_slice(&[1i16], &[1]).unwrap().dtype(), Dtype::Int16);
    assert_eq!(Array::from_slice(&[1i64], &[1]).unwrap().dtype(), Dtype::Int64);
    assert_eq!(Array::from_slice(&[f16::ONE], &[1]).unwrap().dtype(), Dtype::Float16);
    assert_eq!(Array::from_slice(&[bf16::ONE], &[1]).unwrap().dtype(), Dtype::Bfloat16);
    assert_eq!(Array::from_slice(&[1.0f64], &[1]).unwrap().dtype(), Dtype::Float64);
    let c = Array::from_slice(&[Complex32::new(1.0, -2.0)], &[1]).unwrap();
    assert_eq!(c.dtype(), Dtype::Complex64);
    assert_eq!(c.to_vec::<Complex32>().unwrap(), vec![Complex32::new(1.0, -2.0)]);
    let big = Array::from_slice(&[i64::MAX, i64::MIN], &[2]).unwrap();
    assert_eq!(big.to_vec::<i64>().unwrap(), vec![i64::MAX, i64::MIN]);
}

#[test]
fn scalars() {
    let s = ops::scalar(3u8).unwrap();
    assert_eq!(s.shape(), &[] as &[usize]);
    assert_eq!(s.dtype(), Dtype::Uint8);
    assert_eq!(s.item::<u8>().unwrap(), 3);
    assert_eq!(s.size(), 1);
    let s = Array::scalar(-2.5f64).unwrap();
    assert_eq!(s.dtype(), Dtype::Float64);
    assert_eq!(s.item::<f64>().unwrap(), -2.5);
    assert_eq!(s.item::<i32>().unwrap(), -2, "item converts as astype (truncation)");
    let s = Array::scalar(true).unwrap();
    assert!(s.item::<bool>().unwrap());
    assert_eq!(s.item::<f32>().unwrap(), 1.0);
    assert!(Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap().item::<f32>().is_err());
    assert_eq!(Array::from_slice(&[4.0f32], &[1, 1]).unwrap().item::<f32>().unwrap(), 4.0);
    assert_eq!(Scalar::Int(1).to_array(Dtype::Int8).unwrap().dtype(), Dtype::Int8);
}

#[test]
fn zeros_ones_every_dtype() {
    for d in ALL {
        for shape in [vec![], vec![3], vec![2, 3], vec![0, 2]] {
            let z = ops::zeros(&shape, d).unwrap();
            assert_eq!(z.shape(), &shape[..], "zeros {d}");
            assert_eq!(z.dtype(), d);
            let n: usize = shape.iter().product();
            assert_eq!(values(&z), vec![0.0; n], "zeros {d} {shape:?}");
            let o = ops::ones(&shape, d).unwrap();
            assert_eq!(o.dtype(), d);
            assert_eq!(values(&o), vec![1.0; n], "ones {d} {shape:?}");
        }
    }
    let c = ops::ones(&[2], Dtype::Complex64).unwrap().to_vec::<Complex32>().unwrap();
    assert_eq!(c, vec![Complex32::new(1.0, 0.0); 2]);
    assert!(ops::zeros(&[usize::MAX, 2], Dtype::Float32).is_err());
}

#[test]
fn full_with_and_without_dtype() {
    let f = ops::full(&[2, 2], 7, None).unwrap();
    assert_eq!(f.dtype(), Dtype::Int32);
    assert_eq!(f.to_vec::<i32>().unwrap(), vec![7; 4]);
    let f = ops::full(&[3], 2.5, None).unwrap();
    assert_eq!(f.dtype(), Dtype::Float32);
    assert_eq!(f.to_vec::<f32>().unwrap(), vec![2.5; 3]);
    let f = ops::full(&[2], true, None).unwrap();
    assert_eq!(f.dtype(), Dtype::Bool);
    assert_eq!(f.to_vec::<bool>().unwrap(), vec![true; 2]);
    let f = ops::full(&[2], Complex32::new(1.0, 2.0), None).unwrap();
    assert_eq!(f.dtype(), Dtype::Complex64);
    assert_eq!(f.to_vec::<Complex32>().unwrap(), vec![Complex32::new(1.0, 2.0); 2]);
    for d in ALL {
        let f = ops::full(&[2, 3], 3, Some(d)).unwrap();
        assert_eq!(f.dtype(), d);
        let want = if d == Dtype::Bool { 1.0 } else { 3.0 };
        assert_eq!(values(&f), vec![want; 6], "full 3 as {d}");
    }
    let f = ops::full(&[2], 2.75, Some(Dtype::Int16)).unwrap();
    assert_eq!(f.to_vec::<i16>().unwrap(), vec![2, 2], "floats truncate to integers");
    let f = ops::full(&[2], -1, Some(Dtype::Uint8)).unwrap();
    assert_eq!(f.to_vec::<u8>().unwrap(), vec![255, 255], "negative ints wrap into unsigned");
    let f = ops::full(&[2], 0.1, Some(Dtype::Float64)).unwrap();
    assert_eq!(f.to_vec::<f64>().unwrap(), vec![0.1, 0.1]);
    let f = ops::full(&[1], 65536.0, Some(Dtype::Float16)).unwrap();
    assert_eq!(f.item::<f32>().unwrap(), f32::INFINITY);
    // An array value broadcasts; its dtype is used when none is given.
    let row = Array::from_slice(&[1i64, 2, 3], &[3]).unwrap();
    let f = ops::full(&[2, 3], &row, None).unwrap();
    assert_eq!(f.dtype(), Dtype::Int64);
    assert_eq!(f.to_vec::<i64>().unwrap(), vec![1, 2, 3, 1, 2, 3]);
    let f = ops::full(&[2, 3], &row, Some(Dtype::Float32)).unwrap();
    assert_eq!(f.dtype(), Dtype::Float32);
    assert_eq!(f.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    assert!(ops::full(&[2, 4], &row, None).is_err());
    assert_eq!(ops::full(&[0, 3], 1, None).unwrap().shape(), &[0, 3]);
}

#[test]
fn like_forms() {
    let a = Array::from_slice(&[1i16, 2, 3, 4, 5, 6], &[3, 2]).unwrap();
    let z = ops::zeros_like(&a).unwrap();
    assert_eq!((z.shape(), z.dtype()), (&[3usize, 2][..], Dtype::Int16));
    assert_eq!(values(&z), vec![0.0; 6]);
    let o = ops::ones_like(&a).unwrap();
    assert_eq!((o.shape(), o.dtype()), (&[3usize, 2][..], Dtype::Int16));
    assert_eq!(values(&o), vec![1.0; 6]);
    let f = ops::full_like(&a, 9, None).unwrap();
    assert_eq!(f.dtype(), Dtype::Int16);
    assert_eq!(values(&f), vec![9.0; 6]);
    let f = ops::full_like(&a, 0.5, Some(Dtype::Float16)).unwrap();
    assert_eq!((f.shape(), f.dtype()), (&[3usize, 2][..], Dtype::Float16));
    assert_eq!(values(&f), vec![0.5; 6]);
    let f = ops::full_like(&a, 2.9, None).unwrap();
    assert_eq!(values(&f), vec![2.0; 6], "the like dtype wins, floats truncate");
    // Of a pending, strided array.
    let t = ops::transpose(&ops::exp(&Array::from_slice(&[0.0f32; 6], &[2, 3]).unwrap()).unwrap(), &[1, 0]).unwrap();
    let z = ops::zeros_like(&t).unwrap();
    assert_eq!(z.shape(), &[3, 2]);
    assert_eq!(z.dtype(), Dtype::Float32);
    let b = ops::ones_like(&Array::from_slice(&[false, false], &[2]).unwrap()).unwrap();
    assert_eq!(b.to_vec::<bool>().unwrap(), vec![true, true]);
}

#[test]
fn arange_float_and_int() {
    let a = ops::arange(0.0, 5.0, 1.0, Dtype::Float32).unwrap();
    assert_eq!(a.shape(), &[5]);
    assert_eq!(a.dtype(), Dtype::Float32);
    assert_eq!(values(&a), vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    let a = ops::arange(0.0, 1.0, 0.25, Dtype::Float64).unwrap();
    assert_eq!(values(&a), vec![0.0, 0.25, 0.5, 0.75]);
    let a = ops::arange(0.0, 1.0, 0.1, Dtype::Float64).unwrap();
    assert_eq!(a.shape(), &[10], "ceil((1 - 0) / 0.1) = 10");
    for (i, v) in values(&a).iter().enumerate() {
        assert!((v - i as f64 * 0.1).abs() < 1e-12);
    }
    let a = ops::arange(1.0, 2.0, 0.3, Dtype::Float32).unwrap();
    assert_eq!(a.shape(), &[4]);
    let a = ops::arange(5.0, 0.0, -1.0, Dtype::Int32).unwrap();
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![5, 4, 3, 2, 1]);
    let a = ops::arange(10.0, 1.0, -3.0, Dtype::Int64).unwrap();
    assert_eq!(a.to_vec::<i64>().unwrap(), vec![10, 7, 4]);
    let a = ops::arange(0.0, 10.0, 3.0, Dtype::Int32).unwrap();
    assert_eq!(a.dtype(), Dtype::Int32);
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![0, 3, 6, 9]);
    let a = ops::arange(-3.0, 3.0, 2.0, Dtype::Int8).unwrap();
    assert_eq!(a.to_vec::<i8>().unwrap(), vec![-3, -1, 1]);
    let a = ops::arange(0.0, 4.0, 1.0, Dtype::Uint16).unwrap();
    assert_eq!(a.to_vec::<u16>().unwrap(), vec![0, 1, 2, 3]);
    let a = ops::arange(0.0, 3.0, 1.0, Dtype::Float16).unwrap();
    assert_eq!(values(&a), vec![0.0, 1.0, 2.0]);
    let a = ops::arange(0.0, 3.0, 1.0, Dtype::Bfloat16).unwrap();
    assert_eq!(values(&a), vec![0.0, 1.0, 2.0]);
    // Empty ranges.
    assert_eq!(ops::arange(0.0, 5.0, -1.0, Dtype::Float32).unwrap().shape(), &[0]);
    assert_eq!(ops::arange(3.0, 3.0, 1.0, Dtype::Int32).unwrap().shape(), &[0]);
    assert!(ops::arange(0.0, 5.0, -1.0, Dtype::Float32).unwrap().to_vec::<f32>().unwrap().is_empty());
    // Errors.
    assert!(ops::arange(0.0, 5.0, 0.0, Dtype::Float32).is_err());
    assert!(ops::arange(0.0, 5.0, 0.0, Dtype::Int32).is_err());
    assert!(ops::arange(0.0, f64::NAN, 1.0, Dtype::Float32).is_err());
    assert!(ops::arange(0.0, f64::INFINITY, 1.0, Dtype::Float32).is_err());
    assert!(ops::arange(0.0, 5.0, f64::NAN, Dtype::Float32).is_err());
    assert!(ops::arange(0.0, 5.0, 1.0, Dtype::Bool).is_err());
    assert!(ops::arange(0.0, 1e300, 1e-300, Dtype::Float32).is_err(), "too many elements");
}

#[test]
fn linspace_endpoints_and_dtypes() {
    let a = ops::linspace(0.0, 1.0, 5, Dtype::Float32).unwrap();
    assert_eq!(a.dtype(), Dtype::Float32);
    assert_eq!(values(&a), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    let a = ops::linspace(1.0, 0.0, 3, Dtype::Float64).unwrap();
    assert_eq!(values(&a), vec![1.0, 0.5, 0.0]);
    let a = ops::linspace(0.0, 0.3, 4, Dtype::Float64).unwrap();
    let v = values(&a);
    assert_eq!(v[3], 0.3, "the last value is exactly stop");
    for (i, x) in v.iter().enumerate() {
        assert!((x - 0.1 * i as f64).abs() < 1e-15);
    }
    let a = ops::linspace(-1.0, 1.0, 7, Dtype::Float16).unwrap();
    for (i, x) in values(&a).iter().enumerate() {
        assert!((x - (-1.0 + i as f64 / 3.0)).abs() < 1e-3);
    }
    assert_eq!(ops::linspace(2.0, 5.0, 1, Dtype::Float32).unwrap().to_vec::<f32>().unwrap(), vec![2.0]);
    assert_eq!(ops::linspace(2.0, 5.0, 0, Dtype::Float32).unwrap().shape(), &[0]);
    let a = ops::linspace(0.0, 10.0, 5, Dtype::Int32).unwrap();
    assert_eq!(a.dtype(), Dtype::Int32);
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![0, 2, 5, 7, 10], "NumPy truncates 2.5 and 7.5");
    let a = ops::linspace(0.0, 1.0, 3, Dtype::Complex64).unwrap();
    assert_eq!(values(&a), vec![0.0, 0.5, 1.0]);
    assert!(ops::linspace(0.0, 1.0, 3, Dtype::Bool).is_err());
}

#[test]
fn eye_identity_tri() {
    let reference = |n: usize, m: usize, k: i64, lower: bool| -> Vec<f64> {
        (0..n * m)
            .map(|i| {
                let (r, c) = ((i / m) as i64, (i % m) as i64);
                let on = if lower { c - r <= k } else { c - r == k };
                if on {
                    1.0
                } else {
                    0.0
                }
            })
            .collect()
    };
    for (n, m) in [(3usize, None), (3, Some(4)), (4, Some(2)), (1, Some(1)), (0, Some(3)), (2, Some(0))] {
        for k in [-5i64, -1, 0, 1, 2, 5] {
            let mm = m.unwrap_or(n);
            let e = ops::eye(n, m, k, Dtype::Float32).unwrap();
            assert_eq!(e.shape(), &[n, mm]);
            assert_eq!(e.dtype(), Dtype::Float32);
            assert_eq!(values(&e), reference(n, mm, k, false), "eye({n}, {m:?}, {k})");
            let t = ops::tri(n, m, k, Dtype::Float32).unwrap();
            assert_eq!(t.shape(), &[n, mm]);
            assert_eq!(values(&t), reference(n, mm, k, true), "tri({n}, {m:?}, {k})");
        }
    }
    for d in ALL {
        let e = ops::eye(3, None, 0, d).unwrap();
        assert_eq!(e.dtype(), d);
        assert_eq!(values(&e), reference(3, 3, 0, false), "eye as {d}");
        let t = ops::tri(2, Some(3), 0, d).unwrap();
        assert_eq!(t.dtype(), d);
        assert_eq!(values(&t), reference(2, 3, 0, true), "tri as {d}");
    }
    // Extreme diagonals: no overflow, NumPy's masks.
    assert_eq!(values(&ops::tri(3, None, i64::MAX, Dtype::Float32).unwrap()), vec![1.0; 9]);
    assert_eq!(values(&ops::tri(3, None, i64::MIN, Dtype::Float32).unwrap()), vec![0.0; 9]);
    assert_eq!(values(&ops::eye(3, None, i64::MAX, Dtype::Float32).unwrap()), vec![0.0; 9]);
    assert_eq!(values(&ops::eye(3, None, i64::MIN, Dtype::Float32).unwrap()), vec![0.0; 9]);
    let i = ops::identity(3, Dtype::Int32).unwrap();
    assert_eq!(i.dtype(), Dtype::Int32);
    assert_eq!(i.to_vec::<i32>().unwrap(), vec![1, 0, 0, 0, 1, 0, 0, 0, 1]);
    let i = ops::identity(2, Dtype::Bool).unwrap();
    assert_eq!(i.to_vec::<bool>().unwrap(), vec![true, false, false, true]);
    assert_eq!(ops::identity(0, Dtype::Float32).unwrap().shape(), &[0, 0]);
}
