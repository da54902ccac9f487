//! Buffers and the allocator: 64-byte aligned host blocks, a cache that
//! reuses freed blocks by size class, and the statistics and limits that
//! `get_active_memory`, `set_memory_limit` and friends expose.

use crate::error::{Error, Result};
use std::alloc::{alloc, dealloc, Layout};
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::Mutex;

use crate::backend::{device_pools, DeviceBlock, DeviceCopy, RawStream};

const ALIGN: usize = 64;

/// A block of memory holding an array's elements. Arrays share buffers
/// (views) through `Arc<Buffer>`. A buffer has a host copy, a device copy, or
/// both: data moves once, on first use where it is missing, and the copy is
/// kept (arrays are immutable, so copies never go stale).
pub struct Buffer {
    size: usize,
    res: Mutex<Residency>,
}

struct Residency {
    host: Option<HostBlock>,
    device: Option<DeviceCopy>,
}

/// Whatever keeps memory owned outside rmlx alive (a DLPack tensor's
/// deleter, a Python object): dropped when the last array over it goes.
pub type ExternalOwner = Box<dyn std::any::Any + Send + Sync>;

/// A block of the host allocator (returns to its cache on drop), or host
/// memory owned outside rmlx (`external`: the owner is dropped instead).
struct HostBlock {
    ptr: NonNull<u8>,
    capacity: usize,
    external: Option<ExternalOwner>,
}

// SAFETY: a block is owned by one buffer; shared access is read-only except
// while the evaluator fills a buffer it holds uniquely.
unsafe impl Send for HostBlock {}

impl Drop for HostBlock {
    fn drop(&mut self) {
        if self.external.is_none() && self.capacity > 0 {
            ALLOCATOR.lock().unwrap_or_else(|e| e.into_inner()).give_back(self.ptr, self.capacity);
        }
    }
}

impl HostBlock {
    fn alloc(size: usize) -> Result<HostBlock> {
        if size == 0 {
            return Ok(HostBlock { ptr: NonNull::<u128>::dangling().cast(), capacity: 0, external: None });
        }
        let capacity = size_class(size)?;
        let ptr = ALLOCATOR.lock().unwrap_or_else(|e| e.into_inner()).take(capacity)?;
        Ok(HostBlock { ptr, capacity, external: None })
    }
}

