//! broadcast_to and slicing with Python semantics.

use super::*;

// ---------------------------------------------------------------- broadcasting

#[test]
fn broadcast_to_arrays_shapes() {
    let a = iota(&[3]);
    let b = ops::broadcast_to(&a, &[2, 3]).unwrap();
    check(&b, &Nd { data: vec![0., 1., 2., 0., 1., 2.], shape: vec![2, 3] }, "(3,) to (2, 3)");
    assert_view(&b, &a, "broadcast_to");
    assert_eq!(b.strides().unwrap(), vec![0, 1]);
    let c = iota(&[2, 1]);
    let d = ops::broadcast_to(&c, &[3, 2, 4]).unwrap();
    let want = iota_nd(&[2, 1]).gather(&[3, 2, 4], |i| vec![i[1], 0]);
    check(&d, &want, "(2, 1) to (3, 2, 4)");
    assert_view(&d, &c, "broadcast_to 3-D");
    assert!(ops::broadcast_to(&a, &[4]).is_err());
    assert!(ops::broadcast_to(&a, &[3, 2]).is_err());
    assert!(ops::broadcast_to(&iota(&[2, 3]), &[3]).is_err());
    assert!(ops::broadcast_to(&c, &[2, 0]).unwrap().shape() == [2, 0]);
    assert!(ops::broadcast_to(&iota(&[0]), &[2, 0]).is_ok());
    assert!(ops::broadcast_to(&iota(&[0]), &[2, 1]).is_err());
    let s = ops::broadcast_to(&Array::scalar(5i32).unwrap(), &[2, 2]).unwrap();
    assert_eq!(s.to_vec::<i32>().unwrap(), vec![5; 4]);

    assert_eq!(ops::broadcast_shapes(&[&[2, 1], &[1, 3]]).unwrap(), vec![2, 3]);
    assert_eq!(ops::broadcast_shapes(&[&[5, 1, 4], &[3, 1]]).unwrap(), vec![5, 3, 4]);
    assert_eq!(ops::broadcast_shapes(&[&[], &[2]]).unwrap(), vec![2]);
    assert_eq!(ops::broadcast_shapes(&[&[0, 1], &[1, 3]]).unwrap(), vec![0, 3]);
    assert_eq!(ops::broadcast_shapes(&[&[1], &[2, 1], &[1, 1, 3]]).unwrap(), vec![1, 2, 3]);
    assert_eq!(ops::broadcast_shapes(&[]).unwrap(), Vec::<usize>::new());
    assert!(ops::broadcast_shapes(&[&[2, 3], &[4, 3]]).is_err());
    assert!(ops::broadcast_shapes(&[&[2], &[3]]).is_err());
    assert!(ops::broadcast_shapes(&[&[0], &[2]]).is_err());

    let xs = ops::broadcast_arrays(&[iota(&[2, 1]), iota(&[3]), Array::scalar(1.0f32).unwrap()]).unwrap();
    assert_eq!(xs.len(), 3);
    check(&xs[0], &iota_nd(&[2, 1]).gather(&[2, 3], |i| vec![i[0], 0]), "broadcast_arrays 0");
    check(&xs[1], &iota_nd(&[3]).gather(&[2, 3], |i| vec![i[1]]), "broadcast_arrays 1");
    check(&xs[2], &Nd { data: vec![1.0; 6], shape: vec![2, 3] }, "broadcast_arrays 2");
    assert!(ops::broadcast_arrays(&[iota(&[2]), iota(&[3])]).is_err());
}

// ---------------------------------------------------------------- slicing

