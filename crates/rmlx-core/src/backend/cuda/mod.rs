//! The CUDA backend: the driver, NVRTC and cuBLASLt loaded at run time
//! (cudarc with dynamic loading), so a build needs no CUDA toolkit and a
//! machine without a GPU runs the CPU backend.

mod blaslt;
mod chain;
mod cudnn;
mod driver;
mod jit;
mod ops;

#[doc(hidden)]
pub use ops::compile_all;

pub(crate) use chain::{plan as plan_chain, run as run_chain, Chain};
pub(crate) use driver::{DeviceCopy, RawStream};

use crate::array::{Array, Data};
use crate::device::{Device, Stream};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::primitive::Primitive;

/// Number of usable GPUs (0 without a driver or device).
pub(crate) fn device_count() -> usize {
    driver::gpus().len()
}

/// Name and compute capability of GPU `i`.
pub(crate) fn device_info(i: usize) -> Option<(String, (i32, i32), usize)> {
    driver::gpus().get(i).map(|g| (g.name.clone(), g.cc, g.total_mem))
}

/// Why no GPU is usable, if none is.
pub(crate) fn unavailable_reason() -> Option<String> {
    driver::init_error()
}

/// Enqueues one node on GPU stream `stream`.
pub(crate) fn eval(
    prim: &Primitive,
    inputs: &[Array],
    shape: &[usize],
    dtype: Dtype,
    stream: Stream,
) -> Result<Vec<Data>> {
    let Device::Gpu(i) = stream.device else {
        return Err(crate::Error::Runtime("internal: a CPU stream reached the GPU backend".into()));
    };
    let g = driver::gpu(i)?;
    let ctx = ops::Ctx { g, s: g.stream(stream.index)? };
    ops::eval(&ctx, prim, inputs, shape, dtype)
}

/// The CUDA stream behind GPU stream `stream`.
pub(crate) fn raw_stream(stream: Stream) -> Result<RawStream> {
    let Device::Gpu(i) = stream.device else {
        return Err(crate::Error::Device(format!("{stream} is a CPU stream and has no CUDA stream")));
    };
    driver::gpu(i)?.stream(stream.index)
}

/// The address of `buf` on GPU `gpu`, copied there (on the array's own
/// stream `own`, or the GPU's first stream) if missing, and ordered before
/// work on the `consumer` stream handle when one is given.
pub(crate) fn device_address(
    buf: &crate::memory::Buffer,
    gpu: usize,
    own: Stream,
    consumer: Option<u64>,
) -> Result<u64> {
    let g = driver::gpu(gpu)?;
    let own = if own.device == Device::Gpu(gpu) { g.stream(own.index)? } else { g.stream(0)? };
    let ptr = buf.device_ptr(gpu, own)?;
    match consumer {
        Some(h) => buf.device_ptr(gpu, RawStream(h as usize as cudarc::driver::sys::CUstream)),
        None => Ok(ptr),
    }
}

/// Waits for the work enqueued on `stream` (a GPU stream; CPU streams have none).
pub(crate) fn sync(stream: Stream) -> Result<()> {
    if let Device::Gpu(i) = stream.device {
        let g = driver::gpu(i)?;
        driver::sync_stream(g.stream(stream.index)?)?;
    }
    Ok(())
}

/// Waits for all work on every GPU.
pub(crate) fn synchronize_all() -> Result<()> {
    for g in driver::gpus() {
        g.bind()?;
        for s in g.all_streams() {
            driver::sync_stream(s)?;
        }
    }
    Ok(())
}

/// The GPUs' memory pools, as the buffers see them.
pub(crate) struct Pools;

impl crate::backend::DevicePools for Pools {
    fn count(&self) -> usize {
        driver::gpus().len()
    }
    fn stats(&self, i: usize) -> Option<crate::memory::MemoryInfo> {
        let g = driver::gpus().get(i)?;
        let (active, peak) = {
            let m = g.mem.lock().unwrap_or_else(|e| e.into_inner());
            (m.active, m.peak)
        };
        Some(crate::memory::MemoryInfo { active, peak, cache: g.cache_bytes(), limit: g.memory_limit() })
    }
    fn reset_peak(&self, i: usize) {
        if let Some(g) = driver::gpus().get(i) {
            let mut m = g.mem.lock().unwrap_or_else(|e| e.into_inner());
            m.peak = m.active;
        }
    }
    fn set_memory_limit(&self, i: usize, limit: usize) -> Option<usize> {
        let g = driver::gpus().get(i)?;
        let old = g.memory_limit();
        g.mem.lock().unwrap_or_else(|e| e.into_inner()).limit = Some(limit);
        Some(old)
    }
    fn set_cache_limit(&self, i: usize, limit: usize) -> Result<Option<usize>> {
        match driver::gpus().get(i) {
            Some(g) => g.set_cache_limit(limit).map(Some),
            None => Ok(None),
        }
    }
    fn clear_cache(&self) -> Result<()> {
        for g in driver::gpus() {
            g.trim(0)?;
        }
        Ok(())
    }
}
