//! concatenate/stack/split, tile/repeat, pads (constant, edge, mirror), flip/roll/atleast.

use super::*;

// ---------------------------------------------------------------- joining and splitting

#[test]
fn concatenate_and_stack() {
    let a = iota(&[2, 3]);
    let b = ops::add(iota(&[2, 2]), 100.0f32).unwrap();
    let c = ops::concatenate(&[a.clone(), b.clone()], 1).unwrap();
    let mut want = Vec::new();
    for r in 0..2 {
        want.extend((0..3).map(|j| (r * 3 + j) as f64));
        want.extend((0..2).map(|j| (100 + r * 2 + j) as f64));
    }
    check(&c, &Nd { data: want.clone(), shape: vec![2, 5] }, "concatenate axis 1");
    check(&ops::concatenate(&[a.clone(), b.clone()], -1).unwrap(), &Nd { data: want, shape: vec![2, 5] }, "axis -1");
    let c = ops::concatenate(&[a.clone(), iota(&[1, 3]), a.clone()], 0).unwrap();
    let mut want: Vec<f64> = (0..6).map(|i| i as f64).collect();
    want.extend([0.0, 1.0, 2.0]);
    want.extend((0..6).map(|i| i as f64));
    check(&c, &Nd { data: want, shape: vec![5, 3] }, "concatenate axis 0");
    // Strided inputs.
    let t = ops::transpose(&iota(&[3, 2]), &[1, 0]).unwrap();
    let c = ops::concatenate(&[t, a.clone()], 0).unwrap();
    let mut want = vec![0., 2., 4., 1., 3., 5.];
    want.extend((0..6).map(|i| i as f64));
    check(&c, &Nd { data: want, shape: vec![4, 3] }, "concatenate a transpose");
    // Promotion.
    let i = Array::from_slice(&[1i32, 2], &[2]).unwrap();
    let f = Array::from_slice(&[0.5f32], &[1]).unwrap();
    let c = ops::concatenate(&[i.clone(), f], 0).unwrap();
    assert_eq!(c.dtype(), Dtype::Float32);
    assert_eq!(c.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 0.5]);
    let u = Array::from_slice(&[3u8], &[1]).unwrap();
    assert_eq!(ops::concatenate(&[i.clone(), u], 0).unwrap().dtype(), Dtype::Int32);
    // Empty pieces.
    let c = ops::concatenate(&[iota(&[0, 3]), a.clone(), iota(&[0, 3])], 0).unwrap();
    check(&c, &iota_nd(&[2, 3]), "concatenate with empty pieces");
    // Errors.
    assert!(ops::concatenate(&[], 0).is_err());
    assert!(ops::concatenate(&[a.clone(), b.clone()], 0).is_err());
    assert!(ops::concatenate(&[a.clone(), iota(&[6])], 0).is_err());
    assert!(ops::concatenate(&[a.clone(), a.clone()], 2).is_err());
    assert!(ops::concatenate(&[Array::scalar(1.0f32).unwrap(), Array::scalar(2.0f32).unwrap()], 0).is_err());
    check(&ops::concatenate(std::slice::from_ref(&a), 0).unwrap(), &iota_nd(&[2, 3]), "one array");

    // stack
    let x = iota(&[2, 3]);
    let y = ops::add(&x, 10.0f32).unwrap();
    let s = ops::stack(&[x.clone(), y.clone()], 0).unwrap();
    let mut want: Vec<f64> = (0..6).map(|i| i as f64).collect();
    want.extend((0..6).map(|i| i as f64 + 10.0));
    check(&s, &Nd { data: want.clone(), shape: vec![2, 2, 3] }, "stack 0");
    let s1 = ops::stack(&[x.clone(), y.clone()], 1).unwrap();
    let want1 = Nd { data: want.clone(), shape: vec![2, 2, 3] }.permute(&[1, 0, 2]);
    check(&s1, &want1, "stack 1");
    let s2 = ops::stack(&[x.clone(), y.clone()], -1).unwrap();
    let want2 = Nd { data: want, shape: vec![2, 2, 3] }.permute(&[1, 2, 0]);
    check(&s2, &want2, "stack -1");
    assert!(ops::stack(&[x.clone(), iota(&[3, 2])], 0).is_err());
    assert!(ops::stack(&[x.clone(), y.clone()], 3).is_err());
    assert!(ops::stack(&[], 0).is_err());
    let s = ops::stack(&[Array::scalar(1.0f32).unwrap(), Array::scalar(2.0f32).unwrap()], 0).unwrap();
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![1.0, 2.0]);

    // unstack
    let parts = ops::unstack(&iota(&[3, 2]), 0).unwrap();
    assert_eq!(parts.len(), 3);
    for (i, p) in parts.iter().enumerate() {
        check(p, &Nd { data: vec![2.0 * i as f64, 2.0 * i as f64 + 1.0], shape: vec![2] }, "unstack 0");
    }
    let parts = ops::unstack(&iota(&[3, 2]), -1).unwrap();
    assert_eq!(parts.len(), 2);
    check(&parts[1], &Nd { data: vec![1., 3., 5.], shape: vec![3] }, "unstack -1");
    assert!(ops::unstack(&iota(&[3, 2]), 2).is_err());
}

