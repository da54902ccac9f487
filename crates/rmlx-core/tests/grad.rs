//! Gradients (`vjp`, `grad`, `value_and_grad`) and forward mode (`jvp`):
//! every rule is checked against central finite differences in float64 on
//! pseudo-random inputs, through a random weighting of the outputs (so
//! cotangents are not all ones) and random tangents, on the device the
//! suite runs on.

use rmlx_core::ops::{self, Axes, SliceArg};
use rmlx_core::primitive::{PadMode, ScatterMode};
use rmlx_core::{grad, jvp, value_and_grad, vjp, Array, Dtype, Error, Result};

/// Deterministic values in [lo, hi).
fn values(n: usize, seed: u64, lo: f64, hi: f64) -> Vec<f64> {
    crate::common::uniform(n, seed, lo, hi)
}

fn arr(v: &[f64], shape: &[usize]) -> Array {
    Array::from_slice(v, shape).unwrap()
}

/// Checks d/dx of `sum(f(x) * w)` against central differences, for every input.
fn check(name: &str, f: &dyn Fn(&[Array]) -> Result<Array>, inputs: &[(Vec<usize>, f64, f64)]) {
    let xs: Vec<Vec<f64>> = inputs
        .iter()
        .enumerate()
        .map(|(i, (s, lo, hi))| values(s.iter().product(), 17 + i as u64 * 31, *lo, *hi))
        .collect();
    let build = |vals: &[Vec<f64>]| -> Vec<Array> { vals.iter().zip(inputs).map(|(v, (s, _, _))| arr(v, s)).collect() };
    let out_shape = f(&build(&xs)).unwrap().shape().to_vec();
    let w = arr(&values(out_shape.iter().product(), 99, -1.0, 1.0), &out_shape);
    let scalar = |a: &[Array]| -> Result<Array> { ops::sum(&ops::multiply(&f(a)?, &w)?, Axes::All, false) };
    let argnums: Vec<usize> = (0..inputs.len()).collect();
    let gs = grad(scalar, &build(&xs), &argnums).unwrap_or_else(|e| panic!("{name}: {e}"));
    let h = 1e-6;
    for (i, g) in gs.iter().enumerate() {
        assert_eq!(g.shape(), &inputs[i].0[..], "{name}: gradient {i} shape");
        let got: Vec<f64> = g.to_vec().unwrap();
        for j in 0..xs[i].len() {
            let mut up = xs.clone();
            up[i][j] += h;
            let mut dn = xs.clone();
            dn[i][j] -= h;
            let fu: f64 = scalar(&build(&up)).unwrap().item().unwrap();
            let fd: f64 = scalar(&build(&dn)).unwrap().item().unwrap();
            let want = (fu - fd) / (2.0 * h);
            let tol = 1e-5 * (1.0 + want.abs());
            assert!(
                (got[j] - want).abs() <= tol,
                "{name}: d/dx{i}[{j}] = {} but finite differences give {want}",
                got[j]
            );
        }
    }
    // Forward mode: the directional derivative along random tangents.
    let ts: Vec<Vec<f64>> = xs.iter().enumerate().map(|(i, x)| values(x.len(), 500 + i as u64, -1.0, 1.0)).collect();
    let (outs, touts) =
        jvp(|a| Ok(vec![f(a)?]), &build(&xs), &build(&ts)).unwrap_or_else(|e| panic!("{name}: jvp: {e}"));
    assert_eq!(outs[0].shape(), &out_shape[..], "{name}: jvp output shape");
    assert_eq!(touts[0].shape(), &out_shape[..], "{name}: jvp tangent shape");
    let got: f64 = ops::sum(&ops::multiply(&touts[0], &w).unwrap(), Axes::All, false).unwrap().item().unwrap();
    let step = |sign: f64| -> Vec<Vec<f64>> {
        xs.iter().zip(&ts).map(|(x, t)| x.iter().zip(t).map(|(a, b)| a + sign * h * b).collect()).collect()
    };
    let fu: f64 = scalar(&build(&step(1.0))).unwrap().item().unwrap();
    let fd: f64 = scalar(&build(&step(-1.0))).unwrap().item().unwrap();
    let want = (fu - fd) / (2.0 * h);
    assert!((got - want).abs() <= 1e-5 * (1.0 + want.abs()), "{name}: jvp gives {got}, finite differences {want}");
    // and agrees with the gradient: <J t, w> = <t, J^T w>.
    let dot: f64 = gs
        .iter()
        .zip(&ts)
        .map(|(g, t)| g.to_vec::<f64>().unwrap().iter().zip(t).map(|(a, b)| a * b).sum::<f64>())
        .sum();
    assert!((got - dot).abs() <= 1e-9 * (1.0 + dot.abs()), "{name}: jvp gives {got}, the gradient {dot}");
}

