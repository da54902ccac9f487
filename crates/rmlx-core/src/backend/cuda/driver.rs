//! The CUDA driver, loaded at run time: devices and their primary contexts,
//! streams, events, device memory from the stream-ordered pool, and copies
//! between host and device through pinned staging blocks.

use crate::error::{Error, Result};
use cudarc::driver::sys::{self, CUdeviceptr, CUresult};
use std::collections::HashMap;
use std::ffi::{c_void, CStr};
use std::sync::{Mutex, OnceLock};

/// A raw CUDA stream handle that may cross threads (the driver allows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawStream(pub(crate) sys::CUstream);
// SAFETY: CUDA stream handles are usable from any thread of the process.
unsafe impl Send for RawStream {}
// SAFETY: as above.
unsafe impl Sync for RawStream {}

/// Turns a driver status into a `Result`, naming the call.
pub(crate) fn check(r: CUresult, what: &str) -> Result<()> {
    if r == CUresult::CUDA_SUCCESS {
        return Ok(());
    }
    let mut p: *const std::ffi::c_char = std::ptr::null();
    // SAFETY: cuGetErrorString writes a pointer to a static string (or leaves null).
    unsafe { sys::cuGetErrorString(r, &mut p) };
    let msg = if p.is_null() {
        String::new()
    } else {
        // SAFETY: the driver returns a NUL-terminated static string.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    };
    if r == CUresult::CUDA_ERROR_OUT_OF_MEMORY {
        return Err(Error::OutOfMemory(format!("{what}: the GPU has no memory left ({msg})")));
    }
    Err(Error::Runtime(format!("CUDA error in {what}: {r:?} ({msg})")))
}

/// Per-device memory accounting.
#[derive(Default)]
pub(crate) struct MemStats {
    pub(crate) active: usize,
    pub(crate) peak: usize,
    pub(crate) limit: Option<usize>,
    pub(crate) cache_limit: Option<usize>,
}

/// Two pinned host blocks that copies between host and device go through.
struct Staging {
    blocks: [*mut u8; 2],
    events: [sys::CUevent; 2],
    pending: [bool; 2],
}
// SAFETY: only used under the device's staging mutex.
unsafe impl Send for Staging {}

const STAGING_BYTES: usize = 8 << 20;

/// One GPU: its primary context and what hangs off it.
pub(crate) struct Gpu {
    pub(crate) index: usize,
    ctx: sys::CUcontext,
    pool: sys::CUmemoryPool,
    pub(crate) cc: (i32, i32),
    pub(crate) sm_count: i32,
    pub(crate) total_mem: usize,
    pub(crate) name: String,
    streams: Mutex<HashMap<usize, RawStream>>,
    pub(crate) mem: Mutex<MemStats>,
    staging: Mutex<Option<Staging>>,
}
// SAFETY: contexts and pools are process-wide driver objects usable from any thread.
unsafe impl Send for Gpu {}
// SAFETY: as above; mutable state sits behind mutexes.
unsafe impl Sync for Gpu {}

static GPUS: OnceLock<Vec<Gpu>> = OnceLock::new();
static INIT_ERROR: OnceLock<String> = OnceLock::new();

/// The usable GPUs (none when the driver or a device is missing).
pub(crate) fn gpus() -> &'static [Gpu] {
    GPUS.get_or_init(|| {
        // cudarc panics where a library cannot be loaded; no panic may escape.
        match std::panic::catch_unwind(init) {
            Ok(Ok(v)) => v,
            Ok(Err(e)) => {
                let _ = INIT_ERROR.set(e.to_string());
                Vec::new()
            }
            Err(_) => {
                let _ = INIT_ERROR.set("the CUDA driver could not be loaded".into());
                Vec::new()
            }
        }
    })
}

/// Why no GPU is usable, when none is.
pub(crate) fn init_error() -> Option<String> {
    gpus();
    INIT_ERROR.get().cloned()
}