impl Buffer {
    /// Allocates `size` bytes of host memory (uninitialised), through the cache.
    pub fn alloc(size: usize) -> Result<Buffer> {
        let host = HostBlock::alloc(size)?;
        Ok(Buffer { size, res: Mutex::new(Residency { host: Some(host), device: None }) })
    }
    /// Allocates `size` zeroed bytes of host memory.
    pub fn zeroed(size: usize) -> Result<Buffer> {
        let b = Buffer::alloc(size)?;
        // SAFETY: the block has at least `size` writable bytes.
        unsafe { std::ptr::write_bytes(b.as_mut_ptr(), 0, size) };
        Ok(b)
    }
    /// A buffer whose only copy is `device` (written by GPU work).
    pub(crate) fn from_device(size: usize, device: DeviceCopy) -> Buffer {
        Buffer { size, res: Mutex::new(Residency { host: None, device: Some(device) }) }
    }
    /// A buffer over `size` bytes of host memory at `ptr` that rmlx does
    /// not own; `owner` keeps it alive and is dropped with the buffer.
    ///
    /// # Safety
    /// `ptr` must address `size` readable bytes that stay valid, and are not
    /// written by others while rmlx reads them, until `owner` is dropped.
    pub unsafe fn from_external_host(ptr: *mut u8, size: usize, owner: ExternalOwner) -> Result<Buffer> {
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::value("external memory: the host address is null"))?;
        let host = HostBlock { ptr, capacity: 0, external: Some(owner) };
        Ok(Buffer { size, res: Mutex::new(Residency { host: Some(host), device: None }) })
    }
    /// A buffer over `size` bytes of memory of GPU `gpu` at `ptr` that rmlx
    /// does not own; rmlx work reads it on `stream`, and `owner` is dropped
    /// (after that work is done) with the buffer.
    ///
    /// # Safety
    /// As for [`Buffer::from_external_host`], with a device address of `gpu`'s
    /// context that is ready for work on `stream`.
    pub(crate) unsafe fn from_external_device(
        gpu: usize,
        ptr: u64,
        size: usize,
        stream: RawStream,
        owner: ExternalOwner,
    ) -> Result<Buffer> {
        let device = DeviceCopy::external(gpu, ptr, size, stream, owner)?;
        Ok(Buffer { size, res: Mutex::new(Residency { host: None, device: Some(device) }) })
    }
    /// Is this memory owned outside rmlx (it is then never written in place)?
    pub fn is_external(&self) -> bool {
        let r = self.lock();
        r.host.as_ref().is_some_and(|h| h.external.is_some()) || r.device.as_ref().is_some_and(|d| d.is_external())
    }
    /// Bytes this buffer holds.
    pub fn size(&self) -> usize {
        self.size
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, Residency> {
        self.res.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Makes sure a host copy exists, copying from the device (and waiting
    /// for the work that writes it) if needed.
    pub fn ensure_host(&self) -> Result<()> {
        let mut r = self.lock();
        if r.host.is_some() {
            return Ok(());
        }
        let host = HostBlock::alloc(self.size)?;
        if let Some(dev) = &r.device {
            dev.download(host.ptr.as_ptr(), self.size)?;
        }
        r.host = Some(host);
        Ok(())
    }
    /// Is there a host copy?
    pub fn is_on_host(&self) -> bool {
        self.lock().host.is_some()
    }
    /// The GPU holding a device copy, if any.
    pub fn device_index(&self) -> Option<usize> {
        self.lock().device.as_ref().map(|d| d.gpu())
    }
    /// Start of the host copy. Every host reader makes sure the copy exists
    /// first (`ensure_host`); were it missing, the copy is made here, and a
    /// failure to make it is raised as a panic that the evaluator turns into an error.
    pub fn as_ptr(&self) -> *const u8 {
        self.host_ptr()
    }
    /// Start of the host copy, for writing by the owner of a fresh buffer.
    /// Any device copy is dropped: it would no longer match.
    pub fn as_mut_ptr(&self) -> *mut u8 {
        let p = self.host_ptr();
        let stale = self.lock().device.take();
        drop(stale);
        p
    }
    fn host_ptr(&self) -> *mut u8 {
        if let Some(h) = &self.lock().host {
            return h.ptr.as_ptr();
        }
        if let Err(e) = self.ensure_host() {
            panic!("reading a device buffer on the host failed: {e}");
        }
        self.lock().host.as_ref().map(|h| h.ptr.as_ptr()).unwrap_or(std::ptr::null_mut())
    }
    /// The address of a device copy on `gpu` that work on `stream` may read,
    /// uploading the host copy on first use and ordering `stream` after the
    /// work that wrote the device copy.
    pub(crate) fn device_ptr(&self, gpu: usize, stream: RawStream) -> Result<u64> {
        let mut r = self.lock();
        if let Some(d) = &mut r.device {
            if d.gpu() == gpu {
                d.use_on(stream)?;
                return Ok(d.ptr());
            }
        }
        if r.host.is_none() {
            // Only a copy on another GPU: bring it to the host first.
            let host = HostBlock::alloc(self.size)?;
            if let Some(dev) = &r.device {
                dev.download(host.ptr.as_ptr(), self.size)?;
            }
            r.host = Some(host);
        }
        let src = r.host.as_ref().map(|h| h.ptr.as_ptr() as *const u8).unwrap_or(std::ptr::null());
        let copy = DeviceCopy::upload(gpu, stream, src, self.size)?;
        let ptr = copy.ptr();
        r.device = Some(copy);
        Ok(ptr)
    }
}

/// Rounds a request up to a size class, so that freed blocks fit later
/// requests of nearby sizes (at most 1/8 wasted above 512 bytes).
/// Asks Linux to back the whole 2 MiB pages inside a large new block with
/// huge pages (where transparent huge pages are on `madvise`): scattered
/// accesses (radix sorts, gathers) then miss the TLB far less. Advice only:
/// a refusal changes nothing.
pub(crate) fn advise_huge_pages(ptr: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        if len < 2 * HUGE {
            return;
        }
        let start = (ptr as usize).next_multiple_of(HUGE);
        let end = (ptr as usize + len) & !(HUGE - 1);
        if end > start {
            // SAFETY: [start, end) lies inside the block just allocated,
            // which this allocator owns; MADV_HUGEPAGE neither frees nor
            // changes its contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

fn size_class(size: usize) -> Result<usize> {
    let too_big = || Error::OutOfMemory(format!("cannot allocate {size} bytes"));
    if size <= 512 {
        return Ok(size.div_ceil(ALIGN) * ALIGN);
    }
    let pow = size.checked_next_power_of_two().ok_or_else(too_big)?;
    let step = (pow / 16).max(ALIGN);
    size.div_ceil(step).checked_mul(step).ok_or_else(too_big)
}

struct Allocator {
    active: usize,
    peak: usize,
    cache_bytes: usize,
    memory_limit: Option<usize>,
    cache_limit: Option<usize>,
    free: BTreeMap<usize, Vec<NonNull<u8>>>,
}

// SAFETY: the free lists hold blocks no one else refers to.
unsafe impl Send for Allocator {}

static ALLOCATOR: Mutex<Allocator> = Mutex::new(Allocator {
    active: 0,
    peak: 0,
    cache_bytes: 0,
    memory_limit: None,
    cache_limit: None,
    free: BTreeMap::new(),
});

impl Allocator {
    fn memory_limit(&self) -> usize {
        self.memory_limit.unwrap_or_else(default_memory_limit)
    }
    fn take(&mut self, capacity: usize) -> Result<NonNull<u8>> {
        let limit = self.memory_limit();
        if self.active.saturating_add(capacity) > limit {
            return Err(Error::OutOfMemory(format!(
                "allocating {capacity} bytes would pass the memory limit of {limit} bytes ({} bytes in use)",
                self.active
            )));
        }
        if let Some(ptr) = self.free.get_mut(&capacity).and_then(|v| v.pop()) {
            self.cache_bytes -= capacity;
            self.add_active(capacity);
            return Ok(ptr);
        }
        if self.active + self.cache_bytes + capacity > limit {
            self.release_cache(0);
        }
        let layout = Layout::from_size_align(capacity, ALIGN)
            .map_err(|_| Error::OutOfMemory(format!("cannot allocate {capacity} bytes")))?;
        // SAFETY: layout has non-zero size.
        let mut raw = unsafe { alloc(layout) };
        if raw.is_null() && self.cache_bytes > 0 {
            self.release_cache(0);
            // SAFETY: as above.
            raw = unsafe { alloc(layout) };
        }
        let ptr = NonNull::new(raw)
            .ok_or_else(|| Error::OutOfMemory(format!("the system refused an allocation of {capacity} bytes")))?;
        advise_huge_pages(raw, capacity);
        self.add_active(capacity);
        Ok(ptr)
    }
    fn add_active(&mut self, n: usize) {
        self.active += n;
        self.peak = self.peak.max(self.active);
    }
    fn give_back(&mut self, ptr: NonNull<u8>, capacity: usize) {
        self.active -= capacity;
        let limit = self.cache_limit.unwrap_or_else(|| self.memory_limit());
        if self.cache_bytes + capacity <= limit {
            self.cache_bytes += capacity;
            self.free.entry(capacity).or_default().push(ptr);
        } else {
            free_block(ptr, capacity);
        }
    }
    /// Frees cached blocks until at most `keep` bytes stay cached.
    fn release_cache(&mut self, keep: usize) {
        if self.cache_bytes <= keep {
            return;
        }
        let sizes: Vec<usize> = self.free.keys().copied().collect();
        for cap in sizes {
            if let Some(list) = self.free.get_mut(&cap) {
                while self.cache_bytes > keep {
                    match list.pop() {
                        Some(p) => {
                            free_block(p, cap);
                            self.cache_bytes -= cap;
                        }
                        None => break,
                    }
                }
            }
        }
        self.free.retain(|_, v| !v.is_empty());
    }
}

fn free_block(ptr: NonNull<u8>, capacity: usize) {
    if let Ok(layout) = Layout::from_size_align(capacity, ALIGN) {
        // SAFETY: the block was allocated with this layout.
        unsafe { dealloc(ptr.as_ptr(), layout) };
    }
}

fn default_memory_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<usize>().ok())
            })
            .map(|kb| kb.saturating_mul(1024))
            .unwrap_or(usize::MAX)
    })
}

