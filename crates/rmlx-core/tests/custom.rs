//! Custom functions (user vjp/jvp/vmap rules, and the derived ones without
//! them), `checkpoint`, gradients of user structs (`Params`), evaluation
//! inside a traced function, and compositions of the transformations
//! (jvp of vjp, jvp of grad, grad of vmap), on the suite's device.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rmlx_core::ops::{self, Axes};
use rmlx_core::{
    checkpoint, grad, grad_params, jvp, value_and_grad_params, vjp, vmap, Array, CustomFunction, Error, Params, Result,
};

fn arr(v: &[f64], shape: &[usize]) -> Array {
    Array::from_slice(v, shape).unwrap()
}

fn close(got: &Array, want: &[f64]) {
    let g: Vec<f64> = got.to_vec().unwrap();
    assert_eq!(g.len(), want.len(), "{g:?} vs {want:?}");
    for (a, b) in g.iter().zip(want) {
        assert!((a - b).abs() <= 1e-10 * (1.0 + b.abs()), "{g:?} vs {want:?}");
    }
}

fn sin_times(xs: &[Array]) -> Result<Vec<Array>> {
    Ok(vec![ops::multiply(&ops::sin(&xs[0])?, &xs[1])?])
}

#[test]
fn the_given_rules_are_used() {
    let x = arr(&[0.5, 1.0, 2.0], &[3]);
    let y = arr(&[3.0, -1.0, 0.25], &[3]);
    let f = CustomFunction::new(sin_times)
        // Deliberately not the derivatives, so the tests see the rules used.
        .with_vjp(|_p, c, _o| Ok(vec![ops::multiply(&c[0], 2.0)?, ops::multiply(&c[0], 3.0)?]))
        .with_jvp(|_p, t| Ok(vec![ops::add(&ops::multiply(&t[0], 10.0)?, &t[1])?]))
        .with_vmap(|xs, axes| {
            assert_eq!(axes, &[Some(0), Some(0)]);
            Ok((vec![ops::add(&ops::multiply(&xs[0], &xs[1])?, 100.0)?], vec![Some(0)]))
        });
    let out = f.call(&[x.clone(), y.clone()]).unwrap();
    let xv = [0.5f64, 1.0, 2.0];
    let yv = [3.0f64, -1.0, 0.25];
    let want: Vec<f64> = xv.iter().zip(&yv).map(|(a, b)| a.sin() * b).collect();
    close(&out[0], &want);
    let g = grad(|a| ops::sum(&f.call(a)?[0], Axes::All, false), &[x.clone(), y.clone()], &[0, 1]).unwrap();
    close(&g[0], &[2.0; 3]);
    close(&g[1], &[3.0; 3]);
    let ones = arr(&[1.0; 3], &[3]);
    let (_, t) = jvp(|a| f.call(a), &[x.clone(), y.clone()], &[ones.clone(), ones.clone()]).unwrap();
    close(&t[0], &[11.0; 3]);
    let xb = arr(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let v = vmap(|a| f.call(a), &[xb.clone(), xb], &[Some(0), Some(0)], &[0]).unwrap();
    close(&v[0], &[101.0, 104.0, 109.0, 116.0]);
}

#[test]
fn without_rules_the_function_itself_is_transformed() {
    let f = CustomFunction::new(sin_times);
    let x = arr(&[0.5, -1.0], &[2]);
    let y = arr(&[2.0, 3.0], &[2]);
    let g = grad(|a| ops::sum(&f.call(a)?[0], Axes::All, false), &[x.clone(), y.clone()], &[0, 1]).unwrap();
    close(&g[0], &[0.5f64.cos() * 2.0, (-1.0f64).cos() * 3.0]);
    close(&g[1], &[0.5f64.sin(), (-1.0f64).sin()]);
    let (_, t) =
        jvp(|a| f.call(a), &[x.clone(), y.clone()], &[arr(&[1.0, 0.0], &[2]), arr(&[0.0, 1.0], &[2])]).unwrap();
    close(&t[0], &[0.5f64.cos() * 2.0, (-1.0f64).sin()]);
    // vmap of the custom function, and grad through that vmap.
    let xb = arr(&[0.1, 0.2, 0.3, 0.4], &[2, 2]);
    let v = vmap(|a| f.call(a), &[xb.clone(), y.clone()], &[Some(0), None], &[0]).unwrap();
    close(&v[0], &[0.1f64.sin() * 2.0, 0.2f64.sin() * 3.0, 0.3f64.sin() * 2.0, 0.4f64.sin() * 3.0]);
    let g = grad(
        |a| {
            let v = vmap(|b| f.call(b), &[a[0].clone(), a[1].clone()], &[Some(0), None], &[0])?;
            ops::sum(&v[0], Axes::All, false)
        },
        &[xb, y],
        &[1],
    )
    .unwrap();
    close(&g[0], &[0.1f64.sin() + 0.3f64.sin(), 0.2f64.sin() + 0.4f64.sin()]);
    // grad of grad through it.
    let g2 = grad(
        |a| {
            let g = grad(|b| ops::sum(&f.call(&[b[0].clone(), a[1].clone()])?[0], Axes::All, false), &a[..1], &[0])?;
            ops::sum(&g[0], Axes::All, false)
        },
        &[x, arr(&[2.0, 3.0], &[2])],
        &[0],
    )
    .unwrap();
    close(&g2[0], &[-(0.5f64.sin()) * 2.0, -((-1.0f64).sin()) * 3.0]);
}

#[test]
fn a_vjp_rule_is_mapped_by_vmap() {
    // No vmap rule: vmap maps the function and its vjp rule over the batch;
    // the cotangent of the unbatched argument sums over the batch.
    let f = CustomFunction::new(sin_times).with_vjp(|p, c, _o| {
        Ok(vec![ops::multiply(&c[0], &ops::multiply(&ops::cos(&p[0])?, &p[1])?)?, ops::multiply(&c[0], 3.0)?])
    });
    let xb = arr(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], &[3, 2]);
    let y = arr(&[2.0, -1.0], &[2]);
    let g = grad(
        |a| {
            let v = vmap(|b| f.call(b), a, &[Some(0), None], &[0])?;
            ops::sum(&v[0], Axes::All, false)
        },
        &[xb, y],
        &[0, 1],
    )
    .unwrap();
    let xv = [0.1f64, 0.2, 0.3, 0.4, 0.5, 0.6];
    let yv = [2.0f64, -1.0];
    let want: Vec<f64> = xv.iter().enumerate().map(|(i, x)| x.cos() * yv[i % 2]).collect();
    close(&g[0], &want);
    close(&g[1], &[9.0, 9.0]); // the rule's 3 per element, over a batch of 3
}

