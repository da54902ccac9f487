//! Backends: each runs one node on its stream's device. Inputs may live on
//! any device: the CPU backend first makes sure each has a host copy, the
//! CUDA backend uploads what it reads (see `Buffer`).

pub(crate) mod cpu;
pub(crate) mod cuda;
pub(crate) mod views;

use crate::array::{Array, Data};
use crate::device::{Device, Stream};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::primitive::Primitive;

/// The device memory block a buffer keeps its device copy in, and the
/// stream handle work on it is ordered by: the CUDA backend's.
pub(crate) type DeviceCopy = cuda::DeviceCopy;
pub(crate) type RawStream = cuda::RawStream;

/// What the buffers (`memory::Buffer`) need of a backend's device memory, and
/// all they see of it: one copy of a buffer's bytes on one GPU.
pub(crate) trait DeviceBlock: Sized + Send {
    /// Device memory owned outside rmlx (`owner` is dropped with the block),
    /// ready for work on `stream`.
    fn external(
        gpu: usize,
        ptr: u64,
        size: usize,
        stream: RawStream,
        owner: crate::memory::ExternalOwner,
    ) -> Result<Self>;
    /// A device copy of `size` host bytes at `src`, copied on `stream`.
    fn upload(gpu: usize, stream: RawStream, src: *const u8, size: usize) -> Result<Self>;
    /// The GPU holding the block.
    fn gpu(&self) -> usize;
    /// Its device address.
    fn ptr(&self) -> u64;
    /// Is the memory owned outside rmlx?
    fn is_external(&self) -> bool;
    /// Orders work on `stream` after the work that wrote the block.
    fn use_on(&mut self, stream: RawStream) -> Result<()>;
    /// Copies the first `size` bytes to host memory at `dst` (waiting for the writer).
    fn download(&self, dst: *mut u8, size: usize) -> Result<()>;
}

/// The device allocators' figures and limits, one pool per GPU.
pub(crate) trait DevicePools: Sync {
    /// How many pools (GPUs) there are.
    fn count(&self) -> usize;
    /// GPU `i`'s figures, if it exists.
    fn stats(&self, i: usize) -> Option<crate::memory::MemoryInfo>;
    /// Sets GPU `i`'s peak to its active bytes.
    fn reset_peak(&self, i: usize);
    /// Sets GPU `i`'s memory limit; the previous one, if the GPU exists.
    fn set_memory_limit(&self, i: usize, limit: usize) -> Option<usize>;
    /// Sets GPU `i`'s cache limit (trimming the cache to it); the previous one, if the GPU exists.
    fn set_cache_limit(&self, i: usize, limit: usize) -> Result<Option<usize>>;
    /// Returns every pool's cached memory to its device.
    fn clear_cache(&self) -> Result<()>;
}

/// The device pools of the GPU backend.
pub(crate) fn device_pools() -> &'static dyn DevicePools {
    &cuda::Pools
}

/// A run of pending nodes that one backend kernel evaluates (eager fusion).
pub(crate) type Fused = cuda::Chain;

/// The longest fusable run at the start of `order`, if there is one
/// (none while `RMLX_PROFILE` times nodes one by one).
pub(crate) fn plan_fused(order: &[Option<Array>]) -> Option<Fused> {
    if profile() {
        return None;
    }
    cuda::plan_chain(order)
}

/// Enqueues a planned run; the data of its last node.
pub(crate) fn run_fused(fused: &Fused) -> Result<Data> {
    cuda::run_chain(fused)
}

/// Waits for the work enqueued on `stream` (nothing to wait for on the CPU).
pub(crate) fn synchronize(stream: Stream) -> Result<()> {
    match stream.device {
        Device::Cpu => Ok(()),
        Device::Gpu(_) => cuda::sync(stream),
    }
}

/// Waits for the work enqueued on every stream of every device.
pub(crate) fn synchronize_all() -> Result<()> {
    cuda::synchronize_all()
}

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
    crate::knobs::knobs().profile
}

thread_local! {
    static LAUNCHES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one unit of GPU work enqueued by this thread (a kernel launch or a
/// library call: cuBLASLt, cuDNN).
pub(crate) fn count_launch() {
    LAUNCHES.with(|c| c.set(c.get() + 1));
}

/// How many units of GPU work (kernel launches and cuBLASLt or cuDNN calls)
/// this thread has enqueued so far: the difference across an `eval` shows
/// what it cost, e.g. that a fused elementwise chain ran as one launch.
/// Copies between host and device are not counted. `eval` runs a graph on
/// the calling thread; `async_eval` does too unless the graph has CPU work.
pub fn gpu_launches() -> u64 {
    LAUNCHES.with(|c| c.get())
}

/// The error for a node that [`eval_node`] passes through before any
/// backend sees it (a backend reached with one is a bug).
pub(crate) fn not_a_kernel(prim: &Primitive) -> crate::error::Error {
    crate::error::Error::Runtime(format!("internal: {prim:?} passes its inputs through and has no kernel"))
}

/// `RMLX_TRACE=1`: print each node as it runs and each transfer (for debugging).
pub(crate) fn trace() -> bool {
    crate::knobs::knobs().trace
}
