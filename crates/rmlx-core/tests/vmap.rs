//! `vmap`: every primitive's batching rule checked against a loop over the
//! batch (the function applied to each element, the results stacked), with
//! the batch on different axes, unmapped inputs, and vmap composed with grad.

use rmlx_core::ops::{self, Axes, SliceArg};
use rmlx_core::primitive::{PadMode, ScatterMode};
use rmlx_core::{grad, vmap, Array, Dtype, Result};

fn values(n: usize, seed: u64) -> Vec<f64> {
    crate::common::uniform(n, seed, -1.0, 1.0)
}

fn arr(shape: &[usize], seed: u64) -> Array {
    Array::from_slice(&values(shape.iter().product(), seed), shape).unwrap()
}

/// vmap(f) against stacking f over the batch, for the given in_axes (None: unmapped).
fn check(name: &str, f: &dyn Fn(&[Array]) -> Result<Array>, inputs: &[Array], in_axes: &[Option<usize>]) {
    let b = inputs.iter().zip(in_axes).find_map(|(x, a)| a.map(|a| x.shape()[a])).unwrap();
    let got = vmap(|xs| Ok(vec![f(xs)?]), inputs, in_axes, &[0]).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut rows = Vec::new();
    for i in 0..b {
        let xs: Vec<Array> = inputs
            .iter()
            .zip(in_axes)
            .map(|(x, a)| match a {
                Some(a) => ops::squeeze(
                    &ops::slice_axis(x, *a as i64, SliceArg::range(i as i64, i as i64 + 1)).unwrap(),
                    Axes::Some(vec![*a as i64]),
                )
                .unwrap(),
                None => x.clone(),
            })
            .collect();
        rows.push(f(&xs).unwrap());
    }
    let want = ops::stack(&rows, 0).unwrap();
    assert_eq!(got[0].shape(), want.shape(), "{name}: shape");
    assert_eq!(got[0].dtype(), want.dtype(), "{name}: dtype");
    let (g, w): (Vec<f64>, Vec<f64>) = (got[0].to_vec().unwrap(), want.to_vec().unwrap());
    for (k, (x, y)) in g.iter().zip(&w).enumerate() {
        assert!(
            (x - y).abs() <= 1e-12 * (1.0 + y.abs()) || (x.is_nan() && y.is_nan()),
            "{name}: element {k}: {x} vs {y}"
        );
    }
}

type F = fn(&[Array]) -> Result<Array>;

#[test]
fn elementwise_reductions_and_matmul() {
    let cases: Vec<(&str, F)> = vec![
        ("exp", |a| ops::exp(&a[0])),
        ("add_scalar", |a| ops::add(&a[0], 1.5)),
        ("add", |a| ops::add(&a[0], &a[1])),
        ("where", |a| ops::where_(ops::greater(&a[0], 0.0)?, &a[0], &a[1])),
        ("astype", |a| ops::astype(&ops::astype(&ops::multiply(&a[0], 10.0)?, Dtype::Int32)?, Dtype::Float64)),
        ("sum1", |a| ops::sum(&a[0], Axes::Some(vec![1]), false)),
        ("max_all", |a| ops::max(&a[0], Axes::All, true)),
        ("argmax", |a| ops::astype(&ops::argmax(&a[0], Some(0), false)?, Dtype::Float64)),
        ("softmax0", |a| ops::softmax(&a[0], Axes::Some(vec![0]), false)),
        ("logsumexp", |a| ops::logsumexp(&a[0], Axes::Some(vec![-1]), true)),
        ("median", |a| ops::median(&a[0], Axes::Some(vec![1]), false)),
        ("matmul", |a| ops::matmul(&a[0], &ops::transpose(&a[1], &[1, 0])?)),
        ("divmod", |a| Ok(ops::divmod(&a[0], 0.3)?.1)),
    ];
    let (x, y) = (arr(&[4, 3, 5], 1), arr(&[4, 3, 5], 2));
    for (name, f) in &cases {
        check(name, f, &[x.clone(), y.clone()], &[Some(0), Some(0)]);
        check(&format!("{name}/axis2"), f, &[ops::moveaxis(&x, 0, 2).unwrap(), y.clone()], &[Some(2), Some(0)]);
    }
    // One input unmapped (the same for every element), broadcasting ranks.
    check("add_unmapped", &|a| ops::add(&a[0], &a[1]), &[x.clone(), arr(&[5], 3)], &[Some(0), None]);
    check("matmul_unmapped", &|a| ops::matmul(&a[0], &a[1]), &[x.clone(), arr(&[5, 2], 4)], &[Some(0), None]);
    check(
        "matmul_left_unmapped",
        &|a| ops::matmul(&a[1], &a[0]),
        &[arr(&[4, 5, 2], 5), arr(&[3, 5], 6)],
        &[Some(0), None],
    );
}

