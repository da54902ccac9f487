//! Matrix products against a naive triple loop: every numeric dtype
//! (integers wrap), batches with broadcasting, 1-D operands, strided operands,
//! awkward sizes, empty operands and the errors.

use num_complex::Complex32;
use rmlx_core::ops::{self, SliceArg};
use rmlx_core::{Array, Dtype, Error};

use crate::common;
use common::arr;

/// Deterministic values: multiples of 1/8 in [-1, 1] for floats (exact in
/// every float dtype), -9..=9 for signed and 0..=18 for unsigned integers.
fn gen(n: usize, dtype: Dtype, seed: u64) -> Vec<f64> {
    let mut rng = crate::common::Lcg::new(seed);
    (0..n)
        .map(|_| {
            let s = rng.next_u64();
            let r = ((s >> 33) % 19) as f64;
            if dtype.is_unsigned() {
                r
            } else if dtype.is_signed_int() {
                r - 9.0
            } else {
                ((s >> 40) % 17) as f64 / 8.0 - 1.0
            }
        })
        .collect()
}

/// Wraps an exact integer result into `dtype`, as integer arithmetic wraps.
fn wrap(x: f64, dtype: Dtype) -> f64 {
    let i = x as i128;
    match dtype {
        Dtype::Uint8 => i as u8 as f64,
        Dtype::Uint16 => i as u16 as f64,
        Dtype::Uint32 => i as u32 as f64,
        Dtype::Uint64 => i as u64 as f64,
        Dtype::Int8 => i as i8 as f64,
        Dtype::Int16 => i as i16 as f64,
        Dtype::Int32 => i as i32 as f64,
        Dtype::Int64 => i as i64 as f64,
        _ => x,
    }
}

fn eps(dtype: Dtype) -> f64 {
    match dtype {
        Dtype::Float16 => 2f64.powi(-10),
        Dtype::Bfloat16 => 2f64.powi(-7),
        Dtype::Float32 | Dtype::Complex64 => 2f64.powi(-22),
        Dtype::Float64 => 2f64.powi(-50),
        _ => 0.0,
    }
}

/// Row-major (batch, m, k) @ (batch, k, n) with batch broadcasting done by the caller.
/// Returns the exact products and the sums of |a||b| (for error bounds).
fn naive(a: &[f64], b: &[f64], batch: usize, m: usize, k: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0.0; batch * m * n];
    let mut mag = vec![0.0; batch * m * n];
    for bi in 0..batch {
        for i in 0..m {
            for j in 0..n {
                let (mut s, mut g) = (0.0, 0.0);
                for p in 0..k {
                    let x = a[bi * m * k + i * k + p];
                    let y = b[bi * k * n + p * n + j];
                    s += x * y;
                    g += (x * y).abs();
                }
                out[bi * m * n + i * n + j] = s;
                mag[bi * m * n + i * n + j] = g;
            }
        }
    }
    (out, mag)
}

fn check(got: &Array, shape: &[usize], want: &[f64], mag: &[f64], dtype: Dtype, k: usize, ctx: &str) {
    assert_eq!(got.shape(), shape, "{ctx}: shape");
    assert_eq!(got.dtype(), dtype, "{ctx}: dtype");
    let v = got.to_vec::<f64>().unwrap_or_else(|e| panic!("{ctx}: {e}"));
    assert_eq!(v.len(), want.len(), "{ctx}: length");
    for (i, ((&g, &w), &m)) in v.iter().zip(want).zip(mag).enumerate() {
        if dtype.is_integer() {
            assert_eq!(g, wrap(w, dtype), "{ctx}: element {i}");
        } else {
            // Rounding of the result plus accumulated rounding of the sum.
            let bound = eps(dtype) * (w.abs() + (k as f64 + 2.0) * m) + 1e-12;
            assert!((g - w).abs() <= bound, "{ctx}: element {i}: got {g}, want {w} (bound {bound})");
        }
    }
}

const NUMERIC: [Dtype; 9] = [
    Dtype::Float16,
    Dtype::Bfloat16,
    Dtype::Float32,
    Dtype::Float64,
    Dtype::Int8,
    Dtype::Int32,
    Dtype::Int64,
    Dtype::Uint8,
    Dtype::Uint32,
];

