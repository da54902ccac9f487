//! Property tests: random shapes (up to 4-D, small dims including 0 and 1),
//! random axes (including out-of-range and negative ones), random broadcast
//! pairs, reshape targets, permutations, slices and concatenations. Every op
//! gives the shape and values computed here, or a clean `Err`, never a panic.

use proptest::prelude::*;
use rmlx_core::ops::{self, SliceArg};
use rmlx_core::{Array, Axes};

use crate::common;
use common::{py_slice, ravel, unravel};

// ---------------------------------------------------------------- reference helpers

fn size(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// `offset + i` as float32, for i in row-major order.
fn iota(shape: &[usize], offset: f32) -> (Array, Vec<f64>) {
    let v: Vec<f32> = (0..size(shape)).map(|i| offset + i as f32).collect();
    let r = v.iter().map(|&x| x as f64).collect();
    (Array::from_slice(&v, shape).unwrap(), r)
}

/// An array of shape `s` that is the (strided) transpose of a row-major
/// array of the reversed shape, with its values in `s`'s row-major order.
fn transposed_iota(s: &[usize]) -> (Array, Vec<f64>) {
    let rs: Vec<usize> = s.iter().rev().copied().collect();
    let (base, bv) = iota(&rs, 1.0);
    let t = ops::transpose(&base, &[]).unwrap();
    let v = (0..size(s))
        .map(|i| {
            let idx: Vec<usize> = unravel(i, s).into_iter().rev().collect();
            bv[ravel(&idx, &rs)]
        })
        .collect();
    (t, v)
}

/// NumPy broadcasting, or None.
fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return None;
        };
    }
    Some(out)
}

/// The element of `data` (of `shape`) that output index `idx` of a broadcast reads.
fn bcast_at(data: &[f64], shape: &[usize], idx: &[usize]) -> f64 {
    let off = idx.len() - shape.len();
    let src: Vec<usize> = shape.iter().enumerate().map(|(k, &d)| if d == 1 { 0 } else { idx[off + k] }).collect();
    data[ravel(&src, shape)]
}

/// Normalised axes, or None when one is out of range or repeated.
fn norm_axes(axes: &[i64], ndim: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for &a in axes {
        let n = if a < 0 { a + ndim as i64 } else { a };
        if n < 0 || n >= ndim as i64 || out.contains(&(n as usize)) {
            return None;
        }
        out.push(n as usize);
    }
    Some(out)
}

fn read(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().expect("evaluating a graph that built without error must succeed")
}

// ---------------------------------------------------------------- strategies

fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![3 => Just(1usize), 1 => Just(0usize), 4 => 2usize..5]
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(dim(), 0..=4)
}

/// Pairs of shapes that mostly broadcast: b is a prefix plus a suffix of a
/// with dims kept, set to 1, or (sometimes) changed.
fn broadcast_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    shape()
        .prop_flat_map(|a| {
            let n = a.len();
            (Just(a), prop::collection::vec(0u8..7, n), 0..=n, prop::collection::vec(dim(), 0..=2), any::<bool>())
        })
        .prop_map(|(a, choice, keep, prefix, swap)| {
            let n = a.len();
            let mut b: Vec<usize> = if keep < n { prefix } else { Vec::new() };
            for (i, &d) in a[n - keep..].iter().enumerate() {
                b.push(match choice[i] {
                    0..=2 => d,
                    3 | 4 => 1,
                    5 => 0,
                    _ => d + 1,
                });
            }
            b.truncate(4);
            if swap {
                (b, a)
            } else {
                (a, b)
            }
        })
}

fn axes_list() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(-5i64..5, 0..4)
}

fn slice_arg() -> impl Strategy<Value = (Option<i64>, Option<i64>, i64)> {
    (prop::option::of(-7i64..7), prop::option::of(-7i64..7), prop_oneof![9 => -3i64..=3, 1 => Just(0i64)])
}

