//! take along axes and scatter.

use super::*;

#[test]
fn take_along_each_axis_and_flattened() {
    // 2 x 3 x 4 of 0..24, in float32, int16 and bfloat16 (exact small integers).
    for dt in [Dtype::Float32, Dtype::Int16, Dtype::Bfloat16] {
        let a = ops::astype(&iota(&[2, 3, 4]), dt).unwrap();
        let idx = Array::from_slice(&[2i32, 0, -1, 1], &[2, 2]).unwrap();
        // axis 1: out[i, j, k, l] = a[i, idx[j, k], l]
        let got = ops::take(&a, &idx, Some(1)).unwrap();
        assert_eq!(got.shape(), &[2, 2, 2, 4]);
        let v = got.to_vec::<f64>().unwrap();
        let flat_idx = [2usize, 0, 2, 1];
        let mut want = Vec::new();
        for i in 0..2 {
            for &j in &flat_idx {
                for l in 0..4 {
                    want.push((i * 12 + j * 4 + l) as f64);
                }
            }
        }
        assert_eq!(v, want, "{dt} axis 1");
        // the last axis, through a negative axis and a strided (transposed) input
        let t = ops::transpose(&a, &[2, 1, 0]).unwrap(); // 4 x 3 x 2
        let got = ops::take(&t, &Array::from_slice(&[1i64], &[1]).unwrap(), Some(-1)).unwrap();
        assert_eq!(got.shape(), &[4, 3, 1]);
        let v = got.to_vec::<f64>().unwrap();
        let want: Vec<f64> = (0..4).flat_map(|l| (0..3).map(move |j| (12 + j * 4 + l) as f64)).collect();
        assert_eq!(v, want, "{dt} transposed, last axis");
        // flattened, with a 0-d index
        let got = ops::take(&a, &Array::scalar(-3i32).unwrap(), None).unwrap();
        assert_eq!(got.shape(), &[] as &[usize]);
        assert_eq!(got.item::<f64>().unwrap(), 21.0);
    }
}

#[test]
fn take_clamps_bad_indices_and_checks_its_arguments() {
    let a = iota(&[5]);
    let got = ops::take(&a, &Array::from_slice(&[7i32, -9, 4], &[3]).unwrap(), Some(0)).unwrap();
    assert_eq!(got.to_vec::<f32>().unwrap(), vec![4.0, 0.0, 4.0]);
    assert!(ops::take(&a, &Array::from_slice(&[1.0f32], &[1]).unwrap(), Some(0)).is_err());
    assert!(ops::take(&a, &Array::from_slice(&[0i32], &[1]).unwrap(), Some(1)).is_err());
    let empty = ops::zeros(&[0, 3], Dtype::Float32).unwrap();
    assert!(ops::take(&empty, &Array::from_slice(&[0i32], &[1]).unwrap(), Some(0)).is_err());
    let none = ops::take(&empty, &Array::from_slice::<i32>(&[], &[0]).unwrap(), Some(0)).unwrap();
    assert_eq!(none.shape(), &[0, 3]);
    let none = ops::take(&a, &Array::from_slice::<i32>(&[], &[0, 2]).unwrap(), Some(0)).unwrap();
    assert_eq!(none.shape(), &[0, 2]);
}

#[test]
fn scatter_sets_and_accumulates_in_order() {
    use rmlx_core::primitive::ScatterMode;
    for dt in [Dtype::Float32, Dtype::Int32, Dtype::Float16] {
        let a = ops::astype(&iota(&[2, 3]), dt).unwrap(); // 0..6
        let idx = Array::from_slice(&[4i64, 1, -1], &[3]).unwrap();
        let upd = ops::astype(&Array::from_slice(&[10.0f32, 20.0, 30.0], &[3]).unwrap(), dt).unwrap();
        let set = ops::scatter(&a, &idx, &upd, ScatterMode::Set).unwrap();
        assert_eq!(set.shape(), &[2, 3]);
        assert_eq!(set.to_vec::<f64>().unwrap(), vec![0.0, 20.0, 2.0, 3.0, 10.0, 30.0], "{dt} set");
        // Repeated positions accumulate; a scalar update broadcasts.
        let rep = Array::from_slice(&[2i32, 2, 0, 2], &[2, 2]).unwrap();
        let add = ops::scatter(&a, &rep, 1.0, ScatterMode::Add).unwrap();
        assert_eq!(add.to_vec::<f64>().unwrap(), vec![1.0, 1.0, 5.0, 3.0, 4.0, 5.0], "{dt} add");
        let mul = ops::scatter(&a, &rep, 2.0, ScatterMode::Prod).unwrap();
        assert_eq!(mul.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 16.0, 3.0, 4.0, 5.0], "{dt} prod");
        let mx = ops::scatter(&a, &rep, 3.0, ScatterMode::Max).unwrap();
        assert_eq!(mx.to_vec::<f64>().unwrap(), vec![3.0, 1.0, 3.0, 3.0, 4.0, 5.0], "{dt} max");
        let mn = ops::scatter(&a, &rep, 1.0, ScatterMode::Min).unwrap();
        assert_eq!(mn.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 1.0, 3.0, 4.0, 5.0], "{dt} min");
        // The input is unchanged (a copy), also when it is a strided view.
        assert_eq!(a.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let t = ops::transpose(&a, &[1, 0]).unwrap(); // [[0,3],[1,4],[2,5]]
        let st = ops::scatter(&t, &Array::from_slice(&[1i64], &[1]).unwrap(), 9.0, ScatterMode::Set).unwrap();
        assert_eq!(st.to_vec::<f64>().unwrap(), vec![0.0, 9.0, 1.0, 4.0, 2.0, 5.0], "{dt} transposed");
    }
    let a = iota(&[4]);
    assert!(ops::scatter(
        &a,
        &Array::from_slice(&[0.5f32], &[1]).unwrap(),
        1.0,
        rmlx_core::primitive::ScatterMode::Set
    )
    .is_err());
    let two = Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
    let three = Array::from_slice(&[0i32, 1, 2], &[3]).unwrap();
    assert!(ops::scatter(&a, &three, &two, rmlx_core::primitive::ScatterMode::Set).is_err());
    let none =
        ops::scatter(&a, &Array::from_slice::<i32>(&[], &[0]).unwrap(), 1.0, rmlx_core::primitive::ScatterMode::Add)
            .unwrap();
    assert_eq!(none.to_vec::<f32>().unwrap(), vec![0.0, 1.0, 2.0, 3.0]);
}
