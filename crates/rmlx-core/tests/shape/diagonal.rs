//! Diagonals and triangles.

use super::*;

// ---------------------------------------------------------------- diagonals and triangles

#[test]
fn diagonal_offsets_and_axes() {
    let a = iota(&[3, 4]);
    let nd = iota_nd(&[3, 4]);
    let diag_ref = |nd: &Nd, offset: i64| -> Vec<f64> {
        let (r, c) = (nd.shape[0] as i64, nd.shape[1] as i64);
        (0..r)
            .filter_map(|i| {
                let j = i + offset;
                (j >= 0 && j < c).then(|| nd.at(&[i as usize, j as usize]))
            })
            .collect()
    };
    for offset in -4i64..=5 {
        let d = ops::diagonal(&a, offset, 0, 1).unwrap();
        let want = diag_ref(&nd, offset);
        check(&d, &Nd { shape: vec![want.len()], data: want }, &format!("diagonal {offset}"));
        // axes swapped: the diagonal of the transpose.
        let d = ops::diagonal(&a, offset, 1, 0).unwrap();
        let want = diag_ref(&nd.permute(&[1, 0]), offset);
        check(&d, &Nd { shape: vec![want.len()], data: want }, &format!("diagonal {offset} axes (1, 0)"));
    }
    // 3-D, planes over axes 0 and 2; the other axis comes first.
    let b = iota(&[3, 2, 4]);
    let bnd = iota_nd(&[3, 2, 4]);
    for offset in [-1i64, 0, 2] {
        let d = ops::diagonal(&b, offset, 0, 2).unwrap();
        let len = if offset >= 0 { (4 - offset).min(3) } else { (3 + offset).min(4) } as usize;
        let want = bnd.gather(&[2, len], |i| {
            let k = i[1] as i64;
            let (r, c) = if offset >= 0 { (k, k + offset) } else { (k - offset, k) };
            vec![r as usize, i[0], c as usize]
        });
        check(&d, &want, &format!("3-D diagonal {offset} axes (0, 2)"));
        let d = ops::diagonal(&b, offset, -1, 0).unwrap();
        let want = bnd.permute(&[2, 1, 0]).gather(
            &[2, if offset >= 0 { (3 - offset).min(4) } else { (4 + offset).min(3) } as usize],
            |i| {
                let k = i[1] as i64;
                let (r, c) = if offset >= 0 { (k, k + offset) } else { (k - offset, k) };
                vec![r as usize, i[0], c as usize]
            },
        );
        check(&d, &want, &format!("3-D diagonal {offset} axes (-1, 0)"));
    }
    // Strided input.
    let t = ops::transpose(&a, &[1, 0]).unwrap();
    let d = ops::diagonal(&t, 1, 0, 1).unwrap();
    let want = diag_ref(&nd.permute(&[1, 0]), 1);
    check(&d, &Nd { shape: vec![want.len()], data: want }, "diagonal of a transpose");
    let r = ops::slice(&a, &[SliceArg::new(None, None, -1), SliceArg::new(None, None, 2)]).unwrap();
    let d = ops::diagonal(&r, 0, 0, 1).unwrap();
    let want = diag_ref(&nd.take(0, &[2, 1, 0]).take(1, &[0, 2]), 0);
    check(&d, &Nd { shape: vec![want.len()], data: want }, "diagonal of a reversed slice");
    assert!(ops::diagonal(&iota(&[3]), 0, 0, 1).is_err());
    assert!(ops::diagonal(&a, 0, 1, 1).is_err());
    assert!(ops::diagonal(&a, 0, 0, 2).is_err());
}

