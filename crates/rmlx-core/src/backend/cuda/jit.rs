//! Kernels: CUDA C sources (in `kernels/`) specialised by a few `#define`s,
//! compiled by NVRTC for the device's own architecture on first use, and
//! cached in memory and on disk (`RMLX_KERNEL_CACHE`, else the user's cache
//! directory under `rmlx/kernels`).

use super::driver::{check, Gpu, RawStream};
use crate::error::{Error, Result};
use cudarc::driver::sys;
use cudarc::nvrtc::sys as nvrtc;
use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::sync::Mutex;

const COMMON: &str = include_str!("kernels/common.cuh");

/// A kernel source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Family {
    Elementwise,
    Reduce,
    Rows,
    Matmul,
    Chain,
    Sort,
    Scan,
    Gather,
    Scatter,
    Random,
    Conv,
}

impl Family {
    fn source(self) -> &'static str {
        match self {
            Family::Elementwise => include_str!("kernels/elementwise.cu"),
            Family::Reduce => include_str!("kernels/reduce.cu"),
            Family::Rows => include_str!("kernels/rows.cu"),
            Family::Matmul => include_str!("kernels/matmul.cu"),
            Family::Chain => include_str!("kernels/chain.cu"),
            Family::Sort => include_str!("kernels/sort.cu"),
            Family::Scan => include_str!("kernels/scan.cu"),
            Family::Gather => include_str!("kernels/gather.cu"),
            Family::Scatter => include_str!("kernels/scatter.cu"),
            Family::Random => include_str!("kernels/random.cu"),
            Family::Conv => include_str!("kernels/conv.cu"),
        }
    }
}

/// A loaded kernel function.
#[derive(Clone, Copy)]
pub(crate) struct Func(sys::CUfunction);
// SAFETY: function handles are usable from any thread of the process.
unsafe impl Send for Func {}

struct Module(#[allow(dead_code)] sys::CUmodule);
// SAFETY: module handles are usable from any thread; modules are never unloaded.
unsafe impl Send for Module {}

type FuncKey = (usize, Family, String, &'static str);

static FUNCS: Mutex<Option<HashMap<FuncKey, Func>>> = Mutex::new(None);
static MODULES: Mutex<Option<HashMap<(usize, u128), Module>>> = Mutex::new(None);

/// The kernel `name` of `family` specialised by `defines`, on `gpu`.
pub(crate) fn function(gpu: &Gpu, family: Family, defines: &str, name: &'static str) -> Result<Func> {
    let key: FuncKey = (gpu.index, family, defines.to_string(), name);
    if let Some(f) = FUNCS.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).get(&key) {
        return Ok(*f);
    }
    let source = program_source(family, defines);
    let arch = format!("sm_{}{}", gpu.cc.0, gpu.cc.1);
    let hash = program_hash(&arch, &source);
    let mut modules = MODULES.lock().unwrap_or_else(|e| e.into_inner());
    let modules = modules.get_or_insert_with(HashMap::new);
    let module = match modules.entry((gpu.index, hash)) {
        std::collections::hash_map::Entry::Occupied(e) => e.get().0,
        std::collections::hash_map::Entry::Vacant(e) => {
            let cubin = cached_or_compiled(&source, &arch, hash, family, name)?;
            let mut m = std::ptr::null_mut();
            gpu.bind()?;
            // SAFETY: `cubin` is a complete CUBIN image for this device's architecture.
            check(unsafe { sys::cuModuleLoadData(&mut m, cubin.as_ptr() as *const c_void) }, "cuModuleLoadData")?;
            e.insert(Module(m)).0
        }
    };
    let cname = CString::new(name).map_err(|_| Error::Runtime("internal: kernel name".into()))?;
    let mut f = std::ptr::null_mut();
    // SAFETY: the module is loaded; the name is NUL-terminated.
    check(
        unsafe { sys::cuModuleGetFunction(&mut f, module, cname.as_ptr()) },
        &format!("cuModuleGetFunction({name})"),
    )?;
    let func = Func(f);
    FUNCS.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).insert(key, func);
    Ok(func)
}

fn program_source(family: Family, defines: &str) -> String {
    let extra: String = crate::knobs::knobs().kdefs.iter().map(|(k, v)| format!("#define {k} {v}\n")).collect();
    format!("{extra}{COMMON}\n// ---- specialisation\n{defines}\n// ---- family\n{}", family.source())
}