// ---------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn binary_ops_broadcast((sa, sb) in broadcast_pair()) {
        let (a, av) = iota(&sa, 0.0);
        let (b, bv) = iota(&sb, 100.0);
        let want_shape = broadcast(&sa, &sb);
        type F = fn(f64, f64) -> f64;
        for (name, r, f) in [
            ("add", ops::add(&a, &b), (|x, y| x + y) as F),
            ("multiply", ops::multiply(&a, &b), (|x, y| x * y) as F),
            ("maximum", ops::maximum(&a, &b), (|x: f64, y: f64| x.max(y)) as F),
            ("subtract", ops::subtract(&b, &a), (|x, y| y - x) as F),
        ] {
            match (&want_shape, r) {
                (None, Err(_)) => {}
                (None, Ok(r)) => prop_assert!(false, "{name} {sa:?} {sb:?}: expected an error, got shape {:?}", r.shape()),
                (Some(_), Err(e)) => prop_assert!(false, "{name} {sa:?} {sb:?}: unexpected error {e}"),
                (Some(ws), Ok(r)) => {
                    prop_assert_eq!(r.shape(), &ws[..]);
                    let got = read(&r);
                    for (i, g) in got.iter().enumerate() {
                        let idx = unravel(i, ws);
                        let w = f(bcast_at(&av, &sa, &idx), bcast_at(&bv, &sb, &idx));
                        prop_assert_eq!(*g, w, "{} {:?} {:?} at {:?}", name, sa, sb, idx);
                    }
                }
            }
        }
        // broadcast_to agrees with the shape rule.
        if let Some(ws) = &want_shape {
            prop_assert!(ops::broadcast_to(&a, ws).is_ok());
            let bb = ops::broadcast_arrays(&[a.clone(), b.clone()]).unwrap();
            prop_assert_eq!(bb[0].shape(), &ws[..]);
            prop_assert_eq!(bb[1].shape(), &ws[..]);
        } else {
            prop_assert!(ops::broadcast_shapes(&[&sa, &sb]).is_err());
            prop_assert!(ops::broadcast_arrays(&[a, b]).is_err());
        }
    }

    #[test]
    fn reductions_over_random_axes(
        s in shape(),
        axes in prop::option::of(axes_list()),
        keepdims in any::<bool>(),
        strided in any::<bool>(),
    ) {
        let (a, av) = if strided { transposed_iota(&s) } else { iota(&s, 1.0) };
        let ax = match &axes {
            None => Some((0..s.len()).collect::<Vec<_>>()),
            Some(v) => norm_axes(v, s.len()),
        };
        let spec = || axes.clone().map_or(Axes::All, Axes::Some);
        let sum = ops::sum(&a, spec(), keepdims);
        let max = ops::max(&a, spec(), keepdims);
        let Some(ax) = ax else {
            prop_assert!(sum.is_err(), "sum over bad axes {:?} of {:?} must fail", axes, s);
            prop_assert!(max.is_err());
            return Ok(());
        };
        let kept: Vec<usize> = s.iter().enumerate().map(|(i, &d)| if ax.contains(&i) { 1 } else { d }).collect();
        let dropped: Vec<usize> = s.iter().enumerate().filter(|(i, _)| !ax.contains(i)).map(|(_, &d)| d).collect();
        let mut groups = vec![Vec::new(); size(&kept)];
        for (i, &v) in av.iter().enumerate() {
            let mut idx = unravel(i, &s);
            for &k in &ax {
                idx[k] = 0;
            }
            groups[ravel(&idx, &kept)].push(v);
        }
        let out_shape = if keepdims { kept.clone() } else { dropped };
        let sum = sum.unwrap();
        prop_assert_eq!(sum.shape(), &out_shape[..]);
        let want: Vec<f64> = groups.iter().map(|g| g.iter().sum()).collect();
        prop_assert_eq!(read(&sum), want);
        let empty_axis = ax.iter().any(|&k| s[k] == 0);
        if empty_axis {
            prop_assert!(max.is_err(), "max over an empty axis must fail");
        } else {
            let max = max.unwrap();
            prop_assert_eq!(max.shape(), &out_shape[..]);
            let want: Vec<f64> = groups.iter().map(|g| g.iter().copied().fold(f64::NEG_INFINITY, f64::max)).collect();
            prop_assert_eq!(read(&max), want);
        }
        let prod = ops::prod(&ops::equal(&a, &a).unwrap(), spec(), keepdims).unwrap();
        prop_assert_eq!(read(&prod), vec![1.0; size(&out_shape)]);
    }

    #[test]
    fn arg_reductions_over_random_axes(s in shape(), axis in prop::option::of(-5i64..5), keepdims in any::<bool>()) {
        let (a, av) = iota(&s, 0.0);
        // Reverse so the max is not always last.
        let neg = ops::negative(&a).unwrap();
        let r = ops::argmin(&neg, axis, keepdims);
        let ax = axis.map(|x| norm_axes(&[x], s.len()));
        match ax {
            Some(None) => prop_assert!(r.is_err()),
            None if av.is_empty() => prop_assert!(r.is_err()),
            None => {
                let r = r.unwrap();
                prop_assert_eq!(r.size(), 1);
                prop_assert_eq!(r.ndim(), if keepdims { s.len() } else { 0 });
                prop_assert_eq!(r.item::<u32>().unwrap() as usize, av.len() - 1);
            }
            Some(Some(v)) if s[v[0]] == 0 => prop_assert!(r.is_err()),
            Some(Some(v)) => {
                let r = r.unwrap();
                let k = v[0];
                let mut want_shape = s.clone();
                if keepdims { want_shape[k] = 1 } else { want_shape.remove(k); }
                prop_assert_eq!(r.shape(), &want_shape[..]);
                prop_assert_eq!(read(&r), vec![(s[k] - 1) as f64; size(&want_shape)]);
            }
        }
    }

    #[test]
    fn reshape_to_random_targets(s in shape(), target in prop::collection::vec(prop_oneof![1 => Just(-1i64), 1 => Just(-2i64), 6 => 0i64..7], 0..5)) {
        let (a, av) = iota(&s, 0.0);
        let n = av.len();
        let infer: Vec<usize> = target.iter().enumerate().filter(|(_, &d)| d == -1).map(|(i, _)| i).collect();
        let bad = target.iter().any(|&d| d < -1) || infer.len() > 1;
        let known: usize = target.iter().filter(|&&d| d >= 0).map(|&d| d as usize).product();
        let want: Option<Vec<usize>> = if bad {
            None
        } else if infer.len() == 1 {
            if known == 0 || n % known != 0 {
                None
            } else {
                Some(target.iter().map(|&d| if d == -1 { n / known } else { d as usize }).collect())
            }
        } else if known == n {
            Some(target.iter().map(|&d| d as usize).collect())
        } else {
            None
        };
        let r = ops::reshape(&a, &target);
        match want {
            None => prop_assert!(r.is_err(), "reshape {:?} to {:?} must fail", s, target),
            Some(ws) => {
                let r = r.unwrap();
                prop_assert_eq!(r.shape(), &ws[..]);
                prop_assert_eq!(read(&r), av.clone());
                // And of a transposed input: values in the transpose's row-major order.
                let t = ops::transpose(&a, &[]).unwrap();
                let rt = ops::reshape(&t, &target).unwrap();
                let ts: Vec<usize> = s.iter().rev().copied().collect();
                let tv: Vec<f64> = (0..n).map(|i| {
                    let idx: Vec<usize> = unravel(i, &ts).into_iter().rev().collect();
                    av[ravel(&idx, &s)]
                }).collect();
                prop_assert_eq!(read(&rt), tv);
            }
        }
    }

    #[test]
    fn transpose_random_permutations(
        s in shape(),
        perm_seed in prop::collection::vec(any::<u32>(), 4),
        negate in prop::collection::vec(any::<bool>(), 4),
        junk in prop::option::of(axes_list()),
    ) {
        let (a, av) = iota(&s, 0.0);
        let nd = s.len();
        // A random permutation (Fisher-Yates from the seeds), some entries negative.
        let mut perm: Vec<usize> = (0..nd).collect();
        for i in (1..nd).rev() {
            perm.swap(i, perm_seed[i] as usize % (i + 1));
        }
        let axes: Vec<i64> = match &junk {
            Some(j) => j.clone(),
            None => perm.iter().enumerate().map(|(i, &p)| if negate[i] { p as i64 - nd as i64 } else { p as i64 }).collect(),
        };
        let r = ops::transpose(&a, &axes);
        let resolved: Option<Vec<usize>> = if axes.is_empty() {
            Some((0..nd).rev().collect())
        } else if axes.len() != nd {
            None
        } else {
            norm_axes(&axes, nd)
        };
        match resolved {
            None => prop_assert!(r.is_err(), "transpose {:?} by {:?} must fail", s, axes),
            Some(p) => {
                let r = r.unwrap();
                let ws: Vec<usize> = p.iter().map(|&k| s[k]).collect();
                prop_assert_eq!(r.shape(), &ws[..]);
                let got = read(&r);
                for (i, g) in got.iter().enumerate() {
                    let idx = unravel(i, &ws);
                    let mut src = vec![0; nd];
                    for (k, &pk) in p.iter().enumerate() {
                        src[pk] = idx[k];
                    }
                    prop_assert_eq!(*g, av[ravel(&src, &s)]);
                }
                r.eval().unwrap();
                a.eval().unwrap();
                prop_assert!(r.shares_buffer_with(&a), "transpose is a view");
            }
        }
    }

    #[test]
    fn slices_with_random_bounds(s in shape(), args in prop::collection::vec(slice_arg(), 0..=5)) {
        let (a, av) = iota(&s, 0.0);
        let sl: Vec<SliceArg> = args.iter().map(|&(b, e, st)| SliceArg::new(b, e, st)).collect();
        let r = ops::slice(&a, &sl);
        if args.len() > s.len() || args.iter().any(|a| a.2 == 0) {
            prop_assert!(r.is_err(), "slice {:?} of {:?} must fail", args, s);
            return Ok(());
        }
        let r = r.unwrap();
        let idx: Vec<Vec<usize>> = (0..s.len())
            .map(|k| match args.get(k) {
                Some(&(b, e, st)) => py_slice(b, e, st, s[k]),
                None => (0..s[k]).collect(),
            })
            .collect();
        let ws: Vec<usize> = idx.iter().map(|v| v.len()).collect();
        prop_assert_eq!(r.shape(), &ws[..]);
        let got = read(&r);
        for (i, g) in got.iter().enumerate() {
            let o = unravel(i, &ws);
            let src: Vec<usize> = o.iter().enumerate().map(|(k, &j)| idx[k][j]).collect();
            prop_assert_eq!(*g, av[ravel(&src, &s)]);
        }
        // A slice of the slice (composition of views) on the last axis.
        if let Some(&last) = ws.last() {
            let k = ws.len() - 1;
            let r2 = ops::slice_axis(&r, -1, SliceArg::new(None, None, -2)).unwrap();
            let sel = py_slice(None, None, -2, last);
            let mut ws2 = ws.clone();
            ws2[k] = sel.len();
            prop_assert_eq!(r2.shape(), &ws2[..]);
            let got2 = read(&r2);
            for (i, g) in got2.iter().enumerate() {
                let mut o = unravel(i, &ws2);
                o[k] = sel[o[k]];
                prop_assert_eq!(*g, got[ravel(&o, &ws)]);
            }
        }
    }

    #[test]
    fn concatenate_random(s in shape(), axis in -5i64..5, other in dim(), mismatch in prop::option::of((0usize..4, dim())), three in any::<bool>()) {
        let (a, av) = iota(&s, 0.0);
        let nd = s.len();
        let ax = norm_axes(&[axis], nd).map(|v| v[0]);
        let mut sb = s.clone();
        if let Some(k) = ax {
            sb[k] = other;
        }
        if let Some((k, d)) = mismatch {
            if k < nd && Some(k) != ax {
                sb[k] = d;
            }
        }
        let (b, bv) = iota(&sb, 1000.0);
        let parts = if three { vec![a.clone(), b.clone(), a.clone()] } else { vec![a.clone(), b.clone()] };
        let r = ops::concatenate(&parts, axis);
        let ok = nd > 0 && ax.is_some() && (0..nd).all(|k| Some(k) == ax || s[k] == sb[k]);
        if !ok {
            prop_assert!(r.is_err(), "concatenate {:?} and {:?} on {} must fail", s, sb, axis);
            return Ok(());
        }
        let k = ax.unwrap();
        let r = r.unwrap();
        let mut ws = s.clone();
        ws[k] = s[k] + sb[k] + if three { s[k] } else { 0 };
        prop_assert_eq!(r.shape(), &ws[..]);
        let got = read(&r);
        for (i, g) in got.iter().enumerate() {
            let mut o = unravel(i, &ws);
            let w = if o[k] < s[k] {
                av[ravel(&o, &s)]
            } else if o[k] < s[k] + sb[k] {
                o[k] -= s[k];
                bv[ravel(&o, &sb)]
            } else {
                o[k] -= s[k] + sb[k];
                av[ravel(&o, &s)]
            };
            prop_assert_eq!(*g, w);
        }
    }

    #[test]
    fn squeeze_expand_flatten_random(s in shape(), axes in axes_list()) {
        let (a, av) = iota(&s, 0.0);
        let nd = s.len();
        // expand_dims: axes index the output.
        let e = ops::expand_dims(&a, axes.clone());
        match norm_axes(&axes, nd + axes.len()) {
            None => prop_assert!(e.is_err()),
            Some(ax) => {
                let e = e.unwrap();
                prop_assert_eq!(e.ndim(), nd + axes.len());
                let mut src = s.iter();
                let ws: Vec<usize> = (0..nd + axes.len()).map(|i| if ax.contains(&i) { 1 } else { *src.next().unwrap() }).collect();
                prop_assert_eq!(e.shape(), &ws[..]);
                prop_assert_eq!(read(&e), av.clone());
            }
        }
        // squeeze: every named axis must have size 1.
        let q = ops::squeeze(&a, axes.clone());
        match norm_axes(&axes, nd) {
            Some(ax) if ax.iter().all(|&k| s[k] == 1) => {
                let q = q.unwrap();
                let ws: Vec<usize> = (0..nd).filter(|k| !ax.contains(k)).map(|k| s[k]).collect();
                prop_assert_eq!(q.shape(), &ws[..]);
                prop_assert_eq!(read(&q), av.clone());
            }
            _ => prop_assert!(q.is_err()),
        }
        // flatten between the first two axes given.
        if axes.len() >= 2 {
            let f = ops::flatten(&a, axes[0], axes[1]);
            let ok = norm_axes(&axes[..1], nd).is_some() && norm_axes(&axes[1..2], nd).is_some();
            if nd == 0 {
                // MLX: a 0-d array flattens to (1,) whatever the axes.
                prop_assert_eq!(f.unwrap().shape().to_vec(), vec![1usize]);
            } else if !ok {
                // Out-of-range axes: an error here (MLX clamps them); never a panic.
                prop_assert!(f.is_err());
            } else {
                let (i, j) = (norm_axes(&axes[..1], nd).unwrap()[0], norm_axes(&axes[1..2], nd).unwrap()[0]);
                if i > j {
                    prop_assert!(f.is_err());
                } else {
                    let f = f.unwrap();
                    let mut ws = s[..i].to_vec();
                    ws.push(s[i..=j].iter().product());
                    ws.extend(&s[j + 1..]);
                    prop_assert_eq!(f.shape(), &ws[..]);
                    prop_assert_eq!(read(&f), av.clone());
                }
            }
        }
    }
}
