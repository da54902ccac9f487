//! min, max, all and any.

use super::*;

// ---------------------------------------------------------------- min / max / all / any

#[test]
fn min_max_every_real_dtype() {
    let reals: Vec<Dtype> = ALL.iter().copied().filter(|d| !d.is_complex()).collect();
    sweep("min", &reals, |n, s, d| gen(n, d, s), |d| d, |_| 0.0, ops::min, ref_min);
    sweep("max", &reals, |n, s, d| gen(n, d, s), |d| d, |_| 0.0, ops::max, ref_max);
}

#[test]
fn min_max_of_integer_extremes() {
    let a = Array::from_slice(&[i64::MIN, 0, i64::MAX], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<i64>().unwrap(), i64::MIN);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<i64>().unwrap(), i64::MAX);
    let a = Array::from_slice(&[u64::MAX, 3, 0], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<u64>().unwrap(), 0);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<u64>().unwrap(), u64::MAX);
    let a = Array::from_slice(&[-128i8, 127, 5], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<i8>().unwrap(), -128);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<i8>().unwrap(), 127);
    let a = Array::from_slice(&[f32::NEG_INFINITY, 1.0, f32::INFINITY], &[3]).unwrap();
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<f32>().unwrap(), f32::NEG_INFINITY);
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<f32>().unwrap(), f32::INFINITY);
}

#[test]
fn complex_min_max_argmax_are_lexicographic() {
    // NumPy and MLX order complex numbers by real part, then imaginary part.
    let v = [Complex32::new(1.0, 2.0), Complex32::new(1.0, 3.0), Complex32::new(0.0, 5.0), Complex32::new(-1.0, 9.0)];
    let a = Array::from_slice(&v, &[4]).unwrap();
    assert_eq!(ops::max(&a, 0, false).unwrap().item::<Complex32>().unwrap(), v[1]);
    assert_eq!(ops::min(&a, 0, false).unwrap().item::<Complex32>().unwrap(), v[3]);
    assert_eq!(ops::argmax(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 1);
    assert_eq!(ops::argmin(&a, Some(0), false).unwrap().item::<u32>().unwrap(), 3);
}

#[test]
fn all_any_treat_negative_zero_as_zero() {
    let a = Array::from_slice(&[-0.0f32, 1.0], &[2]).unwrap();
    assert!(!ops::all(&a, 0, false).unwrap().item::<bool>().unwrap());
    let a = Array::from_slice(&[-0.0f64, 0.0], &[2]).unwrap();
    assert!(!ops::any(&a, 0, false).unwrap().item::<bool>().unwrap());
    assert_eq!(ops::count_nonzero(&a, 0, false).unwrap().item::<i32>().unwrap(), 0);
}

#[test]
fn min_max_propagate_nan() {
    for dt in FLOATS {
        for len in [3usize, 17, 40] {
            for pos in [0, len / 2, len - 1] {
                let mut v: Vec<f64> = (0..len).map(|i| i as f64 - 5.0).collect();
                v[pos] = f64::NAN;
                let a = arr(&v, &[len], dt);
                for (name, r) in [("max", ops::max(&a, 0, false)), ("min", ops::min(&a, 0, false))] {
                    let r = r.unwrap().item::<f64>().unwrap();
                    assert!(r.is_nan(), "{name} {dt} len {len} NaN at {pos}: got {r}");
                }
            }
        }
        // Along a leading axis: column 1 has a NaN in row 2.
        let mut v: Vec<f64> = (0..12).map(|i| i as f64).collect();
        v[2 * 3 + 1] = f64::NAN;
        let a = arr(&v, &[4, 3], dt);
        for r in [ops::max(&a, 0, false).unwrap(), ops::min(&a, 0, false).unwrap()] {
            let r = r.to_vec::<f64>().unwrap();
            assert!(!r[0].is_nan() && r[1].is_nan() && !r[2].is_nan(), "{dt}: {r:?}");
        }
    }
}

#[test]
fn all_any_every_dtype() {
    // Values with plenty of zeros.
    let values = |n: usize, s: u64, d: Dtype| -> Vec<f64> {
        gen(n, Dtype::Uint8, s)
            .into_iter()
            .map(|r| {
                if r < 3.0 {
                    0.0
                } else if d == Dtype::Bool {
                    1.0
                } else {
                    r - 2.0
                }
            })
            .collect()
    };
    let all = |x: &[f64]| if x.iter().all(|&v| v != 0.0) { 1.0 } else { 0.0 };
    let any = |x: &[f64]| if x.iter().any(|&v| v != 0.0) { 1.0 } else { 0.0 };
    sweep("all", &ALL, values, |_| Dtype::Bool, |_| 0.0, ops::all, all);
    sweep("any", &ALL, values, |_| Dtype::Bool, |_| 0.0, ops::any, any);
    // Mostly non-zero values so `all` is true somewhere.
    let dense = |n: usize, s: u64, _d: Dtype| -> Vec<f64> {
        gen(n, Dtype::Uint8, s).into_iter().map(|r| if r == 0.0 { 0.0 } else { 1.0 }).collect()
    };
    sweep("all (dense)", &ALL, dense, |_| Dtype::Bool, |_| 0.0, ops::all, all);
    // NaN and complex with only an imaginary part count as non-zero.
    let a = Array::from_slice(&[f32::NAN, 1.0], &[2]).unwrap();
    assert!(ops::all(&a, Axes::All, false).unwrap().item::<bool>().unwrap());
    let c = Array::from_slice(&[Complex32::new(0.0, 1.0)], &[1]).unwrap();
    assert!(ops::any(&c, Axes::All, false).unwrap().item::<bool>().unwrap());
}
