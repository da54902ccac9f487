//! GPU benchmarks of rmlx, one JSON object per line on stdout:
//! `{"name": "...", "dtype": "...", "shape": "...", "metric": "GB/s" | "TFLOP/s" | "us/op", "value": ..., "ms": ...}`
//! (`ms` is the median wall time of one timed run, in milliseconds).
//!
//! Method: random inputs in [-1, 1) are made on the host and moved to the
//! device by the warm-up runs (bfloat16 inputs are cast from float32 on the
//! device and evaluated before timing). Each benchmark runs `WARMUP` times
//! untimed, then its repeats timed; the median is reported. A timed run starts
//! from an idle device (`synchronize`), builds the op(s) lazily and evaluates
//! the result, which waits for the device, so the wall time covers graph
//! building, launches and the kernels. Results are freed outside the clock.
//! The first warm-up result of each benchmark is checked against plain Rust
//! at about a thousand points, untimed. Where the inputs are small enough for
//! the 50 MB L2 cache to matter (matmul, decode), runs alternate between two
//! input sets.
//!
//! `benchmarks/run_gpu.py` runs this binary and the same benchmarks in
//! PyTorch and prints the comparison. Float32 matmuls are meant to run with
//! TF32 (`RMLX_ENABLE_TF32=1`, which run_gpu.py sets).
//!
//! Flags: `--quick` (fewer repeats), `--only PATTERN` (benchmarks whose name
//! contains PATTERN; may be repeated), `--device gpu|cpu` (default gpu),
//! `--smoke` (tiny sizes, to check the harness itself, e.g. on the CPU).

// The launch-chain benchmark builds and frees thousands of small nodes; the
// benchmark binaries run with mimalloc, as the demo does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rmlx_core::{ops, Array, Device, Dtype};
use std::time::Instant;

type BenchResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const WARMUP: usize = 3;
const QUICK_REPEATS: usize = 3;
/// Repeats of the bandwidth-bound benchmarks (elementwise, sum, softmax).
const BANDWIDTH_REPEATS: usize = 20;
const MATMUL_REPEATS: usize = 20;
/// Matmuls at least this big run fewer times (each takes milliseconds).
const BIG_MATMUL: usize = 8192;
const BIG_MATMUL_REPEATS: usize = 10;
/// The decode product takes tens of microseconds: more repeats steady the median.
const DECODE_REPEATS: usize = 50;
const CHAIN_REPEATS: usize = 10;
/// Timed steps of the MLP training step and of the per-example gradients.
const TRAIN_REPEATS: usize = 20;

/// Problem sizes: the issue's, or tiny ones for `--smoke`.
struct Sizes {
    /// Elements of the elementwise inputs.
    elementwise: usize,
    /// (rows, columns) of the sum input.
    sum: (usize, usize),
    /// (rows, columns) of the softmax input.
    softmax: (usize, usize),
    /// Square matmul sizes (M = N = K).
    matmul: Vec<usize>,
    /// (K, N) of the decode product (1 x K) @ (K x N).
    decode: (usize, usize),
    /// Elements of the launch-chain array, and iterations (two ops each).
    chain: (usize, usize),
    /// (batch, in, hidden, out) of the MLP training step.
    mlp: (usize, usize, usize, usize),
    /// (batch, features) of the per-example gradients of a square linear layer.
    per_example: (usize, usize),
    /// (table rows, gathered rows, row length) of the embedding gather and scatter-add.
    gather: (usize, usize, usize),
    /// Keys of the float32 sort.
    sort: usize,
    /// (rows, columns) of the cumsum input.
    cumsum: (usize, usize),
    /// Values of the random.normal benchmark.
    normal: usize,
    /// (batch, height = width, channels in = out) of the 3x3 NHWC convolution.
    conv: (usize, usize, usize),
}

impl Sizes {
    fn full() -> Sizes {
        Sizes {
            elementwise: 1 << 28,
            sum: (8192, 32768),
            softmax: (4096, 32768),
            matmul: vec![4096, 8192],
            decode: (4096, 14336),
            chain: (1024, 1000),
            mlp: (4096, 1024, 4096, 1024),
            per_example: (256, 1024),
            gather: (131072, 1 << 20, 4096),
            sort: 1 << 24,
            cumsum: (4096, 32768),
            normal: 1 << 28,
            conv: (64, 56, 256),
        }
    }
    fn smoke() -> Sizes {
        Sizes {
            elementwise: 1 << 16,
            sum: (64, 512),
            softmax: (32, 512),
            matmul: vec![128, 256],
            decode: (256, 1024),
            chain: (1024, 1000),
            mlp: (64, 32, 64, 32),
            per_example: (8, 32),
            gather: (64, 256, 32),
            sort: 5000,
            cumsum: (8, 5000),
            normal: 1 << 12,
            conv: (2, 8, 16),
        }
    }
}

// ---------------------------------------------------------------------------
// Random inputs

/// splitmix64: turns a counter into a well-mixed seed.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xorshift64*: small, fast and good enough for benchmark inputs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [-1, 1).
    fn uniform(&mut self) -> f32 {
        let u = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
        2.0 * u - 1.0
    }
}