#[test]
fn rules_that_return_the_wrong_things_are_errors() {
    let x = arr(&[1.0, 2.0], &[2]);
    let two = CustomFunction::new(|a| Ok(vec![ops::multiply(&a[0], 2.0)?]))
        .with_vjp(|_p, c, _o| Ok(vec![c[0].clone(), c[0].clone()]));
    let e = grad(|a| ops::sum(&two.call(a)?[0], Axes::All, false), std::slice::from_ref(&x), &[0]).unwrap_err();
    assert!(matches!(e, Error::Value(_)) && e.to_string().contains("returned 2 arrays, expected 1"), "{e}");
    let shape = CustomFunction::new(|a| Ok(vec![ops::multiply(&a[0], 2.0)?]))
        .with_vjp(|_p, _c, _o| Ok(vec![ops::ones(&[5], rmlx_core::Dtype::Float64)?]));
    let e = grad(|a| ops::sum(&shape.call(a)?[0], Axes::All, false), std::slice::from_ref(&x), &[0]).unwrap_err();
    assert!(matches!(e, Error::Shape(_)) && e.to_string().contains("(5,)"), "{e}");
    let jv = CustomFunction::new(|a| Ok(vec![ops::multiply(&a[0], 2.0)?])).with_jvp(|_p, _t| Ok(vec![]));
    let e = jvp(|a| jv.call(a), std::slice::from_ref(&x), std::slice::from_ref(&x)).unwrap_err();
    assert!(e.to_string().contains("jvp returned 0 arrays"), "{e}");
    let vm = CustomFunction::new(|a| Ok(vec![ops::multiply(&a[0], 2.0)?]))
        .with_vmap(|xs, _| Ok((vec![xs[0].clone()], vec![Some(7)])));
    let e = vmap(|a| vm.call(a), &[arr(&[1.0, 2.0, 3.0, 4.0], &[2, 2])], &[Some(0)], &[0]).unwrap_err();
    assert!(e.to_string().contains("out axis 7"), "{e}");
    let none = CustomFunction::new(|_| Ok(vec![]));
    assert!(none.call(std::slice::from_ref(&x)).is_err());
}

