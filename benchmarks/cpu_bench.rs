//! CPU benchmarks of rmlx, one JSON object per line on stdout:
//! `{"name": "...", "metric": "GB/s" | "GFLOP/s" | "us/op", "value": ...}`.
//!
//! Method: inputs are built and evaluated before any timing; each benchmark
//! runs `WARMUP` times untimed, then `repeats` times timed, and the median is
//! reported. A timed run builds the op (lazily) and evaluates its result, so
//! graph building counts, though it is negligible for large arrays. Each
//! result is checked against a plain Rust computation once, untimed.
//!
//! `benchmarks/run_cpu.py` runs this binary and the same benchmarks in NumPy.
//! Flags: `--quick` (fewer repeats, for a smoke test).

// Graph building makes and frees many small nodes; the benchmark runs with
// mimalloc, as the demo does (the glibc figure is recorded in RESULTS.md too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rmlx_core::{ops, Array};
use std::time::Instant;

type BenchResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const WARMUP: usize = 2;
const REPEATS: usize = 9;
const QUICK_REPEATS: usize = 3;

/// Elements in the elementwise benchmarks.
const N_ELEMWISE: usize = 1 << 24;
/// Rows and columns of the reduction and softmax inputs.
const ROWS: usize = 4096;
const COLS: usize = 4096;
/// Length of the chain of tiny ops in the graph-overhead benchmark.
const CHAIN: usize = 100_000;
/// (table rows, gathered rows, row length) of the take benchmark.
const TAKE_TABLE: usize = 32768;
const TAKE_ROWS: usize = 65536;
const TAKE_DIM: usize = 512;
/// Keys of the sort benchmark.
const SORT_N: usize = 1 << 22;

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
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.uniform()).collect()
    }
}