#[test]
fn shapes_and_indexing() {
    let x = arr(&[3, 4, 6], 7);
    let cases: Vec<(&str, F)> = vec![
        ("reshape", |a| ops::reshape(&a[0], &[2, -1])),
        ("transpose", |a| ops::transpose(&a[0], &[1, 0])),
        ("broadcast", |a| ops::broadcast_to(&ops::reshape(&a[0], &[4, 1, 6])?, &[4, 2, 6])),
        ("slice", |a| ops::slice(&a[0], &[SliceArg::new(Some(1), None, 2), SliceArg::new(None, None, -2)])),
        ("as_strided", |a| ops::as_strided(&a[0], &[3, 2], &[2, 1], 1)),
        ("concat", |a| ops::concatenate(&[a[0].clone(), ops::exp(&a[0])?], 1)),
        ("pad", |a| ops::pad(&a[0], &[(1, 0), (2, 1)], PadMode::Constant, 0.5)),
        ("pad_edge", |a| ops::pad(&a[0], &[(1, 1), (0, 2)], PadMode::Edge, 0)),
        ("take", |a| ops::take(&a[0], &Array::from_slice(&[3i64, -1, 0], &[3]).unwrap(), Some(1))),
        ("scatter", |a| {
            ops::scatter(
                &ops::reshape(&a[0], &[-1])?,
                &Array::from_slice(&[0i64, 5, 5], &[3]).unwrap(),
                2.0,
                ScatterMode::Add,
            )
        }),
        ("flip", |a| ops::flip(&a[0], Axes::Some(vec![0]))),
        ("tile", |a| ops::tile(&a[0], &[1, 2])),
    ];
    for (name, f) in &cases {
        check(name, f, std::slice::from_ref(&x), &[Some(0)]);
        check(&format!("{name}/axis1"), f, &[ops::moveaxis(&x, 0, 1).unwrap()], &[Some(1)]);
    }
    // Batched indices: into an unmapped table, and into a mapped one.
    let idx = Array::from_slice(&[0i64, 3, 1, 2, 2, -1, 0, 0, 1], &[3, 3]).unwrap();
    let table = arr(&[4, 6], 8);
    check("take_batched_idx", &|a| ops::take(&a[1], &a[0], Some(0)), &[idx.clone(), table.clone()], &[Some(0), None]);
    check("take_both", &|a| ops::take(&a[1], &a[0], Some(1)), &[idx.clone(), x.clone()], &[Some(0), Some(0)]);
    let upd = arr(&[3, 3], 9);
    check(
        "scatter_both",
        &|a| ops::scatter(&a[1], &a[0], &a[2], ScatterMode::Add),
        &[idx, arr(&[3, 5], 10), upd],
        &[Some(0), Some(0), Some(0)],
    );
}