#[test]
fn checkpoint_recomputes_and_gives_the_same_gradient() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let block = move |a: &[Array]| -> Result<Vec<Array>> {
        c2.fetch_add(1, Ordering::SeqCst);
        Ok(vec![ops::multiply(&ops::tanh(&ops::matmul(&a[1], &a[0])?)?, 2.0)?])
    };
    let w = arr(&[0.3, -0.2, 0.5, 0.1, 0.7, -0.4, 0.2, 0.9, -0.6], &[3, 3]);
    let x = arr(&[1.0, -1.0, 0.5, 0.25, 2.0, -0.5], &[2, 3]);
    let b = block.clone();
    let plain = grad(
        |p| {
            let h = b(&[p[0].clone(), x.clone()])?;
            ops::sum(&b(&[p[0].clone(), h[0].clone()])?[0], Axes::All, false)
        },
        std::slice::from_ref(&w),
        &[0],
    )
    .unwrap();
    calls.store(0, Ordering::SeqCst);
    let ck = checkpoint(block);
    let got = grad(
        |p| {
            let h = ck.call(&[p[0].clone(), x.clone()])?;
            ops::sum(&ck.call(&[p[0].clone(), h[0].clone()])?[0], Axes::All, false)
        },
        std::slice::from_ref(&w),
        &[0],
    )
    .unwrap();
    close(&got[0], &plain[0].to_vec::<f64>().unwrap());
    // Twice forward, then once more each in the backward pass.
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

struct Mlp {
    layers: Vec<(Array, Array)>,
}

impl Params for Mlp {
    fn arrays(&self) -> Vec<Array> {
        self.layers.iter().flat_map(|(w, b)| [w.clone(), b.clone()]).collect()
    }
    fn with_arrays(&self, a: &[Array]) -> Result<Self> {
        if a.len() != 2 * self.layers.len() {
            return Err(Error::Value(format!("expected {} arrays, got {}", 2 * self.layers.len(), a.len())));
        }
        Ok(Mlp { layers: a.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect() })
    }
}

#[test]
fn gradients_of_user_structs() {
    let m = Mlp {
        layers: vec![
            (arr(&[0.1, 0.2, -0.3, 0.4], &[2, 2]), arr(&[0.0, 0.1], &[2])),
            (arr(&[0.5, -0.5], &[2, 1]), arr(&[0.2], &[1])),
        ],
    };
    let x = arr(&[1.0, 2.0, -1.0, 0.5], &[2, 2]);
    let loss = |m: &Mlp| -> Result<Array> {
        let mut h = x.clone();
        for (i, (w, b)) in m.layers.iter().enumerate() {
            h = ops::add(&ops::matmul(&h, w)?, b)?;
            if i == 0 {
                h = ops::tanh(&h)?;
            }
        }
        ops::sum(&ops::square(&h)?, Axes::All, false)
    };
    let (v, g) = value_and_grad_params(loss, &m).unwrap();
    // The same gradient through the flat interface.
    let flat = grad(|a| loss(&m.with_arrays(a)?), &m.arrays(), &[0, 1, 2, 3]).unwrap();
    for (a, b) in g.arrays().iter().zip(&flat) {
        close(a, &b.to_vec::<f64>().unwrap());
    }
    assert_eq!(g.layers.len(), 2);
    assert_eq!(g.layers[0].0.shape(), &[2, 2]);
    assert!(v.item::<f64>().unwrap() > 0.0);
    let g2 = grad_params(loss, &m).unwrap();
    close(&g2.layers[1].1, &g.layers[1].1.to_vec::<f64>().unwrap());
    // A rebuild with the wrong number of arrays is an error, not a panic.
    assert!(m.with_arrays(&m.arrays()[..3]).is_err());
    assert!(Vec::<Array>::new().with_arrays(std::slice::from_ref(&x)).is_err());
}