/// `n` uniform floats in [-1, 1). The values depend only on `seed` and `n`:
/// each chunk of 1M has its own generator, and the chunks are shared out
/// among threads (2^28 values take well under a second on 16 cores).
fn random_vec(seed: u64, n: usize) -> Vec<f32> {
    const CHUNK: usize = 1 << 20;
    let mut v = vec![0f32; n];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let chunks: Vec<(usize, &mut [f32])> = v.chunks_mut(CHUNK).enumerate().collect();
    let per_thread = chunks.len().div_ceil(threads).max(1);
    let mut chunks = chunks.into_iter();
    std::thread::scope(|s| loop {
        let batch: Vec<(usize, &mut [f32])> = chunks.by_ref().take(per_thread).collect();
        if batch.is_empty() {
            break;
        }
        s.spawn(move || {
            for (i, chunk) in batch {
                let mut rng = Rng::new(splitmix64(seed.wrapping_mul(0x1_0000_0001) ^ i as u64));
                for x in chunk {
                    *x = rng.uniform();
                }
            }
        });
    });
    v
}

/// A random float32 array in [-1, 1), with its host values. The array is
/// ready on the host; the first device op that reads it moves it there.
fn random(seed: u64, shape: &[usize]) -> BenchResult<(Array, Vec<f32>)> {
    let data = random_vec(seed, shape.iter().product());
    let a = Array::from_slice(&data, shape)?;
    Ok((a, data))
}

/// `x` rounded to bfloat16 (to nearest, ties to even) and back: the value a
/// device cast of `x` holds. `x` is finite.
fn bf16_round(x: f32) -> f32 {
    let bits = x.to_bits();
    f32::from_bits(bits.wrapping_add(0x7FFF + ((bits >> 16) & 1)) & 0xFFFF_0000)
}

/// The identity, for float32 inputs where bfloat16 ones use `bf16_round`.
fn exact(x: f32) -> f32 {
    x
}

/// `a` cast to `dtype` on the device and evaluated (moving `a` there first if needed).
fn cast(a: &Array, dtype: Dtype) -> BenchResult<Array> {
    let b = ops::astype(a, dtype)?;
    b.eval()?;
    Ok(b)
}

// ---------------------------------------------------------------------------
// Timing and output

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[derive(Clone, Copy)]
enum Metric {
    /// Bytes read and written per second, 1e9.
    GbPerS,
    /// Floating-point operations per second, 1e12.
    TflopPerS,
    /// Microseconds of wall time per op.
    UsPerOp,
}

impl Metric {
    fn label(self) -> &'static str {
        match self {
            Metric::GbPerS => "GB/s",
            Metric::TflopPerS => "TFLOP/s",
            Metric::UsPerOp => "us/op",
        }
    }
    /// The reported figure for `work` (bytes, FLOPs or ops) done in `secs`.
    fn value(self, work: f64, secs: f64) -> f64 {
        match self {
            Metric::GbPerS => work / secs / 1e9,
            Metric::TflopPerS => work / secs / 1e12,
            Metric::UsPerOp => secs * 1e6 / work,
        }
    }
}

/// What one benchmark reports, besides its timing.
struct Spec {
    name: String,
    dtype: String,
    shape: String,
    metric: Metric,
    /// Bytes moved, FLOPs, or ops in one run, by `metric`.
    work: f64,
    repeats: usize,
}

/// `s` as a JSON string (the names here need no escapes beyond these).
fn json_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn emit(spec: &Spec, secs: f64) {
    println!(
        "{{\"name\": {}, \"dtype\": {}, \"shape\": {}, \"metric\": {}, \"value\": {:.6}, \"ms\": {:.6}}}",
        json_str(&spec.name),
        json_str(&spec.dtype),
        json_str(&spec.shape),
        json_str(spec.metric.label()),
        spec.metric.value(spec.work, secs),
        secs * 1e3
    );
}

/// `[a, b, c]`, for the `shape` field.
fn shape_str(shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", dims.join(", "))
}

struct Runner {
    quick: bool,
    /// Run only benchmarks whose name contains one of these (all when empty).
    only: Vec<String>,
}

