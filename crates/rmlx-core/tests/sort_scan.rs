//! Sorting, scans and row scatters: the device under test gives the CPU's
//! results (bit for bit where the order of operations is fixed), the CPU's
//! results are checked against plain Rust, and bad arguments are errors.

use rmlx_core::primitive::ScatterMode;
use rmlx_core::{ops, Array, Device, Dtype};

fn on_cpu<T>(f: impl FnOnce() -> rmlx_core::Result<T>) -> T {
    rmlx_core::with_stream(Device::Cpu, f).unwrap().unwrap()
}

fn f64s(a: &Array) -> Vec<f64> {
    ops::astype(a, Dtype::Float64).unwrap().to_vec::<f64>().unwrap()
}

/// Deterministic values with ties, NaNs and both zeros.
fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut r = crate::common::Lcg::new(seed);
    (0..n)
        .map(|i| {
            let v = r.below(2001);
            match i % 97 {
                0 => f32::NAN,
                1 => -0.0,
                2 => 0.0,
                _ => v as f32 / 8.0 - 125.0,
            }
        })
        .collect()
}

#[test]
fn sorts_match_the_cpu_and_a_stable_reference() {
    for &(rows, len) in &[(3usize, 37usize), (2, 4096), (2, 5000), (1, 70000)] {
        let v = values(rows * len, len as u64);
        let x = Array::from_slice(&v, &[rows, len]).unwrap();
        for dt in
            [Dtype::Float32, Dtype::Bfloat16, Dtype::Float16, Dtype::Float64, Dtype::Int32, Dtype::Uint8, Dtype::Int64]
        {
            let xd = if dt.is_float() {
                ops::astype(&x, dt).unwrap()
            } else {
                ops::astype(&ops::where_(ops::isnan(&x).unwrap(), 0.0f32, &x).unwrap(), dt).unwrap()
            };
            let here = ops::argsort(&xd, Some(-1)).unwrap().to_vec::<u32>().unwrap();
            let cpu = on_cpu(|| ops::argsort(&xd, Some(-1))).to_vec::<u32>().unwrap();
            assert_eq!(here, cpu, "argsort {dt} {rows}x{len}");
            // A stable reference: NaN last, -0 == 0.
            let host = f64s(&xd);
            for r in 0..rows {
                let row = &host[r * len..(r + 1) * len];
                let mut want: Vec<u32> = (0..len as u32).collect();
                want.sort_by(|&a, &b| {
                    let (x, y) = (row[a as usize], row[b as usize]);
                    match (x.is_nan(), y.is_nan()) {
                        (true, true) => std::cmp::Ordering::Equal,
                        (true, false) => std::cmp::Ordering::Greater,
                        (false, true) => std::cmp::Ordering::Less,
                        _ => x.partial_cmp(&y).unwrap(),
                    }
                });
                assert_eq!(&cpu[r * len..(r + 1) * len], &want[..], "argsort {dt} row {r}");
            }
            let s_here = f64s(&ops::sort(&xd, Some(-1)).unwrap());
            let s_cpu = f64s(&on_cpu(|| ops::sort(&xd, Some(-1))));
            assert_eq!(s_here.len(), s_cpu.len());
            for (a, b) in s_here.iter().zip(&s_cpu) {
                assert!(a == b || (a.is_nan() && b.is_nan()), "sort {dt}: {a} vs {b}");
            }
            // The sorted values are the input's, in the argsort's order.
            for r in 0..rows {
                for i in 0..len {
                    let (a, b) = (s_cpu[r * len + i], host[r * len + cpu[r * len + i] as usize]);
                    assert!(a == b || (a.is_nan() && b.is_nan()), "sort {dt} row {r} at {i}: {a} vs {b}");
                }
            }
        }
    }
}