fn with_allocator<R>(f: impl FnOnce(&mut Allocator) -> R) -> R {
    f(&mut ALLOCATOR.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Memory figures of one device, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Held by live arrays.
    pub active: usize,
    /// The most held since the start or the last reset.
    pub peak: usize,
    /// Freed and kept for reuse.
    pub cache: usize,
    /// Allocations past this fail with `Error::OutOfMemory`.
    pub limit: usize,
}

/// Whether `bytes` more of host memory fit under the memory limit: for
/// sizes computed from user input before they are allocated outside the
/// allocator (a `Vec` filled on the host), so that too large is an error
/// rather than an abort.
pub fn check_host_bytes(bytes: usize) -> Result<()> {
    with_allocator(|a| {
        let limit = a.memory_limit();
        if a.active.saturating_add(bytes) > limit {
            return Err(Error::OutOfMemory(format!(
                "allocating {bytes} bytes would pass the memory limit of {limit} bytes ({} bytes in use)",
                a.active
            )));
        }
        Ok(())
    })
}

/// The memory figures of `device` (host memory for the CPU).
pub fn device_memory(device: crate::Device) -> Result<MemoryInfo> {
    match device {
        crate::Device::Cpu => Ok(with_allocator(|a| MemoryInfo {
            active: a.active,
            peak: a.peak,
            cache: a.cache_bytes,
            limit: a.memory_limit(),
        })),
        crate::Device::Gpu(i) => {
            device_pools().stats(i).ok_or_else(|| Error::Device(format!("{device} is not available")))
        }
    }
}

fn gpu_indices() -> std::ops::Range<usize> {
    0..device_pools().count()
}

/// Bytes held by live arrays, on the host and every GPU together.
pub fn get_active_memory() -> usize {
    with_allocator(|a| a.active)
        + gpu_indices().filter_map(|i| device_pools().stats(i)).map(|m| m.active).sum::<usize>()
}
/// The most bytes held by live arrays since the start or the last reset
/// (host and GPUs, each device's peak added).
pub fn get_peak_memory() -> usize {
    with_allocator(|a| a.peak) + gpu_indices().filter_map(|i| device_pools().stats(i)).map(|m| m.peak).sum::<usize>()
}
/// Resets the peaks to the current active bytes.
pub fn reset_peak_memory() {
    with_allocator(|a| a.peak = a.active);
    for i in gpu_indices() {
        device_pools().reset_peak(i);
    }
}
/// Bytes kept for reuse after arrays were freed (host and GPUs).
pub fn get_cache_memory() -> usize {
    with_allocator(|a| a.cache_bytes)
        + gpu_indices().filter_map(|i| device_pools().stats(i)).map(|m| m.cache).sum::<usize>()
}
/// The memory limit of the default device in bytes (the machine's memory,
/// or the GPU's, unless set).
pub fn get_memory_limit() -> usize {
    match crate::default_device() {
        crate::Device::Gpu(i) => device_pools().stats(i).map(|m| m.limit).unwrap_or(0),
        crate::Device::Cpu => with_allocator(|a| a.memory_limit()),
    }
}
/// Sets the limit on active bytes of every device (the host and each GPU);
/// allocations past it fail with `Error::OutOfMemory`. Returns the default
/// device's previous limit.
pub fn set_memory_limit(limit: usize) -> usize {
    let old = get_memory_limit();
    with_allocator(|a| a.memory_limit = Some(limit));
    for i in gpu_indices() {
        device_pools().set_memory_limit(i, limit);
    }
    old
}
/// Sets the limit on active bytes of one device. Returns its previous limit.
pub fn set_device_memory_limit(device: crate::Device, limit: usize) -> Result<usize> {
    match device {
        crate::Device::Cpu => Ok(with_allocator(|a| {
            let old = a.memory_limit();
            a.memory_limit = Some(limit);
            old
        })),
        crate::Device::Gpu(i) => {
            device_pools().set_memory_limit(i, limit).ok_or_else(|| Error::Device(format!("{device} is not available")))
        }
    }
}
/// Sets the limit on cached bytes of every device (0 disables the cache).
/// Returns the host's previous limit.
pub fn set_cache_limit(limit: usize) -> usize {
    let old = with_allocator(|a| {
        let old = a.cache_limit.unwrap_or_else(|| a.memory_limit());
        a.cache_limit = Some(limit);
        a.release_cache(limit);
        old
    });
    for i in gpu_indices() {
        // A failure to trim leaves memory cached, which is no error for the caller.
        let _ = device_pools().set_cache_limit(i, limit);
    }
    old
}
/// Frees every cached block, on the host and every GPU (waiting for GPU work first).
pub fn clear_cache() {
    with_allocator(|a| a.release_cache(0));
    let _ = device_pools().clear_cache();
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn size_classes_cover_the_request() {
        for s in [1usize, 63, 64, 65, 511, 513, 1000, 4097, 1 << 20, (1 << 20) + 1] {
            let c = size_class(s).unwrap();
            assert!(c >= s && c <= s + s / 8 + ALIGN, "{s} -> {c}");
        }
        assert!(size_class(usize::MAX).is_err());
    }
}
