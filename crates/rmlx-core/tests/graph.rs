//! The lazy graph: nothing runs before eval, deep graphs evaluate and drop
//! without recursion, multi-output siblings, views, async_eval, streams.

use rmlx_core::{
    async_eval, default_device, eval, is_available, new_stream, ops, primitive::Primitive, set_default_device,
    with_stream, Array, Axes, Device, Dtype, Error,
};

fn arr(v: &[f32], shape: &[usize]) -> Array {
    Array::from_slice(v, shape).unwrap()
}

#[test]
fn building_computes_nothing() {
    let a = arr(&[1.0, 2.0, 3.0], &[3]);
    assert!(a.is_evaluated(), "arrays made from data are ready");
    let b = ops::exp(&a).unwrap();
    let c = ops::add(&b, &a).unwrap();
    assert!(!b.is_evaluated());
    assert!(!c.is_evaluated());
    assert!(matches!(c.primitive(), Some(Primitive::Binary(_))));
    assert_eq!(c.inputs().len(), 2);
    c.eval().unwrap();
    assert!(c.is_evaluated());
    // Only what `c` needed ran; `b` was an input and was computed too.
    assert!(b.is_evaluated());
    let v = c.to_vec::<f32>().unwrap();
    for (x, y) in v.iter().zip([1.0f32, 2.0, 3.0]) {
        assert!((x - (y.exp() + y)).abs() < 1e-5);
    }
}

#[test]
fn shape_errors_come_at_build_time() {
    let a = arr(&[1.0; 6], &[2, 3]);
    let b = arr(&[1.0; 4], &[4]);
    let e = ops::add(&a, &b).unwrap_err();
    assert!(matches!(e, Error::Shape(_)));
    assert!(e.to_string().contains("(2, 3)") && e.to_string().contains("(4,)"), "{e}");
}

#[test]
fn evaluated_nodes_drop_their_inputs() {
    let a = arr(&[1.0, 2.0], &[2]);
    let b = ops::exp(&a).unwrap();
    let c = ops::negative(&b).unwrap();
    assert_eq!(c.inputs().len(), 1);
    c.eval().unwrap();
    assert!(c.inputs().is_empty());
    assert!(c.primitive().is_none());
}

#[test]
fn a_million_op_chain_evaluates_without_overflow() {
    let mut x = arr(&[0.0], &[1]);
    for _ in 0..1_000_000 {
        x = ops::add(&x, 1.0).unwrap();
    }
    assert_eq!(x.item::<f32>().unwrap(), 1_000_000.0);
}

#[test]
fn a_million_op_chain_drops_unevaluated_without_overflow() {
    let mut x = arr(&[0.0], &[1]);
    for _ in 0..1_000_000 {
        x = ops::multiply(&x, 1.0).unwrap();
    }
    drop(x);
}

#[test]
fn a_wide_diamond_graph_runs_each_node_once() {
    let a = arr(&[1.0, 2.0], &[2]);
    let mut layer: Vec<Array> = (0..8).map(|i| ops::add(&a, i as f32).unwrap()).collect();
    for _ in 0..20 {
        layer = (0..8).map(|i| ops::add(&layer[i], &layer[(i + 1) % 8]).unwrap()).collect();
    }
    let total = ops::sum(&ops::stack(&layer, 0).unwrap(), Axes::All, false).unwrap();
    let v = total.item::<f64>().unwrap();
    // Each element doubles every layer in total: sum over the ring doubles per layer.
    let start: f64 = (0..8).map(|i| (1.0 + i as f64) + (2.0 + i as f64)).sum();
    assert_eq!(v, start * 2f64.powi(20));
}