type F = fn(&[Array]) -> Result<Array>;
/// (shape, low, high) of each input's values.
type Inputs = Vec<(Vec<usize>, f64, f64)>;

#[test]
fn unary_rules_match_finite_differences() {
    let cases: Vec<(&str, F, f64, f64)> = vec![
        ("exp", |a| ops::exp(&a[0]), -2.0, 2.0),
        ("expm1", |a| ops::expm1(&a[0]), -2.0, 2.0),
        ("log", |a| ops::log(&a[0]), 0.2, 3.0),
        ("log2", |a| ops::log2(&a[0]), 0.2, 3.0),
        ("log10", |a| ops::log10(&a[0]), 0.2, 3.0),
        ("log1p", |a| ops::log1p(&a[0]), -0.5, 3.0),
        ("sqrt", |a| ops::sqrt(&a[0]), 0.2, 3.0),
        ("rsqrt", |a| ops::rsqrt(&a[0]), 0.2, 3.0),
        ("square", |a| ops::square(&a[0]), -2.0, 2.0),
        ("reciprocal", |a| ops::reciprocal(&a[0]), 0.5, 3.0),
        ("sin", |a| ops::sin(&a[0]), -3.0, 3.0),
        ("cos", |a| ops::cos(&a[0]), -3.0, 3.0),
        ("tan", |a| ops::tan(&a[0]), -1.2, 1.2),
        ("arcsin", |a| ops::arcsin(&a[0]), -0.9, 0.9),
        ("arccos", |a| ops::arccos(&a[0]), -0.9, 0.9),
        ("arctan", |a| ops::arctan(&a[0]), -3.0, 3.0),
        ("sinh", |a| ops::sinh(&a[0]), -2.0, 2.0),
        ("cosh", |a| ops::cosh(&a[0]), -2.0, 2.0),
        ("tanh", |a| ops::tanh(&a[0]), -2.0, 2.0),
        ("arcsinh", |a| ops::arcsinh(&a[0]), -3.0, 3.0),
        ("arccosh", |a| ops::arccosh(&a[0]), 1.2, 3.0),
        ("arctanh", |a| ops::arctanh(&a[0]), -0.9, 0.9),
        ("erf", |a| ops::erf(&a[0]), -2.0, 2.0),
        ("erfinv", |a| ops::erfinv(&a[0]), -0.8, 0.8),
        ("sigmoid", |a| ops::sigmoid(&a[0]), -4.0, 4.0),
        ("abs", |a| ops::abs(&a[0]), 0.1, 2.0),
        ("negative", |a| ops::negative(&a[0]), -2.0, 2.0),
    ];
    for (name, f, lo, hi) in cases {
        check(name, &f, &[(vec![2, 3], lo, hi)]);
    }
}