impl Runner {
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| name.contains(p.as_str()))
    }
    fn wants_any(&self, names: &[String]) -> bool {
        names.iter().any(|n| self.wants(n))
    }
    fn repeats(&self, full: usize) -> usize {
        if self.quick {
            QUICK_REPEATS.min(full)
        } else {
            full
        }
    }

    /// Times `build(i)` followed by evaluating its result, and prints the
    /// median. `i` counts the runs (warm-up runs first, from 0, then the timed
    /// ones, from 0 again), so `build` can alternate between input sets. The
    /// first warm-up result goes to `check`. Skipped unless `--only` allows it.
    fn run(
        &self,
        spec: Spec,
        mut build: impl FnMut(usize) -> rmlx_core::Result<Array>,
        check: impl FnOnce(&Array) -> BenchResult<()>,
    ) -> BenchResult<()> {
        if !self.wants(&spec.name) {
            return Ok(());
        }
        eprintln!("  {}", spec.name);
        let first = build(0)?;
        first.eval()?;
        check(&first).map_err(|e| format!("{}: {e}", spec.name))?;
        drop(first);
        for i in 1..WARMUP {
            let y = build(i)?;
            y.eval()?;
        }
        let mut times = Vec::with_capacity(spec.repeats);
        for i in 0..spec.repeats {
            rmlx_core::synchronize()?; // start from an idle device
            let t0 = Instant::now();
            let y = build(i)?;
            y.eval()?;
            times.push(t0.elapsed().as_secs_f64());
            drop(y); // freed outside the timed region
        }
        emit(&spec, median(times));
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Result checks (untimed, once per benchmark)

fn ensure(ok: bool, what: impl FnOnce() -> String) -> BenchResult<()> {
    if ok {
        Ok(())
    } else {
        Err(format!("wrong result: {}", what()).into())
    }
}

/// `|got - want| <= rtol * |want| + atol`.
fn close(got: f32, want: f32, rtol: f32, atol: f32) -> bool {
    (got - want).abs() <= rtol * want.abs() + atol
}

/// Checks `out` (read back as float32, `n` elements) against `want(i)` at
/// about a thousand indices spread over it and the last; `tol` is (rtol, atol).
fn check_at(out: &Array, n: usize, tol: (f32, f32), want: impl Fn(usize) -> f32) -> BenchResult<()> {
    let v: Vec<f32> = out.to_vec()?;
    ensure(v.len() == n, || format!("{} elements, expected {n}", v.len()))?;
    let step = (n / 997).max(1);
    for i in (0..n).step_by(step).chain(std::iter::once(n - 1)) {
        let w = want(i);
        ensure(close(v[i], w, tol.0, tol.1), || format!("element {i} is {}, expected {w}", v[i]))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The benchmarks

fn dtype_tag(dtype: Dtype) -> &'static str {
    if dtype == Dtype::Bfloat16 {
        "bf16"
    } else {
        "f32"
    }
}

/// a+b, exp(a), a*b+c over `sizes.elementwise` elements, float32 then bfloat16.
/// GB/s counts the inputs read and the output written.
fn elementwise(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let n = sizes.elementwise;
    let ops = ["add", "exp", "mul_add"];
    let f32_names: Vec<String> = ops.iter().map(|op| format!("{op}_f32")).collect();
    let bf16_names: Vec<String> = ops.iter().map(|op| format!("{op}_bf16")).collect();
    if !r.wants_any(&f32_names) && !r.wants_any(&bf16_names) {
        return Ok(());
    }
    eprintln!("elementwise: {n} elements");
    let (a, ha) = random(1, &[n])?;
    let (b, hb) = random(2, &[n])?;
    let (c, hc) = random(3, &[n])?;
    elementwise_set(r, n, (&a, &b, &c), (&ha, &hb, &hc), exact, (1e-5, 1e-6))?;
    if r.wants_any(&bf16_names) {
        // Cast on the device; the float32 arrays go before the bfloat16 runs.
        let bf = Dtype::Bfloat16;
        let (a16, b16, c16) = (cast(&a, bf)?, cast(&b, bf)?, cast(&c, bf)?);
        drop((a, b, c));
        rmlx_core::clear_cache();
        elementwise_set(r, n, (&a16, &b16, &c16), (&ha, &hb, &hc), bf16_round, (1e-2, 1e-2))?;
    }
    Ok(())
}

type Three<'a, T> = (&'a T, &'a T, &'a T);

/// The three elementwise benchmarks on ready arrays of one dtype; `round`
/// maps a host input to the value the device holds, `tol` is (rtol, atol).
fn elementwise_set(
    r: &Runner,
    n: usize,
    (a, b, c): Three<Array>,
    (ha, hb, hc): Three<Vec<f32>>,
    round: fn(f32) -> f32,
    tol: (f32, f32),
) -> BenchResult<()> {
    let dtype = a.dtype();
    let tag = dtype_tag(dtype);
    let bytes = (n * dtype.size()) as f64;
    let spec = |op: &str, arrays: f64| Spec {
        name: format!("{op}_{tag}"),
        dtype: dtype.to_string(),
        shape: shape_str(&[n]),
        metric: Metric::GbPerS,
        work: arrays * bytes,
        repeats: r.repeats(BANDWIDTH_REPEATS),
    };
    r.run(spec("add", 3.0), |_| ops::add(a, b), |y| check_at(y, n, tol, |i| round(ha[i]) + round(hb[i])))?;
    r.run(spec("exp", 2.0), |_| ops::exp(a), |y| check_at(y, n, tol, |i| round(ha[i]).exp()))?;
    r.run(
        spec("mul_add", 4.0),
        |_| ops::add(&ops::multiply(a, b)?, c),
        |y| check_at(y, n, tol, |i| round(ha[i]) * round(hb[i]) + round(hc[i])),
    )?;
    Ok(())
}

/// Sum of a float32 matrix over its last axis and over its first. GB/s counts
/// the input read and the (small) output written.
fn reductions(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (rows, cols) = sizes.sum;
    let names = ["sum_last_axis_f32".to_string(), "sum_first_axis_f32".to_string()];
    if !r.wants_any(&names) {
        return Ok(());
    }
    eprintln!("sum: {rows} x {cols}");
    let (x, hx) = random(4, &[rows, cols])?;
    let spec = |name: &str, out: usize| Spec {
        name: name.to_string(),
        dtype: "float32".into(),
        shape: shape_str(&[rows, cols]),
        metric: Metric::GbPerS,
        work: (4 * (rows * cols + out)) as f64,
        repeats: r.repeats(BANDWIDTH_REPEATS),
    };
    // Float32 sums of tens of thousands of values in [-1, 1): rounding stays
    // far below these tolerances; a wrong kernel does not.
    let tol = (1e-4, 2e-2);
    r.run(
        spec(&names[0], rows),
        |_| ops::sum(&x, -1, false),
        |y| check_at(y, rows, tol, |i| hx[i * cols..(i + 1) * cols].iter().map(|&v| v as f64).sum::<f64>() as f32),
    )?;
    r.run(
        spec(&names[1], cols),
        |_| ops::sum(&x, 0, false),
        |y| check_at(y, cols, tol, |j| (0..rows).map(|i| hx[i * cols + j] as f64).sum::<f64>() as f32),
    )?;
    Ok(())
}

/// Softmax of a float32 matrix over its last axis. GB/s counts one read and one write.
fn softmax(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (rows, cols) = sizes.softmax;
    let name = "softmax_last_axis_f32".to_string();
    if !r.wants(&name) {
        return Ok(());
    }
    eprintln!("softmax: {rows} x {cols}");
    let (x, hx) = random(5, &[rows, cols])?;
    let spec = Spec {
        name,
        dtype: "float32".into(),
        shape: shape_str(&[rows, cols]),
        metric: Metric::GbPerS,
        work: (2 * 4 * rows * cols) as f64,
        repeats: r.repeats(BANDWIDTH_REPEATS),
    };
    let want = |i: usize| {
        let row = &hx[(i / cols) * cols..(i / cols + 1) * cols];
        let m = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let s: f64 = row.iter().map(|&v| ((v - m) as f64).exp()).sum();
        (((row[i % cols] - m) as f64).exp() / s) as f32
    };
    r.run(spec, |_| ops::softmax(&x, -1, false), |y| check_at(y, rows * cols, (1e-4, 1e-9), want))?;
    Ok(())
}

/// Square matmuls in bfloat16 and in float32 (TF32 when `RMLX_ENABLE_TF32=1`).
/// TFLOP/s counts 2·M·N·K. Runs alternate between two input sets.
fn matmul(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let tf32 = std::env::var("RMLX_ENABLE_TF32").is_ok_and(|v| v == "1");
    for &n in &sizes.matmul {
        let names = [format!("matmul_{n}_bf16"), format!("matmul_{n}_tf32")];
        if !r.wants_any(&names) {
            continue;
        }
        eprintln!("matmul: {n}^3");
        let (x0, hx) = random(10 + n as u64, &[n, n])?;
        let (y0, hy) = random(20 + n as u64, &[n, n])?;
        let (x1, _) = random(30 + n as u64, &[n, n])?;
        let (y1, _) = random(40 + n as u64, &[n, n])?;
        let repeats = r.repeats(if n >= BIG_MATMUL { BIG_MATMUL_REPEATS } else { MATMUL_REPEATS });
        let spec = |name: &String, dtype: &str| Spec {
            name: name.clone(),
            dtype: dtype.into(),
            shape: format!("{} @ {}", shape_str(&[n, n]), shape_str(&[n, n])),
            metric: Metric::TflopPerS,
            work: 2.0 * (n as f64).powi(3),
            repeats,
        };
        // Inputs are rounded (to bfloat16, or to TF32's 10-bit mantissa) and the
        // sum has n terms of size about 1/3: allow a few bfloat16 steps of the
        // result and sqrt(n)-sized accumulation differences.
        let tol = (1e-2, 5e-3 * (n as f32).sqrt());
        let want = |round: fn(f32) -> f32| {
            let (hx, hy) = (&hx, &hy);
            move |i: usize| {
                let (row, col) = (i / n, i % n);
                (0..n).map(|k| round(hx[row * n + k]) as f64 * round(hy[k * n + col]) as f64).sum::<f64>() as f32
            }
        };

        let dtype = if tf32 { "float32 (tf32)" } else { "float32 (tf32 off: RMLX_ENABLE_TF32 is not 1)" };
        let (xs, ys) = ([&x0, &x1], [&y0, &y1]);
        r.run(
            spec(&names[1], dtype),
            |i| ops::matmul(xs[i % 2], ys[i % 2]),
            |out| check_at(out, n * n, tol, want(exact)),
        )?;

        if r.wants(&names[0]) {
            let bf = Dtype::Bfloat16;
            let (xb0, yb0, xb1, yb1) = (cast(&x0, bf)?, cast(&y0, bf)?, cast(&x1, bf)?, cast(&y1, bf)?);
            let (xs, ys) = ([&xb0, &xb1], [&yb0, &yb1]);
            r.run(
                spec(&names[0], "bfloat16"),
                |i| ops::matmul(xs[i % 2], ys[i % 2]),
                |out| check_at(out, n * n, tol, want(bf16_round)),
            )?;
        }
        drop((x0, y0, x1, y1));
        rmlx_core::clear_cache();
    }
    Ok(())
}

/// The decode-shaped product (1 x K) @ (K x N) in bfloat16: GB/s of the weight
/// matrix (K·N·2 bytes per run). Runs alternate between two input sets, so the
/// weights do not stay in L2.
fn decode(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (k, n) = sizes.decode;
    let name = "decode_gemv_bf16".to_string();
    if !r.wants(&name) {
        return Ok(());
    }
    eprintln!("decode: (1 x {k}) @ ({k} x {n})");
    let bf = Dtype::Bfloat16;
    let (hx, hw) = (random_vec(50, k), random_vec(51, k * n));
    let x0 = cast(&Array::from_slice(&hx, &[1, k])?, bf)?;
    let w0 = cast(&Array::from_slice(&hw, &[k, n])?, bf)?;
    let x1 = cast(&random(52, &[1, k])?.0, bf)?;
    let w1 = cast(&random(53, &[k, n])?.0, bf)?;
    rmlx_core::clear_cache();
    let spec = Spec {
        name,
        dtype: "bfloat16".into(),
        shape: format!("{} @ {}", shape_str(&[1, k]), shape_str(&[k, n])),
        metric: Metric::GbPerS,
        work: (k * n * 2) as f64,
        repeats: r.repeats(DECODE_REPEATS),
    };
    let want =
        |j: usize| (0..k).map(|i| bf16_round(hx[i]) as f64 * bf16_round(hw[i * n + j]) as f64).sum::<f64>() as f32;
    let (xs, ws) = ([&x0, &x1], [&w0, &w1]);
    r.run(spec, |i| ops::matmul(xs[i % 2], ws[i % 2]), |y| check_at(y, n, (1e-2, 5e-3 * (k as f32).sqrt()), want))?;
    Ok(())
}

/// Eager launch cost: `x = x * 1.0001 + 0.5` on a small float32 array,
/// repeated (two ops per iteration), built from a ready array and evaluated
/// once at the end. us/op = (graph building + evaluation) / number of ops.
fn launch_chain(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (len, iters) = sizes.chain;
    let name = "launch_chain_f32".to_string();
    if !r.wants(&name) {
        return Ok(());
    }
    eprintln!("launch chain: {iters} x (x * 1.0001 + 0.5) on {len} elements");
    let (x0, h0) = random(60, &[len])?;
    let spec = Spec {
        name,
        dtype: "float32".into(),
        shape: format!("{} x {} ops", shape_str(&[len]), 2 * iters),
        metric: Metric::UsPerOp,
        work: (2 * iters) as f64,
        repeats: r.repeats(CHAIN_REPEATS),
    };
    let build = |_: usize| -> rmlx_core::Result<Array> {
        let mut x = x0.clone();
        for _ in 0..iters {
            x = ops::add(&ops::multiply(&x, 1.0001f32)?, 0.5f32)?;
        }
        Ok(x)
    };
    // A fused multiply-add on the device may round differently from the two
    // float32 steps here; over a thousand steps that stays well below 1e-3.
    let want = |i: usize| (0..iters).fold(h0[i], |x, _| x * 1.0001f32 + 0.5f32);
    r.run(spec, build, |y| check_at(y, len, (1e-3, 1e-3), want))?;
    Ok(())
}

/// Times `step()` (which evaluates its own results) and prints the median:
/// the warm-up runs first, each started from an idle device.
fn time_steps(r: &Runner, spec: Spec, mut step: impl FnMut() -> BenchResult<()>) -> BenchResult<()> {
    eprintln!("  {}", spec.name);
    for _ in 0..WARMUP {
        step()?;
    }
    let mut times = Vec::with_capacity(spec.repeats);
    for _ in 0..spec.repeats {
        rmlx_core::synchronize()?;
        let t0 = Instant::now();
        step()?;
        times.push(t0.elapsed().as_secs_f64());
    }
    let _ = r;
    emit(&spec, median(times));
    Ok(())
}

/// Training: one eager step of a 2-layer MLP (forward, backward through
/// `value_and_grad`, SGD update of the four parameters, all evaluated), and
/// per-example gradients of a linear layer with `vmap` of `grad`. us per step.
fn training(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (batch, din, hidden, dout) = sizes.mlp;
    let name = "mlp_train_step_f32".to_string();
    if r.wants(&name) {
        eprintln!("training: MLP {din} -> {hidden} -> {dout}, batch {batch}");
        let x = random(70, &[batch, din])?.0;
        let t = random(71, &[batch, dout])?.0;
        let scale = |a: Array, f: f32| ops::multiply(&a, f);
        let mut params = vec![
            scale(random(72, &[din, hidden])?.0, 1.0 / (din as f32).sqrt())?,
            ops::zeros(&[hidden], Dtype::Float32)?,
            scale(random(73, &[hidden, dout])?.0, 1.0 / (hidden as f32).sqrt())?,
            ops::zeros(&[dout], Dtype::Float32)?,
        ];
        rmlx_core::eval(&params)?;
        let loss_of = |p: &[Array]| -> rmlx_core::Result<Array> {
            let h = ops::maximum(&ops::add(&ops::matmul(&x, &p[0])?, &p[1])?, 0.0f32)?;
            let y = ops::add(&ops::matmul(&h, &p[2])?, &p[3])?;
            ops::mean(&ops::square(&ops::subtract(&y, &t)?)?, ops::Axes::All, false)
        };
        let lr = 0.05f32;
        let mut losses: Vec<f32> = Vec::new();
        let spec = Spec {
            name,
            dtype: "float32".into(),
            shape: format!("batch {batch}, {din} -> {hidden} -> {dout}"),
            metric: Metric::UsPerOp,
            work: 1.0,
            repeats: r.repeats(TRAIN_REPEATS),
        };
        time_steps(r, spec, || {
            let (loss, grads) = rmlx_core::value_and_grad(|p| loss_of(p), &params, &[0, 1, 2, 3])?;
            let new: Vec<Array> = params
                .iter()
                .zip(&grads)
                .map(|(p, g)| ops::subtract(p, &ops::multiply(g, lr)?))
                .collect::<rmlx_core::Result<_>>()?;
            let mut all = new.clone();
            all.push(loss.clone());
            rmlx_core::eval(&all)?;
            params = new;
            losses.push(loss.item::<f32>()?);
            Ok(())
        })?;
        let (first, last) = (losses[0], *losses.last().unwrap_or(&f32::NAN));
        ensure(first.is_finite() && last < first, || format!("the loss went from {first} to {last}"))?;
    }

    let (b, n) = sizes.per_example;
    let name = "per_example_grads_f32".to_string();
    if r.wants(&name) {
        eprintln!("training: per-example gradients of a {n} x {n} linear layer, batch {b}");
        let (w, hw) = random(80, &[n, n])?;
        let (xs, hx) = random(81, &[b, n])?;
        let (ys, hy) = random(82, &[b, n])?;
        let spec = Spec {
            name,
            dtype: "float32".into(),
            shape: format!("batch {b}, {n} x {n} weight"),
            metric: Metric::UsPerOp,
            work: 1.0,
            repeats: r.repeats(TRAIN_REPEATS),
        };
        let per_example = || -> rmlx_core::Result<Array> {
            let outs = rmlx_core::vmap(
                |a: &[Array]| {
                    let (x, y) = (a[1].clone(), a[2].clone());
                    rmlx_core::grad(
                        |p| {
                            let pred = ops::matmul(&p[0], &x)?;
                            ops::mean(&ops::square(&ops::subtract(&pred, &y)?)?, ops::Axes::All, false)
                        },
                        &[a[0].clone()],
                        &[0],
                    )
                },
                &[w.clone(), xs.clone(), ys.clone()],
                &[None, Some(0), Some(0)],
                &[0],
            )?;
            Ok(outs[0].clone())
        };
        let mut last: Option<Array> = None;
        time_steps(r, spec, || {
            let g = per_example()?;
            g.eval()?;
            last = Some(g);
            Ok(())
        })?;
        let g = last.ok_or("no result")?;
        ensure(g.shape() == [b, n, n], || format!("shape {:?}, expected [{b}, {n}, {n}]", g.shape()))?;
        // d/dW mean((W x - y)^2) = (2 / n) (W x - y) x^T, at a few entries.
        let got: Vec<f32> = g.to_vec()?;
        for &(i, row, col) in &[(0usize, 0usize, 0usize), (b - 1, n - 1, n / 2), (b / 2, n / 3, n - 1)] {
            let pred: f64 = (0..n).map(|k| hw[row * n + k] as f64 * hx[i * n + k] as f64).sum();
            let want = (2.0 / n as f64) * (pred - hy[i * n + row] as f64) * hx[i * n + col] as f64;
            let v = got[(i * n + row) * n + col] as f64;
            ensure((v - want).abs() <= 1e-2 * want.abs() + 1e-4, || {
                format!("per-example gradient [{i}, {row}, {col}] is {v}, expected {want}")
            })?;
        }
    }
    Ok(())
}

const USAGE: &str = "usage: gpu_bench [--quick] [--only PATTERN]... [--device gpu|cpu] [--smoke]
Prints one JSON object per benchmark on stdout, progress on stderr.
  --quick          3 timed repeats instead of 10-50 (a smoke test, not a measurement)
  --only PATTERN   run only benchmarks whose name contains PATTERN (may be repeated)
  --device D       gpu (default: GPU 0) or cpu
  --smoke          tiny sizes, to check the harness itself (implies nothing about speed)
Float32 matmuls use TF32 only with RMLX_ENABLE_TF32=1 in the environment.";

/// Issue 5: the embedding gather (take of `m` rows of `d` bf16 from a
/// `t`-row table) and its scatter-add, a float32 sort, a cumsum along the
/// last axis, and random.normal. GB/s counts bytes read and written: the
/// gathered rows twice (read, write) for take; the update rows and the rows
/// they land on, plus the table copy, for scatter-add; the keys twice for
/// sort and cumsum; the values written for normal.
fn indexing(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (t, m, d) = sizes.gather;
    let take_name = "take_rows_bf16".to_string();
    let scatter_name = "scatter_add_rows_bf16".to_string();
    if r.wants_any(&[take_name.clone(), scatter_name.clone()]) {
        eprintln!("gather: {m} rows of {d} bf16 from a {t}-row table");
        let (tf, th) = random(21, &[t, d])?;
        let table = cast(&tf, Dtype::Bfloat16)?;
        drop(tf);
        let mut rng = Rng::new(99);
        let idx_host: Vec<i64> = (0..m).map(|_| (rng.next_u64() % t as u64) as i64).collect();
        let idx = Array::from_slice(&idx_host, &[m])?;
        let row_of = |y: &Array, row: usize| -> BenchResult<Vec<f32>> {
            let s = ops::slice_axis(y, 0, ops::SliceArg::range(row as i64, row as i64 + 1))?;
            Ok(ops::astype(&s, Dtype::Float32)?.to_vec()?)
        };
        let spec = Spec {
            name: take_name,
            dtype: "bfloat16".into(),
            shape: shape_str(&[m, d]),
            metric: Metric::GbPerS,
            work: (2 * 2 * m * d + 8 * m) as f64,
            repeats: r.repeats(BANDWIDTH_REPEATS),
        };
        let check = |y: &Array| -> BenchResult<()> {
            for &row in &[0, m / 2, m - 1] {
                let got = row_of(y, row)?;
                let src = idx_host[row] as usize;
                for (j, &g) in got.iter().enumerate().step_by(97) {
                    let w = bf16_round(th[src * d + j]);
                    ensure(g == w, || format!("row {row} element {j} is {g}, expected {w}"))?;
                }
            }
            Ok(())
        };
        r.run(spec, |_| ops::take(&table, &idx, Some(0)), check)?;
        let (uf, _) = random(22, &[m, d])?;
        let upd = cast(&uf, Dtype::Bfloat16)?;
        drop(uf);
        let spec = Spec {
            name: scatter_name,
            dtype: "bfloat16".into(),
            shape: shape_str(&[m, d]),
            metric: Metric::GbPerS,
            work: (2 * 2 * m * d + 2 * 2 * t * d + 8 * m) as f64,
            repeats: r.repeats(BANDWIDTH_REPEATS),
        };
        // The sum of the update rows that land on a few table rows, in float64.
        let check = |y: &Array| -> BenchResult<()> {
            for &row in &[idx_host[0] as usize, idx_host[m / 2] as usize] {
                let got = row_of(y, row)?;
                let hits: Vec<usize> = (0..m).filter(|&k| idx_host[k] as usize == row).collect();
                let urows: Vec<Vec<f32>> = hits.iter().map(|&k| row_of(&upd, k)).collect::<BenchResult<_>>()?;
                for j in (0..d).step_by(101) {
                    let w: f64 = bf16_round(th[row * d + j]) as f64 + urows.iter().map(|u| u[j] as f64).sum::<f64>();
                    let tol = 0.02 * (hits.len() as f64 + 1.0);
                    ensure((got[j] as f64 - w).abs() <= tol, || {
                        format!("row {row} element {j} is {}, expected {w}", got[j])
                    })?;
                }
            }
            Ok(())
        };
        let add = rmlx_core::primitive::ScatterMode::Add;
        r.run(spec, |_| ops::scatter_axis(&table, &idx, &upd, add, 0), check)?;
    }
    let n = sizes.sort;
    let name = "sort_f32".to_string();
    if r.wants(&name) {
        eprintln!("sort: {n} float32 keys");
        let (x, hx) = random(31, &[n])?;
        let spec = Spec {
            name,
            dtype: "float32".into(),
            shape: shape_str(&[n]),
            metric: Metric::GbPerS,
            work: (2 * 4 * n) as f64,
            repeats: r.repeats(BANDWIDTH_REPEATS),
        };
        let mut sorted = hx.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        r.run(spec, |_| ops::sort(&x, Some(0)), |y| check_at(y, n, (0.0, 0.0), |i| sorted[i]))?;
    }
    let (rows, cols) = sizes.cumsum;
    let name = "cumsum_last_axis_f32".to_string();
    if r.wants(&name) {
        eprintln!("cumsum: {rows} x {cols}");
        let (x, hx) = random(32, &[rows, cols])?;
        let spec = Spec {
            name,
            dtype: "float32".into(),
            shape: shape_str(&[rows, cols]),
            metric: Metric::GbPerS,
            work: (2 * 4 * rows * cols) as f64,
            repeats: r.repeats(BANDWIDTH_REPEATS),
        };
        let want = |i: usize| -> f32 {
            let (rr, c) = (i / cols, i % cols);
            hx[rr * cols..rr * cols + c + 1].iter().map(|&v| v as f64).sum::<f64>() as f32
        };
        let args = ops::ScanArgs::axis(-1);
        r.run(spec, |_| ops::cumsum(&x, args, None), |y| check_at(y, rows * cols, (1e-3, 1e-2), want))?;
    }
    let n = sizes.normal;
    let name = "random_normal_f32".to_string();
    if r.wants(&name) {
        eprintln!("random.normal: {n} float32");
        let spec = Spec {
            name,
            dtype: "float32".into(),
            shape: shape_str(&[n]),
            metric: Metric::GbPerS,
            work: (4 * n) as f64,
            repeats: r.repeats(BANDWIDTH_REPEATS),
        };
        let key = rmlx_core::random::key(0)?;
        let check = |y: &Array| -> BenchResult<()> {
            let m = ops::mean(y, rmlx_core::Axes::All, false)?.item::<f32>()?;
            let v = ops::var(y, rmlx_core::Axes::All, false, 0)?.item::<f32>()?;
            ensure(m.abs() < 0.05 && (v - 1.0).abs() < 0.1, || format!("mean {m}, variance {v}"))
        };
        r.run(spec, |_| rmlx_core::random::normal(&[n], Dtype::Float32, None, None, Some(&key)), check)?;
    }
    Ok(())
}

/// A ResNet-50 3x3 layer: stride 1, padding 1, NHWC bf16 (cuDNN on the GPU).
fn convolution(r: &Runner, sizes: &Sizes) -> BenchResult<()> {
    let (n, hw, c) = sizes.conv;
    let name = "conv2d_3x3_bf16".to_string();
    if !r.wants(&name) {
        return Ok(());
    }
    eprintln!("conv2d: N={n}, {hw}x{hw}, C=K={c}, 3x3, bf16 NHWC");
    let (xf, hx) = random(41, &[n, hw, hw, c])?;
    let x = cast(&xf, Dtype::Bfloat16)?;
    drop(xf);
    let (wf, hw_) = random(42, &[c, 3, 3, c])?;
    let w = cast(&ops::multiply(&wf, 0.05f32)?, Dtype::Bfloat16)?;
    drop(wf);
    let spec = Spec {
        name,
        dtype: "bfloat16".into(),
        shape: shape_str(&[n, hw, hw, c]),
        metric: Metric::TflopPerS,
        work: (2 * n * hw * hw * c * c * 9) as f64,
        repeats: r.repeats(MATMUL_REPEATS),
    };
    // A few outputs in float64 from the bf16-rounded inputs.
    let check = |y: &Array| -> BenchResult<()> {
        let got = ops::astype(y, Dtype::Float32)?.to_vec::<f32>()?;
        let xin = |b: usize, i: isize, j: isize, ch: usize| -> f64 {
            if i < 0 || j < 0 || i >= hw as isize || j >= hw as isize {
                return 0.0;
            }
            bf16_round(hx[((b * hw + i as usize) * hw + j as usize) * c + ch]) as f64
        };
        let win = |k: usize, di: usize, dj: usize, ch: usize| -> f64 {
            bf16_round(0.05 * hw_[((k * 3 + di) * 3 + dj) * c + ch]) as f64
        };
        for &(b, i, j, k) in &[(0, 0, 0, 0), (n - 1, hw - 1, hw / 2, c - 1), (n / 2, hw / 3, hw - 1, c / 2)] {
            let mut want = 0.0;
            for di in 0..3 {
                for dj in 0..3 {
                    for ch in 0..c {
                        want +=
                            xin(b, i as isize + di as isize - 1, j as isize + dj as isize - 1, ch) * win(k, di, dj, ch);
                    }
                }
            }
            let g = got[((b * hw + i) * hw + j) * c + k] as f64;
            ensure((g - want).abs() <= 0.02 + 0.01 * want.abs(), || {
                format!("output ({b}, {i}, {j}, {k}) is {g}, expected {want}")
            })?;
        }
        Ok(())
    };
    r.run(spec, |_| ops::conv2d(&x, &w, [1, 1], [1, 1], [1, 1], 1), check)
}

fn main() -> BenchResult<()> {
    let mut runner = Runner { quick: false, only: Vec::new() };
    let mut device = Device::Gpu(0);
    let mut sizes = Sizes::full();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => runner.quick = true,
            "--smoke" => sizes = Sizes::smoke(),
            "--only" => runner.only.push(args.next().ok_or("--only needs a name (or part of one)")?),
            "--device" => {
                device = match args.next().as_deref() {
                    Some("gpu") => Device::Gpu(0),
                    Some("cpu") => Device::Cpu,
                    other => return Err(format!("--device takes gpu or cpu, got {other:?}").into()),
                }
            }
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)").into()),
        }
    }
    rmlx_core::set_default_device(device)?;
    eprintln!(
        "gpu_bench: device {device}, RMLX_ENABLE_TF32={}",
        std::env::var("RMLX_ENABLE_TF32").unwrap_or_else(|_| "(unset)".into())
    );

    // Each group frees its inputs before the next; a failing group is
    // reported and the others still run, but the exit status is non-zero.
    type Group = fn(&Runner, &Sizes) -> BenchResult<()>;
    let groups: [(&str, Group); 9] = [
        ("elementwise", elementwise),
        ("sum", reductions),
        ("softmax", softmax),
        ("matmul", matmul),
        ("decode", decode),
        ("launch chain", launch_chain),
        ("training", training),
        ("indexing", indexing),
        ("convolution", convolution),
    ];
    let mut failed = Vec::new();
    for (group, run) in groups {
        if let Err(e) = run(&runner, &sizes) {
            eprintln!("gpu_bench: {group} failed: {e}");
            failed.push(group);
        }
        rmlx_core::clear_cache();
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")).into())
    }
}