fn init() -> Result<Vec<Gpu>> {
    if crate::knobs::knobs().disable_gpu {
        return Err(Error::Device("GPUs are disabled by RMLX_DISABLE_GPU=1".into()));
    }
    // SAFETY: only probes for the library.
    if !unsafe { sys::is_culib_present() } {
        return Err(Error::Device("no CUDA driver (libcuda.so) was found".into()));
    }
    // SAFETY: plain driver calls with valid out-pointers.
    unsafe {
        check(sys::cuInit(0), "cuInit")?;
        let mut n = 0;
        check(sys::cuDeviceGetCount(&mut n), "cuDeviceGetCount")?;
        let mut out = Vec::new();
        for i in 0..n.max(0) {
            let mut dev = 0;
            check(sys::cuDeviceGet(&mut dev, i), "cuDeviceGet")?;
            let mut ctx = std::ptr::null_mut();
            check(sys::cuDevicePrimaryCtxRetain(&mut ctx, dev), "cuDevicePrimaryCtxRetain")?;
            check(sys::cuCtxSetCurrent(ctx), "cuCtxSetCurrent")?;
            let attr = |a: sys::CUdevice_attribute| -> Result<i32> {
                let mut v = 0;
                check(sys::cuDeviceGetAttribute(&mut v, a, dev), "cuDeviceGetAttribute")?;
                Ok(v)
            };
            let major = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?;
            let minor = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?;
            let sm_count = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)?;
            let mut total = 0usize;
            check(sys::cuDeviceTotalMem_v2(&mut total, dev), "cuDeviceTotalMem")?;
            let mut name = [0 as std::ffi::c_char; 128];
            check(sys::cuDeviceGetName(name.as_mut_ptr(), 127, dev), "cuDeviceGetName")?;
            let name = CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
            let mut pool = std::ptr::null_mut();
            check(sys::cuDeviceGetDefaultMemPool(&mut pool, dev), "cuDeviceGetDefaultMemPool")?;
            // Keep freed blocks in the pool (our cache) until the cache limit says otherwise.
            let mut threshold: u64 = u64::MAX;
            check(
                sys::cuMemPoolSetAttribute(
                    pool,
                    sys::CUmemPool_attribute::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                    &mut threshold as *mut u64 as *mut c_void,
                ),
                "cuMemPoolSetAttribute",
            )?;
            out.push(Gpu {
                index: i as usize,
                ctx,
                pool,
                cc: (major, minor),
                sm_count,
                total_mem: total,
                name,
                streams: Mutex::new(HashMap::new()),
                mem: Mutex::new(MemStats::default()),
                staging: Mutex::new(None),
            });
        }
        Ok(out)
    }
}

/// GPU `i`, with its context made current on this thread.
pub(crate) fn gpu(i: usize) -> Result<&'static Gpu> {
    let all = gpus();
    let g = all.get(i).ok_or_else(|| {
        Error::Device(format!(
            "gpu({i}) does not exist ({} GPU devices found{})",
            all.len(),
            init_error().map(|e| format!(": {e}")).unwrap_or_default()
        ))
    })?;
    g.bind()?;
    Ok(g)
}