#[test]
fn binary_rules_with_broadcasting() {
    let cases: Vec<(&str, F)> = vec![
        ("add", |a| ops::add(&a[0], &a[1])),
        ("subtract", |a| ops::subtract(&a[0], &a[1])),
        ("multiply", |a| ops::multiply(&a[0], &a[1])),
        ("divide", |a| ops::divide(&a[0], &a[1])),
        ("power", |a| ops::power(&a[0], &a[1])),
        ("maximum", |a| ops::maximum(&a[0], &a[1])),
        ("minimum", |a| ops::minimum(&a[0], &a[1])),
        ("logaddexp", |a| ops::logaddexp(&a[0], &a[1])),
        ("arctan2", |a| ops::arctan2(&a[0], &a[1])),
        ("remainder", |a| ops::remainder(&a[0], &a[1])),
    ];
    for (name, f) in cases {
        // (2, 3) with (3,), and (2, 1) with (1, 3): both inputs are broadcast somewhere.
        check(name, &f, &[(vec![2, 3], 0.5, 2.0), (vec![3], 0.6, 1.9)]);
        check(name, &f, &[(vec![2, 1], 0.5, 2.0), (vec![1, 3], 0.6, 1.9)]);
    }
    // A Python-style scalar operand is a constant.
    check("scale", &|a| ops::multiply(&a[0], 3.0), &[(vec![4], -1.0, 1.0)]);
    check(
        "where",
        &|a| ops::where_(ops::greater(&a[0], 0.0)?, &a[0], &a[1]),
        &[(vec![2, 3], -1.0, 1.0), (vec![3], -1.0, 1.0)],
    );
    check("divmod", &|a| Ok(ops::divmod(&a[0], &a[1])?.1), &[(vec![5], 0.5, 3.0), (vec![5], 0.7, 1.3)]);
}

#[test]
fn reductions_and_normalizations() {
    let cases: Vec<(&str, F)> = vec![
        ("sum", |a| ops::sum(&a[0], Axes::Some(vec![1]), false)),
        ("sum_all", |a| ops::sum(&a[0], Axes::All, true)),
        ("prod", |a| ops::prod(&a[0], Axes::Some(vec![0]), false)),
        ("max", |a| ops::max(&a[0], Axes::Some(vec![1]), false)),
        ("min", |a| ops::min(&a[0], Axes::All, false)),
        ("mean", |a| ops::mean(&a[0], Axes::Some(vec![0, 2]), false)),
        ("var", |a| ops::var(&a[0], Axes::Some(vec![2]), false, 1)),
        ("std", |a| ops::std(&a[0], Axes::All, false, 0)),
        ("logsumexp", |a| ops::logsumexp(&a[0], Axes::Some(vec![1]), false)),
        ("softmax", |a| ops::softmax(&a[0], Axes::Some(vec![-1]), false)),
        ("softmax_axis0", |a| ops::softmax(&a[0], Axes::Some(vec![0]), false)),
        ("log_softmax", |a| ops::log_softmax(&a[0], Axes::Some(vec![-1]), false)),
        ("median_even", |a| ops::median(&a[0], Axes::Some(vec![2]), false)),
        ("median_odd", |a| ops::median(&a[0], Axes::Some(vec![1]), false)),
    ];
    for (name, f) in cases {
        check(name, &f, &[(vec![2, 3, 4], 0.5, 2.0)]);
    }
    // prod with a zero: the product of the others.
    let x = arr(&[2.0, 0.0, 3.0], &[3]);
    let g = grad(|a| ops::prod(&a[0], Axes::All, false), &[x], &[0]).unwrap();
    assert_eq!(g[0].to_vec::<f64>().unwrap(), vec![0.0, 6.0, 0.0]);
}

