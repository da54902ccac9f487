//! Empty reductions and large (threaded) inputs.

use super::*;

// ---------------------------------------------------------------- empty reductions

#[test]
fn empty_reductions() {
    for dt in [Dtype::Float32, Dtype::Int32, Dtype::Uint8, Dtype::Float16, Dtype::Bool, Dtype::Int64] {
        let a = arr(&[], &[2, 0, 3], dt);
        let s = ops::sum(&a, 1, false).unwrap();
        assert_eq!(s.shape(), &[2, 3]);
        assert_eq!(s.dtype(), sum_dtype(dt));
        assert_eq!(s.to_vec::<f64>().unwrap(), vec![0.0; 6], "sum {dt}");
        let s = ops::sum(&a, 1, true).unwrap();
        assert_eq!(s.shape(), &[2, 1, 3]);
        let p = ops::prod(&a, 1, false).unwrap();
        assert_eq!(p.to_vec::<f64>().unwrap(), vec![1.0; 6], "prod {dt}");
        assert_eq!(ops::sum(&a, Axes::All, false).unwrap().item::<f64>().unwrap(), 0.0);
        assert_eq!(ops::prod(&a, Axes::All, false).unwrap().item::<f64>().unwrap(), 1.0);
        // Reducing a non-empty axis of an empty array gives an empty result.
        let s = ops::sum(&a, 2, false).unwrap();
        assert_eq!(s.shape(), &[2, 0]);
        assert!(s.to_vec::<f64>().unwrap().is_empty());
        let m = ops::max(&a, 0, false).unwrap();
        assert_eq!(m.shape(), &[0, 3]);
        assert!(m.to_vec::<f64>().unwrap().is_empty());
        // No identity: errors.
        assert!(ops::min(&a, 1, false).is_err(), "min {dt}");
        assert!(ops::max(&a, 1, false).is_err(), "max {dt}");
        assert!(ops::max(&a, Axes::All, false).is_err(), "max all {dt}");
        assert!(ops::argmax(&a, Some(1), false).is_err(), "argmax {dt}");
        assert!(ops::argmin(&a, Some(1), false).is_err(), "argmin {dt}");
        assert!(ops::argmax(&a, None, false).is_err(), "argmax flat {dt}");
        // all of nothing is true, any of nothing is false.
        assert_eq!(ops::all(&a, 1, false).unwrap().to_vec::<bool>().unwrap(), vec![true; 6]);
        assert_eq!(ops::any(&a, 1, false).unwrap().to_vec::<bool>().unwrap(), vec![false; 6]);
        assert_eq!(ops::count_nonzero(&a, 1, false).unwrap().to_vec::<i32>().unwrap(), vec![0; 6]);
    }
    // Mean of nothing is NaN.
    let a = arr(&[], &[0], Dtype::Float32);
    assert!(ops::mean(&a, 0, false).unwrap().item::<f32>().unwrap().is_nan());
    // logsumexp of nothing is -inf.
    assert_eq!(ops::logsumexp(&a, 0, false).unwrap().item::<f32>().unwrap(), f32::NEG_INFINITY);
    // Softmax of an empty array is empty.
    let s = ops::softmax(&arr(&[], &[2, 0], Dtype::Float32), 1, false).unwrap();
    assert_eq!(s.shape(), &[2, 0]);
    assert!(s.to_vec::<f32>().unwrap().is_empty());
}

// ---------------------------------------------------------------- large inputs (threaded paths)

#[test]
fn large_reductions_match_the_reference() {
    // Big enough for the threaded row, column and arg-reduce paths.
    let shapes: [&[usize]; 3] = [&[3, 40_000], &[40_000, 3], &[20, 300, 12]];
    for shape in shapes {
        let n: usize = shape.iter().product();
        let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 - 6.0).collect();
        let nd = Nd::new(v.clone(), shape);
        for dt in [Dtype::Float32, Dtype::Int32, Dtype::Float16] {
            let a = arr(&v, shape, dt);
            for axis in 0..shape.len() {
                let ctx = format!("{dt} {shape:?} axis {axis}");
                let got = ops::sum(&a, axis as i64, false).unwrap();
                check(&got, &nd.reduce(&[axis], false, ref_sum), dt, tol(dt), &format!("sum {ctx}"));
                let got = ops::min(&a, axis as i64, true).unwrap();
                check(&got, &nd.reduce(&[axis], true, ref_min), dt, 0.0, &format!("min {ctx}"));
                let got = ops::argmax(&a, Some(axis as i64), false).unwrap();
                let want = nd.reduce(&[axis], false, |x| {
                    let m = ref_max(x);
                    x.iter().position(|&y| y == m).unwrap() as f64
                });
                check(&got, &want, Dtype::Uint32, 0.0, &format!("argmax {ctx}"));
            }
            // Middle and outer axes together, on a transposed view.
            if shape.len() == 3 {
                let t = ops::transpose(&a, &[2, 0, 1]).unwrap();
                let got = ops::max(&t, [0i64, 2], false).unwrap();
                check(
                    &got,
                    &nd.permute(&[2, 0, 1]).reduce(&[0, 2], false, ref_max),
                    dt,
                    0.0,
                    &format!("max {dt} transposed"),
                );
            }
        }
        let a = arr(&v, shape, Dtype::Float32);
        let last = shape.len() - 1;
        let got = ops::softmax(&a, -1, false).unwrap();
        check(&got, &nd.lanes(&[last], ref_softmax), Dtype::Float32, 1e-5, &format!("softmax {shape:?}"));
        let got = ops::logsumexp(&a, 0, false).unwrap();
        check(&got, &nd.reduce(&[0], false, ref_lse), Dtype::Float32, 1e-5, &format!("logsumexp {shape:?}"));
    }
}
