//! Shape ops: reshape, flatten, squeeze, transpose, broadcast, slicing with
//! Python semantics, concatenate/stack/split, tile/repeat/pad/flip/roll,
//! diagonals and triangles, as_strided, contiguous and view. Values are
//! checked against index arithmetic done here; view ops are checked to share
//! their input's buffer.

use rmlx_core::ops::{self, SliceArg, Split};
use rmlx_core::primitive::PadMode;
use rmlx_core::{Array, Axes, Dtype};

use crate::common;
use common::{py_slice, ravel, unravel};

// ---------------------------------------------------------------- helpers

/// 0, 1, 2, ... as float32 in `shape`.
fn iota(shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|i| i as f32).collect();
    Array::from_slice(&v, shape).unwrap()
}

fn iota_nd(shape: &[usize]) -> Nd {
    let n: usize = shape.iter().product();
    Nd { data: (0..n).map(|i| i as f64).collect(), shape: shape.to_vec() }
}

#[derive(Clone, Debug, PartialEq)]
struct Nd {
    data: Vec<f64>,
    shape: Vec<usize>,
}

impl Nd {
    fn size(&self) -> usize {
        self.shape.iter().product()
    }
    fn at(&self, idx: &[usize]) -> f64 {
        self.data[ravel(idx, &self.shape)]
    }
    /// out[idx] = self[src(idx)] over `shape`.
    fn gather(&self, shape: &[usize], src: impl Fn(&[usize]) -> Vec<usize>) -> Nd {
        let n: usize = shape.iter().product();
        let data = (0..n).map(|i| self.at(&src(&unravel(i, shape)))).collect();
        Nd { data, shape: shape.to_vec() }
    }
    fn permute(&self, perm: &[usize]) -> Nd {
        let shape: Vec<usize> = perm.iter().map(|&p| self.shape[p]).collect();
        self.gather(&shape, |idx| {
            let mut s = vec![0; idx.len()];
            for (k, &p) in perm.iter().enumerate() {
                s[p] = idx[k];
            }
            s
        })
    }
    /// Picks `indices` along every axis (one list per axis).
    fn take_all(&self, indices: &[Vec<usize>]) -> Nd {
        let shape: Vec<usize> = indices.iter().map(|v| v.len()).collect();
        self.gather(&shape, |idx| idx.iter().enumerate().map(|(k, &i)| indices[k][i]).collect())
    }
    fn take(&self, axis: usize, indices: &[usize]) -> Nd {
        let all: Vec<Vec<usize>> = (0..self.shape.len())
            .map(|k| if k == axis { indices.to_vec() } else { (0..self.shape[k]).collect() })
            .collect();
        self.take_all(&all)
    }
    fn reshape(&self, shape: &[usize]) -> Nd {
        assert_eq!(self.size(), shape.iter().product::<usize>());
        Nd { data: self.data.clone(), shape: shape.to_vec() }
    }
}

fn check(got: &Array, want: &Nd, ctx: &str) {
    assert_eq!(got.shape(), &want.shape[..], "{ctx}: shape");
    let v = got.to_vec::<f64>().unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(v, want.data, "{ctx}: values");
}

fn assert_view(x: &Array, base: &Array, ctx: &str) {
    x.eval().unwrap();
    base.eval().unwrap();
    assert!(x.shares_buffer_with(base), "{ctx}: expected a view of the input's buffer");
}

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

// ---------------------------------------------------------------- as_strided / contiguous / view

