//! Convolutions against a direct loop over outputs and kernel taps (in
//! f64): 1-3 spatial dimensions, strides, padding unequal on the two sides,
//! kernel and input dilation, groups, flipped kernels, 1 x 1 kernels, strided
//! inputs, every floating dtype; and the graph, which is one `Conv` node
//! whatever the device.

use num_complex::Complex32;
use rmlx_core::ops::{self, ConvArgs};
use rmlx_core::primitive::Primitive;
use rmlx_core::{Array, Dtype};

use crate::common::{self, arr, Lcg};

/// Multiples of 1/8 in [-1, 1] (exact in every float dtype, and their
/// products and short sums exact in float32).
fn eighths(n: usize, seed: u64) -> Vec<f64> {
    let mut r = Lcg::new(seed);
    (0..n).map(|_| r.below(17) as f64 / 8.0 - 1.0).collect()
}

/// The output shape of the convolution, and each product of it, tap by tap:
/// `visit(output index, input index, weight index)`, flat indices.
fn taps(xs: &[usize], ws: &[usize], a: &ConvArgs, mut visit: impl FnMut(usize, usize, usize)) -> Vec<usize> {
    let nd = xs.len();
    let d = nd - 2;
    let (n, c_in, c_out) = (xs[0], xs[nd - 1], ws[0]);
    let (cg, og) = (c_in / a.groups, c_out / a.groups);
    let ks = &ws[1..=d];
    let mut shape = vec![n];
    for i in 0..d {
        let dil = (xs[1 + i] - 1) * a.input_dilation[i] + 1 + a.padding[i].0 + a.padding[i].1;
        shape.push((dil - ((ks[i] - 1) * a.kernel_dilation[i] + 1)) / a.stride[i] + 1);
    }
    shape.push(c_out);
    let rows: usize = shape[..=d].iter().product();
    let kk: usize = ks.iter().product();
    for r in 0..rows {
        let ridx = common::unravel(r, &shape[..=d]);
        for k in 0..kk {
            let kidx = common::unravel(k, ks);
            // The input pixel this tap reads, if any.
            let mut src = vec![ridx[0]];
            for i in 0..d {
                let q = (ridx[1 + i] * a.stride[i] + kidx[i] * a.kernel_dilation[i]) as i64 - a.padding[i].0 as i64;
                let dl = a.input_dilation[i] as i64;
                if q < 0 || q % dl != 0 || (q / dl) as usize >= xs[1 + i] {
                    src.clear();
                    break;
                }
                src.push((q / dl) as usize);
            }
            if src.is_empty() {
                continue;
            }
            let wk: Vec<usize> =
                if a.flip { kidx.iter().zip(ks).map(|(&k, &s)| s - 1 - k).collect() } else { kidx.clone() };
            for o in 0..c_out {
                let g = o / og;
                for c in 0..cg {
                    let mut xi = src.clone();
                    xi.push(g * cg + c);
                    let mut wi = vec![o];
                    wi.extend(&wk);
                    wi.push(c);
                    visit(r * c_out + o, common::ravel(&xi, xs), common::ravel(&wi, ws));
                }
            }
        }
    }
    shape
}

/// The output shape and values of the convolution.
fn reference(x: &[f64], xs: &[usize], w: &[f64], ws: &[usize], a: &ConvArgs) -> (Vec<usize>, Vec<f64>) {
    let mut out = vec![0.0; 0];
    let shape = taps(xs, ws, a, |_, _, _| {});
    out.resize(shape.iter().product(), 0.0);
    taps(xs, ws, a, |o, xi, wi| out[o] += x[xi] * w[wi]);
    (shape, out)
}

/// The cotangents of the convolution for output cotangent `dy`: each product
/// `x * w` sends `dy * w` to x and `dy * x` to w.
fn reference_vjp(x: &[f64], xs: &[usize], w: &[f64], ws: &[usize], a: &ConvArgs, dy: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let (mut dx, mut dw) = (vec![0.0; x.len()], vec![0.0; w.len()]);
    taps(xs, ws, a, |o, xi, wi| {
        dx[xi] += dy[o] * w[wi];
        dw[wi] += dy[o] * x[xi];
    });
    (dx, dw)
}

struct Case {
    x: Vec<usize>,
    w: Vec<usize>,
    args: ConvArgs,
}

