//! reshape, flatten, squeeze/expand_dims, and the transpose family.

use super::*;

// ---------------------------------------------------------------- reshape family

#[test]
fn reshape_infers_and_rejects() {
    let a = iota(&[2, 3, 4]);
    let nd = iota_nd(&[2, 3, 4]);
    for (target, want) in [
        (vec![4i64, -1], vec![4usize, 6]),
        (vec![-1], vec![24]),
        (vec![3, 8], vec![3, 8]),
        (vec![2, -1, 3], vec![2, 4, 3]),
        (vec![1, 24, 1], vec![1, 24, 1]),
        (vec![-1, 1], vec![24, 1]),
    ] {
        let r = ops::reshape(&a, &target).unwrap();
        check(&r, &nd.reshape(&want), &format!("reshape {target:?}"));
        assert_view(&r, &a, &format!("reshape {target:?}"));
    }
    assert!(ops::reshape(&a, &[5, 5]).is_err());
    assert!(ops::reshape(&a, &[-1, 5]).is_err());
    assert!(ops::reshape(&a, &[-1, -1]).is_err());
    assert!(ops::reshape(&a, &[-2, -12]).is_err());
    assert!(ops::reshape(&a, &[25]).is_err());
    assert!(ops::reshape(&a, &[0, -1]).is_err());
    // Empty arrays.
    let e = iota(&[0, 3]);
    assert_eq!(ops::reshape(&e, &[3, 0]).unwrap().shape(), &[3, 0]);
    assert_eq!(ops::reshape(&e, &[0]).unwrap().shape(), &[0]);
    assert!(ops::reshape(&e, &[1]).is_err());
    // 0-d to and from.
    let s = Array::scalar(7.0f32).unwrap();
    let r = ops::reshape(&s, &[1, 1]).unwrap();
    check(&r, &Nd { data: vec![7.0], shape: vec![1, 1] }, "scalar to (1, 1)");
    let r = ops::reshape(&r, &[]).unwrap();
    assert_eq!(r.item::<f32>().unwrap(), 7.0);
    assert_eq!(ops::reshape(&s, &[-1]).unwrap().shape(), &[1]);
}

#[test]
fn reshape_of_strided_inputs_reads_in_logical_order() {
    let a = iota(&[3, 4]);
    let t = ops::transpose(&a, &[1, 0]).unwrap();
    let want = iota_nd(&[3, 4]).permute(&[1, 0]);
    let r = ops::reshape(&t, &[-1]).unwrap();
    check(&r, &want.reshape(&[12]), "reshape of a transpose");
    let r = ops::reshape(&t, &[2, 2, 3]).unwrap();
    check(&r, &want.reshape(&[2, 2, 3]), "reshape of a transpose to 3-D");
    // Reversed slice, then reshape.
    let f = ops::slice(&iota(&[12]), &[SliceArg::new(None, None, -1)]).unwrap();
    let r = ops::reshape(&f, &[3, 4]).unwrap();
    let want: Vec<f64> = (0..12).rev().map(|i| i as f64).collect();
    check(&r, &Nd { data: want, shape: vec![3, 4] }, "reshape of a reversed slice");
    // Splitting a transposed axis that stays contiguous can be a view; either way values match.
    let b = iota(&[2, 3, 4]);
    let t = ops::transpose(&b, &[1, 0, 2]).unwrap();
    let r = ops::reshape(&t, &[3, 2, 2, 2]).unwrap();
    check(&r, &iota_nd(&[2, 3, 4]).permute(&[1, 0, 2]).reshape(&[3, 2, 2, 2]), "split the last axis of a transpose");
    // A broadcast reshaped.
    let br = ops::broadcast_to(&iota(&[1, 3]), &[2, 3]).unwrap();
    let r = ops::reshape(&br, &[6]).unwrap();
    check(&r, &Nd { data: vec![0., 1., 2., 0., 1., 2.], shape: vec![6] }, "reshape of a broadcast");
}