#[test]
fn diag_builds_and_extracts() {
    let v = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3]).unwrap();
    for k in [-2i64, -1, 0, 1, 3] {
        let d = ops::diag(&v, k).unwrap();
        let n = 3 + k.unsigned_abs() as usize;
        let want = Nd {
            data: (0..n * n)
                .map(|i| {
                    let (r, c) = ((i / n) as i64, (i % n) as i64);
                    if c - r == k {
                        (r.min(c) + 1) as f64
                    } else {
                        0.0
                    }
                })
                .collect(),
            shape: vec![n, n],
        };
        check(&d, &want, &format!("diag of a vector, k={k}"));
        assert_eq!(d.dtype(), Dtype::Float32);
    }
    let vi = Array::from_slice(&[5i64, 6], &[2]).unwrap();
    let d = ops::diag(&vi, 0).unwrap();
    assert_eq!(d.dtype(), Dtype::Int64);
    assert_eq!(d.to_vec::<i64>().unwrap(), vec![5, 0, 0, 6]);
    let m = iota(&[3, 4]);
    check(&ops::diag(&m, 0).unwrap(), &Nd { data: vec![0., 5., 10.], shape: vec![3] }, "diag of a matrix");
    check(&ops::diag(&m, 1).unwrap(), &Nd { data: vec![1., 6., 11.], shape: vec![3] }, "diag k=1");
    check(&ops::diag(&m, -1).unwrap(), &Nd { data: vec![4., 9.], shape: vec![2] }, "diag k=-1");
    assert_eq!(ops::diag(&m, 7).unwrap().shape(), &[0]);
    assert!(ops::diag(&iota(&[2, 2, 2]), 0).is_err());
    assert!(ops::diag(&Array::scalar(1.0f32).unwrap(), 0).is_err());
}

#[test]
fn tril_and_triu() {
    for shape in [[3usize, 3], [3, 5], [4, 2]] {
        let a = iota(&shape);
        let nd = iota_nd(&shape);
        for k in [-2i64, -1, 0, 1, 3] {
            let lower = Nd {
                data: (0..nd.size())
                    .map(|i| {
                        let (r, c) = ((i / shape[1]) as i64, (i % shape[1]) as i64);
                        if c - r <= k {
                            nd.data[i]
                        } else {
                            0.0
                        }
                    })
                    .collect(),
                shape: shape.to_vec(),
            };
            let upper = Nd {
                data: (0..nd.size())
                    .map(|i| {
                        let (r, c) = ((i / shape[1]) as i64, (i % shape[1]) as i64);
                        if c - r >= k {
                            nd.data[i]
                        } else {
                            0.0
                        }
                    })
                    .collect(),
                shape: shape.to_vec(),
            };
            check(&ops::tril(&a, k).unwrap(), &lower, &format!("tril {shape:?} k={k}"));
            check(&ops::triu(&a, k).unwrap(), &upper, &format!("triu {shape:?} k={k}"));
        }
    }
    // Batched, int dtype kept.
    let b = Array::from_slice(&(1..=8).collect::<Vec<i32>>(), &[2, 2, 2]).unwrap();
    let l = ops::tril(&b, 0).unwrap();
    assert_eq!(l.dtype(), Dtype::Int32);
    assert_eq!(l.to_vec::<i32>().unwrap(), vec![1, 0, 3, 4, 5, 0, 7, 8]);
    let u = ops::triu(&b, 0).unwrap();
    assert_eq!(u.to_vec::<i32>().unwrap(), vec![1, 2, 0, 4, 5, 6, 0, 8]);
    // Extreme diagonals keep everything or nothing, without overflow.
    let m = iota(&[2, 3]);
    check(&ops::tril(&m, i64::MAX).unwrap(), &iota_nd(&[2, 3]), "tril k=MAX");
    check(&ops::triu(&m, i64::MIN).unwrap(), &iota_nd(&[2, 3]), "triu k=MIN");
    check(&ops::tril(&m, i64::MIN).unwrap(), &Nd { data: vec![0.0; 6], shape: vec![2, 3] }, "tril k=MIN");
    check(&ops::triu(&m, i64::MAX).unwrap(), &Nd { data: vec![0.0; 6], shape: vec![2, 3] }, "triu k=MAX");
    assert!(ops::tril(&iota(&[3]), 0).is_err());
    assert!(ops::triu(&Array::scalar(1.0f32).unwrap(), 0).is_err());
}

#[test]
fn triangles_keep_bool() {
    let b = ops::full(&[3, 3], true, None).unwrap();
    let l = ops::tril(&b, 0).unwrap();
    assert_eq!(l.dtype(), Dtype::Bool);
    assert_eq!(l.to_vec::<bool>().unwrap(), vec![true, false, false, true, true, false, true, true, true]);
}