fn case(x: &[usize], w: &[usize], f: impl FnOnce(&mut ConvArgs)) -> Case {
    let mut args = ConvArgs::new(x.len() - 2);
    f(&mut args);
    Case { x: x.to_vec(), w: w.to_vec(), args }
}

fn cases() -> Vec<Case> {
    vec![
        case(&[2, 9, 3], &[4, 3, 3], |_| {}),
        case(&[1, 11, 4], &[6, 3, 2], |a| {
            a.stride = vec![2];
            a.padding = vec![(2, 1)];
            a.kernel_dilation = vec![2];
            a.groups = 2;
        }),
        case(&[2, 5, 6, 3], &[4, 3, 2, 3], |a| a.padding = vec![(1, 1), (0, 2)]),
        case(&[1, 7, 7, 4], &[4, 3, 3, 1], |a| {
            a.stride = vec![2, 1];
            a.padding = vec![(1, 1), (1, 1)];
            a.groups = 4;
        }),
        case(&[1, 4, 5, 2], &[3, 2, 3, 2], |a| {
            a.input_dilation = vec![2, 3];
            a.padding = vec![(1, 1), (2, 2)];
            a.flip = true;
        }),
        case(&[2, 4, 4, 6], &[9, 1, 1, 2], |a| a.groups = 3),
        case(&[3, 5, 8], &[5, 1, 8], |_| {}),
        case(&[1, 3, 4, 5, 2], &[2, 2, 3, 2, 2], |a| {
            a.stride = vec![1, 2, 2];
            a.padding = vec![(1, 0), (0, 1), (1, 1)];
            a.kernel_dilation = vec![1, 1, 2];
        }),
        case(&[1, 6, 2], &[2, 4, 2], |a| {
            a.flip = true;
            a.padding = vec![(3, 3)];
        }),
        // Padding wider than the kernel (the input's cotangent crops), and a
        // stride that leaves the last inputs unread.
        case(&[2, 5, 3], &[2, 2, 3], |a| {
            a.padding = vec![(4, 2)];
            a.stride = vec![3];
        }),
        case(&[1, 6, 5, 4], &[6, 2, 3, 2], |a| {
            a.stride = vec![2, 3];
            a.kernel_dilation = vec![2, 1];
            a.input_dilation = vec![1, 2];
            a.padding = vec![(0, 3), (2, 0)];
            a.groups = 2;
            a.flip = true;
        }),
    ]
}

#[test]
fn conv_general_matches_the_direct_loop() {
    for (ci, c) in cases().iter().enumerate() {
        let nx: usize = c.x.iter().product();
        let nw: usize = c.w.iter().product();
        let (xv, wv) = (eighths(nx, 2 * ci as u64), eighths(nw, 2 * ci as u64 + 1));
        let (shape, exp) = reference(&xv, &c.x, &wv, &c.w, &c.args);
        for dt in [Dtype::Float32, Dtype::Float64, Dtype::Float16, Dtype::Bfloat16] {
            let y = ops::conv_general(&arr(&xv, &c.x, dt), &arr(&wv, &c.w, dt), &c.args).unwrap();
            assert_eq!(y.shape(), &shape[..], "case {ci} {dt}: shape");
            assert_eq!(y.dtype(), dt);
            // Sums of products of eighths: exact in float32 and float64; rounded once per
            // partial sum in the 16-bit dtypes (cuDNN may keep 16-bit partial sums).
            let got = common::read_f(&y);
            let (rel, abs) = match dt {
                Dtype::Float16 => (4e-3, 4e-3),
                Dtype::Bfloat16 => (3e-2, 3e-2),
                _ => (0.0, 1e-6),
            };
            for (i, (&g, &e)) in got.iter().zip(&exp).enumerate() {
                assert!((g - e).abs() <= rel * e.abs() + abs, "case {ci} {dt}: element {i}: got {g}, expected {e}");
            }
        }
        // Complex weights: the real and imaginary parts convolve separately.
        let wz: Vec<Complex32> = wv.iter().map(|&v| Complex32::new(v as f32, -2.0 * v as f32)).collect();
        let xz = ops::astype(&arr(&xv, &c.x, Dtype::Float32), Dtype::Complex64).unwrap();
        let y = ops::conv_general(&xz, &Array::from_slice(&wz, &c.w).unwrap(), &c.args).unwrap();
        let got = common::read_c(&y);
        for (i, (g, &e)) in got.iter().zip(&exp).enumerate() {
            assert!((g.re - e).abs() < 1e-5 && (g.im + 2.0 * e).abs() < 1e-5, "case {ci} c64: element {i}: {g}");
        }
    }
}