#[test]
fn flatten_and_unflatten() {
    let a = iota(&[2, 3, 4]);
    let nd = iota_nd(&[2, 3, 4]);
    check(&ops::flatten(&a, 0, -1).unwrap(), &nd.reshape(&[24]), "flatten all");
    check(&ops::flatten(&a, 1, 2).unwrap(), &nd.reshape(&[2, 12]), "flatten 1..2");
    check(&ops::flatten(&a, 0, 1).unwrap(), &nd.reshape(&[6, 4]), "flatten 0..1");
    check(&ops::flatten(&a, -2, -1).unwrap(), &nd.reshape(&[2, 12]), "flatten -2..-1");
    check(&ops::flatten(&a, 1, 1).unwrap(), &nd, "flatten one axis");
    assert!(ops::flatten(&a, 2, 1).is_err());
    assert!(ops::flatten(&a, 0, 3).is_err());
    assert_eq!(ops::flatten(&Array::scalar(1i32).unwrap(), 0, -1).unwrap().shape(), &[1]);
    let t = ops::transpose(&a, &[2, 1, 0]).unwrap();
    check(&ops::flatten(&t, 0, -1).unwrap(), &nd.permute(&[2, 1, 0]).reshape(&[24]), "flatten a transpose");

    let b = iota(&[2, 6, 4]);
    let nd = iota_nd(&[2, 6, 4]);
    check(&ops::unflatten(&b, 1, &[2, 3]).unwrap(), &nd.reshape(&[2, 2, 3, 4]), "unflatten");
    check(&ops::unflatten(&b, 1, &[-1, 3]).unwrap(), &nd.reshape(&[2, 2, 3, 4]), "unflatten -1");
    check(&ops::unflatten(&b, -1, &[4, 1]).unwrap(), &nd.reshape(&[2, 6, 4, 1]), "unflatten last");
    assert!(ops::unflatten(&b, 1, &[4, -1]).is_err());
    assert!(ops::unflatten(&b, 1, &[4, 2]).is_err());
    assert!(ops::unflatten(&b, 1, &[]).is_err());
    assert!(ops::unflatten(&b, 3, &[1]).is_err());
}

#[test]
fn squeeze_and_expand_dims() {
    let a = iota(&[1, 3, 1, 2]);
    let nd = iota_nd(&[1, 3, 1, 2]);
    let s = ops::squeeze(&a, Axes::All).unwrap();
    check(&s, &nd.reshape(&[3, 2]), "squeeze all");
    assert_view(&s, &a, "squeeze all");
    let s = ops::squeeze(&a, 0).unwrap();
    check(&s, &nd.reshape(&[3, 1, 2]), "squeeze 0");
    assert_view(&s, &a, "squeeze 0");
    check(&ops::squeeze(&a, -2).unwrap(), &nd.reshape(&[1, 3, 2]), "squeeze -2");
    check(&ops::squeeze(&a, [0i64, 2]).unwrap(), &nd.reshape(&[3, 2]), "squeeze [0, 2]");
    assert!(ops::squeeze(&a, 1).is_err(), "axis of size 3");
    assert!(ops::squeeze(&a, 4).is_err());
    assert!(ops::squeeze(&a, [0i64, 0]).is_err());
    assert_eq!(ops::squeeze(&iota(&[3]), Axes::All).unwrap().shape(), &[3]);
    assert_eq!(ops::squeeze(&iota(&[1, 1]), Axes::All).unwrap().shape(), &[] as &[usize]);

    let b = iota(&[3, 2]);
    let nd = iota_nd(&[3, 2]);
    let e = ops::expand_dims(&b, 0).unwrap();
    check(&e, &nd.reshape(&[1, 3, 2]), "expand 0");
    assert_view(&e, &b, "expand 0");
    check(&ops::expand_dims(&b, 1).unwrap(), &nd.reshape(&[3, 1, 2]), "expand 1");
    check(&ops::expand_dims(&b, 2).unwrap(), &nd.reshape(&[3, 2, 1]), "expand 2");
    check(&ops::expand_dims(&b, -1).unwrap(), &nd.reshape(&[3, 2, 1]), "expand -1");
    check(&ops::expand_dims(&b, -3).unwrap(), &nd.reshape(&[1, 3, 2]), "expand -3");
    check(&ops::expand_dims(&b, [0i64, 2]).unwrap(), &nd.reshape(&[1, 3, 1, 2]), "expand [0, 2]");
    check(&ops::expand_dims(&b, [0i64, -1]).unwrap(), &nd.reshape(&[1, 3, 2, 1]), "expand [0, -1]");
    check(&ops::expand_dims(&b, [3i64, 0, 1]).unwrap(), &nd.reshape(&[1, 1, 3, 1, 2]), "expand [3, 0, 1]");
    assert!(ops::expand_dims(&b, 3).is_err());
    assert!(ops::expand_dims(&b, -4).is_err());
    assert!(ops::expand_dims(&b, [1i64, 1]).is_err());
    let s = Array::scalar(2i32).unwrap();
    assert_eq!(ops::expand_dims(&s, 0).unwrap().shape(), &[1]);
    // On a strided input: still a view.
    let t = ops::transpose(&b, &[1, 0]).unwrap();
    let e = ops::expand_dims(&t, 1).unwrap();
    check(&e, &nd.permute(&[1, 0]).reshape(&[2, 1, 3]), "expand a transpose");
    assert_view(&e, &b, "expand a transpose");
}