#[test]
fn as_strided_windows_and_bounds() {
    let a = iota(&[6]);
    let w = ops::as_strided(&a, &[3, 4], &[1, 1], 0).unwrap();
    check(&w, &Nd { data: (0..3).flat_map(|r| (r..r + 4).map(|x| x as f64)).collect(), shape: vec![3, 4] }, "windows");
    let w = ops::as_strided(&a, &[2, 2], &[3, 1], 1).unwrap();
    check(&w, &Nd { data: vec![1., 2., 4., 5.], shape: vec![2, 2] }, "offset 1");
    let w = ops::as_strided(&a, &[3], &[-2], 5).unwrap();
    check(&w, &Nd { data: vec![5., 3., 1.], shape: vec![3] }, "negative stride");
    let w = ops::as_strided(&a, &[2, 3], &[0, 1], 2).unwrap();
    check(&w, &Nd { data: vec![2., 3., 4., 2., 3., 4.], shape: vec![2, 3] }, "zero stride");
    assert!(ops::as_strided(&a, &[3, 4], &[1, 2], 0).is_err(), "reaches element 8");
    assert!(ops::as_strided(&a, &[7], &[1], 0).is_err());
    assert!(ops::as_strided(&a, &[1], &[1], 6).is_err());
    assert!(ops::as_strided(&a, &[3], &[-2], 3).is_err(), "reaches element -1");
    assert!(ops::as_strided(&a, &[3], &[1, 1], 0).is_err(), "lengths differ");
    assert_eq!(ops::as_strided(&a, &[0, 5], &[100, 100], 100).unwrap().shape(), &[0, 5]);
    // In the row-major order of a strided input.
    let t = ops::transpose(&iota(&[2, 3]), &[1, 0]).unwrap();
    let w = ops::as_strided(&t, &[6], &[1], 0).unwrap();
    check(&w, &Nd { data: vec![0., 3., 1., 4., 2., 5.], shape: vec![6] }, "as_strided of a transpose");
}

#[test]
fn contiguous_copies_only_when_needed() {
    let a = iota(&[3, 4]);
    let t = ops::transpose(&a, &[1, 0]).unwrap();
    let c = ops::contiguous(&t).unwrap();
    check(&c, &iota_nd(&[3, 4]).permute(&[1, 0]), "contiguous of a transpose");
    assert_eq!(c.strides().unwrap(), vec![3, 1]);
    let c2 = ops::contiguous(&a).unwrap();
    check(&c2, &iota_nd(&[3, 4]), "contiguous of contiguous");
    assert_view(&c2, &a, "contiguous of contiguous data");
    let r = ops::slice(&a, &[SliceArg::new(None, None, -1)]).unwrap();
    let c3 = ops::contiguous(&r).unwrap();
    check(&c3, &iota_nd(&[3, 4]).take(0, &[2, 1, 0]), "contiguous of a reversed slice");
    assert_eq!(c3.strides().unwrap(), vec![4, 1]);
    let b = ops::broadcast_to(&iota(&[3]), &[2, 3]).unwrap();
    let c4 = ops::contiguous(&b).unwrap();
    check(&c4, &Nd { data: vec![0., 1., 2., 0., 1., 2.], shape: vec![2, 3] }, "contiguous of a broadcast");
    assert_eq!(c4.strides().unwrap(), vec![3, 1]);
}

