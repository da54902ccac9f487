//! Eager fusion of elementwise chains (GPU): a chain evaluated at once must
//! give bit-for-bit what evaluating each step on its own gives, whatever the
//! operands (dense arrays, host scalars, device scalars, the chain's own
//! value), its length (several launches), the number of arrays it reads, and
//! the alignment of its inputs. Intermediates held by the user keep their
//! values. On the CPU these run too (nothing is fused there).

use crate::common::FLOATS;
use rmlx_core::{ops, Array, Axes, Dtype};

/// Deterministic values in [-1, 1).
fn values(n: usize, seed: u64) -> Vec<f32> {
    crate::common::uniform(n, seed, -1.0, 1.0).into_iter().map(|v| v as f32).collect()
}

fn input(n: usize, seed: u64, dt: Dtype) -> Array {
    let a = ops::astype(&Array::from_slice(&values(n, seed), &[n]).unwrap(), dt).unwrap();
    a.eval().unwrap();
    a
}

/// Exact contents as f64 bit patterns (every float dtype converts exactly).
fn bits(a: &Array) -> Vec<u64> {
    ops::astype(a, Dtype::Float64).unwrap().to_vec::<f64>().unwrap().iter().map(|v| v.to_bits()).collect()
}

type Step<'a> = Box<dyn Fn(&Array) -> Array + 'a>;

/// Applies `steps` to `x`, evaluating after each step when `eager`.
fn run(x: &Array, steps: &[Step], eager: bool) -> Array {
    let mut y = x.clone();
    for f in steps {
        y = f(&y);
        if eager {
            y.eval().unwrap();
        }
    }
    y
}

#[test]
fn chains_match_op_by_op_for_every_operand_kind() {
    for dt in FLOATS {
        let n = 1000 + 3; // a tail that is not a whole vector
        let x = input(n, 1, dt);
        let y = input(n, 2, dt);
        // A single value on the device (the sum of a device array), and one on the host.
        let dev_scalar = ops::multiply(ops::sum(&input(16, 3, dt), Axes::All, false).unwrap(), 0.125).unwrap();
        dev_scalar.eval().unwrap();
        let host_scalar = ops::astype(&Array::from_slice(&[0.75f32], &[1]).unwrap(), dt).unwrap();
        host_scalar.eval().unwrap();
        let steps: Vec<Step> = vec![
            Box::new(|a| ops::multiply(a, 1.0001f32).unwrap()),
            Box::new(|a| ops::add(a, 0.5f32).unwrap()),
            Box::new(|a| ops::add(a, &y).unwrap()),
            Box::new(|a| ops::subtract(2.0f32, a).unwrap()),
            Box::new(|a| ops::multiply(a, a).unwrap()),
            Box::new(|a| ops::divide(&y, ops::add(a, 3.0f32).unwrap()).unwrap()),
            Box::new(|a| ops::maximum(a, &dev_scalar).unwrap()),
            Box::new(|a| ops::minimum(&host_scalar, a).unwrap()),
            Box::new(|a| ops::exp(a).unwrap()),
            Box::new(|a| ops::tanh(a).unwrap()),
            Box::new(|a| ops::sigmoid(a).unwrap()),
            Box::new(|a| ops::negative(a).unwrap()),
            Box::new(|a| ops::logaddexp(a, &x).unwrap()),
            Box::new(|a| ops::arctan2(a, &y).unwrap()),
            Box::new(|a| ops::square(a).unwrap()),
            Box::new(|a| ops::power(a, 0.5f32).unwrap()),
            Box::new(|a| ops::remainder(a, 0.3f32).unwrap()),
        ];
        let fused = run(&x, &steps, false);
        let stepwise = run(&x, &steps, true);
        fused.eval().unwrap();
        assert_eq!(fused.dtype(), dt);
        assert_eq!(bits(&fused), bits(&stepwise), "{dt}: a fused chain differs from op-by-op evaluation");
    }
}

#[test]
fn long_chains_reading_many_arrays_match() {
    let dt = Dtype::Float32;
    let n = 4096;
    let arrays: Vec<Array> = (0..12).map(|k| input(n, 10 + k, dt)).collect();
    let build = |eager: bool| {
        let mut a = arrays[0].clone();
        for i in 0..700 {
            a = match i % 4 {
                0 => ops::multiply(&a, 0.999f32).unwrap(),
                1 => ops::add(&a, &arrays[i % arrays.len()]).unwrap(),
                2 => ops::subtract(&arrays[(i * 7) % arrays.len()], &a).unwrap(),
                _ => ops::multiply(&a, 0.5f32).unwrap(),
            };
            if eager {
                a.eval().unwrap();
            }
        }
        a
    };
    let fused = build(false);
    let stepwise = build(true);
    assert_eq!(bits(&fused), bits(&stepwise), "a chain of 700 ops over 12 arrays differs");
}