thread_local! {
    static CURRENT: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

impl Gpu {
    /// Makes this device's context current on the calling thread.
    pub(crate) fn bind(&self) -> Result<()> {
        if CURRENT.with(|c| c.get()) == self.index {
            return Ok(());
        }
        // SAFETY: the context was retained at start and is never released.
        check(unsafe { sys::cuCtxSetCurrent(self.ctx) }, "cuCtxSetCurrent")?;
        CURRENT.with(|c| c.set(self.index));
        Ok(())
    }

    /// The CUDA stream behind rmlx stream `index` (created on first use).
    pub(crate) fn stream(&self, index: usize) -> Result<RawStream> {
        let mut map = self.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = map.get(&index) {
            return Ok(*s);
        }
        let mut s = std::ptr::null_mut();
        // SAFETY: valid out-pointer; the context is current.
        check(
            unsafe { sys::cuStreamCreate(&mut s, sys::CUstream_flags::CU_STREAM_NON_BLOCKING as u32) },
            "cuStreamCreate",
        )?;
        map.insert(index, RawStream(s));
        Ok(RawStream(s))
    }

    /// Every stream made so far.
    pub(crate) fn all_streams(&self) -> Vec<RawStream> {
        self.streams.lock().unwrap_or_else(|e| e.into_inner()).values().copied().collect()
    }

    fn mem(&self) -> std::sync::MutexGuard<'_, MemStats> {
        self.mem.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn memory_limit(&self) -> usize {
        self.mem().limit.unwrap_or(self.total_mem)
    }

    /// Bytes the pool holds beyond what live buffers use.
    pub(crate) fn cache_bytes(&self) -> usize {
        let get = |a: sys::CUmemPool_attribute| -> u64 {
            let mut v: u64 = 0;
            // SAFETY: the attribute is a u64, as the driver documents.
            let _ = unsafe { sys::cuMemPoolGetAttribute(self.pool, a, &mut v as *mut u64 as *mut c_void) };
            v
        };
        let reserved = get(sys::CUmemPool_attribute::CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT);
        let used = get(sys::CUmemPool_attribute::CU_MEMPOOL_ATTR_USED_MEM_CURRENT);
        reserved.saturating_sub(used) as usize
    }

    /// Releases cached pool memory down to `keep` bytes.
    pub(crate) fn trim(&self, keep: usize) -> Result<()> {
        self.bind()?;
        for s in self.all_streams() {
            // SAFETY: a stream of this context.
            check(unsafe { sys::cuStreamSynchronize(s.0) }, "cuStreamSynchronize")?;
        }
        // SAFETY: the pool of this device.
        check(unsafe { sys::cuMemPoolTrimTo(self.pool, keep) }, "cuMemPoolTrimTo")
    }

    pub(crate) fn set_cache_limit(&self, limit: usize) -> Result<usize> {
        let old = {
            let mut m = self.mem();
            let old = m.cache_limit.unwrap_or(usize::MAX);
            m.cache_limit = Some(limit);
            old
        };
        let mut threshold = limit as u64;
        // SAFETY: the attribute is a u64.
        check(
            unsafe {
                sys::cuMemPoolSetAttribute(
                    self.pool,
                    sys::CUmemPool_attribute::CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                    &mut threshold as *mut u64 as *mut c_void,
                )
            },
            "cuMemPoolSetAttribute",
        )?;
        self.trim(limit)?;
        Ok(old)
    }

    /// `size` bytes of device memory, ordered on `stream`.
    pub(crate) fn alloc(&self, size: usize, stream: RawStream) -> Result<CUdeviceptr> {
        if crate::backend::trace() {
            eprintln!("[rmlx trace] alloc {size} bytes on gpu({})", self.index);
        }
        {
            let m = self.mem();
            let limit = m.limit.unwrap_or(self.total_mem);
            if m.active.saturating_add(size) > limit {
                return Err(Error::OutOfMemory(format!(
                    "allocating {size} bytes on gpu({}) would pass its memory limit of {limit} bytes ({} bytes in use)",
                    self.index, m.active
                )));
            }
        }
        let mut p: CUdeviceptr = 0;
        // SAFETY: valid out-pointer; the context is current (callers bind).
        let mut r = unsafe { sys::cuMemAllocAsync(&mut p, size, stream.0) };
        if r == CUresult::CUDA_ERROR_OUT_OF_MEMORY {
            // Give the pool's cached blocks back to the device and try once more.
            self.trim(0)?;
            // SAFETY: as above.
            r = unsafe { sys::cuMemAllocAsync(&mut p, size, stream.0) };
        }
        check(r, &format!("cuMemAllocAsync of {size} bytes on gpu({})", self.index))?;
        let mut m = self.mem();
        m.active += size;
        m.peak = m.peak.max(m.active);
        Ok(p)
    }

    fn free(&self, ptr: CUdeviceptr, size: usize, stream: RawStream) {
        if self.bind().is_ok() {
            // SAFETY: ptr came from cuMemAllocAsync on this device; the free is
            // ordered after all work on `stream` (the caller orders other users).
            unsafe { sys::cuMemFreeAsync(ptr, stream.0) };
        }
        let mut m = self.mem();
        m.active = m.active.saturating_sub(size);
    }

    fn staging(&self) -> Result<std::sync::MutexGuard<'_, Option<Staging>>> {
        let mut g = self.staging.lock().unwrap_or_else(|e| e.into_inner());
        if g.is_none() {
            let mut blocks = [std::ptr::null_mut(); 2];
            let mut events = [std::ptr::null_mut(); 2];
            for k in 0..2 {
                let mut p: *mut c_void = std::ptr::null_mut();
                // SAFETY: valid out-pointers; the context is current.
                unsafe {
                    check(sys::cuMemHostAlloc(&mut p, STAGING_BYTES, 0), "cuMemHostAlloc")?;
                    check(
                        sys::cuEventCreate(&mut events[k], sys::CUevent_flags::CU_EVENT_DISABLE_TIMING as u32),
                        "cuEventCreate",
                    )?;
                }
                blocks[k] = p as *mut u8;
            }
            *g = Some(Staging { blocks, events, pending: [false; 2] });
        }
        Ok(g)
    }

    /// Copies `size` host bytes at `src` to device memory at `dst`, on `stream`.
    pub(crate) fn upload(&self, dst: CUdeviceptr, src: *const u8, size: usize, stream: RawStream) -> Result<()> {
        if crate::backend::trace() {
            eprintln!("[rmlx trace] upload {size} bytes to gpu({})", self.index);
        }
        let mut guard = self.staging()?;
        let st = guard.as_mut().ok_or_else(|| Error::Runtime("internal: no staging memory".into()))?;
        let mut off = 0usize;
        let mut k = 0usize;
        while off < size {
            let n = (size - off).min(STAGING_BYTES);
            // SAFETY: the event and block belong to this device; `src + off .. + n` is inside
            // the caller's host block; the pinned block holds STAGING_BYTES.
            unsafe {
                if st.pending[k] {
                    check(sys::cuEventSynchronize(st.events[k]), "cuEventSynchronize")?;
                }
                std::ptr::copy_nonoverlapping(src.add(off), st.blocks[k], n);
                check(
                    sys::cuMemcpyHtoDAsync_v2(dst + off as u64, st.blocks[k] as *const c_void, n, stream.0),
                    "cuMemcpyHtoDAsync",
                )?;
                check(sys::cuEventRecord(st.events[k], stream.0), "cuEventRecord")?;
            }
            st.pending[k] = true;
            off += n;
            k ^= 1;
        }
        Ok(())
    }

    /// Copies `size` device bytes at `src` to host memory at `dst`, after the work on `stream`; waits.
    pub(crate) fn download(&self, dst: *mut u8, src: CUdeviceptr, size: usize, stream: RawStream) -> Result<()> {
        if crate::backend::trace() {
            eprintln!("[rmlx trace] download {size} bytes from gpu({})", self.index);
        }
        self.bind()?;
        let mut guard = self.staging()?;
        let st = guard.as_mut().ok_or_else(|| Error::Runtime("internal: no staging memory".into()))?;
        let mut off = 0usize;
        while off < size {
            let n = (size - off).min(STAGING_BYTES);
            // SAFETY: as in upload; the copy is complete after the event wait.
            unsafe {
                if st.pending[0] {
                    check(sys::cuEventSynchronize(st.events[0]), "cuEventSynchronize")?;
                }
                check(
                    sys::cuMemcpyDtoHAsync_v2(st.blocks[0] as *mut c_void, src + off as u64, n, stream.0),
                    "cuMemcpyDtoHAsync",
                )?;
                check(sys::cuEventRecord(st.events[0], stream.0), "cuEventRecord")?;
                check(sys::cuEventSynchronize(st.events[0]), "waiting for the GPU (cuEventSynchronize)")?;
                std::ptr::copy_nonoverlapping(st.blocks[0], dst.add(off), n);
            }
            st.pending[0] = false;
            off += n;
        }
        Ok(())
    }
}