#[test]
fn sort_keeps_the_sign_of_zero_and_puts_nan_last() {
    // Values sort as one-to-one keys: -0.0 just before 0.0, NaN last; long
    // rows take the radix passes on both devices.
    for len in [9usize, 5000, 40000] {
        let base = [0.0f32, -0.0, 1.0, f32::NAN, -0.0, -1.0, 0.0, -f32::NAN, 2.0];
        let v: Vec<f32> = (0..len).map(|i| base[i % base.len()]).collect();
        let x = Array::from_slice(&v, &[len]).unwrap();
        for got in [
            ops::sort(&x, Some(0)).unwrap().to_vec::<f32>().unwrap(),
            on_cpu(|| ops::sort(&x, Some(0))).to_vec::<f32>().unwrap(),
        ] {
            let count = |f: &dyn Fn(f32) -> bool| v.iter().filter(|&&a| f(a)).count();
            let (neg1, negz, posz, one, two) = (
                count(&|a| a == -1.0),
                count(&|a| a == 0.0 && a.is_sign_negative()),
                count(&|a| a == 0.0 && a.is_sign_positive()),
                count(&|a| a == 1.0),
                count(&|a| a == 2.0),
            );
            let mut want: Vec<u32> = Vec::new();
            for (n, val) in [(neg1, -1.0f32), (negz, -0.0), (posz, 0.0), (one, 1.0), (two, 2.0)] {
                want.extend(std::iter::repeat_n(val.to_bits(), n));
            }
            let bits: Vec<u32> = got.iter().map(|a| a.to_bits()).collect();
            assert_eq!(&bits[..want.len()], &want[..], "len {len}");
            assert!(got[want.len()..].iter().all(|a| a.is_nan()), "len {len}: NaN last");
        }
    }
}

#[test]
fn searchsorted_matches_the_cpu() {
    let a = Array::from_slice(&[1.0f32, 2.0, 2.0, 3.0, f32::NAN], &[5]).unwrap();
    let v = Array::from_slice(&[2.0f32, 0.0, 5.0, f32::NAN, 3.0], &[5]).unwrap();
    for right in [false, true] {
        let here = ops::searchsorted(&a, &v, right).unwrap().to_vec::<u32>().unwrap();
        let cpu = on_cpu(|| ops::searchsorted(&a, &v, right)).to_vec::<u32>().unwrap();
        assert_eq!(here, cpu);
        let want: Vec<u32> = if right { vec![3, 0, 4, 5, 4] } else { vec![1, 0, 4, 4, 3] };
        assert_eq!(cpu, want);
    }
}

#[test]
fn scans_match_the_cpu() {
    use rmlx_core::ops::ScanArgs;
    for &(shape, axis) in &[(&[3usize, 37][..], 1i64), (&[2, 9000][..], 1), (&[300, 7][..], 0), (&[4, 5, 6][..], 1)] {
        let n: usize = shape.iter().product();
        let v: Vec<f32> = values(n, 3).into_iter().map(|x| if x.is_nan() { 0.5 } else { x / 100.0 }).collect();
        let x = Array::from_slice(&v, shape).unwrap();
        for reverse in [false, true] {
            for inclusive in [true, false] {
                let args = ScanArgs { axis: Some(axis), reverse, inclusive };
                type Scan = fn(&Array, ScanArgs) -> rmlx_core::Result<Array>;
                let fs: [(&str, Scan); 5] = [
                    ("cumsum", |a, s| ops::cumsum(a, s, None)),
                    ("cumprod", |a, s| ops::cumprod(&ops::add(&ops::multiply(a, 0.01f32)?, 1.0f32)?, s, None)),
                    ("cummax", ops::cummax),
                    ("cummin", ops::cummin),
                    ("logcumsumexp", ops::logcumsumexp),
                ];
                for (name, f) in fs {
                    let here = f64s(&f(&x, args).unwrap());
                    let cpu = f64s(&on_cpu(|| f(&x, args)));
                    for (i, (a, b)) in here.iter().zip(&cpu).enumerate() {
                        let tol = 1e-4 * b.abs().max(1.0);
                        assert!(
                            (a - b).abs() <= tol || (a == b),
                            "{name} {shape:?} rev={reverse} inc={inclusive} [{i}]: {a} vs {b}"
                        );
                    }
                }
                // Integers are exact.
                let xi = ops::astype(&ops::multiply(&x, 10.0f32).unwrap(), Dtype::Int32).unwrap();
                let here = ops::cumsum(&xi, args, None).unwrap().to_vec::<i32>().unwrap();
                let cpu = on_cpu(|| ops::cumsum(&xi, args, None)).to_vec::<i32>().unwrap();
                assert_eq!(here, cpu);
            }
        }
    }
}