#[test]
fn matrix_products_every_dtype_and_size() {
    let sizes = [
        (1usize, 1usize, 1usize),
        (1, 7, 1),
        (7, 1, 7),
        (7, 7, 7),
        (3, 64, 5),
        (64, 64, 64),
        (129, 7, 65),
        (2, 129, 129),
    ];
    for dt in NUMERIC {
        for (si, &(m, k, n)) in sizes.iter().enumerate() {
            let av = gen(m * k, dt, si as u64);
            let bv = gen(k * n, dt, si as u64 + 100);
            let a = arr(&av, &[m, k], dt);
            let b = arr(&bv, &[k, n], dt);
            let (want, mag) = naive(&av, &bv, 1, m, k, n);
            let c = ops::matmul(&a, &b).unwrap();
            check(&c, &[m, n], &want, &mag, dt, k, &format!("{dt} ({m}, {k}) @ ({k}, {n})"));
        }
    }
}

#[test]
fn integer_products_wrap() {
    // 200 * 200 + 100 * 3 wraps in uint8; int8 wraps too.
    let a = Array::from_slice(&[200u8, 100], &[1, 2]).unwrap();
    let b = Array::from_slice(&[200u8, 3], &[2, 1]).unwrap();
    let c = ops::matmul(&a, &b).unwrap();
    assert_eq!(c.dtype(), Dtype::Uint8);
    assert_eq!(c.to_vec::<u8>().unwrap(), vec![(200u32 * 200 + 300) as u8]);
    let a = Array::from_slice(&[100i8, 100, -128], &[1, 3]).unwrap();
    let b = Array::from_slice(&[2i8, 3, 1], &[3, 1]).unwrap();
    let c = ops::matmul(&a, &b).unwrap();
    assert_eq!(c.dtype(), Dtype::Int8);
    assert_eq!(c.item::<i8>().unwrap(), (200i32 + 300 - 128) as i8);
    let a = Array::from_slice(&[i32::MAX, 1], &[1, 2]).unwrap();
    let b = Array::from_slice(&[2i32, 1], &[2, 1]).unwrap();
    assert_eq!(ops::matmul(&a, &b).unwrap().item::<i32>().unwrap(), i32::MAX.wrapping_mul(2).wrapping_add(1));
    let a = Array::from_slice(&[i64::MAX, 3], &[1, 2]).unwrap();
    let b = Array::from_slice(&[3i64, 5], &[2, 1]).unwrap();
    assert_eq!(ops::matmul(&a, &b).unwrap().item::<i64>().unwrap(), i64::MAX.wrapping_mul(3).wrapping_add(15));
}

#[test]
fn complex_products() {
    let cv = |n: usize, seed: u64| -> Vec<Complex32> {
        let re = gen(n, Dtype::Float32, seed);
        let im = gen(n, Dtype::Float32, seed + 7);
        re.iter().zip(&im).map(|(&r, &i)| Complex32::new(r as f32, i as f32)).collect()
    };
    for &(m, k, n) in &[(1usize, 1usize, 1usize), (3, 7, 2), (64, 64, 64), (5, 129, 3)] {
        let av = cv(m * k, 1);
        let bv = cv(k * n, 2);
        let a = Array::from_slice(&av, &[m, k]).unwrap();
        let b = Array::from_slice(&bv, &[k, n]).unwrap();
        let c = ops::matmul(&a, &b).unwrap();
        assert_eq!(c.dtype(), Dtype::Complex64);
        assert_eq!(c.shape(), &[m, n]);
        let got = c.to_vec::<Complex32>().unwrap();
        for i in 0..m {
            for j in 0..n {
                let (mut re, mut im) = (0f64, 0f64);
                for p in 0..k {
                    let (x, y) = (av[i * k + p], bv[p * n + j]);
                    re += x.re as f64 * y.re as f64 - x.im as f64 * y.im as f64;
                    im += x.re as f64 * y.im as f64 + x.im as f64 * y.re as f64;
                }
                let g = got[i * n + j];
                let tol = 1e-5 * (k as f64 + 1.0);
                assert!(
                    (g.re as f64 - re).abs() < tol && (g.im as f64 - im).abs() < tol,
                    "({m},{k},{n}) [{i},{j}]: {g} vs {re}+{im}i"
                );
            }
        }
    }
    // Transposed complex operand (a transpose, not a conjugate transpose).
    let av = cv(6, 3);
    let a = Array::from_slice(&av, &[3, 2]).unwrap();
    let at = ops::transpose(&a, &[1, 0]).unwrap();
    let c = ops::matmul(&at, &a).unwrap().to_vec::<Complex32>().unwrap();
    for i in 0..2 {
        for j in 0..2 {
            let want: Complex32 = (0..3).map(|p| av[p * 2 + i] * av[p * 2 + j]).sum();
            assert!((c[i * 2 + j] - want).norm() < 1e-5);
        }
    }
}

