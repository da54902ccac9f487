//! Devices and streams. Every op runs on a stream; the default stream can be
//! changed for the whole program or for a scope (`with_stream`, `with_device`).

use crate::error::{Error, Result};
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A compute device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Device {
    Cpu,
    Gpu(usize),
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => write!(f, "Device(cpu, 0)"),
            Device::Gpu(i) => write!(f, "Device(gpu, {i})"),
        }
    }
}

/// Is a device of this kind usable in this process?
pub fn is_available(device: Device) -> bool {
    match device {
        Device::Cpu => true,
        Device::Gpu(i) => i < gpu_count(),
    }
}

/// Number of usable devices of the kind of `device`.
pub fn device_count(device: Device) -> usize {
    match device {
        Device::Cpu => 1,
        Device::Gpu(_) => gpu_count(),
    }
}

fn gpu_count() -> usize {
    crate::backend::cuda::device_count()
}

/// A queue of work on one device. Ops on one stream run in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stream {
    pub index: usize,
    pub device: Device,
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stream({}, {})", self.device, self.index)
    }
}

static NEXT_STREAM: AtomicUsize = AtomicUsize::new(1);
static DEFAULT_DEVICE: Mutex<Option<Device>> = Mutex::new(None);
static DEFAULT_STREAMS: Mutex<Vec<Stream>> = Mutex::new(Vec::new());

/// Bumped whenever the default device changes, to invalidate per-thread caches.
static GENERATION: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    static SCOPED: RefCell<Vec<Stream>> = const { RefCell::new(Vec::new()) };
    /// The streams `set_default_stream` made this thread's defaults, one per device.
    static THREAD_DEFAULTS: RefCell<Vec<Stream>> = const { RefCell::new(Vec::new()) };
    /// The default stream as last looked up by this thread, with the generation it was valid for.
    static CACHED: std::cell::Cell<(usize, Option<Stream>)> = const { std::cell::Cell::new((0, None)) };
}

fn check_device(device: Device) -> Result<()> {
    if is_available(device) {
        Ok(())
    } else {
        Err(Error::Device(format!("{device} is not available ({} GPU devices found)", gpu_count())))
    }
}

/// The default device: the one `set_default_device` chose, else the one the
/// environment variable `RMLX_DEVICE` names (`cpu`, `gpu`, `gpu:N`), else
/// the GPU when one is usable, else the CPU.
pub fn default_device() -> Device {
    let guard = DEFAULT_DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(d) = *guard {
        return d;
    }
    match crate::knobs::knobs().device {
        Some(d) if is_available(d) => d,
        _ if gpu_count() > 0 => Device::Gpu(0),
        _ => Device::Cpu,
    }
}

/// Sets the default device for the whole program.
pub fn set_default_device(device: Device) -> Result<()> {
    check_device(device)?;
    *DEFAULT_DEVICE.lock().unwrap_or_else(|e| e.into_inner()) = Some(device);
    GENERATION.fetch_add(1, Ordering::Release);
    Ok(())
}

/// This thread's default stream of `device` when `set_default_stream` set one.
fn thread_default(device: Device) -> Option<Stream> {
    THREAD_DEFAULTS.with(|t| t.borrow().iter().find(|s| s.device == device).copied())
}

/// The default stream of a device: the one `set_default_stream` chose on
/// this thread, else the program's (stream 0 of the CPU, one per GPU).
pub fn default_stream(device: Device) -> Result<Stream> {
    check_device(device)?;
    if let Some(s) = thread_default(device) {
        return Ok(s);
    }
    let mut streams = DEFAULT_STREAMS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = streams.iter().find(|s| s.device == device) {
        return Ok(*s);
    }
    let index = if device == Device::Cpu { 0 } else { NEXT_STREAM.fetch_add(1, Ordering::Relaxed) };
    let s = Stream { index, device };
    streams.push(s);
    Ok(s)
}

/// Makes `stream` the default stream of its device for the ops this thread
/// builds (as in MLX, where default streams are per thread); the default
/// device does not change. Other threads keep theirs.
pub fn set_default_stream(stream: Stream) -> Result<()> {
    check_device(stream.device)?;
    THREAD_DEFAULTS.with(|t| {
        let mut t = t.borrow_mut();
        t.retain(|s| s.device != stream.device);
        t.push(stream);
    });
    Ok(())
}