// ---------------------------------------------------------------- transpose family

#[test]
fn transpose_permute_swap_move() {
    let a = iota(&[2, 3, 4]);
    let nd = iota_nd(&[2, 3, 4]);
    for perm in [[0usize, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        let p: Vec<i64> = perm.iter().map(|&x| x as i64).collect();
        let t = ops::transpose(&a, &p).unwrap();
        check(&t, &nd.permute(&perm), &format!("transpose {perm:?}"));
        assert_view(&t, &a, &format!("transpose {perm:?}"));
        let q: Vec<i64> = perm.iter().map(|&x| x as i64 - 3).collect();
        check(&ops::permute_dims(&a, &q).unwrap(), &nd.permute(&perm), &format!("permute_dims {q:?}"));
    }
    check(&ops::transpose(&a, &[]).unwrap(), &nd.permute(&[2, 1, 0]), "transpose reverses by default");
    assert!(ops::transpose(&a, &[0, 1]).is_err());
    assert!(ops::transpose(&a, &[0, 1, 1]).is_err());
    assert!(ops::transpose(&a, &[0, 1, 3]).is_err());
    assert!(ops::transpose(&a, &[0, 1, 2, 3]).is_err());
    // Transpose of a transpose.
    let t = ops::transpose(&ops::transpose(&a, &[1, 2, 0]).unwrap(), &[1, 2, 0]).unwrap();
    check(&t, &nd.permute(&[1, 2, 0]).permute(&[1, 2, 0]), "transpose twice");

    check(&ops::swapaxes(&a, 0, 2).unwrap(), &nd.permute(&[2, 1, 0]), "swapaxes 0 2");
    check(&ops::swapaxes(&a, -1, 1).unwrap(), &nd.permute(&[0, 2, 1]), "swapaxes -1 1");
    check(&ops::swapaxes(&a, 1, 1).unwrap(), &nd, "swapaxes 1 1");
    assert!(ops::swapaxes(&a, 0, 3).is_err());

    check(&ops::moveaxis(&a, 0, 2).unwrap(), &nd.permute(&[1, 2, 0]), "moveaxis 0 2");
    check(&ops::moveaxis(&a, 2, 0).unwrap(), &nd.permute(&[2, 0, 1]), "moveaxis 2 0");
    check(&ops::moveaxis(&a, -1, 1).unwrap(), &nd.permute(&[0, 2, 1]), "moveaxis -1 1");
    check(&ops::moveaxis(&a, 1, -1).unwrap(), &nd.permute(&[0, 2, 1]), "moveaxis 1 -1");
    assert!(ops::moveaxis(&a, 3, 0).is_err());
    assert!(ops::moveaxis(&a, 0, -4).is_err());
}