#[test]
fn batched_and_broadcast_batches() {
    for dt in [Dtype::Float32, Dtype::Float64, Dtype::Int32, Dtype::Float16, Dtype::Bfloat16] {
        // (2, 1, 3, 4) @ (5, 4, 2) -> (2, 5, 3, 2).
        let av = gen(2 * 3 * 4, dt, 1);
        let bv = gen(5 * 4 * 2, dt, 2);
        let a = arr(&av, &[2, 1, 3, 4], dt);
        let b = arr(&bv, &[5, 4, 2], dt);
        let c = ops::matmul(&a, &b).unwrap();
        // Broadcast the batches by hand: batch (i, j) uses a[i, 0] and b[j].
        let mut ab = Vec::new();
        let mut bb = Vec::new();
        for i in 0..2 {
            for j in 0..5 {
                ab.extend_from_slice(&av[i * 12..i * 12 + 12]);
                bb.extend_from_slice(&bv[j * 8..j * 8 + 8]);
            }
        }
        let (want, mag) = naive(&ab, &bb, 10, 3, 4, 2);
        check(&c, &[2, 5, 3, 2], &want, &mag, dt, 4, &format!("{dt} (2, 1, 3, 4) @ (5, 4, 2)"));

        // Same batch shape, 3 batches.
        let av = gen(3 * 5 * 6, dt, 3);
        let bv = gen(3 * 6 * 7, dt, 4);
        let c = ops::matmul(&arr(&av, &[3, 5, 6], dt), &arr(&bv, &[3, 6, 7], dt)).unwrap();
        let (want, mag) = naive(&av, &bv, 3, 5, 6, 7);
        check(&c, &[3, 5, 7], &want, &mag, dt, 6, &format!("{dt} batched"));

        // A 2-D right operand shared by every batch.
        let bv2 = gen(6 * 7, dt, 5);
        let c = ops::matmul(&arr(&av, &[3, 5, 6], dt), &arr(&bv2, &[6, 7], dt)).unwrap();
        let bb: Vec<f64> = (0..3).flat_map(|_| bv2.clone()).collect();
        let (want, mag) = naive(&av, &bb, 3, 5, 6, 7);
        check(&c, &[3, 5, 7], &want, &mag, dt, 6, &format!("{dt} batch @ matrix"));
    }
    // Batch dims that do not broadcast.
    let a = arr(&[0.0; 2 * 3 * 4], &[2, 3, 4], Dtype::Float32);
    let b = arr(&[0.0; 3 * 4 * 2], &[3, 4, 2], Dtype::Float32);
    assert!(ops::matmul(&a, &b).is_err());
}