#[test]
fn unaligned_inputs_and_held_intermediates_keep_their_values() {
    for dt in [Dtype::Float32, Dtype::Bfloat16] {
        // Starting one element in: contiguous but not 16-byte aligned.
        let base = input(2001, 5, dt);
        let x = ops::slice_axis(&base, 0, ops::SliceArg::new(Some(1), None, 1)).unwrap();
        let y = input(2000, 6, dt);
        let a = ops::add(&x, &y).unwrap();
        let b = ops::multiply(&a, 3.0f32).unwrap(); // held: must be computed and kept
        let c = ops::sin(&ops::subtract(&b, &y).unwrap()).unwrap();
        let d = ops::add(ops::multiply(&c, &c).unwrap(), 1.0f32).unwrap();
        d.eval().unwrap();
        assert!(b.is_evaluated(), "a held intermediate is computed");
        // The same, one step at a time.
        let a2 = ops::add(&x, &y).unwrap();
        a2.eval().unwrap();
        let b2 = ops::multiply(&a2, 3.0f32).unwrap();
        b2.eval().unwrap();
        let c2 = ops::subtract(&b2, &y).unwrap();
        c2.eval().unwrap();
        let c2 = ops::sin(&c2).unwrap();
        c2.eval().unwrap();
        let d2 = ops::multiply(&c2, &c2).unwrap();
        d2.eval().unwrap();
        let d2 = ops::add(&d2, 1.0f32).unwrap();
        assert_eq!(bits(&b), bits(&b2), "{dt}: held intermediate");
        assert_eq!(bits(&d), bits(&d2), "{dt}: chain over an unaligned input");
    }
}

#[test]
fn chains_of_mixed_shapes_and_dtypes_are_cut_where_needed() {
    // A broadcast operand of another shape, a cast and a reduction inside the
    // run: each is a node of its own, and the results are still right.
    let x = input(64, 7, Dtype::Float32);
    let m = ops::reshape(&x, &[8, 8]).unwrap();
    let row = ops::reshape(&input(8, 8, Dtype::Float32), &[1, 8]).unwrap();
    let a = ops::multiply(ops::add(&m, &row).unwrap(), 2.0f32).unwrap();
    let b = ops::astype(&ops::exp(&a).unwrap(), Dtype::Float16).unwrap();
    let c = ops::add(ops::multiply(&b, 0.5f32).unwrap(), 1.0f32).unwrap();
    let s = ops::sum(&ops::astype(&c, Dtype::Float32).unwrap(), Axes::All, false).unwrap();
    let got = s.item::<f32>().unwrap() as f64;
    let xv = values(64, 7);
    let rv = values(8, 8);
    let mut want = 0.0f64;
    for i in 0..8 {
        for j in 0..8 {
            let a = (xv[i * 8 + j] + rv[j]) * 2.0;
            let b = half::f16::from_f32(a.exp());
            let h = |v: f32| half::f16::from_f32(v);
            let c = h(h(b.to_f32() * 0.5).to_f32() + 1.0);
            want += c.to_f64();
        }
    }
    assert!((got - want).abs() <= 1e-3 * want.abs(), "got {got}, want {want}");
}

/// Launches an `eval` of `a` costs on this thread.
fn launches_of(a: &Array) -> u64 {
    let before = rmlx_core::gpu_launches();
    a.eval().unwrap();
    rmlx_core::gpu_launches() - before
}

fn on_gpu() -> bool {
    matches!(rmlx_core::default_device(), rmlx_core::Device::Gpu(_))
}

/// `n` alternating steps over `x` (a multiply by a host scalar, an add of `y`).
fn chain(x: &Array, y: &Array, n: usize) -> Array {
    let mut z = x.clone();
    for i in 0..n {
        z = if i % 2 == 0 { ops::multiply(&z, 0.999f32).unwrap() } else { ops::add(&z, y).unwrap() };
    }
    z
}

#[test]
fn a_chain_runs_as_one_launch_on_the_gpu() {
    // On the CPU nothing is launched; on the GPU a chain of 100 elementwise
    // ops is one kernel, and each op evaluated on its own is one.
    let per_op = if on_gpu() { 1 } else { 0 };
    for dt in FLOATS {
        let (x, y) = (input(4099, 21, dt), input(4099, 22, dt));
        let fused = chain(&x, &y, 100);
        assert_eq!(launches_of(&fused), per_op, "{dt}: 100 ops evaluated at once");
        let mut z = x.clone();
        let mut one_by_one = 0;
        for i in 0..10 {
            z = if i % 2 == 0 { ops::multiply(&z, 0.999f32).unwrap() } else { ops::add(&z, &y).unwrap() };
            one_by_one += launches_of(&z);
        }
        assert_eq!(one_by_one, 10 * per_op, "{dt}: 10 ops evaluated one by one");
        assert_eq!(bits(&chain(&x, &y, 10)), bits(&z), "{dt}");
    }
}

#[test]
fn long_and_wide_chains_are_cut_into_few_launches() {
    let gpu = on_gpu();
    let (x, y) = (input(1000, 23, Dtype::Float32), input(1000, 24, Dtype::Float32));
    // 500 ops are 501 steps (the first loads x): 240 steps a launch, each
    // later launch first loading the one before's output: three launches.
    assert_eq!(launches_of(&chain(&x, &y, 500)), if gpu { 3 } else { 0 });
    // A launch reads at most 8 arrays: twelve distinct ones need two.
    let others: Vec<Array> = (0..12).map(|i| input(1000, 30 + i, Dtype::Float32)).collect();
    let mut z = x.clone();
    for o in &others {
        z = ops::add(&z, o).unwrap();
    }
    assert_eq!(launches_of(&z), if gpu { 2 } else { 0 });
    let mut want = values(1000, 23);
    for i in 0..12 {
        for (w, v) in want.iter_mut().zip(values(1000, 30 + i)) {
            *w += v;
        }
    }
    assert_eq!(z.to_vec::<f32>().unwrap(), want);
}