#[test]
fn split_sections_and_indices() {
    let a = iota(&[6, 2]);
    let nd = iota_nd(&[6, 2]);
    let parts = ops::split(&a, Split::Sections(3), 0).unwrap();
    assert_eq!(parts.len(), 3);
    for (i, p) in parts.iter().enumerate() {
        check(p, &nd.take(0, &[2 * i, 2 * i + 1]), &format!("section {i}"));
        assert_view(p, &a, "split part");
    }
    assert!(ops::split(&a, Split::Sections(4), 0).is_err(), "6 does not divide into 4");
    assert!(ops::split(&a, Split::Sections(0), 0).is_err());
    let parts = ops::split(&a, Split::Sections(2), -1).unwrap();
    check(&parts[1], &nd.take(1, &[1]), "split last axis");
    let parts = ops::split(&a, Split::Indices(vec![1, 4]), 0).unwrap();
    let sizes: Vec<usize> = parts.iter().map(|p| p.shape()[0]).collect();
    assert_eq!(sizes, vec![1, 3, 2]);
    check(&parts[1], &nd.take(0, &[1, 2, 3]), "split at [1, 4]");
    // NumPy semantics: negative indices count from the end, big ones clamp,
    // decreasing ones give empty parts.
    let parts = ops::split(&a, Split::Indices(vec![-2]), 0).unwrap();
    let sizes: Vec<usize> = parts.iter().map(|p| p.shape()[0]).collect();
    assert_eq!(sizes, vec![4, 2]);
    let parts = ops::split(&a, Split::Indices(vec![3, 10]), 0).unwrap();
    let sizes: Vec<usize> = parts.iter().map(|p| p.shape()[0]).collect();
    assert_eq!(sizes, vec![3, 3, 0]);
    let parts = ops::split(&a, Split::Indices(vec![4, 2]), 0).unwrap();
    let sizes: Vec<usize> = parts.iter().map(|p| p.shape()[0]).collect();
    assert_eq!(sizes, vec![4, 0, 4]);
    check(&parts[2], &nd.take(0, &[2, 3, 4, 5]), "NumPy: a[2:] after a decreasing index");
    let parts = ops::split(&a, Split::Indices(vec![]), 0).unwrap();
    assert_eq!(parts.len(), 1);
    check(&parts[0], &nd, "split at nothing");
    assert!(ops::split(&a, Split::Sections(2), 2).is_err());
}

// ---------------------------------------------------------------- tile / repeat / pad

#[test]
fn tile_and_repeat() {
    let a = iota(&[2, 3]);
    let nd = iota_nd(&[2, 3]);
    let t = ops::tile(&a, &[2]).unwrap();
    check(&t, &nd.gather(&[2, 6], |i| vec![i[0], i[1] % 3]), "tile [2]");
    let t = ops::tile(&a, &[2, 1]).unwrap();
    check(&t, &nd.gather(&[4, 3], |i| vec![i[0] % 2, i[1]]), "tile [2, 1]");
    let t = ops::tile(&a, &[2, 1, 2]).unwrap();
    check(&t, &nd.gather(&[2, 2, 6], |i| vec![i[1] % 2, i[2] % 3]), "tile [2, 1, 2]");
    let t = ops::tile(&a, &[0, 1]).unwrap();
    assert_eq!(t.shape(), &[0, 3]);
    let t = ops::tile(&Array::scalar(4.0f32).unwrap(), &[2, 3]).unwrap();
    check(&t, &Nd { data: vec![4.0; 6], shape: vec![2, 3] }, "tile a 0-d array");
    let r = ops::repeat(&Array::scalar(4.0f32).unwrap(), 3, None).unwrap();
    check(&r, &Nd { data: vec![4.0; 3], shape: vec![3] }, "repeat a 0-d array");
    let t = ops::tile(&iota(&[3]), &[]).unwrap();
    check(&t, &iota_nd(&[3]), "tile []");
    let tt = ops::transpose(&a, &[1, 0]).unwrap();
    let t = ops::tile(&tt, &[1, 2]).unwrap();
    check(&t, &nd.permute(&[1, 0]).gather(&[3, 4], |i| vec![i[0], i[1] % 2]), "tile a transpose");

    let r = ops::repeat(&a, 2, None).unwrap();
    check(&r, &nd.reshape(&[6]).gather(&[12], |i| vec![i[0] / 2]), "repeat flat");
    let r = ops::repeat(&a, 2, Some(1)).unwrap();
    check(&r, &nd.gather(&[2, 6], |i| vec![i[0], i[1] / 2]), "repeat axis 1");
    let r = ops::repeat(&a, 3, Some(0)).unwrap();
    check(&r, &nd.gather(&[6, 3], |i| vec![i[0] / 3, i[1]]), "repeat axis 0");
    let r = ops::repeat(&a, 2, Some(-1)).unwrap();
    check(&r, &nd.gather(&[2, 6], |i| vec![i[0], i[1] / 2]), "repeat axis -1");
    assert_eq!(ops::repeat(&a, 0, Some(1)).unwrap().shape(), &[2, 0]);
    assert!(ops::repeat(&a, 2, Some(2)).is_err());
    let r = ops::repeat(&tt, 2, Some(0)).unwrap();
    check(&r, &nd.permute(&[1, 0]).gather(&[6, 2], |i| vec![i[0] / 2, i[1]]), "repeat a transpose");
}