#[test]
fn view_reinterprets_bits() {
    let v = [1.0f32, -2.5, 0.1, f32::INFINITY];
    let a = Array::from_slice(&v, &[2, 2]).unwrap();
    let u = ops::view(&a, Dtype::Uint32).unwrap();
    assert_eq!(u.shape(), &[2, 2]);
    assert_eq!(u.dtype(), Dtype::Uint32);
    assert_eq!(u.to_vec::<u32>().unwrap(), v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    let back = ops::view(&u, Dtype::Float32).unwrap();
    assert_eq!(back.to_vec::<f32>().unwrap(), v.to_vec());

    let i = Array::from_slice(&[0x0403_0201i32, -1], &[2]).unwrap();
    let b = ops::view(&i, Dtype::Int8).unwrap();
    assert_eq!(b.shape(), &[8]);
    let mut want: Vec<i8> = 0x0403_0201i32.to_ne_bytes().iter().map(|&x| x as i8).collect();
    want.extend((-1i32).to_ne_bytes().iter().map(|&x| x as i8));
    assert_eq!(b.to_vec::<i8>().unwrap(), want);
    let i2 = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[3, 2]).unwrap();
    assert_eq!(ops::view(&i2, Dtype::Uint8).unwrap().shape(), &[3, 8]);

    let bytes: Vec<u8> = 1.5f64.to_ne_bytes().iter().chain(2.25f64.to_ne_bytes().iter()).copied().collect();
    let u8s = Array::from_slice(&bytes, &[2, 8]).unwrap();
    let f = ops::view(&u8s, Dtype::Float64).unwrap();
    assert_eq!(f.shape(), &[2, 1]);
    assert_eq!(f.to_vec::<f64>().unwrap(), vec![1.5, 2.25]);

    let h = Array::from_slice(&[half::f16::from_f32(1.0), half::f16::from_f32(-2.0)], &[2]).unwrap();
    let hb = ops::view(&h, Dtype::Uint16).unwrap();
    assert_eq!(hb.to_vec::<u16>().unwrap(), vec![0x3C00, 0xC000]);

    // A strided input is read in logical order.
    let t = ops::transpose(&Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap(), &[1, 0]).unwrap();
    let tb = ops::view(&t, Dtype::Int32).unwrap();
    assert_eq!(
        tb.to_vec::<i32>().unwrap(),
        [1.0f32, 3.0, 2.0, 4.0].iter().map(|x| x.to_bits() as i32).collect::<Vec<_>>()
    );
    // A slice starting at an odd byte is still read correctly.
    let bytes: Vec<u8> = (0..9).collect();
    let s = ops::slice(&Array::from_slice(&bytes, &[9]).unwrap(), &[SliceArg::range(1, 9)]).unwrap();
    let w = ops::view(&s, Dtype::Uint16).unwrap();
    let want: Vec<u16> = (0..4).map(|k| u16::from_ne_bytes([1 + 2 * k as u8, 2 + 2 * k as u8])).collect();
    assert_eq!(w.to_vec::<u16>().unwrap(), want);

    assert!(ops::view(&a, Dtype::Bool).is_err());
    assert!(ops::view(&Array::scalar(1.0f32).unwrap(), Dtype::Float64).is_err());
    assert!(ops::view(&Array::from_slice(&[1u8, 2, 3], &[3]).unwrap(), Dtype::Uint16).is_err());
    assert_eq!(
        ops::view(&Array::scalar(1.0f32).unwrap(), Dtype::Int32).unwrap().item::<i32>().unwrap(),
        1.0f32.to_bits() as i32
    );
}

#[test]
fn view_ops_share_the_buffer() {
    let a = iota(&[2, 3, 4]);
    let cases: Vec<(&str, Array)> = vec![
        ("reshape", ops::reshape(&a, &[6, 4]).unwrap()),
        ("reshape -1", ops::reshape(&a, &[-1]).unwrap()),
        ("flatten", ops::flatten(&a, 1, 2).unwrap()),
        ("transpose", ops::transpose(&a, &[2, 0, 1]).unwrap()),
        ("swapaxes", ops::swapaxes(&a, 0, 1).unwrap()),
        ("broadcast_to", ops::broadcast_to(&a, &[5, 2, 3, 4]).unwrap()),
        ("slice", ops::slice(&a, &[SliceArg::range(1, 2), SliceArg::new(None, None, 2)]).unwrap()),
        (
            "negative slice",
            ops::slice(&a, &[SliceArg::full(), SliceArg::new(None, None, -1), SliceArg::new(Some(3), None, -2)])
                .unwrap(),
        ),
        ("expand_dims", ops::expand_dims(&a, [0i64, 2]).unwrap()),
        ("squeeze", ops::squeeze(&ops::expand_dims(&a, 1).unwrap(), 1).unwrap()),
        ("flip", ops::flip(&a, 2).unwrap()),
        ("diagonal", ops::diagonal(&a, 0, 1, 2).unwrap()),
        ("as_strided", ops::as_strided(&a, &[4], &[5], 1).unwrap()),
        ("view", ops::view(&a, Dtype::Int32).unwrap()),
    ];
    for (name, x) in cases {
        assert_view(&x, &a, name);
    }
    // A view of a transpose stays a view when reshaping keeps strides possible.
    let t = ops::transpose(&a, &[1, 0, 2]).unwrap();
    let r = ops::reshape(&t, &[3, 2, 2, 2]).unwrap();
    assert_view(&r, &a, "reshape splitting a contiguous axis of a transpose");
}

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

#[test]
fn triangles_keep_bool() {
    let b = ops::full(&[3, 3], true, None).unwrap();
    let l = ops::tril(&b, 0).unwrap();
    assert_eq!(l.dtype(), Dtype::Bool);
    assert_eq!(l.to_vec::<bool>().unwrap(), vec![true, false, false, true, true, false, true, true, true]);
}
