//! The lazy API in one page: build a graph, see that nothing ran, evaluate,
//! and watch memory before and after.

// A lazy graph makes and frees many small nodes; mimalloc does that several
// times faster than glibc's allocator (see benchmarks/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rmlx_core::{eval, get_active_memory, get_peak_memory, ops, Array, Axes, Dtype, Result};

fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn main() -> Result<()> {
    println!("rmlx demo — device: {}", rmlx_core::default_device());

    // Inputs: 1M float32 values and a small matrix.
    let n = 1 << 20;
    let x = ops::reshape(&ops::linspace(-4.0, 4.0, n, Dtype::Float32)?, &[1024, 1024])?;
    let w = Array::from_slice(&[0.5f32, -1.0, 2.0, 0.25], &[2, 2])?;
    println!("\n1. Built inputs (lazy): x {:?} {}, evaluated: {}", x.shape(), x.dtype(), x.is_evaluated());

    // A graph: a numerically stable softmax of a scaled tanh, then per-row statistics.
    let before = get_active_memory();
    let y = ops::tanh(&(&x * 1.5))?;
    let p = ops::softmax(&y, -1, false)?;
    let row_max = ops::max(&p, -1, false)?;
    let total = ops::sum(&p, Axes::All, false)?;
    let prod = ops::matmul(&w, &w)?;
    println!("2. Built the graph: softmax(tanh(1.5 x)), max per row, total, w @ w");
    println!("   evaluated? y: {}, p: {}, total: {}", y.is_evaluated(), p.is_evaluated(), total.is_evaluated());
    println!("   active memory before eval: {} (nothing was computed)", mib(get_active_memory()));

    // Evaluate: intermediates (y) are freed as soon as nothing needs them.
    eval(&[row_max.clone(), total.clone(), prod.clone()])?;
    println!("3. eval([row_max, total, w @ w]) done");
    println!(
        "   active memory after eval: {} (was {}), peak: {}",
        mib(get_active_memory()),
        mib(before),
        mib(get_peak_memory())
    );
    println!("   total of all softmax rows = {} (1024 rows of 1)", total.item::<f32>()?);
    println!("   first row max = {}", ops::slice(&row_max, &[ops::SliceArg::range(0, 1)])?.item::<f32>()?);
    println!("   w @ w =\n{prod}");

    // Views share memory; the scalar 2.5 keeps float16 float16 (a weak scalar).
    let h = ops::astype(&w, Dtype::Float16)?;
    let t = ops::transpose(&(&h * 2.5), &[])?;
    println!("4. transpose(float16 w * 2.5) = {t}");
    drop((x, y, p));
    println!("   active memory after dropping the big arrays: {}", mib(get_active_memory()));
    Ok(())
}