/// Makes `waiter` wait for the work enqueued so far on `after`.
pub(crate) fn order(after: RawStream, waiter: RawStream) -> Result<()> {
    if after == waiter {
        return Ok(());
    }
    let mut ev = std::ptr::null_mut();
    // SAFETY: both streams belong to the current context; the event is
    // destroyed once recorded and waited on (the driver keeps it until done).
    unsafe {
        check(sys::cuEventCreate(&mut ev, sys::CUevent_flags::CU_EVENT_DISABLE_TIMING as u32), "cuEventCreate")?;
        let r = sys::cuEventRecord(ev, after.0);
        let w = if r == CUresult::CUDA_SUCCESS { sys::cuStreamWaitEvent(waiter.0, ev, 0) } else { r };
        sys::cuEventDestroy_v2(ev);
        check(w, "cuStreamWaitEvent")
    }
}

/// Waits for all work on `s`.
pub(crate) fn sync_stream(s: RawStream) -> Result<()> {
    // SAFETY: a stream of the current context.
    check(unsafe { sys::cuStreamSynchronize(s.0) }, "waiting for the GPU (cuStreamSynchronize)")
}

/// The device copy of a buffer: device memory, the stream that wrote it
/// (its owner) and the other streams that read it.
pub(crate) struct DeviceCopy {
    gpu: usize,
    ptr: CUdeviceptr,
    size: usize,
    owner: RawStream,
    readers: Vec<RawStream>,
    /// Memory owned outside rmlx: this is dropped instead of freeing it.
    external: Option<crate::memory::ExternalOwner>,
}