#[test]
fn one_dimensional_operands() {
    for dt in [Dtype::Float32, Dtype::Float64, Dtype::Int64, Dtype::Float16] {
        let v = gen(4, dt, 1);
        let m = gen(4 * 3, dt, 2);
        let w = gen(3, dt, 3);
        // vector @ matrix: (4,) @ (4, 3) -> (3,)
        let c = ops::matmul(&arr(&v, &[4], dt), &arr(&m, &[4, 3], dt)).unwrap();
        let (want, mag) = naive(&v, &m, 1, 1, 4, 3);
        check(&c, &[3], &want, &mag, dt, 4, &format!("{dt} vector @ matrix"));
        // matrix @ vector: (4, 3) @ (3,) -> (4,)
        let c = ops::matmul(&arr(&m, &[4, 3], dt), &arr(&w, &[3], dt)).unwrap();
        let (want, mag) = naive(&m, &w, 1, 4, 3, 1);
        check(&c, &[4], &want, &mag, dt, 3, &format!("{dt} matrix @ vector"));
        // vector @ vector -> 0-d
        let c = ops::matmul(&arr(&v, &[4], dt), &arr(&v, &[4], dt)).unwrap();
        let (want, mag) = naive(&v, &v, 1, 1, 4, 1);
        check(&c, &[], &want, &mag, dt, 4, &format!("{dt} vector @ vector"));
        // batch @ vector: (2, 4, 3) @ (3,) -> (2, 4)
        let bm = gen(2 * 4 * 3, dt, 4);
        let c = ops::matmul(&arr(&bm, &[2, 4, 3], dt), &arr(&w, &[3], dt)).unwrap();
        let (want, mag) = naive(&bm, &[w.clone(), w.clone()].concat(), 2, 4, 3, 1);
        check(&c, &[2, 4], &want, &mag, dt, 3, &format!("{dt} batch @ vector"));
        // vector @ batch: (4,) @ (2, 4, 3) -> (2, 3)
        let c = ops::matmul(&arr(&v, &[4], dt), &arr(&bm, &[2, 4, 3], dt)).unwrap();
        let (want, mag) = naive(&[v.clone(), v.clone()].concat(), &bm, 2, 1, 4, 3);
        check(&c, &[2, 3], &want, &mag, dt, 4, &format!("{dt} vector @ batch"));
    }
    let e = ops::matmul(&arr(&[1.0; 4], &[4], Dtype::Float32), &arr(&[1.0; 3], &[3], Dtype::Float32)).unwrap_err();
    assert!(e.to_string().contains("(4,)") && e.to_string().contains("(3,)"), "{e}");
}

/// (rows, cols) data as the transpose of a (cols, rows) array: a strided operand.
fn transposed(v: &[f64], rows: usize, cols: usize, dt: Dtype) -> Array {
    // Store the transpose so that transposing back gives `v` in (rows, cols).
    let mut t = vec![0.0; v.len()];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = v[i * cols + j];
        }
    }
    ops::transpose(&arr(&t, &[cols, rows], dt), &[1, 0]).unwrap()
}

#[test]
fn strided_operands() {
    for dt in
        [Dtype::Float16, Dtype::Bfloat16, Dtype::Float32, Dtype::Float64, Dtype::Int32, Dtype::Uint8, Dtype::Complex64]
    {
        for &(m, k, n) in &[(1usize, 7usize, 1usize), (7, 7, 7), (64, 64, 64), (129, 3, 65)] {
            let av = gen(m * k, dt, 11);
            let bv = gen(k * n, dt, 12);
            let (want, mag) = naive(&av, &bv, 1, m, k, n);
            let ctx = format!("{dt} ({m}, {k}, {n})");
            let (a, b) = (arr(&av, &[m, k], dt), arr(&bv, &[k, n], dt));
            let (at, bt) = (transposed(&av, m, k, dt), transposed(&bv, k, n, dt));
            check(&ops::matmul(&at, &b).unwrap(), &[m, n], &want, &mag, dt, k, &format!("{ctx} A^T"));
            check(&ops::matmul(&a, &bt).unwrap(), &[m, n], &want, &mag, dt, k, &format!("{ctx} B^T"));
            check(&ops::matmul(&at, &bt).unwrap(), &[m, n], &want, &mag, dt, k, &format!("{ctx} A^T B^T"));
        }
        // Reversed rows (negative strides) and every-other column (a gap).
        let (m, k, n) = (5usize, 6usize, 4usize);
        let av = gen(m * 2 * k, dt, 21);
        let base = arr(&av, &[m, 2 * k], dt);
        let a = ops::slice(&base, &[SliceArg::new(None, None, -1), SliceArg::new(None, None, 2)]).unwrap();
        let mut ad = Vec::new();
        for i in (0..m).rev() {
            for p in (0..2 * k).step_by(2) {
                ad.push(av[i * 2 * k + p]);
            }
        }
        let bv = gen(k * n, dt, 22);
        let b = ops::slice(&arr(&bv, &[k, n], dt), &[SliceArg::full(), SliceArg::new(None, None, -1)]).unwrap();
        let mut bd = Vec::new();
        for p in 0..k {
            for j in (0..n).rev() {
                bd.push(bv[p * n + j]);
            }
        }
        let (want, mag) = naive(&ad, &bd, 1, m, k, n);
        check(&ops::matmul(&a, &b).unwrap(), &[m, n], &want, &mag, dt, k, &format!("{dt} reversed and gapped"));
        // A broadcast row as the left operand.
        let row = gen(k, dt, 23);
        let a = ops::broadcast_to(&arr(&row, &[1, k], dt), &[3, k]).unwrap();
        let ad: Vec<f64> = (0..3).flat_map(|_| row.clone()).collect();
        let (want, mag) = naive(&ad, &bv, 1, 3, k, n);
        check(
            &ops::matmul(&a, &arr(&bv, &[k, n], dt)).unwrap(),
            &[3, n],
            &want,
            &mag,
            dt,
            k,
            &format!("{dt} broadcast rows"),
        );
        // Transposed batched operand: (k, batch, m) moved to (batch, m, k).
        let bt = 3usize;
        let raw = gen(k * bt * m, dt, 24);
        let x = ops::transpose(&arr(&raw, &[k, bt, m], dt), &[1, 2, 0]).unwrap();
        let mut xd = vec![0.0; bt * m * k];
        for p in 0..k {
            for b_ in 0..bt {
                for i in 0..m {
                    xd[b_ * m * k + i * k + p] = raw[p * bt * m + b_ * m + i];
                }
            }
        }
        let bb: Vec<f64> = (0..bt).flat_map(|_| bv.clone()).collect();
        let (want, mag) = naive(&xd, &bb, bt, m, k, n);
        check(
            &ops::matmul(&x, &arr(&bv, &[k, n], dt)).unwrap(),
            &[bt, m, n],
            &want,
            &mag,
            dt,
            k,
            &format!("{dt} permuted batch"),
        );
    }
}

