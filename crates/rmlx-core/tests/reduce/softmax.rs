//! softmax and log_softmax, and long reductions over each layout.

use super::*;

// ---------------------------------------------------------------- softmax / log_softmax

#[test]
fn softmax_and_log_softmax_axes_layouts() {
    let axis_sets = [
        Axes::from(0i64),
        Axes::from(2i64),
        Axes::from(-2i64),
        Axes::from([0i64, 2]),
        Axes::from([2i64, 1]),
        Axes::All,
    ];
    for dt in FLOATS.iter().copied().chain([Dtype::Int32]) {
        let out_dt = inexact(dt);
        for (layout, a, nd) in layouts(dt, 3, |n, s| gen(n, dt, s)) {
            for axes in axis_sets.iter() {
                for precise in [false, true] {
                    let ax = norm_axes(axes, 3);
                    let ctx = format!("softmax {dt} {layout} {axes:?} precise {precise}");
                    let rtol = if precise && dt.size() == 2 { tol(out_dt) / 2.0 } else { tol(out_dt) * 2.0 };
                    let got = ops::softmax(&a, axes.clone(), precise).unwrap();
                    check(&got, &nd.lanes(&ax, ref_softmax), out_dt, rtol, &ctx);
                    let ctx = format!("log_softmax {dt} {layout} {axes:?} precise {precise}");
                    let got = ops::log_softmax(&a, axes.clone(), precise).unwrap();
                    check(&got, &nd.lanes(&ax, ref_log_softmax), out_dt, rtol, &ctx);
                }
            }
        }
    }
    assert!(ops::softmax(&arr(&[1.0], &[1], Dtype::Complex64), 0, false).is_err());
}

#[test]
fn softmax_precise_half_is_close_to_exact() {
    // 40-element rows: precise mode computes in float32 and rounds once.
    for dt in [Dtype::Float16, Dtype::Bfloat16] {
        let v: Vec<f64> = (0..80).map(|i| ((i * 37) % 23) as f64 * 0.25 - 2.0).collect();
        let nd = Nd::new(v.clone(), &[2, 40]);
        let a = arr(&v, &[2, 40], dt);
        let want = nd.lanes(&[1], ref_softmax);
        let got = ops::softmax(&a, -1, true).unwrap().to_vec::<f64>().unwrap();
        let ulp = if dt == Dtype::Float16 { 2f64.powi(-10) } else { 2f64.powi(-7) };
        for (g, w) in got.iter().zip(&want.data) {
            assert!((g - w).abs() <= ulp * w.abs() + 1e-7, "{dt} precise: {g} vs {w}");
        }
        let fast = ops::softmax(&a, -1, false).unwrap().to_vec::<f64>().unwrap();
        for (g, w) in fast.iter().zip(&want.data) {
            assert!((g - w).abs() <= 4.0 * ulp * w.abs() + 1e-6, "{dt} fast: {g} vs {w}");
        }
    }
}

#[test]
fn softmax_large_values_and_row_sums() {
    for dt in FLOATS {
        let v = [1000.0, 1000.0, 999.0, 0.0, -1000.0, -1000.0, -999.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let a = arr(&v, &[3, 4], dt);
        let s = ops::softmax(&a, 1, false).unwrap().to_vec::<f64>().unwrap();
        assert!(s.iter().all(|x| x.is_finite()), "{dt}: {s:?}");
        for r in 0..3 {
            let sum: f64 = s[r * 4..r * 4 + 4].iter().sum();
            assert!((sum - 1.0).abs() < 1e-2, "{dt} row {r} sums to {sum}");
        }
        // The reference sees the inputs as the dtype holds them (bfloat16 rounds 999 to 1000).
        let rounded: Vec<f64> = v.iter().map(|&x| round_to(x, dt)).collect();
        let want = Nd::new(rounded.clone(), &[3, 4]).lanes(&[1], ref_softmax);
        for (g, w) in s.iter().zip(&want.data) {
            assert!((g - w).abs() < 1e-2, "{dt}: {g} vs {w}");
        }
        let l = ops::log_softmax(&a, 1, false).unwrap().to_vec::<f64>().unwrap();
        assert!(l.iter().all(|x| x.is_finite()), "{dt}: {l:?}");
        let want = Nd::new(rounded, &[3, 4]).lanes(&[1], ref_log_softmax);
        for (g, w) in l.iter().zip(&want.data) {
            assert!(close(*g, round_to(*w, dt), tol(dt)), "{dt} log_softmax: {g} vs {w}");
        }
    }
    // A long float32 row (SIMD path) of large values.
    let v: Vec<f32> = (0..100).map(|i| 1000.0 + (i % 7) as f32).collect();
    let a = Array::from_slice(&v, &[100]).unwrap();
    let s = ops::softmax(&a, 0, false).unwrap().to_vec::<f64>().unwrap();
    assert!(s.iter().all(|x| x.is_finite()));
    assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-5);
    // A NaN poisons its row only.
    let a = Array::from_slice(&[1.0f32, f32::NAN, 2.0, 1.0, 2.0, 3.0], &[2, 3]).unwrap();
    let s = ops::softmax(&a, 1, false).unwrap().to_vec::<f32>().unwrap();
    assert!(s[..3].iter().all(|x| x.is_nan()) && s[3..].iter().all(|x| x.is_finite()), "{s:?}");
    // -inf entries get probability 0.
    let a = Array::from_slice(&[f32::NEG_INFINITY, 0.0, 0.0], &[3]).unwrap();
    let s = ops::softmax(&a, 0, false).unwrap().to_vec::<f32>().unwrap();
    assert_eq!(s, vec![0.0, 0.5, 0.5]);
}

