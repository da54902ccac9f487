//! Buffers and the allocator: 64-byte aligned host blocks, a cache that
//! reuses freed blocks by size class, and the statistics and limits that
//! `get_active_memory`, `set_memory_limit` and friends expose.

use crate::error::{Error, Result};
use std::alloc::{alloc, dealloc, Layout};
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::Mutex;

const ALIGN: usize = 64;

/// A block of memory holding an array's elements. Arrays share buffers
/// (views) through `Arc<Buffer>`; the block returns to the cache on drop.
pub struct Buffer {
    ptr: NonNull<u8>,
    /// Bytes asked for.
    size: usize,
    /// Bytes of the block (a size class, at least `size`).
    capacity: usize,
}

// SAFETY: a Buffer owns its block; shared access is read-only except while
// the evaluator fills a buffer it holds uniquely.
unsafe impl Send for Buffer {}
// SAFETY: as above.
unsafe impl Sync for Buffer {}

impl Buffer {
    /// Allocates `size` bytes (uninitialised), through the cache.
    pub fn alloc(size: usize) -> Result<Buffer> {
        if size == 0 {
            return Ok(Buffer { ptr: NonNull::<u128>::dangling().cast(), size: 0, capacity: 0 });
        }
        let capacity = size_class(size)?;
        let ptr = ALLOCATOR.lock().unwrap_or_else(|e| e.into_inner()).take(capacity)?;
        Ok(Buffer { ptr, size, capacity })
    }
    /// Allocates `size` zeroed bytes.
    pub fn zeroed(size: usize) -> Result<Buffer> {
        let b = Buffer::alloc(size)?;
        // SAFETY: the block has at least `size` writable bytes.
        unsafe { std::ptr::write_bytes(b.ptr.as_ptr(), 0, size) };
        Ok(b)
    }
    /// Bytes this buffer holds.
    pub fn size(&self) -> usize {
        self.size
    }
    /// Start of the block.
    pub fn as_ptr(&self) -> *const u8 {
        self.ptr.as_ptr()
    }
    /// Start of the block, for writing by the owner of a fresh buffer.
    pub fn as_mut_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if self.capacity > 0 {
            ALLOCATOR.lock().unwrap_or_else(|e| e.into_inner()).give_back(self.ptr, self.capacity);
        }
    }
}

/// Rounds a request up to a size class, so that freed blocks fit later
/// requests of nearby sizes (at most 1/8 wasted above 512 bytes).
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

/// Bytes held by live arrays.
pub fn get_active_memory() -> usize {
    with_allocator(|a| a.active)
}
/// The most bytes held by live arrays since the start or the last reset.
pub fn get_peak_memory() -> usize {
    with_allocator(|a| a.peak)
}
/// Resets the peak to the current active bytes.
pub fn reset_peak_memory() {
    with_allocator(|a| a.peak = a.active)
}
/// Bytes kept in the cache of freed blocks.
pub fn get_cache_memory() -> usize {
    with_allocator(|a| a.cache_bytes)
}
/// The memory limit in bytes (defaults to the machine's memory).
pub fn get_memory_limit() -> usize {
    with_allocator(|a| a.memory_limit())
}
/// Sets the limit on active bytes; allocations past it fail with
/// `Error::OutOfMemory`. Returns the previous limit.
pub fn set_memory_limit(limit: usize) -> usize {
    with_allocator(|a| {
        let old = a.memory_limit();
        a.memory_limit = Some(limit);
        old
    })
}
/// Sets the limit on cached bytes (0 disables the cache). Returns the previous limit.
pub fn set_cache_limit(limit: usize) -> usize {
    with_allocator(|a| {
        let old = a.cache_limit.unwrap_or_else(|| a.memory_limit());
        a.cache_limit = Some(limit);
        a.release_cache(limit);
        old
    })
}
/// Frees every cached block.
pub fn clear_cache() {
    with_allocator(|a| a.release_cache(0))
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