#[test]
fn empty_operands() {
    for dt in [Dtype::Float32, Dtype::Float16, Dtype::Bfloat16, Dtype::Float64, Dtype::Int32, Dtype::Complex64] {
        // k = 0: a sum of nothing, all zeros.
        let c = ops::matmul(&arr(&[], &[2, 0], dt), &arr(&[], &[0, 3], dt)).unwrap();
        assert_eq!(c.shape(), &[2, 3]);
        assert_eq!(c.to_vec::<f64>().unwrap(), vec![0.0; 6], "{dt} k = 0");
        let c = ops::matmul(&arr(&[], &[0, 3], dt), &arr(&[1.0; 6], &[3, 2], dt)).unwrap();
        assert_eq!(c.shape(), &[0, 2]);
        assert!(c.to_vec::<f64>().unwrap().is_empty());
        let c = ops::matmul(&arr(&[], &[0, 2, 3], dt), &arr(&[1.0; 6], &[3, 2], dt)).unwrap();
        assert_eq!(c.shape(), &[0, 2, 2]);
        let c = ops::matmul(&arr(&[], &[0], dt), &arr(&[], &[0], dt)).unwrap();
        assert_eq!(c.shape(), &[] as &[usize]);
        assert_eq!(c.item::<f64>().unwrap(), 0.0, "{dt} empty dot");
    }
}

#[test]
fn mixed_dtypes_promote() {
    let a = Array::from_slice(&[1i32, 2, 3, 4], &[2, 2]).unwrap();
    let b = Array::from_slice(&[0.5f32, 0.25, 1.0, 2.0], &[2, 2]).unwrap();
    let c = ops::matmul(&a, &b).unwrap();
    assert_eq!(c.dtype(), Dtype::Float32);
    assert_eq!(c.to_vec::<f32>().unwrap(), vec![2.5, 4.25, 5.5, 8.75]);
    let h = arr(&[1.0, 2.0, 3.0, 4.0], &[2, 2], Dtype::Float16);
    let c = ops::matmul(&h, &b).unwrap();
    assert_eq!(c.dtype(), Dtype::Float32);
    let u = Array::from_slice(&[1u8, 2, 3, 4], &[2, 2]).unwrap();
    let i = Array::from_slice(&[1i8, -1, 1, -1], &[2, 2]).unwrap();
    let c = ops::matmul(&u, &i).unwrap();
    assert_eq!(c.dtype(), Dtype::Int16);
    assert_eq!(c.to_vec::<i16>().unwrap(), vec![3, -3, 7, -7]);
}