#[test]
fn multi_output_primitives_keep_siblings() {
    let a = Array::from_slice(&[7i32, -7, 9], &[3]).unwrap();
    let (q, r) = ops::divmod(&a, 2).unwrap();
    assert!(matches!(q.primitive(), Some(Primitive::DivMod)));
    assert_eq!(q.siblings().len(), 1);
    assert_eq!(q.siblings()[0].id(), r.id());
    q.eval().unwrap();
    // Evaluating one output computed its sibling as well.
    assert!(r.is_evaluated());
    assert_eq!(q.to_vec::<i32>().unwrap(), vec![3, -4, 4]);
    assert_eq!(r.to_vec::<i32>().unwrap(), vec![1, 1, 1]);
    // A sibling that was dropped before eval is simply not kept.
    let (q2, r2) = ops::divmod(&a, 4).unwrap();
    drop(r2);
    assert_eq!(q2.to_vec::<i32>().unwrap(), vec![1, -2, 2]);
}

#[test]
fn views_share_the_buffer() {
    let base = Array::from_slice(&(0..24).map(|x| x as f32).collect::<Vec<_>>(), &[2, 3, 4]).unwrap();
    let views = [
        ops::reshape(&base, &[6, 4]).unwrap(),
        ops::transpose(&base, &[]).unwrap(),
        ops::broadcast_to(&base, &[5, 2, 3, 4]).unwrap(),
        ops::slice(&base, &[ops::SliceArg::full(), ops::SliceArg::new(None, None, -2)]).unwrap(),
        ops::expand_dims(&base, 1).unwrap(),
        ops::squeeze(&ops::expand_dims(&base, 0).unwrap(), 0).unwrap(),
        ops::reshape(&ops::transpose(&base, &[]).unwrap(), &[4, 3, 2, 1]).unwrap(),
    ];
    eval(&views).unwrap();
    for v in &views {
        assert!(v.shares_buffer_with(&base), "{:?} copied", v.shape());
    }
    // A reshape that cannot be a view copies, and is still right.
    let t = ops::transpose(&base, &[]).unwrap();
    let flat = ops::reshape(&t, &[24]).unwrap();
    let v = flat.to_vec::<f32>().unwrap();
    assert_eq!(&v[..4], &[0.0, 12.0, 4.0, 16.0]);
    assert!(!flat.shares_buffer_with(&base));
}

#[test]
fn async_eval_returns_and_results_are_readable() {
    let a = arr(&(0..4096).map(|x| x as f32).collect::<Vec<_>>(), &[64, 64]);
    let b = ops::sum(&ops::matmul(&a, &a).unwrap(), Axes::All, false).unwrap();
    async_eval(std::slice::from_ref(&b)).unwrap();
    let expected: f64 = {
        let col: Vec<f64> = (0..64).map(|k| (0..64).map(|j| (k * 64 + j) as f64).sum()).collect();
        let row: Vec<f64> = (0..64).map(|k| (0..64).map(|i| (i * 64 + k) as f64).sum()).collect();
        (0..64).map(|k| row[k] * col[k]).sum()
    };
    let got = b.item::<f64>().unwrap();
    assert!(((got - expected) / expected).abs() < 1e-5, "{got} vs {expected}");
}

#[test]
fn arrays_cross_threads() {
    let a = arr(&[1.0, 2.0, 3.0], &[3]);
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let a = a.clone();
            std::thread::spawn(move || {
                ops::sum(&ops::multiply(&a, i as f32).unwrap(), Axes::All, false).unwrap().item::<f32>().unwrap()
            })
        })
        .collect();
    let got: Vec<f32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, vec![0.0, 6.0, 12.0, 18.0]);
}

#[test]
fn devices_and_streams() {
    assert!(is_available(Device::Cpu));
    if !is_available(Device::Gpu(0)) {
        assert_eq!(default_device(), Device::Cpu);
        assert!(matches!(set_default_device(Device::Gpu(0)), Err(Error::Device(_))));
        assert!(matches!(with_stream(Device::Gpu(0), || ()), Err(Error::Device(_))));
    }
    let s = new_stream(Device::Cpu).unwrap();
    let x = with_stream(s, || ops::ones(&[2], Dtype::Float32)).unwrap().unwrap();
    assert_eq!(x.stream(), s);
    // Outside the scope, ops go back to the default stream.
    let y = ops::ones(&[2], Dtype::Float32).unwrap();
    assert_ne!(y.stream(), s);
    // Arrays from one stream feed ops on another with no copy written by the user.
    let z = with_stream(s, || ops::add(&x, &y)).unwrap().unwrap();
    assert_eq!(z.to_vec::<f32>().unwrap(), vec![2.0, 2.0]);
}