impl DeviceCopy {
    /// Fresh device memory that work on `stream` will write.
    pub(crate) fn alloc(gpu: &Gpu, size: usize, stream: RawStream) -> Result<DeviceCopy> {
        let ptr = if size == 0 { 0 } else { gpu.alloc(size, stream)? };
        Ok(DeviceCopy { gpu: gpu.index, ptr, size, owner: stream, readers: Vec::new(), external: None })
    }
}

impl crate::backend::DeviceBlock for DeviceCopy {
    fn external(
        gpu_index: usize,
        ptr: CUdeviceptr,
        size: usize,
        stream: RawStream,
        owner: crate::memory::ExternalOwner,
    ) -> Result<DeviceCopy> {
        gpu(gpu_index)?;
        Ok(DeviceCopy { gpu: gpu_index, ptr, size, owner: stream, readers: Vec::new(), external: Some(owner) })
    }
    fn upload(gpu_index: usize, stream: RawStream, src: *const u8, size: usize) -> Result<DeviceCopy> {
        let g = gpu(gpu_index)?;
        let d = DeviceCopy::alloc(g, size, stream)?;
        if size > 0 {
            g.upload(d.ptr, src, size, stream)?;
        }
        Ok(d)
    }
    fn gpu(&self) -> usize {
        self.gpu
    }
    fn ptr(&self) -> CUdeviceptr {
        self.ptr
    }
    fn is_external(&self) -> bool {
        self.external.is_some()
    }
    fn use_on(&mut self, stream: RawStream) -> Result<()> {
        if stream != self.owner && !self.readers.contains(&stream) {
            gpu(self.gpu)?;
            order(self.owner, stream)?;
            self.readers.push(stream);
        }
        Ok(())
    }
    fn download(&self, dst: *mut u8, size: usize) -> Result<()> {
        if size == 0 {
            return Ok(());
        }
        gpu(self.gpu)?.download(dst, self.ptr, size.min(self.size), self.owner)
    }
}

impl Drop for DeviceCopy {
    fn drop(&mut self) {
        if let Some(owner) = self.external.take() {
            // The owner may reuse the memory at once: wait for rmlx's work on it.
            if gpu(self.gpu).is_ok() {
                for r in std::mem::take(&mut self.readers) {
                    let _ = order(r, self.owner);
                }
                let _ = sync_stream(self.owner);
            }
            drop(owner);
            return;
        }
        if self.ptr == 0 {
            return;
        }
        if let Ok(g) = gpu(self.gpu) {
            // The memory may be reused by the owner's later work only after
            // every reader's work that was enqueued so far.
            for r in std::mem::take(&mut self.readers) {
                let _ = order(r, self.owner);
            }
            g.free(self.ptr, self.size, self.owner);
        }
    }
}