#[test]
fn per_example_gradients_and_errors() {
    // vmap of grad: per-example gradients of a linear model's squared error.
    let w = arr(&[3], 11);
    let xs = arr(&[5, 3], 12);
    let per = vmap(
        |a| {
            grad(
                |p| {
                    ops::sum(
                        &ops::square(&ops::sum(&ops::multiply(&p[0], &p[1])?, Axes::All, false)?)?,
                        Axes::All,
                        false,
                    )
                },
                &[a[0].clone(), a[1].clone()],
                &[0],
            )
        },
        &[w.clone(), xs.clone()],
        &[None, Some(0)],
        &[0],
    )
    .unwrap();
    assert_eq!(per[0].shape(), &[5, 3]);
    let wv: Vec<f64> = w.to_vec().unwrap();
    let xv: Vec<f64> = xs.to_vec().unwrap();
    let got: Vec<f64> = per[0].to_vec().unwrap();
    for i in 0..5 {
        let dot: f64 = (0..3).map(|j| wv[j] * xv[i * 3 + j]).sum();
        for j in 0..3 {
            assert!((got[i * 3 + j] - 2.0 * dot * xv[i * 3 + j]).abs() < 1e-12);
        }
    }
    // out_axes moves the batch; an output that does not depend on the batch is broadcast.
    let r = vmap(
        |a| Ok(vec![ops::exp(&a[0])?, ops::ones(&[2], Dtype::Float64)?]),
        std::slice::from_ref(&xs),
        &[Some(0)],
        &[1],
    )
    .unwrap();
    assert_eq!(r[0].shape(), &[3, 5]);
    assert_eq!(r[1].shape(), &[2, 5]);
    // Bad uses.
    let e = vmap(|a| Ok(vec![a[0].clone()]), std::slice::from_ref(&xs), &[Some(2)], &[0]).unwrap_err();
    assert!(e.to_string().contains("in_axes"), "{e}");
    let e = vmap(|a| Ok(vec![ops::add(&a[0], &a[1])?]), &[xs.clone(), arr(&[4, 3], 1)], &[Some(0), Some(0)], &[0])
        .unwrap_err();
    assert!(e.to_string().contains("different sizes"), "{e}");
    let e = vmap(|a| Ok(vec![a[0].clone()]), std::slice::from_ref(&xs), &[None], &[0]).unwrap_err();
    assert!(e.to_string().contains("at least one"), "{e}");
    let e = vmap(|a| Ok(vec![a[0].clone()]), std::slice::from_ref(&xs), &[Some(0), None], &[0]).unwrap_err();
    assert!(e.to_string().contains("in_axes"), "{e}");
    let e = vmap(|a| Ok(vec![ops::sum(&a[0], Axes::All, false)?]), &[xs], &[Some(0)], &[3]).unwrap_err();
    assert!(e.to_string().contains("out_axes"), "{e}");
}

/// An output that another output is computed from: the transform must batch
/// it before its user (it was taken as unbatched, giving every row row 0's
/// indices: vmap of `(argsort(x), take(x, argsort(x)))`).
#[test]
fn outputs_that_feed_other_outputs() {
    let x = Array::from_slice(&[2i32, 2, 1, 5, 4, 4], &[2, 3]).unwrap();
    let outs = vmap(
        |xs| {
            let p = ops::argsort(&xs[0], Some(-1))?;
            let s = ops::take(&xs[0], &p, Some(0))?;
            let tail = ops::slice_axis(&s, 0, SliceArg::range(1, 3))?;
            Ok(vec![p, s, tail])
        },
        std::slice::from_ref(&x),
        &[Some(0)],
        &[0],
    )
    .unwrap();
    assert_eq!(outs[0].to_vec::<i32>().unwrap(), vec![2, 0, 1, 1, 2, 0]);
    assert_eq!(outs[1].to_vec::<i32>().unwrap(), vec![1, 2, 2, 4, 4, 5]);
    assert_eq!(outs[2].to_vec::<i32>().unwrap(), vec![2, 2, 4, 5]);
    // The same under grad: an output used by another output.
    let y = Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
    let g = grad(
        |xs| {
            let a = ops::multiply(&xs[0], &xs[0])?;
            let b = ops::sum(&ops::multiply(&a, &xs[0])?, Axes::All, false)?;
            Ok(b)
        },
        std::slice::from_ref(&y),
        &[0],
    )
    .unwrap();
    assert_eq!(g[0].to_vec::<f32>().unwrap(), vec![3.0, 12.0]);
}
