//! Every `RMLX_*` environment variable, read once, in one place.
//!
//! The environment is read the first time any knob is asked for and never
//! again (knobs are consulted on every launch, so they cost a load; setting a
//! variable later in the process changes nothing). A flag is on for `1`,
//! `true`, `yes` or `on` and off for `0`, `false`, `no`, `off` or the empty
//! string (any case); any other value leaves its default. The README lists
//! what each one does.

use crate::device::Device;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The values of the `RMLX_*` variables (see [`knobs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knobs {
    /// `RMLX_DEVICE=cpu|gpu|gpu:N`: the default device (`None`: unset or not one of those).
    pub device: Option<Device>,
    /// `RMLX_DISABLE_GPU=1`: the GPUs are hidden.
    pub disable_gpu: bool,
    /// `RMLX_DISABLE_CUDNN=1`: convolutions do not use cuDNN.
    pub disable_cudnn: bool,
    /// `RMLX_ENABLE_TF32=1`: float32 products and convolutions on the GPU may use TF32.
    pub enable_tf32: bool,
    /// `RMLX_FUSE=0`: no eager fusion of elementwise GPU chains.
    pub fuse: bool,
    /// `RMLX_CHAIN_LIGHT=0`: chains of cheap ops go through the full chain kernel.
    pub chain_light: bool,
    /// `RMLX_PROFILE=1`: each GPU node runs alone and its time is printed.
    pub profile: bool,
    /// `RMLX_TRACE=1`: each node and each transfer is printed.
    pub trace: bool,
    /// `RMLX_LAUNCH_LOG=1`: each launch is printed and waited for.
    pub launch_log: bool,
    /// `RMLX_JIT_LOG=1`: each kernel compile is printed with its time.
    pub jit_log: bool,
    /// `RMLX_KERNEL_CACHE=DIR`: where compiled kernels are kept.
    pub kernel_cache: Option<PathBuf>,
    /// `RMLX_SIMD=avx2|none`: the widest vector instructions the CPU kernels may use
    /// (2: AVX-512, 1: AVX2, 0: none).
    pub simd_cap: u8,
    /// `RMLX_EW_U=N`: 16-byte vectors per thread in elementwise maps.
    pub ew_u: u64,
    /// `RMLX_COL_WANT=N`: blocks per SM in leading-axis reductions.
    pub col_want: u64,
    /// `RMLX_GEMV=0`: one-row products through cuBLASLt instead of our kernel.
    pub gemv: bool,
    /// `RMLX_SOFTMAX_P=2|4|8`: pieces per row in the cluster softmax (0: the most that divide the row).
    pub softmax_p: u64,
    /// `RMLX_KDEFS="NAME=VALUE;..."`: macros defined ahead of every kernel program.
    pub kdefs: Vec<(String, String)>,
}

fn flag(v: Option<&str>, default: bool) -> bool {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("1" | "true" | "yes" | "on") => true,
        Some("0" | "false" | "no" | "off" | "") => false,
        _ => default,
    }
}

fn number(v: Option<&str>, default: u64) -> u64 {
    v.and_then(|s| s.trim().parse().ok()).unwrap_or(default)
}

fn parse_device(v: &str) -> Option<Device> {
    let v = v.trim().to_ascii_lowercase();
    match v.as_str() {
        "cpu" => Some(Device::Cpu),
        "gpu" | "cuda" => Some(Device::Gpu(0)),
        _ => v.strip_prefix("gpu:").and_then(|n| n.parse().ok()).map(Device::Gpu),
    }
}

fn parse_kdefs(v: &str) -> Vec<(String, String)> {
    v.split(';')
        .filter(|d| !d.is_empty())
        .map(|d| {
            let (k, val) = d.split_once('=').unwrap_or((d, ""));
            (k.to_string(), val.to_string())
        })
        .collect()
}

impl Knobs {
    /// The knobs that `get(name)` gives (the environment, or a test's table).
    pub fn from_lookup(v: impl Fn(&str) -> Option<String>) -> Knobs {
        Knobs {
            device: v("RMLX_DEVICE").as_deref().and_then(parse_device),
            disable_gpu: flag(v("RMLX_DISABLE_GPU").as_deref(), false),
            disable_cudnn: flag(v("RMLX_DISABLE_CUDNN").as_deref(), false),
            enable_tf32: flag(v("RMLX_ENABLE_TF32").as_deref(), false),
            fuse: flag(v("RMLX_FUSE").as_deref(), true),
            chain_light: flag(v("RMLX_CHAIN_LIGHT").as_deref(), true),
            profile: flag(v("RMLX_PROFILE").as_deref(), false),
            trace: flag(v("RMLX_TRACE").as_deref(), false),
            launch_log: flag(v("RMLX_LAUNCH_LOG").as_deref(), false),
            jit_log: flag(v("RMLX_JIT_LOG").as_deref(), false),
            kernel_cache: v("RMLX_KERNEL_CACHE").filter(|s| !s.is_empty()).map(PathBuf::from),
            simd_cap: match v("RMLX_SIMD").as_deref().map(str::trim) {
                Some("none") => 0,
                Some("avx2") => 1,
                _ => 2,
            },
            ew_u: number(v("RMLX_EW_U").as_deref(), 1),
            col_want: number(v("RMLX_COL_WANT").as_deref(), 4),
            gemv: flag(v("RMLX_GEMV").as_deref(), true),
            softmax_p: number(v("RMLX_SOFTMAX_P").as_deref(), 0),
            kdefs: v("RMLX_KDEFS").as_deref().map(parse_kdefs).unwrap_or_default(),
        }
    }

    /// The value `RMLX_KDEFS` gives macro `name`, if it names it.
    pub fn kdef(&self, name: &str) -> Option<&str> {
        self.kdefs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The knobs of this process, read from the environment the first time.
pub fn knobs() -> &'static Knobs {
    static KNOBS: OnceLock<Knobs> = OnceLock::new();
    KNOBS.get_or_init(|| Knobs::from_lookup(|name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Knobs {
        Knobs::from_lookup(|name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn defaults_when_unset() {
        let k = from(&[]);
        assert_eq!(k.device, None);
        assert!(k.fuse && k.chain_light && k.gemv);
        assert!(!k.disable_gpu && !k.disable_cudnn && !k.enable_tf32 && !k.profile && !k.trace);
        assert_eq!((k.ew_u, k.col_want, k.softmax_p, k.simd_cap), (1, 4, 0, 2));
        assert!(k.kdefs.is_empty() && k.kernel_cache.is_none());
    }

    #[test]
    fn values_parse() {
        let k = from(&[
            ("RMLX_DEVICE", " GPU:1 "),
            ("RMLX_FUSE", "0"),
            ("RMLX_PROFILE", "1"),
            ("RMLX_TRACE", ""),
            ("RMLX_GEMV", "0"),
            ("RMLX_EW_U", "2"),
            ("RMLX_COL_WANT", "nonsense"),
            ("RMLX_SIMD", "avx2"),
            ("RMLX_KDEFS", "A=1;B;;C=x=y"),
            ("RMLX_KERNEL_CACHE", "/tmp/k"),
        ]);
        assert_eq!(k.device, Some(Device::Gpu(1)));
        assert!(!k.fuse && k.profile && !k.trace && !k.gemv);
        assert_eq!((k.ew_u, k.col_want, k.simd_cap), (2, 4, 1));
        assert_eq!(k.kdef("A"), Some("1"));
        assert_eq!(k.kdef("B"), Some(""));
        assert_eq!(k.kdef("C"), Some("x=y"));
        assert_eq!(k.kdef("D"), None);
        assert_eq!(k.kernel_cache, Some(PathBuf::from("/tmp/k")));
        assert_eq!(from(&[("RMLX_DEVICE", "tpu")]).device, None);
        // Flags: the usual spellings both ways; anything else keeps the default.
        for (v, on) in [("1", true), ("TRUE", true), ("yes", true), (" on ", true), ("0", false), ("false", false)] {
            assert_eq!(from(&[("RMLX_ENABLE_TF32", v)]).enable_tf32, on, "{v:?}");
            assert_eq!(from(&[("RMLX_FUSE", v)]).fuse, on, "{v:?}");
        }
        assert!(!from(&[("RMLX_ENABLE_TF32", "maybe")]).enable_tf32);
        assert!(from(&[("RMLX_FUSE", "maybe")]).fuse);
        assert!(!from(&[("RMLX_FUSE", "")]).fuse);
        assert_eq!(from(&[("RMLX_DEVICE", "cpu")]).device, Some(Device::Cpu));
    }
}