#[test]
fn errors_name_the_shapes() {
    let a = arr(&[0.0; 6], &[2, 3], Dtype::Float32);
    let b = arr(&[0.0; 20], &[4, 5], Dtype::Float32);
    let e = ops::matmul(&a, &b).unwrap_err();
    assert!(matches!(e, Error::Shape(_)), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("(2, 3)") && msg.contains("(4, 5)"), "{msg}");
    let e = ops::matmul(&arr(&[0.0; 24], &[2, 3, 4], Dtype::Float32), &arr(&[0.0; 15], &[3, 5], Dtype::Float32))
        .unwrap_err();
    assert!(e.to_string().contains("(2, 3, 4)") && e.to_string().contains("(3, 5)"), "{e}");
    let t = Array::from_slice(&[true, false, true, true], &[2, 2]).unwrap();
    assert!(matches!(ops::matmul(&t, &t).unwrap_err(), Error::Dtype(_)));
    let s = Array::scalar(1.0f32).unwrap();
    assert!(ops::matmul(&s, &a).is_err());
    assert!(ops::matmul(&a, &s).is_err());
    // Shape errors come when the op is built, not at eval.
    assert!(ops::matmul(&ops::exp(&a).unwrap(), &b).is_err());
}

#[test]
fn large_batched_products() {
    // Several batches of big products: the threaded gemm and batch paths.
    for dt in [Dtype::Float32, Dtype::Float64, Dtype::Int32] {
        let (bt, m, k, n) = (4usize, 70usize, 66usize, 65usize);
        let av = gen(bt * m * k, dt, 31);
        let bv = gen(bt * k * n, dt, 32);
        let c = ops::matmul(&arr(&av, &[bt, m, k], dt), &arr(&bv, &[bt, k, n], dt)).unwrap();
        let (want, mag) = naive(&av, &bv, bt, m, k, n);
        check(&c, &[bt, m, n], &want, &mag, dt, k, &format!("{dt} large batched"));
        // One big product with a broadcast (stride-0) batch on the right.
        let bv1 = gen(k * n, dt, 33);
        let b = ops::broadcast_to(&arr(&bv1, &[1, k, n], dt), &[bt, k, n]).unwrap();
        let c = ops::matmul(&arr(&av, &[bt, m, k], dt), &b).unwrap();
        let bb: Vec<f64> = (0..bt).flat_map(|_| bv1.clone()).collect();
        let (want, mag) = naive(&av, &bb, bt, m, k, n);
        check(&c, &[bt, m, n], &want, &mag, dt, k, &format!("{dt} large broadcast batch"));
    }
}

#[test]
fn one_row_times_a_matrix() {
    // Decode-shaped products (a GEMV on the GPU): the matrix as stored and
    // transposed (a linear layer's weight), widths that fill whole vectors
    // and widths that do not, a row sliced from a larger matrix, long K.
    for dt in [Dtype::Float16, Dtype::Bfloat16, Dtype::Float32] {
        for (si, &(k, n)) in [(64usize, 64usize), (1000, 72), (257, 33), (4096, 24), (3, 515)].iter().enumerate() {
            let av = gen(k, dt, si as u64 + 7);
            let bv = gen(k * n, dt, si as u64 + 70);
            let (want, mag) = naive(&av, &bv, 1, 1, k, n);
            let a = arr(&av, &[1, k], dt);
            let plain = arr(&bv, &[k, n], dt);
            let ctx = format!("{dt} (1, {k}) @ ({k}, {n})");
            check(&ops::matmul(&a, &plain).unwrap(), &[1, n], &want, &mag, dt, k, &ctx);
            let t = transposed(&bv, k, n, dt);
            check(&ops::matmul(&a, &t).unwrap(), &[1, n], &want, &mag, dt, k, &format!("{ctx}, transposed"));
            // The row as a slice of a bigger matrix (an offset into its buffer).
            let mut big = gen(3 * k, dt, 5);
            big[k..2 * k].copy_from_slice(&av);
            let big = arr(&big, &[3, k], dt);
            let row = ops::slice(&big, &[SliceArg::range(1, 2), SliceArg::full()]).unwrap();
            check(&ops::matmul(&row, &t).unwrap(), &[1, n], &want, &mag, dt, k, &format!("{ctx}, sliced row"));
            // A 1-D vector on the left.
            let v = arr(&av, &[k], dt);
            check(&ops::matmul(&v, &plain).unwrap(), &[n], &want, &mag, dt, k, &format!("{ctx}, 1-D"));
        }
    }
}
