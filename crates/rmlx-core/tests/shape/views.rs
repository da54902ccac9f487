//! as_strided, contiguous and view, and which ops share their input's buffer.

use super::*;

// ---------------------------------------------------------------- as_strided / contiguous / view

#[test]
fn as_strided_windows_and_bounds() {
    let a = iota(&[6]);
    let w = ops::as_strided(&a, &[3, 4], &[1, 1], 0).unwrap();
    check(&w, &Nd { data: (0..3).flat_map(|r| (r..r + 4).map(|x| x as f64)).collect(), shape: vec![3, 4] }, "windows");
    let w = ops::as_strided(&a, &[2, 2], &[3, 1], 1).unwrap();
    check(&w, &Nd { data: vec![1., 2., 4., 5.], shape: vec![2, 2] }, "offset 1");
    let w = ops::as_strided(&a, &[3], &[-2], 5).unwrap();
    check(&w, &Nd { data: vec![5., 3., 1.], shape: vec![3] }, "negative stride");
    let w = ops::as_strided(&a, &[2, 3], &[0, 1], 2).unwrap();
    check(&w, &Nd { data: vec![2., 3., 4., 2., 3., 4.], shape: vec![2, 3] }, "zero stride");
    assert!(ops::as_strided(&a, &[3, 4], &[1, 2], 0).is_err(), "reaches element 8");
    assert!(ops::as_strided(&a, &[7], &[1], 0).is_err());
    assert!(ops::as_strided(&a, &[1], &[1], 6).is_err());
    assert!(ops::as_strided(&a, &[3], &[-2], 3).is_err(), "reaches element -1");
    assert!(ops::as_strided(&a, &[3], &[1, 1], 0).is_err(), "lengths differ");
    assert_eq!(ops::as_strided(&a, &[0, 5], &[100, 100], 100).unwrap().shape(), &[0, 5]);
    // In the row-major order of a strided input.
    let t = ops::transpose(&iota(&[2, 3]), &[1, 0]).unwrap();
    let w = ops::as_strided(&t, &[6], &[1], 0).unwrap();
    check(&w, &Nd { data: vec![0., 3., 1., 4., 2., 5.], shape: vec![6] }, "as_strided of a transpose");
}

#[test]
fn contiguous_copies_only_when_needed() {
    let a = iota(&[3, 4]);
    let t = ops::transpose(&a, &[1, 0]).unwrap();
    let c = ops::contiguous(&t).unwrap();
    check(&c, &iota_nd(&[3, 4]).permute(&[1, 0]), "contiguous of a transpose");
    assert_eq!(c.strides().unwrap(), vec![3, 1]);
    let c2 = ops::contiguous(&a).unwrap();
    check(&c2, &iota_nd(&[3, 4]), "contiguous of contiguous");
    assert_view(&c2, &a, "contiguous of contiguous data");
    let r = ops::slice(&a, &[SliceArg::new(None, None, -1)]).unwrap();
    let c3 = ops::contiguous(&r).unwrap();
    check(&c3, &iota_nd(&[3, 4]).take(0, &[2, 1, 0]), "contiguous of a reversed slice");
    assert_eq!(c3.strides().unwrap(), vec![4, 1]);
    let b = ops::broadcast_to(&iota(&[3]), &[2, 3]).unwrap();
    let c4 = ops::contiguous(&b).unwrap();
    check(&c4, &Nd { data: vec![0., 1., 2., 0., 1., 2.], shape: vec![2, 3] }, "contiguous of a broadcast");
    assert_eq!(c4.strides().unwrap(), vec![3, 1]);
}