#[test]
fn matmul_and_shapes() {
    let cases: Vec<(&str, F, Inputs)> = vec![
        ("matmul", |a| ops::matmul(&a[0], &a[1]), vec![(vec![3, 4], -1.0, 1.0), (vec![4, 2], -1.0, 1.0)]),
        ("matmul_batched", |a| ops::matmul(&a[0], &a[1]), vec![(vec![2, 3, 4], -1.0, 1.0), (vec![4, 5], -1.0, 1.0)]),
        ("matvec", |a| ops::matmul(&a[0], &a[1]), vec![(vec![3, 4], -1.0, 1.0), (vec![4], -1.0, 1.0)]),
        ("reshape", |a| ops::reshape(&ops::exp(&a[0])?, &[4, -1]), vec![(vec![2, 3, 2], -1.0, 1.0)]),
        ("transpose", |a| ops::transpose(&ops::sin(&a[0])?, &[2, 0, 1]), vec![(vec![2, 3, 4], -1.0, 1.0)]),
        ("broadcast", |a| ops::broadcast_to(&a[0], &[4, 2, 3]), vec![(vec![2, 1], -1.0, 1.0)]),
        (
            "slice",
            |a| ops::slice(&a[0], &[SliceArg::new(Some(1), None, 2), SliceArg::new(None, None, -1)]),
            vec![(vec![5, 3], -1.0, 1.0)],
        ),
        ("as_strided", |a| ops::as_strided(&a[0], &[3, 3], &[1, 1], 0), vec![(vec![6], -1.0, 1.0)]),
        (
            "concatenate",
            |a| ops::concatenate(&[ops::exp(&a[0])?, a[1].clone(), a[0].clone()], 1),
            vec![(vec![2, 2], -1.0, 1.0), (vec![2, 3], -1.0, 1.0)],
        ),
        ("pad_constant", |a| ops::pad(&a[0], &[(1, 2), (0, 1)], PadMode::Constant, 0.5), vec![(vec![2, 3], -1.0, 1.0)]),
        ("pad_edge", |a| ops::pad(&a[0], &[(2, 1), (1, 1)], PadMode::Edge, 0), vec![(vec![2, 3], -1.0, 1.0)]),
        ("flip", |a| ops::flip(&a[0], Axes::Some(vec![0])), vec![(vec![3, 2], -1.0, 1.0)]),
        ("tile", |a| ops::tile(&a[0], &[2, 2]), vec![(vec![2, 3], -1.0, 1.0)]),
        ("repeat", |a| ops::repeat(&a[0], 3, Some(1)), vec![(vec![2, 2], -1.0, 1.0)]),
        (
            "take",
            |a| ops::take(&a[0], &Array::from_slice(&[2i64, 0, 2, -1], &[2, 2]).unwrap(), Some(1)),
            vec![(vec![2, 3], -1.0, 1.0)],
        ),
        (
            "scatter_add",
            |a| ops::scatter(&a[0], &Array::from_slice(&[1i64, 3, 1], &[3]).unwrap(), &a[1], ScatterMode::Add),
            vec![(vec![4], -1.0, 1.0), (vec![3], -1.0, 1.0)],
        ),
        (
            "scatter_set",
            |a| ops::scatter(&a[0], &Array::from_slice(&[1i64, 3], &[2]).unwrap(), &a[1], ScatterMode::Set),
            vec![(vec![4], -1.0, 1.0), (vec![2], -1.0, 1.0)],
        ),
        (
            "scatter_max",
            |a| ops::scatter(&a[0], &Array::from_slice(&[1i64, 3, 1, 0], &[4]).unwrap(), &a[1], ScatterMode::Max),
            vec![(vec![4], -1.0, 1.0), (vec![4], -1.0, 1.0)],
        ),
        (
            "scatter_min",
            |a| ops::scatter(&a[0], &Array::from_slice(&[2i64, 2, 1], &[3]).unwrap(), &a[1], ScatterMode::Min),
            vec![(vec![2, 2], -1.0, 1.0), (vec![3], -1.0, 1.0)],
        ),
        (
            "scatter_prod",
            |a| ops::scatter(&a[0], &Array::from_slice(&[1i64, 3, 1], &[3]).unwrap(), &a[1], ScatterMode::Prod),
            vec![(vec![4], 0.5, 2.0), (vec![3], -2.0, -0.5)],
        ),
        (
            "clip",
            |a| ops::clip(&a[0], Some(ops::Operand::from(-0.5)), Some(ops::Operand::from(0.5))),
            vec![(vec![6], -1.0, 1.0)],
        ),
    ];
    for (name, f, inputs) in cases {
        check(name, &f, &inputs);
    }
}