/// Forgets this thread's `set_default_stream` choices: its ops go to the
/// program's default streams again. (Streams are not tied to threads here,
/// so nothing else needs destroying.)
pub fn clear_streams() {
    THREAD_DEFAULTS.with(|t| t.borrow_mut().clear());
}

/// A new stream on `device`.
pub fn new_stream(device: Device) -> Result<Stream> {
    check_device(device)?;
    Ok(Stream { index: NEXT_STREAM.fetch_add(1, Ordering::Relaxed), device })
}

/// The stream ops built now run on: the innermost `with_stream` scope, else
/// the default stream of the default device.
pub fn current_stream() -> Result<Stream> {
    if let Some(s) = SCOPED.with(|s| s.borrow().last().copied()) {
        return Ok(s);
    }
    if THREAD_DEFAULTS.with(|t| !t.borrow().is_empty()) {
        if let Some(s) = thread_default(default_device()) {
            return Ok(s);
        }
    }
    let generation = GENERATION.load(Ordering::Acquire);
    if let (g, Some(s)) = CACHED.with(|c| c.get()) {
        if g == generation {
            return Ok(s);
        }
    }
    let s = default_stream(default_device())?;
    CACHED.with(|c| c.set((generation, Some(s))));
    Ok(s)
}

/// A stream or a device, the way MLX's ops take them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamOrDevice {
    Stream(Stream),
    Device(Device),
}

impl From<Stream> for StreamOrDevice {
    fn from(s: Stream) -> Self {
        StreamOrDevice::Stream(s)
    }
}
impl From<Device> for StreamOrDevice {
    fn from(d: Device) -> Self {
        StreamOrDevice::Device(d)
    }
}

impl StreamOrDevice {
    /// The stream this names (a device's default stream for a device).
    pub fn stream(self) -> Result<Stream> {
        match self {
            StreamOrDevice::Stream(s) => {
                check_device(s.device)?;
                Ok(s)
            }
            StreamOrDevice::Device(d) => default_stream(d),
        }
    }
}

struct ScopeGuard;
impl Drop for ScopeGuard {
    fn drop(&mut self) {
        SCOPED.with(|s| {
            s.borrow_mut().pop();
        });
    }
}

/// Runs `f` with every op it builds placed on `on` (a stream or a device).
///
/// ```
/// use rmlx_core::{ops, with_stream, Device};
/// let x = with_stream(Device::Cpu, || ops::ones(&[2, 2], rmlx_core::Dtype::Float32)).unwrap().unwrap();
/// assert_eq!(x.stream().device, Device::Cpu);
/// ```
pub fn with_stream<R>(on: impl Into<StreamOrDevice>, f: impl FnOnce() -> R) -> Result<R> {
    let s = on.into().stream()?;
    SCOPED.with(|v| v.borrow_mut().push(s));
    let _guard = ScopeGuard;
    Ok(f())
}

/// Places the ops this thread builds on `on` until the matching
/// [`pop_stream`]: `with_stream` for callers that cannot pass a closure
/// (a Python `with` block).
pub fn push_stream(on: impl Into<StreamOrDevice>) -> Result<()> {
    let s = on.into().stream()?;
    SCOPED.with(|v| v.borrow_mut().push(s));
    Ok(())
}

/// Ends the innermost [`push_stream`] of this thread (nothing if none).
pub fn pop_stream() {
    SCOPED.with(|v| {
        v.borrow_mut().pop();
    });
}

/// What a device is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The device's name (the GPU's model, or "cpu").
    pub name: String,
    /// The GPU's architecture, as `sm_90`; "cpu" for the CPU.
    pub architecture: String,
    /// Bytes of memory (the GPU's own, or the machine's).
    pub memory_size: usize,
}

/// Describes `device`; an error names why a GPU is not available.
pub fn device_info(device: Device) -> Result<DeviceInfo> {
    match device {
        Device::Cpu => Ok(DeviceInfo {
            name: "cpu".into(),
            architecture: std::env::consts::ARCH.into(),
            memory_size: crate::memory::device_memory(Device::Cpu)?.limit,
        }),
        Device::Gpu(i) => match crate::backend::cuda::device_info(i) {
            Some((name, (major, minor), mem)) => {
                Ok(DeviceInfo { name, architecture: format!("sm_{major}{minor}"), memory_size: mem })
            }
            None => Err(Error::Device(format!(
                "{device} is not available ({} GPU devices found{})",
                gpu_count(),
                crate::backend::cuda::unavailable_reason().map(|r| format!(": {r}")).unwrap_or_default()
            ))),
        },
    }
}