#[test]
fn slice_matches_python_semantics() {
    let n = 6usize;
    let a = iota(&[n]);
    let nd = iota_nd(&[n]);
    let bounds: Vec<Option<i64>> = std::iter::once(None).chain((-9..=9).map(Some)).collect();
    for &start in &bounds {
        for &stop in &bounds {
            for step in [-7i64, -3, -2, -1, 1, 2, 3, 7] {
                let ctx = format!("[{start:?}:{stop:?}:{step}]");
                let s = ops::slice(&a, &[SliceArg::new(start, stop, step)]).unwrap_or_else(|e| panic!("{ctx}: {e}"));
                check(&s, &nd.take(0, &py_slice(start, stop, step, n)), &ctx);
            }
        }
    }
    assert!(ops::slice(&a, &[SliceArg::new(None, None, 0)]).is_err());
    assert!(ops::slice_axis(&a, 0, SliceArg::new(Some(1), None, 0)).is_err());
    assert!(ops::slice(&a, &[SliceArg::full(), SliceArg::full()]).is_err(), "too many slices");
    assert!(ops::slice_axis(&a, 1, SliceArg::full()).is_err());
    // Extreme bounds clamp instead of overflowing.
    let s = ops::slice(&a, &[SliceArg::new(Some(i64::MIN), Some(i64::MAX), 1)]).unwrap();
    check(&s, &nd, "[MIN:MAX]");
    let s = ops::slice(&a, &[SliceArg::new(Some(i64::MAX), Some(i64::MIN), -1)]).unwrap();
    check(&s, &nd.take(0, &[5, 4, 3, 2, 1, 0]), "[MAX:MIN:-1]");
    let s = ops::slice(&a, &[SliceArg::new(None, None, i64::MIN + 1)]).unwrap();
    check(&s, &nd.take(0, &[5]), "[::MIN+1]");
    // An empty axis.
    let e = iota(&[0]);
    assert_eq!(ops::slice(&e, &[SliceArg::new(None, None, -1)]).unwrap().shape(), &[0]);
}

#[test]
fn slices_of_several_axes_and_views() {
    let a = iota(&[4, 5, 6]);
    let nd = iota_nd(&[4, 5, 6]);
    let cases: Vec<Vec<SliceArg>> = vec![
        vec![SliceArg::range(1, 3)],
        vec![SliceArg::full(), SliceArg::new(None, None, 2)],
        vec![SliceArg::new(None, None, -1), SliceArg::new(Some(-1), None, -2), SliceArg::new(Some(1), Some(-1), 3)],
        vec![SliceArg::new(Some(3), Some(0), -1), SliceArg::range(2, 2), SliceArg::full()],
        vec![SliceArg::full(), SliceArg::full(), SliceArg::new(Some(5), None, -4)],
    ];
    for args in cases {
        let s = ops::slice(&a, &args).unwrap();
        let idx: Vec<Vec<usize>> = (0..3)
            .map(|k| match args.get(k) {
                Some(sl) => py_slice(sl.start, sl.stop, sl.step, nd.shape[k]),
                None => (0..nd.shape[k]).collect(),
            })
            .collect();
        let want = nd.take_all(&idx);
        check(&s, &want, &format!("{args:?}"));
        assert_view(&s, &a, &format!("{args:?}"));
    }
    // Slice of a slice of a transpose, all views.
    let t = ops::transpose(&a, &[2, 0, 1]).unwrap();
    let s1 = ops::slice_axis(&t, 0, SliceArg::new(None, None, -1)).unwrap();
    let s2 = ops::slice_axis(&s1, 2, SliceArg::new(Some(1), None, 2)).unwrap();
    let s3 = ops::slice_axis(&s2, -2, SliceArg::new(Some(-1), Some(0), -2)).unwrap();
    let want = nd.permute(&[2, 0, 1]).take(0, &[5, 4, 3, 2, 1, 0]).take(2, &[1, 3]).take(1, &[3, 1]);
    check(&s3, &want, "slice of slice of transpose");
    assert_view(&s3, &a, "slice of slice of transpose");
    // Using a reversed view in arithmetic reads it correctly.
    let r = ops::add(&s1, 0.0f32).unwrap();
    check(&r, &nd.permute(&[2, 0, 1]).take(0, &[5, 4, 3, 2, 1, 0]), "arithmetic on a reversed view");
}