#[test]
fn second_derivatives() {
    // d²/dx² sum(sin x) = -sin x, through grad of grad.
    let x = arr(&values(5, 3, -2.0, 2.0), &[5]);
    let g2 = grad(
        |a| {
            let g = grad(|b| ops::sum(&ops::sin(&b[0])?, Axes::All, false), a, &[0])?;
            ops::sum(&g[0], Axes::All, false)
        },
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap();
    let want: Vec<f64> = x.to_vec::<f64>().unwrap().iter().map(|v| -v.sin()).collect();
    for (g, w) in g2[0].to_vec::<f64>().unwrap().iter().zip(want) {
        assert!((g - w).abs() < 1e-12);
    }
}

#[test]
fn value_and_grad_vjp_and_captured_constants() {
    let x = arr(&[1.0, 2.0, 3.0], &[3]);
    let c = arr(&[10.0, 20.0, 30.0], &[3]); // captured, a constant
    let (v, g) = value_and_grad(
        |a| ops::sum(&ops::multiply(&ops::square(&a[0])?, &c)?, Axes::All, false),
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap();
    assert_eq!(v.item::<f64>().unwrap(), 10.0 + 80.0 + 270.0);
    assert_eq!(g[0].to_vec::<f64>().unwrap(), vec![20.0, 80.0, 180.0]);
    // Several outputs, an unused input (zero cotangent), an output that is an input.
    let y = arr(&[5.0], &[1]);
    let (outs, cts) = vjp(
        |a| Ok(vec![ops::multiply(&a[0], 2.0)?, a[0].clone()]),
        &[x.clone(), y],
        &[arr(&[1.0, 1.0, 1.0], &[3]), arr(&[0.5, 0.5, 0.5], &[3])],
    )
    .unwrap();
    assert_eq!(outs[0].to_vec::<f64>().unwrap(), vec![2.0, 4.0, 6.0]);
    assert_eq!(cts[0].to_vec::<f64>().unwrap(), vec![2.5, 2.5, 2.5]);
    assert_eq!(cts[1].to_vec::<f64>().unwrap(), vec![0.0]);
    // An evaluated array inside the function is a constant too (no crash).
    let g = grad(
        |a| {
            let k = ops::exp(&c)?;
            k.eval()?;
            ops::sum(&ops::multiply(&a[0], &ops::divide(&k, &k)?)?, Axes::All, false)
        },
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap();
    assert_eq!(g[0].to_vec::<f64>().unwrap(), vec![1.0, 1.0, 1.0]);
    // Non-differentiable paths give zeros.
    let g = grad(
        |a| ops::sum(&ops::astype(&ops::argmax(&a[0], None, false)?, Dtype::Float64)?, Axes::All, false),
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap();
    assert_eq!(g[0].to_vec::<f64>().unwrap(), vec![0.0, 0.0, 0.0]);
}

// Issue 24: `stop_gradient` was a copy the transforms saw through, so
// `grad(sum(2x + stop_gradient(3x)))` gave 5; it is a primitive of its own now.
#[test]
fn stop_gradient_blocks_gradients_and_tangents() {
    let x = arr(&[1.0, 2.0, 3.0], &[3]);
    let g = grad(
        |a| {
            let two = ops::multiply(&a[0], 2.0)?;
            let three = ops::stop_gradient(&ops::multiply(&a[0], 3.0)?)?;
            ops::sum(&ops::add(&two, &three)?, Axes::All, false)
        },
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap();
    assert_eq!(g[0].to_vec::<f64>().unwrap(), vec![2.0, 2.0, 2.0]);
    // d/dx (sg(x) * x) = sg(x): the stopped factor is a constant.
    let x3 = arr(&[3.0], &[1]);
    let (outs, cts) = vjp(
        |a| Ok(vec![ops::multiply(&ops::stop_gradient(&a[0])?, &a[0])?]),
        std::slice::from_ref(&x3),
        &[arr(&[1.0], &[1])],
    )
    .unwrap();
    assert_eq!(outs[0].to_vec::<f64>().unwrap(), vec![9.0]);
    assert_eq!(cts[0].to_vec::<f64>().unwrap(), vec![3.0]);
    let (outs, tans) = jvp(
        |a| Ok(vec![ops::add(&ops::stop_gradient(&ops::square(&a[0])?)?, &a[0])?]),
        std::slice::from_ref(&x3),
        &[arr(&[1.0], &[1])],
    )
    .unwrap();
    assert_eq!(outs[0].to_vec::<f64>().unwrap(), vec![12.0]);
    assert_eq!(tans[0].to_vec::<f64>().unwrap(), vec![1.0]);
    // Second order: grad of grad through a stopped branch.
    let gg = grad(
        |a| {
            let inner = grad(
                |b| {
                    let s = ops::stop_gradient(&ops::square(&b[0])?)?;
                    ops::sum(&ops::multiply(&s, &ops::square(&b[0])?)?, Axes::All, false)
                },
                std::slice::from_ref(&a[0]),
                &[0],
            )?;
            ops::sum(&inner[0], Axes::All, false)
        },
        std::slice::from_ref(&x3),
        &[0],
    )
    .unwrap();
    // inner = 2 * sg(x^2) * x, whose derivative (sg constant) is 2 * x^2 = 18.
    assert_eq!(gg[0].to_vec::<f64>().unwrap(), vec![18.0]);
}

#[test]
fn bad_uses_are_errors() {
    let x = arr(&[1.0, 2.0], &[2]);
    let e = grad(|a| ops::exp(&a[0]), std::slice::from_ref(&x), &[0]).unwrap_err();
    assert!(matches!(e, Error::Value(_)) && e.to_string().contains("scalar"), "{e}");
    let e = grad(|a| ops::sum(&a[0], Axes::All, false), std::slice::from_ref(&x), &[1]).unwrap_err();
    assert!(e.to_string().contains("argnums"), "{e}");
    let i = Array::from_slice(&[1i32, 2], &[2]).unwrap();
    let e = grad(|a| ops::sum(&a[0], Axes::All, false), &[i], &[0]).unwrap_err();
    assert!(matches!(e, Error::Dtype(_)), "{e}");
    let e = vjp(|a| Ok(vec![ops::exp(&a[0])?]), std::slice::from_ref(&x), &[arr(&[1.0], &[1])]).unwrap_err();
    assert!(matches!(e, Error::Shape(_)), "{e}");
    let e = vjp(|a| Ok(vec![ops::exp(&a[0])?]), std::slice::from_ref(&x), &[]).unwrap_err();
    assert!(e.to_string().contains("cotangents"), "{e}");
    let e = grad(
        |a| {
            ops::sum(&ops::view(&a[0], Dtype::Float32)?, Axes::All, false).and_then(|s| ops::astype(&s, Dtype::Float64))
        },
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap_err();
    assert!(e.to_string().contains("view"), "{e}");
}

mod random_shapes {
    //! The same checks (vjp and jvp against finite differences) over random
    //! shapes, broadcast partners and axes.
    use super::*;
    use proptest::prelude::*;

    fn shape() -> impl Strategy<Value = Vec<usize>> {
        prop::collection::vec(1usize..4, 1..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn rules_over_random_shapes(
            s in shape(),
            keep in prop::collection::vec(any::<bool>(), 3),
            axis in 0usize..3,
            which in 0usize..6,
        ) {
            // A broadcast partner: a suffix of the shape with some dims set to 1.
            let start = s.len() - 1 - axis.min(s.len() - 1);
            let partner: Vec<usize> = s[start..].iter().zip(&keep).map(|(&d, &k)| if k { d } else { 1 }).collect();
            let ax = (axis % s.len()) as i64;
            let f = move |a: &[Array]| -> Result<Array> {
                let (x, y) = (&a[0], &a[1]);
                match which {
                    0 => ops::sum(&ops::multiply(&ops::sin(x)?, y)?, Axes::Some(vec![ax]), false),
                    1 => ops::divide(&ops::exp(x)?, &ops::add(&ops::square(y)?, 1.0)?),
                    2 => ops::softmax(&ops::add(x, y)?, ax, false),
                    3 => ops::subtract(&ops::logsumexp(&ops::multiply(x, y)?, Axes::Some(vec![ax]), true)?, x),
                    4 => ops::max(&ops::maximum(&ops::tanh(x)?, &ops::multiply(y, 0.5)?)?, Axes::Some(vec![ax]), true),
                    _ => ops::mean(&ops::power(&ops::add(&ops::abs(x)?, 0.5)?, y)?, Axes::Some(vec![ax]), false),
                }
            };
            check(
                &format!("case {which} on {s:?} with {partner:?}, axis {ax}"),
                &f,
                &[(s.clone(), -1.0, 1.0), (partner.clone(), -1.0, 1.0)],
            );
        }
    }
}