#[test]
fn a_function_that_evaluates_inside_is_still_differentiated() {
    let x = arr(&[1.0, 2.0, 3.0], &[3]);
    let g = grad(
        |a| {
            let y = ops::multiply(&a[0], &a[0])?;
            y.eval()?; // e.g. printing a value while tracing
            let _ = y.to_vec::<f64>()?;
            ops::sum(&ops::multiply(&y, 3.0)?, Axes::All, false)
        },
        std::slice::from_ref(&x),
        &[0],
    )
    .unwrap();
    close(&g[0], &[6.0, 12.0, 18.0]);
}

#[test]
fn compositions_of_forward_and_reverse_mode() {
    let x = arr(&[0.3, -0.7, 1.1], &[3]);
    let xv = [0.3f64, -0.7, 1.1];
    let t = arr(&[1.0, 2.0, -1.0], &[3]);
    let tv = [1.0f64, 2.0, -1.0];
    // jvp of grad (forward over reverse): the Hessian-vector product of
    // sum(sin(x) * x): H = diag(2 cos x - x sin x).
    let hvp = |a: &[Array]| grad(|b| ops::sum(&ops::multiply(&ops::sin(&b[0])?, &b[0])?, Axes::All, false), a, &[0]);
    let (_, ht) = jvp(hvp, std::slice::from_ref(&x), std::slice::from_ref(&t)).unwrap();
    let want: Vec<f64> = xv.iter().zip(&tv).map(|(x, t)| (2.0 * x.cos() - x * x.sin()) * t).collect();
    close(&ht[0], &want);
    // jvp of vjp: the vjp is linear in its cotangent; along the primal it
    // gives the same Hessian-vector product for a cotangent of one.
    let f = |a: &[Array]| -> Result<Vec<Array>> { Ok(vec![ops::multiply(&ops::exp(&a[0])?, &a[0])?]) };
    let ones = arr(&[1.0; 3], &[3]);
    let vj = |a: &[Array]| -> Result<Vec<Array>> { Ok(vjp(f, a, std::slice::from_ref(&ones))?.1) };
    let (_, jt) = jvp(vj, std::slice::from_ref(&x), std::slice::from_ref(&t)).unwrap();
    let want: Vec<f64> = xv.iter().zip(&tv).map(|(x, t)| (x.exp() * (x + 2.0)) * t).collect();
    close(&jt[0], &want);
    // vmap of jvp over a batch of tangents: the Jacobian of exp(x) * x, row by row.
    let eye = arr(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0], &[3, 3]);
    let jac = vmap(|tt| Ok(jvp(f, std::slice::from_ref(&x), tt)?.1), &[eye], &[Some(0)], &[0]).unwrap();
    let d: Vec<f64> = xv.iter().map(|x| x.exp() * (x + 1.0)).collect();
    close(&jac[0], &[d[0], 0.0, 0.0, 0.0, d[1], 0.0, 0.0, 0.0, d[2]]);
    // jvp with the wrong tangents.
    let e = jvp(f, std::slice::from_ref(&x), &[arr(&[1.0], &[1])]).unwrap_err();
    assert!(matches!(e, Error::Shape(_)), "{e}");
    let e = jvp(f, std::slice::from_ref(&x), &[]).unwrap_err();
    assert!(e.to_string().contains("tangents"), "{e}");
}