#[test]
fn pad_constant_and_edge() {
    let a = iota(&[2, 3]);
    let nd = iota_nd(&[2, 3]);
    let p = ops::pad(&a, &[(1, 2), (0, 1)], PadMode::Constant, 9.0f32).unwrap();
    let want = Nd {
        data: (0..5 * 4)
            .map(|i| {
                let (r, c) = (i / 4, i % 4);
                if (1..3).contains(&r) && c < 3 {
                    nd.at(&[r - 1, c])
                } else {
                    9.0
                }
            })
            .collect(),
        shape: vec![5, 4],
    };
    check(&p, &want, "pad constant 9");
    let p = ops::pad(&a, &[(1, 1)], PadMode::Constant, 0).unwrap();
    check(
        &p,
        &Nd {
            data: (0..20)
                .map(|i| {
                    let (r, c) = (i / 5, i % 5);
                    if (1..3).contains(&r) && (1..4).contains(&c) {
                        nd.at(&[r - 1, c - 1])
                    } else {
                        0.0
                    }
                })
                .collect(),
            shape: vec![4, 5],
        },
        "pad one pair for every axis",
    );
    let p = ops::pad(&a, &[(2, 1), (1, 2)], PadMode::Edge, 0).unwrap();
    let want =
        nd.gather(&[5, 6], |i| vec![(i[0] as i64 - 2).clamp(0, 1) as usize, (i[1] as i64 - 1).clamp(0, 2) as usize]);
    check(&p, &want, "pad edge");
    // Edge padding of a strided input.
    let t = ops::transpose(&a, &[1, 0]).unwrap();
    let p = ops::pad(&t, &[(1, 0), (0, 2)], PadMode::Edge, 0).unwrap();
    let ntd = nd.permute(&[1, 0]);
    check(
        &p,
        &ntd.gather(&[4, 4], |i| vec![(i[0] as i64 - 1).clamp(0, 2) as usize, i[1].min(1)]),
        "pad edge of a transpose",
    );
    // Constant padding of a reversed input, int dtype.
    let ai = Array::from_slice(&[1i32, 2, 3], &[3]).unwrap();
    let r = ops::slice(&ai, &[SliceArg::new(None, None, -1)]).unwrap();
    let p = ops::pad(&r, &[(2, 1)], PadMode::Constant, -1).unwrap();
    assert_eq!(p.dtype(), Dtype::Int32);
    assert_eq!(p.to_vec::<i32>().unwrap(), vec![-1, -1, 3, 2, 1, -1]);
    // Zero widths, and errors.
    check(&ops::pad(&a, &[(0, 0), (0, 0)], PadMode::Constant, 0).unwrap(), &nd, "pad nothing");
    assert!(ops::pad(&a, &[(1, 1), (1, 1), (1, 1)], PadMode::Constant, 0).is_err());
    assert!(ops::pad(&iota(&[0, 2]), &[(1, 1)], PadMode::Edge, 0).is_err());
    let p = ops::pad(&iota(&[0, 2]), &[(1, 1)], PadMode::Constant, 5.0f32).unwrap();
    check(&p, &Nd { data: vec![5.0; 8], shape: vec![2, 4] }, "pad an empty array");
}