#[test]
fn row_scatters_accumulate_like_the_cpu() {
    let table: Vec<f32> = (0..24).map(|i| i as f32 * 0.5).collect();
    let t = Array::from_slice(&table, &[6, 4]).unwrap();
    let idx = Array::from_slice(&[0i64, 3, 3, 5, 0, -1, 9], &[7]).unwrap();
    let upd: Vec<f32> = (0..28).map(|i| (i % 5) as f32 - 2.0).collect();
    let u = Array::from_slice(&upd, &[7, 4]).unwrap();
    for dt in
        [Dtype::Float32, Dtype::Bfloat16, Dtype::Float16, Dtype::Int32, Dtype::Int8, Dtype::Float64, Dtype::Uint16]
    {
        let (td, ud) = (ops::astype(&t, dt).unwrap(), ops::astype(&u, dt).unwrap());
        for mode in [ScatterMode::Add, ScatterMode::Max, ScatterMode::Min, ScatterMode::Prod] {
            if dt == Dtype::Uint16 && mode == ScatterMode::Add {
                continue; // negative updates wrap; covered by Int32
            }
            let here = f64s(&ops::scatter_axis(&td, &idx, &ud, mode, 0).unwrap());
            let cpu = f64s(&on_cpu(|| ops::scatter_axis(&td, &idx, &ud, mode, 0)));
            assert_eq!(here, cpu, "{dt} {mode:?}");
        }
    }
    // Indices clamp: row 9 lands on the last row, -1 wraps to it.
    let r = ops::scatter_axis(
        &ops::zeros(&[3, 1], Dtype::Float32).unwrap(),
        &Array::from_slice(&[9i64, -1, -7], &[3]).unwrap(),
        1.0f32,
        ScatterMode::Add,
        0,
    )
    .unwrap()
    .to_vec::<f32>()
    .unwrap();
    assert_eq!(r, vec![1.0, 0.0, 2.0]);
    // Flat scatters combine in parallel on the GPU and still sum every update.
    let pos = Array::from_slice(&vec![2i64; 1000], &[1000]).unwrap();
    let s = ops::scatter(&ops::zeros(&[4], Dtype::Float32).unwrap(), &pos, 1.0f32, ScatterMode::Add).unwrap();
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![0.0, 0.0, 1000.0, 0.0]);
    let s = ops::scatter(&ops::zeros(&[4], Dtype::Int8).unwrap(), &pos, 1i64, ScatterMode::Max).unwrap();
    assert_eq!(s.to_vec::<i8>().unwrap(), vec![0, 0, 1, 0]);
}

#[test]
fn bad_arguments_are_errors() {
    let x = Array::from_slice(&[1.0f32, 2.0], &[2]).unwrap();
    assert!(ops::sort(&x, Some(1)).is_err());
    assert!(ops::topk(&x, 3, Some(0)).is_err());
    assert!(ops::partition(&x, 2, Some(0)).is_err());
    assert!(ops::searchsorted(&ops::reshape(&x, &[1, 2]).unwrap(), &x, false).is_err());
    assert!(ops::cumsum(&x, ops::ScanArgs::axis(2), None).is_err());
    assert!(ops::scatter_axis(&x, &x, 1.0f32, ScatterMode::Add, 0).is_err());
    assert!(ops::einsum("ij,jk->ik", std::slice::from_ref(&x)).is_err());
    assert!(ops::einsum("i,i->j", &[x.clone(), x.clone()]).is_err());
    assert!(ops::tensordot(&x, &x, &ops::TensorAxes::Count(2)).is_err());
    let e = ops::take_along_axis(&x, &Array::from_slice(&[0.5f32], &[1]).unwrap(), Some(0)).unwrap_err();
    assert!(e.to_string().contains("integers"), "{e}");
}

#[test]
fn row_takes_match_the_cpu() {
    // Rows of 128, 68 and 80 bytes, an offset (misaligned) source, and an inner axis.
    let v: Vec<f32> = (0..4000).map(|i| i as f32 * 0.25 - 7.0).collect();
    let base = Array::from_slice(&v, &[4000]).unwrap();
    let idx = Array::from_slice(&[3i64, 0, -1, 7, 3, 99], &[2, 3]).unwrap();
    for &(rows, len, offset, dt) in &[
        (30usize, 32usize, 0usize, Dtype::Float32),
        (30, 17, 1, Dtype::Float32),
        (30, 40, 0, Dtype::Bfloat16),
        (20, 40, 3, Dtype::Float16),
    ] {
        let flat =
            ops::slice_axis(&base, 0, ops::SliceArg::range(offset as i64, (offset + rows * len) as i64)).unwrap();
        let t = ops::astype(&ops::reshape(&flat, &[rows as i64, len as i64]).unwrap(), dt).unwrap();
        let here = f64s(&ops::take(&t, &idx, Some(0)).unwrap());
        let cpu = f64s(&on_cpu(|| ops::take(&t, &idx, Some(0))));
        assert_eq!(here, cpu, "{rows}x{len} {dt}");
    }
    let t3 = ops::reshape(&base, &[4, 25, 40]).unwrap();
    let i1 = Array::from_slice(&[24i64, 0, 5], &[3]).unwrap();
    assert_eq!(f64s(&ops::take(&t3, &i1, Some(1)).unwrap()), f64s(&on_cpu(|| ops::take(&t3, &i1, Some(1)))));
}