#[test]
fn conv_gradients_match_the_direct_loop() {
    // The vjp of a Conv node is made of convolutions (and slices, flips):
    // both cotangents against the loop's, exact in float64, close in float32.
    for (ci, c) in cases().iter().enumerate() {
        let nx: usize = c.x.iter().product();
        let nw: usize = c.w.iter().product();
        let (xv, wv) = (eighths(nx, 7 * ci as u64), eighths(nw, 7 * ci as u64 + 1));
        let (shape, _) = reference(&xv, &c.x, &wv, &c.w, &c.args);
        let dyv = eighths(shape.iter().product(), 7 * ci as u64 + 2);
        let (ex, ew) = reference_vjp(&xv, &c.x, &wv, &c.w, &c.args, &dyv);
        for (dt, tol) in [(Dtype::Float64, 0.0), (Dtype::Float32, 1e-4)] {
            let args = c.args.clone();
            let f = move |v: &[Array]| Ok(vec![ops::conv_general(&v[0], &v[1], &args)?]);
            let (_, g) =
                rmlx_core::vjp(f, &[arr(&xv, &c.x, dt), arr(&wv, &c.w, dt)], &[arr(&dyv, &shape, dt)]).unwrap();
            for (what, got, want) in [("input", &g[0], &ex), ("weight", &g[1], &ew)] {
                let got = common::read_f(got);
                assert_eq!(got.len(), want.len(), "case {ci} {dt}: {what} size");
                for (i, (a, b)) in got.iter().zip(want.iter()).enumerate() {
                    assert!((a - b).abs() <= tol, "case {ci} {dt}: d{what}[{i}] = {a}, want {b}");
                }
            }
        }
    }
}

#[test]
fn conv_reads_strided_inputs() {
    // The input as a transposed view and the weight as a slice with a step.
    let (xs, ws) = ([1usize, 6, 5, 3], [2usize, 3, 3, 3]);
    let xv = eighths(90, 7);
    let wv = eighths(2 * 54, 8);
    let xt = ops::transpose(&arr(&xv, &[1, 5, 6, 3], Dtype::Float32), &[0, 2, 1, 3]).unwrap();
    let xc: Vec<f64> = common::read_f(&ops::contiguous(&xt).unwrap());
    let wfull = arr(&wv, &[4, 3, 3, 3], Dtype::Float32);
    let step =
        [ops::SliceArg::new(Some(0), Some(4), 2), ops::SliceArg::full(), ops::SliceArg::full(), ops::SliceArg::full()];
    let w = ops::slice(&wfull, &step).unwrap();
    let wc = common::read_f(&ops::contiguous(&w).unwrap());
    let mut args = ConvArgs::new(2);
    args.padding = vec![(1, 1), (1, 1)];
    let (_, exp) = reference(&xc, &xs, &wc, &ws, &args);
    let got = common::read_f(&ops::conv_general(&xt, &w, &args).unwrap());
    common::assert_close("strided conv", &got, &exp, Dtype::Float32);
}

#[test]
fn conv_is_one_node_on_every_device() {
    // The graph does not depend on the device: the backend picks the kernel.
    let x = arr(&eighths(2 * 8 * 8 * 3, 1), &[2, 8, 8, 3], Dtype::Float32);
    let w = arr(&eighths(4 * 27, 2), &[4, 3, 3, 3], Dtype::Float32);
    for f16 in [false, true] {
        let (x, w) = if f16 {
            (ops::astype(&x, Dtype::Float16).unwrap(), ops::astype(&w, Dtype::Float16).unwrap())
        } else {
            (x.clone(), w.clone())
        };
        let y = ops::conv2d(&x, &w, [2, 1], [1, 1], [1, 1], 1).unwrap();
        assert!(matches!(y.primitive(), Some(Primitive::Conv(_))), "{:?}", y.primitive());
        let mut args = ConvArgs::new(2);
        args.input_dilation = vec![2, 2];
        let y = ops::conv_general(&x, &w, &args).unwrap();
        assert!(matches!(y.primitive(), Some(Primitive::Conv(_))), "{:?}", y.primitive());
    }
}