#[test]
fn pad_mirror_modes_match_numpy() {
    let a = Array::from_slice(&[1i32, 2, 3], &[3]).unwrap();
    let r = ops::pad_mirror(&a, &[(2, 2)], false).unwrap();
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![3, 2, 1, 2, 3, 2, 1]);
    let s = ops::pad_mirror(&a, &[(2, 3)], true).unwrap();
    assert_eq!(s.to_vec::<i32>().unwrap(), vec![2, 1, 1, 2, 3, 3, 2, 1]);
    // 2-D, one axis only: np.pad(x, ((0, 0), (1, 1)), 'reflect').
    let m = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    let r = ops::pad_mirror(&m, &[(0, 0), (1, 1)], false).unwrap();
    assert_eq!(r.shape(), &[2, 5]);
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![2, 1, 2, 3, 2, 5, 4, 5, 6, 5]);
    assert!(ops::pad_mirror(&a, &[(3, 0)], false).is_err(), "reflect needs width < size");
    assert!(ops::pad_mirror(&a, &[(3, 0)], true).is_ok());
    assert!(ops::pad_mirror(&a, &[(4, 0)], true).is_err());
}

// ---------------------------------------------------------------- flip / roll / atleast

#[test]
fn flip_and_roll() {
    let a = iota(&[2, 3, 4]);
    let nd = iota_nd(&[2, 3, 4]);
    let f = ops::flip(&a, 1).unwrap();
    check(&f, &nd.take(1, &[2, 1, 0]), "flip 1");
    assert_view(&f, &a, "flip");
    check(&ops::flip(&a, [0i64, -1]).unwrap(), &nd.take(0, &[1, 0]).take(2, &[3, 2, 1, 0]), "flip [0, -1]");
    check(
        &ops::flip(&a, Axes::All).unwrap(),
        &nd.take(0, &[1, 0]).take(1, &[2, 1, 0]).take(2, &[3, 2, 1, 0]),
        "flip all",
    );
    assert!(ops::flip(&a, 3).is_err());

    let v = iota(&[5]);
    let vnd = iota_nd(&[5]);
    for shift in [-7i64, -5, -1, 0, 1, 2, 5, 12] {
        let r = ops::roll(&v, shift, 0).unwrap();
        let want = vnd.gather(&[5], |i| vec![(i[0] as i64 - shift).rem_euclid(5) as usize]);
        check(&r, &want, &format!("roll {shift}"));
    }
    let r = ops::roll(&a, 1, Axes::All).unwrap();
    let want = nd.reshape(&[24]).gather(&[24], |i| vec![(i[0] + 23) % 24]).reshape(&[2, 3, 4]);
    check(&r, &want, "roll flattened");
    let r = ops::roll(&a, -1, [1i64, 2]).unwrap();
    let want = nd.gather(&[2, 3, 4], |i| vec![i[0], (i[1] + 1) % 3, (i[2] + 1) % 4]);
    check(&r, &want, "roll [1, 2] by -1");
    let r = ops::roll(&a, 2, -1).unwrap();
    check(&r, &nd.gather(&[2, 3, 4], |i| vec![i[0], i[1], (i[2] + 2) % 4]), "roll -1 by 2");
    assert!(ops::roll(&a, 1, 3).is_err());
    assert_eq!(ops::roll(&iota(&[0]), 3, 0).unwrap().shape(), &[0]);
}

#[test]
fn atleast_nd() {
    let s = Array::scalar(1.0f32).unwrap();
    let v = iota(&[3]);
    let m = iota(&[2, 3]);
    let t = iota(&[2, 3, 4]);
    assert_eq!(ops::atleast_1d(&s).unwrap().shape(), &[1]);
    assert_eq!(ops::atleast_1d(&v).unwrap().shape(), &[3]);
    assert_eq!(ops::atleast_1d(&m).unwrap().shape(), &[2, 3]);
    assert_eq!(ops::atleast_2d(&s).unwrap().shape(), &[1, 1]);
    assert_eq!(ops::atleast_2d(&v).unwrap().shape(), &[1, 3]);
    assert_eq!(ops::atleast_2d(&m).unwrap().shape(), &[2, 3]);
    assert_eq!(ops::atleast_2d(&t).unwrap().shape(), &[2, 3, 4]);
    assert_eq!(ops::atleast_3d(&s).unwrap().shape(), &[1, 1, 1]);
    assert_eq!(ops::atleast_3d(&v).unwrap().shape(), &[1, 3, 1]);
    assert_eq!(ops::atleast_3d(&m).unwrap().shape(), &[2, 3, 1]);
    assert_eq!(ops::atleast_3d(&t).unwrap().shape(), &[2, 3, 4]);
    assert_eq!(ops::atleast_3d(&iota(&[1, 2, 3, 4])).unwrap().shape(), &[1, 2, 3, 4]);
    check(&ops::atleast_3d(&m).unwrap(), &iota_nd(&[2, 3]).reshape(&[2, 3, 1]), "atleast_3d values");
}