/// A random float32 array, evaluated, with its host copy.
fn random(rng: &mut Rng, shape: &[usize]) -> BenchResult<(Array, Vec<f32>)> {
    let data = rng.vec(shape.iter().product());
    let a = Array::from_slice(&data, shape)?;
    a.eval()?;
    Ok((a, data))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

struct Bench {
    repeats: usize,
}

impl Bench {
    /// Median seconds of building `f()` and evaluating it. The first warm-up
    /// result goes to `check`.
    fn time(
        &self,
        mut f: impl FnMut() -> rmlx_core::Result<Array>,
        check: impl FnOnce(&Array) -> BenchResult<()>,
    ) -> BenchResult<f64> {
        let first = f()?;
        first.eval()?;
        check(&first)?;
        drop(first);
        for _ in 1..WARMUP {
            let y = f()?;
            y.eval()?;
        }
        let mut times = Vec::with_capacity(self.repeats);
        for _ in 0..self.repeats {
            let t0 = Instant::now();
            let y = f()?;
            y.eval()?;
            times.push(t0.elapsed().as_secs_f64());
            drop(y); // freed outside the timed region
        }
        Ok(median(times))
    }
}

fn emit(name: &str, metric: &str, value: f64) {
    println!("{{\"name\": \"{name}\", \"metric\": \"{metric}\", \"value\": {value:.6}}}");
}

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

/// Checks `out` (float32, `n` elements) against `want(i)` at about a thousand
/// indices spread over it; `tol` is (rtol, atol).
fn check_at(
    name: &'static str,
    out: &Array,
    n: usize,
    tol: (f32, f32),
    want: impl Fn(usize) -> f32,
) -> BenchResult<()> {
    let v: Vec<f32> = out.to_vec()?;
    ensure(v.len() == n, || format!("{name}: {} elements, expected {n}", v.len()))?;
    let step = (n / 997).max(1);
    for i in (0..n).step_by(step).chain(std::iter::once(n - 1)) {
        ensure(close(v[i], want(i), tol.0, tol.1), || format!("{name}[{i}] = {}, expected {}", v[i], want(i)))?;
    }
    Ok(())
}

fn elementwise(b: &Bench, rng: &mut Rng) -> BenchResult<()> {
    let n = N_ELEMWISE;
    let (a, ha) = random(rng, &[n])?;
    let (bb, hb) = random(rng, &[n])?;
    let (c, hc) = random(rng, &[n])?;
    let bytes = (4 * n) as f64;

    let t = b.time(|| ops::add(&a, &bb), |y| check_at("a+b", y, n, (1e-6, 0.0), |i| ha[i] + hb[i]))?;
    emit("add", "GB/s", 3.0 * bytes / t / 1e9);

    let t = b.time(|| ops::exp(&a), |y| check_at("exp", y, n, (1e-5, 0.0), |i| ha[i].exp()))?;
    emit("exp", "GB/s", 2.0 * bytes / t / 1e9);

    let t = b.time(
        || ops::add(&ops::multiply(&a, &bb)?, &c),
        |y| check_at("a*b+c", y, n, (1e-5, 1e-6), |i| ha[i] * hb[i] + hc[i]),
    )?;
    emit("mul_add", "GB/s", 4.0 * bytes / t / 1e9);
    Ok(())
}

fn rows(b: &Bench, rng: &mut Rng) -> BenchResult<()> {
    let (x, hx) = random(rng, &[ROWS, COLS])?;
    let bytes = (4 * ROWS * COLS) as f64;
    let row = |r: usize| &hx[r * COLS..(r + 1) * COLS];

    let t = b.time(
        || ops::sum(&x, -1, false),
        |y| check_at("sum", y, ROWS, (1e-4, 1e-3), |r| row(r).iter().map(|&v| v as f64).sum::<f64>() as f32),
    )?;
    emit("sum_last_axis", "GB/s", bytes / t / 1e9);

    let softmax_ref = |i: usize| {
        let (r, c) = (i / COLS, i % COLS);
        let m = row(r).iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let s: f64 = row(r).iter().map(|&v| ((v - m) as f64).exp()).sum();
        (((row(r)[c] - m) as f64).exp() / s) as f32
    };
    let t =
        b.time(|| ops::softmax(&x, -1, false), |y| check_at("softmax", y, ROWS * COLS, (1e-4, 0.0), softmax_ref))?;
    emit("softmax_last_axis", "GB/s", 2.0 * bytes / t / 1e9);
    Ok(())
}

fn matmul(b: &Bench, rng: &mut Rng, n: usize) -> BenchResult<()> {
    let (x, hx) = random(rng, &[n, n])?;
    let (y, hy) = random(rng, &[n, n])?;
    let want = |i: usize| {
        let (r, c) = (i / n, i % n);
        (0..n).map(|k| hx[r * n + k] as f64 * hy[k * n + c] as f64).sum::<f64>() as f32
    };
    let t = b.time(|| ops::matmul(&x, &y), |out| check_at("matmul", out, n * n, (1e-4, 1e-3), want))?;
    emit(&format!("matmul_{n}"), "GFLOP/s", 2.0 * (n as f64).powi(3) / t / 1e9);
    Ok(())
}

/// A chain of `CHAIN` tiny ops (`x = x + 1.0` on one element) from a ready
/// array: µs per op to build the graph, to evaluate it, and both.
fn graph_overhead(b: &Bench, rng: &mut Rng) -> BenchResult<()> {
    let (x0, h0) = random(rng, &[1])?;
    let run = || -> BenchResult<(f64, f64, Array)> {
        let t0 = Instant::now();
        let mut x = x0.clone();
        for _ in 0..CHAIN {
            x = ops::add(&x, 1.0f32)?;
        }
        let t1 = Instant::now();
        x.eval()?;
        let t2 = Instant::now();
        Ok(((t1 - t0).as_secs_f64(), (t2 - t1).as_secs_f64(), x))
    };
    let (_, _, x) = run()?;
    let got: f32 = x.item()?;
    let want = h0[0] + CHAIN as f32;
    ensure(close(got, want, 1e-3, 0.0), || format!("chain = {got}, expected about {want}"))?;
    drop(x);
    for _ in 1..WARMUP {
        run()?;
    }
    let (mut build, mut eval, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..b.repeats {
        let (tb, te, x) = run()?;
        drop(x);
        build.push(tb);
        eval.push(te);
        total.push(tb + te);
    }
    let us = |v: Vec<f64>| median(v) * 1e6 / CHAIN as f64;
    emit("graph_build", "us/op", us(build));
    emit("graph_eval", "us/op", us(eval));
    emit("graph_total", "us/op", us(total));
    Ok(())
}

/// Issue 5 on the CPU: take of rows from a table, a float32 sort, and a
/// cumsum along the last axis (GB/s: the bytes read and written).
fn selection(b: &Bench, rng: &mut Rng) -> BenchResult<()> {
    let (t, m, d) = (TAKE_TABLE, TAKE_ROWS, TAKE_DIM);
    let (table, ht) = random(rng, &[t, d])?;
    let idx_host: Vec<i64> = (0..m).map(|_| (rng.next_u64() % t as u64) as i64).collect();
    let idx = Array::from_slice(&idx_host, &[m])?;
    let tt = b.time(
        || ops::take(&table, &idx, Some(0)),
        |y| check_at("take", y, m * d, (0.0, 0.0), |i| ht[idx_host[i / d] as usize * d + i % d]),
    )?;
    emit("take_rows", "GB/s", (2 * 4 * m * d + 8 * m) as f64 / tt / 1e9);
    drop(table);

    let (x, hx) = random(rng, &[SORT_N])?;
    let mut sorted = hx.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let ts = b.time(|| ops::sort(&x, Some(0)), |y| check_at("sort", y, SORT_N, (0.0, 0.0), |i| sorted[i]))?;
    emit("sort", "GB/s", (2 * 4 * SORT_N) as f64 / ts / 1e9);

    let (x, hx) = random(rng, &[ROWS, COLS])?;
    let want = |i: usize| {
        let (r, c) = (i / COLS, i % COLS);
        hx[r * COLS..r * COLS + c + 1].iter().map(|&v| v as f64).sum::<f64>() as f32
    };
    let tc = b.time(
        || ops::cumsum(&x, ops::ScanArgs::axis(-1), None),
        |y| check_at("cumsum", y, ROWS * COLS, (1e-3, 1e-3), want),
    )?;
    emit("cumsum_last_axis", "GB/s", (2 * 4 * ROWS * COLS) as f64 / tc / 1e9);
    Ok(())
}

fn main() -> BenchResult<()> {
    let mut quick = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                eprintln!("usage: cpu_bench [--quick]\nPrints one JSON object per benchmark on stdout.");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?} (try --help)").into()),
        }
    }
    let b = Bench { repeats: if quick { QUICK_REPEATS } else { REPEATS } };
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    elementwise(&b, &mut rng)?;
    rows(&b, &mut rng)?;
    matmul(&b, &mut rng, 1024)?;
    matmul(&b, &mut rng, 2048)?;
    graph_overhead(&b, &mut rng)?;
    selection(&b, &mut rng)?;
    Ok(())
}