#[test]
fn item_and_to_vec_convert() {
    let a = Array::from_slice(&[1.5f32, -2.5], &[2]).unwrap();
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![1, -2]);
    assert_eq!(a.to_vec::<f64>().unwrap(), vec![1.5, -2.5]);
    assert!(matches!(a.item::<f32>(), Err(Error::Value(_))));
    let s = ops::sum(&a, Axes::All, false).unwrap();
    assert_eq!(s.item::<f32>().unwrap(), -1.0);
    assert_eq!(format!("{a}"), "array([1.5, -2.5], dtype=float32)");
}

#[test]
fn large_arrays_print_summarised() {
    let a = ops::reshape(&ops::arange(0.0, 2000.0, 1.0, Dtype::Int32).unwrap(), &[2, 1000]).unwrap();
    let s = format!("{a}");
    assert_eq!(
        s,
        "array([[0, 1, 2, ..., 997, 998, 999],\n       [1000, 1001, 1002, ..., 1997, 1998, 1999]], dtype=int32)"
    );
    // As MLX: any axis longer than 6 is summarised, whatever the size.
    let small = Array::from_slice(&[1i32, 2, 3, 4, 5, 6, 7, 8], &[8]).unwrap();
    assert_eq!(format!("{small}"), "array([1, 2, 3, ..., 6, 7, 8], dtype=int32)");
    let six = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[6]).unwrap();
    assert_eq!(format!("{six}"), "array([1, 2, 3, 4, 5, 6], dtype=int32)");
}

#[test]
fn printing_matches_mlx() {
    // Each string is what MLX 0.32 prints for the same array.
    let f = |v: &[f32]| format!("{}", Array::from_slice(v, &[v.len()]).unwrap());
    assert_eq!(f(&[0.1, 1e-8, 1e8]), "array([0.1, 1e-08, 1e+08], dtype=float32)");
    assert_eq!(f(&[-0.0, 1.0]), "array([-0, 1], dtype=float32)");
    assert_eq!(f(&[1e20, 1.0]), "array([1e+20, 1], dtype=float32)");
    assert_eq!(f(&[123456.7, 1.0]), "array([123457, 1], dtype=float32)");
    assert_eq!(f(&[1e-5, 1.0]), "array([1e-05, 1], dtype=float32)");
    assert_eq!(f(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY]), "array([nan, inf, -inf], dtype=float32)");
    let e = ops::exp(&Array::scalar(1.0f32).unwrap()).unwrap();
    assert_eq!(format!("{e}"), "array(2.71828, dtype=float32)");
    let b = Array::from_slice(&[true, false], &[2]).unwrap();
    assert_eq!(format!("{b}"), "array([True, False], dtype=bool)");
    let c = Array::from_slice(&[num_complex::Complex32::new(1.0, 2.0), num_complex::Complex32::new(-0.0, -3.0)], &[2])
        .unwrap();
    assert_eq!(format!("{c}"), "array([1+2j, -0-3j], dtype=complex64)");
    let t = ops::reshape(&ops::arange(0.0, 24.0, 1.0, Dtype::Int32).unwrap(), &[2, 3, 4]).unwrap();
    assert_eq!(
        format!("{t}"),
        "array([[[0, 1, 2, 3],\n        [4, 5, 6, 7],\n        [8, 9, 10, 11]],\n       [[12, 13, 14, 15],\n        [16, 17, 18, 19],\n        [20, 21, 22, 23]]], dtype=int32)"
    );
    assert_eq!(format!("{}", ops::zeros(&[0, 3], Dtype::Float32).unwrap()), "array([], dtype=float32)");
}