#[test]
fn view_reinterprets_bits() {
    let v = [1.0f32, -2.5, 0.1, f32::INFINITY];
    let a = Array::from_slice(&v, &[2, 2]).unwrap();
    let u = ops::view(&a, Dtype::Uint32).unwrap();
    assert_eq!(u.shape(), &[2, 2]);
    assert_eq!(u.dtype(), Dtype::Uint32);
    assert_eq!(u.to_vec::<u32>().unwrap(), v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    let back = ops::view(&u, Dtype::Float32).unwrap();
    assert_eq!(back.to_vec::<f32>().unwrap(), v.to_vec());

    let i = Array::from_slice(&[0x0403_0201i32, -1], &[2]).unwrap();
    let b = ops::view(&i, Dtype::Int8).unwrap();
    assert_eq!(b.shape(), &[8]);
    let mut want: Vec<i8> = 0x0403_0201i32.to_ne_bytes().iter().map(|&x| x as i8).collect();
    want.extend((-1i32).to_ne_bytes().iter().map(|&x| x as i8));
    assert_eq!(b.to_vec::<i8>().unwrap(), want);
    let i2 = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[3, 2]).unwrap();
    assert_eq!(ops::view(&i2, Dtype::Uint8).unwrap().shape(), &[3, 8]);

    let bytes: Vec<u8> = 1.5f64.to_ne_bytes().iter().chain(2.25f64.to_ne_bytes().iter()).copied().collect();
    let u8s = Array::from_slice(&bytes, &[2, 8]).unwrap();
    let f = ops::view(&u8s, Dtype::Float64).unwrap();
    assert_eq!(f.shape(), &[2, 1]);
    assert_eq!(f.to_vec::<f64>().unwrap(), vec![1.5, 2.25]);

    let h = Array::from_slice(&[half::f16::from_f32(1.0), half::f16::from_f32(-2.0)], &[2]).unwrap();
    let hb = ops::view(&h, Dtype::Uint16).unwrap();
    assert_eq!(hb.to_vec::<u16>().unwrap(), vec![0x3C00, 0xC000]);

    // A strided input is read in logical order.
    let t = ops::transpose(&Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap(), &[1, 0]).unwrap();
    let tb = ops::view(&t, Dtype::Int32).unwrap();
    assert_eq!(
        tb.to_vec::<i32>().unwrap(),
        [1.0f32, 3.0, 2.0, 4.0].iter().map(|x| x.to_bits() as i32).collect::<Vec<_>>()
    );
    // A slice starting at an odd byte is still read correctly.
    let bytes: Vec<u8> = (0..9).collect();
    let s = ops::slice(&Array::from_slice(&bytes, &[9]).unwrap(), &[SliceArg::range(1, 9)]).unwrap();
    let w = ops::view(&s, Dtype::Uint16).unwrap();
    let want: Vec<u16> = (0..4).map(|k| u16::from_ne_bytes([1 + 2 * k as u8, 2 + 2 * k as u8])).collect();
    assert_eq!(w.to_vec::<u16>().unwrap(), want);

    assert!(ops::view(&a, Dtype::Bool).is_err());
    assert!(ops::view(&Array::scalar(1.0f32).unwrap(), Dtype::Float64).is_err());
    assert!(ops::view(&Array::from_slice(&[1u8, 2, 3], &[3]).unwrap(), Dtype::Uint16).is_err());
    assert_eq!(
        ops::view(&Array::scalar(1.0f32).unwrap(), Dtype::Int32).unwrap().item::<i32>().unwrap(),
        1.0f32.to_bits() as i32
    );
}

#[test]
fn view_ops_share_the_buffer() {
    let a = iota(&[2, 3, 4]);
    let cases: Vec<(&str, Array)> = vec![
        ("reshape", ops::reshape(&a, &[6, 4]).unwrap()),
        ("reshape -1", ops::reshape(&a, &[-1]).unwrap()),
        ("flatten", ops::flatten(&a, 1, 2).unwrap()),
        ("transpose", ops::transpose(&a, &[2, 0, 1]).unwrap()),
        ("swapaxes", ops::swapaxes(&a, 0, 1).unwrap()),
        ("broadcast_to", ops::broadcast_to(&a, &[5, 2, 3, 4]).unwrap()),
        ("slice", ops::slice(&a, &[SliceArg::range(1, 2), SliceArg::new(None, None, 2)]).unwrap()),
        (
            "negative slice",
            ops::slice(&a, &[SliceArg::full(), SliceArg::new(None, None, -1), SliceArg::new(Some(3), None, -2)])
                .unwrap(),
        ),
        ("expand_dims", ops::expand_dims(&a, [0i64, 2]).unwrap()),
        ("squeeze", ops::squeeze(&ops::expand_dims(&a, 1).unwrap(), 1).unwrap()),
        ("flip", ops::flip(&a, 2).unwrap()),
        ("diagonal", ops::diagonal(&a, 0, 1, 2).unwrap()),
        ("as_strided", ops::as_strided(&a, &[4], &[5], 1).unwrap()),
        ("view", ops::view(&a, Dtype::Int32).unwrap()),
    ];
    for (name, x) in cases {
        assert_view(&x, &a, name);
    }
    // A view of a transpose stays a view when reshaping keeps strides possible.
    let t = ops::transpose(&a, &[1, 0, 2]).unwrap();
    let r = ops::reshape(&t, &[3, 2, 2, 2]).unwrap();
    assert_view(&r, &a, "reshape splitting a contiguous axis of a transpose");
}