#[test]
fn softmax_of_long_rows() {
    // Rows long enough to be cut over several GPU blocks (2, 4 and 8 pieces),
    // one too long for that, and a length that does not divide evenly; with
    // a NaN and a -inf row among them.
    for &len in &[16384usize, 32768, 40000, 65536 + 32, 12345] {
        for dt in [Dtype::Float32, Dtype::Bfloat16] {
            let rows = 3;
            let mut v: Vec<f64> = (0..rows * len).map(|i| ((i * 37) % 101) as f64 / 10.0 - 5.0).collect();
            v[len + 7] = f64::NAN;
            v[2 * len + 3] = f64::NEG_INFINITY;
            let v: Vec<f64> = v.iter().map(|&x| round_to(x, dt)).collect();
            let a = arr(&v, &[rows, len], dt);
            let got = ops::softmax(&a, -1, false).unwrap().to_vec::<f64>().unwrap();
            let want = Nd::new(v.clone(), &[rows, len]).lanes(&[1], ref_softmax);
            let ulp = if dt == Dtype::Float32 { 1.2e-7 } else { 7.9e-3 };
            for (i, (g, w)) in got.iter().zip(&want.data).enumerate() {
                if w.is_nan() {
                    assert!(g.is_nan(), "{dt} len {len} at {i}: {g} for NaN");
                } else {
                    assert!((g - w).abs() <= 8.0 * ulp * w.abs() + 1e-9, "{dt} len {len} at {i}: {g} vs {w}");
                }
            }
            let got = ops::log_softmax(&a, -1, false).unwrap().to_vec::<f64>().unwrap();
            let want = Nd::new(v, &[rows, len]).lanes(&[1], ref_log_softmax);
            for (i, (g, w)) in got.iter().zip(&want.data).enumerate() {
                if w.is_nan() {
                    assert!(g.is_nan(), "{dt} len {len} log at {i}");
                } else if w.is_finite() {
                    assert!(
                        (g - w).abs() <= 1e-4 * w.abs().max(1.0) * (ulp / 1.2e-7).sqrt(),
                        "{dt} len {len} log at {i}: {g} vs {w}"
                    );
                }
            }
        }
    }
}

#[test]
fn long_reductions_over_each_layout() {
    // Many rows (a warp per row on the GPU), leading-axis sums of wide
    // float32 and float16 matrices (vector loads), and odd widths.
    for &(rows, len) in &[(2048usize, 300usize), (3000, 64), (513, 1000), (7, 4099)] {
        for dt in [Dtype::Float32, Dtype::Float16, Dtype::Int32] {
            let v: Vec<f64> = (0..rows * len).map(|i| ((i * 13) % 9) as f64 - 4.0).collect();
            let a = arr(&v, &[rows, len], dt);
            let nd = Nd::new(v, &[rows, len]);
            for axis in [0usize, 1] {
                let got = ops::sum(&a, axis as i64, false).unwrap();
                let want = nd.reduce(&[axis], false, ref_sum);
                check(&got, &want, dt, tol(dt) * 4.0, &format!("sum {dt} {rows}x{len} axis {axis}"));
                let got = ops::max(&a, axis as i64, false).unwrap();
                check(
                    &got,
                    &nd.reduce(&[axis], false, ref_max),
                    dt,
                    0.0,
                    &format!("max {dt} {rows}x{len} axis {axis}"),
                );
            }
        }
    }
}