fn program_hash(arch: &str, source: &str) -> u128 {
    hash128(&format!("{}\n{arch}\n{source}", env!("CARGO_PKG_VERSION")))
}

/// Compiles one specialisation into the disk cache (no GPU needed).
pub(crate) fn precompile(arch: &str, family: Family, defines: &str, name: &str) -> Result<()> {
    let source = program_source(family, defines);
    cached_or_compiled(&source, arch, program_hash(arch, &source), family, name).map(|_| ())
}

/// FNV-1a in two lanes of 64 bits: a stable name for a source on disk.
fn hash128(s: &str) -> u128 {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for &x in s.as_bytes() {
        a = (a ^ x as u64).wrapping_mul(0x100_0000_01b3);
        b = (b ^ x as u64).wrapping_mul(0x100_0000_01b3).rotate_left(5);
    }
    ((a as u128) << 64) | b as u128
}

/// The directory compiled kernels are kept in.
pub(crate) fn cache_dir() -> Option<std::path::PathBuf> {
    if let Some(d) = &crate::knobs::knobs().kernel_cache {
        return Some(d.clone());
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(std::path::PathBuf::from(d).join("rmlx").join("kernels"));
    }
    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache").join("rmlx").join("kernels"))
}

fn cached_or_compiled(source: &str, arch: &str, hash: u128, family: Family, name: &str) -> Result<Vec<u8>> {
    let path = cache_dir().map(|d| d.join(format!("{hash:032x}-{arch}.cubin")));
    if let Some(p) = &path {
        if let Ok(bytes) = std::fs::read(p) {
            // A CUBIN is an ELF file; anything else (a torn write) is compiled again.
            if bytes.len() > 4 && &bytes[..4] == b"\x7fELF" {
                return Ok(bytes);
            }
        }
    }
    let t = std::time::Instant::now();
    let cubin = compile(source, arch, family, name)?;
    if crate::knobs::knobs().jit_log {
        eprintln!("[rmlx jit] {name} ({family:?}) compiled in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    }
    if let Some(p) = &path {
        // Best effort: a cache that cannot be written only costs a compile next time.
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = p.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &cubin).is_ok() {
            let _ = std::fs::rename(&tmp, p);
        }
    }
    Ok(cubin)
}

/// Compiles `source` to a CUBIN for `arch` with NVRTC.
pub(crate) fn compile(source: &str, arch: &str, family: Family, name: &str) -> Result<Vec<u8>> {
    // SAFETY: only probes for the library.
    if !unsafe { nvrtc::is_culib_present() } {
        return Err(Error::Device(
            "NVRTC (libnvrtc.so.13) was not found: install CUDA 13's NVRTC (the pip package \
             nvidia-cuda-nvrtc) and put its lib directory on LD_LIBRARY_PATH"
                .into(),
        ));
    }
    let src = CString::new(source).map_err(|_| Error::Runtime("internal: kernel source has a NUL".into()))?;
    let prog = cudarc::nvrtc::result::create_program(&src, None)
        .map_err(|e| Error::Runtime(format!("NVRTC could not create the program for kernel {name}: {e}")))?;
    let opts = [format!("--gpu-architecture={arch}"), "--std=c++17".to_string(), "-default-device".to_string()];
    // SAFETY: prog is a live program; destroyed below on every path.
    let compiled = unsafe { cudarc::nvrtc::result::compile_program(prog, &opts) };
    let result = match compiled {
        Ok(()) => {
            let mut size = 0usize;
            // SAFETY: prog compiled; the buffer holds `size` bytes.
            unsafe {
                let r = nvrtc::nvrtcGetCUBINSize(prog, &mut size);
                if r != nvrtc::nvrtcResult::NVRTC_SUCCESS {
                    Err(Error::Runtime(format!("NVRTC gave no CUBIN for kernel {name}: {r:?}")))
                } else {
                    let mut buf = vec![0u8; size];
                    let r = nvrtc::nvrtcGetCUBIN(prog, buf.as_mut_ptr() as *mut std::ffi::c_char);
                    if r == nvrtc::nvrtcResult::NVRTC_SUCCESS {
                        Ok(buf)
                    } else {
                        Err(Error::Runtime(format!("NVRTC gave no CUBIN for kernel {name}: {r:?}")))
                    }
                }
            }
        }
        Err(e) => {
            // SAFETY: prog is live.
            let log = unsafe { cudarc::nvrtc::result::get_program_log(prog) }
                .map(|v| v.iter().map(|&c| c as u8 as char).collect::<String>())
                .unwrap_or_default();
            Err(Error::Runtime(format!(
                "kernel {name} ({family:?}) failed to compile with NVRTC for {arch} ({e}):\n{}",
                log.trim_end_matches('\0')
            )))
        }
    };
    // SAFETY: prog is live and not used after this.
    let _ = unsafe { cudarc::nvrtc::result::destroy_program(prog) };
    result
}

/// Kernel arguments, each kept in its own 8-byte aligned slot.
#[derive(Default)]
pub(crate) struct Args {
    slots: Vec<Box<[u64]>>,
}

impl Args {
    pub(crate) fn new() -> Args {
        Args { slots: Vec::with_capacity(16) }
    }
    /// Appends one argument, passed by value (a plain-old-data value or a `#[repr(C)]` struct).
    pub(crate) fn arg<T: Copy>(&mut self, v: T) -> &mut Self {
        let words = std::mem::size_of::<T>().div_ceil(8).max(1);
        let mut slot = vec![0u64; words].into_boxed_slice();
        // SAFETY: the slot holds at least size_of::<T>() bytes, 8-byte aligned (align of T <= 8 here).
        unsafe { std::ptr::write_unaligned(slot.as_mut_ptr() as *mut T, v) };
        self.slots.push(slot);
        self
    }
}

/// Grid, block and shared memory of a launch.
pub(crate) struct Launch {
    pub(crate) grid: (u32, u32, u32),
    pub(crate) block: (u32, u32, u32),
    pub(crate) shared: u32,
}

impl Launch {
    /// `n` threads in blocks of `block`.
    pub(crate) fn linear(n: u64, block: u32) -> Result<Launch> {
        let blocks = n.div_ceil(block as u64).max(1);
        if blocks > i32::MAX as u64 {
            return Err(Error::value(format!("a launch of {n} threads is larger than one grid can hold")));
        }
        Ok(Launch { grid: (blocks as u32, 1, 1), block: (block, 1, 1), shared: 0 })
    }
}

/// `RMLX_LAUNCH_LOG=1`: print each launch and wait for it (to find a kernel that faults or hangs).
fn launch_log() -> bool {
    crate::knobs::knobs().launch_log
}

/// Enqueues `f` on `stream`.
pub(crate) fn launch(f: Func, l: &Launch, stream: RawStream, args: &mut Args) -> Result<()> {
    if launch_log() {
        let name = FUNCS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(|m| {
                m.iter().find(|(_, v)| v.0 == f.0).map(|(k, _)| format!("{} [{}]", k.3, k.2.replace('\n', " ")))
            })
            .unwrap_or_default();
        eprintln!("[rmlx launch] {name} grid {:?} block {:?}", l.grid, l.block);
    }
    let r = launch_inner(f, l, stream, args);
    if r.is_ok() {
        crate::backend::count_launch();
    }
    if launch_log() && r.is_ok() {
        super::driver::sync_stream(stream)?;
    }
    r
}

fn launch_inner(f: Func, l: &Launch, stream: RawStream, args: &mut Args) -> Result<()> {
    let mut ptrs: Vec<*mut c_void> = args.slots.iter_mut().map(|s| s.as_mut_ptr() as *mut c_void).collect();
    // SAFETY: each pointer addresses a live argument slot matching the kernel's parameter list
    // (the callers build them in the order of the kernel's signature).
    check(
        unsafe {
            sys::cuLaunchKernel(
                f.0,
                l.grid.0,
                l.grid.1,
                l.grid.2,
                l.block.0,
                l.block.1,
                l.block.2,
                l.shared,
                stream.0,
                ptrs.as_mut_ptr(),
                std::ptr::null_mut(),
            )
        },
        "cuLaunchKernel",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kernel_that_does_not_compile_is_an_error_with_its_log_and_name() {
        let src = "extern \"C\" __global__ void broken_kernel(float* p) { p[0] = undeclared_name; }";
        let e = compile(src, "sm_90", Family::Elementwise, "broken_kernel").unwrap_err().to_string();
        // SAFETY: only probes for the library.
        if unsafe { nvrtc::is_culib_present() } {
            assert!(e.contains("broken_kernel") && e.contains("undeclared_name"), "{e}");
        } else {
            // Without NVRTC the error says exactly what is missing.
            assert!(e.contains("libnvrtc.so.13") && e.contains("LD_LIBRARY_PATH"), "{e}");
        }
    }
}
