//! Backends: each runs one node on its stream's device. Inputs may live on
//! any device: the CPU backend first makes sure each has a host copy, the
//! CUDA backend uploads what it reads (see `Buffer`).

pub(crate) mod cpu;
pub(crate) mod cuda;

use crate::array::{Array, Data};
use crate::device::{Device, Stream};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::primitive::Primitive;

/// Runs `prim` for a node of `shape`/`dtype` on `stream`.
pub(crate) fn eval_node(
    prim: &Primitive,
    inputs: &[Array],
    shape: &[usize],
    dtype: Dtype,
    stream: Stream,
) -> Result<Vec<Data>> {
    if trace() {
        eprintln!("[rmlx trace] {prim:?} on {stream} -> {shape:?} {dtype}");
    }
    if let Primitive::StopGradient = prim {
        return Ok(vec![inputs[0].data()?]);
    }
    if let Primitive::Custom(c) = prim {
        // The wrapped function's results, already computed: shared, not copied.
        return inputs[c.n_primals.min(inputs.len())..].iter().map(|a| a.data()).collect();
    }
    match stream.device {
        Device::Cpu => {
            // Transpose, broadcast and slice only restride their input's buffer;
            // everything else reads it on the host.
            let pure_view =
                matches!(prim, Primitive::Transpose { .. } | Primitive::BroadcastTo | Primitive::Slice { .. });
            if !pure_view {
                for a in inputs {
                    a.data()?.buf.ensure_host()?;
                }
            }
            cpu::eval(prim, inputs, shape, dtype)
        }
        Device::Gpu(_) if profile() => {
            // Everything before this node has finished; time this node alone.
            cuda::sync(stream)?;
            let t0 = std::time::Instant::now();
            let r = cuda::eval(prim, inputs, shape, dtype, stream);
            cuda::sync(stream)?;
            eprintln!("[rmlx profile] {:9.1} us  {prim:?} -> {shape:?} {dtype}", t0.elapsed().as_secs_f64() * 1e6);
            r
        }
        Device::Gpu(_) => cuda::eval(prim, inputs, shape, dtype, stream),
    }
}

/// `RMLX_PROFILE=1`: run each GPU node alone (synchronizing before and
/// after) and print its wall time, uploads included (for finding slow
/// nodes; eager fusion is off meanwhile).
pub(crate) fn profile() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("RMLX_PROFILE").is_some())
}

/// `RMLX_TRACE=1`: print each node as it runs and each transfer (for debugging).
pub(crate) fn trace() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("RMLX_TRACE").is_some())
}
