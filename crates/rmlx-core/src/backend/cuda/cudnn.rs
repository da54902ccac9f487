//! Convolutions on the GPU through cuDNN (libcudnn.so.9, loaded at run time).
//!
//! `ops::conv_general` asks [`supported`] while it builds the graph: that
//! loads cuDNN, describes the convolution and asks cuDNN's heuristic for an
//! algorithm. Only when one exists does the graph get a `Conv` node (else it
//! gets the im2col form, which runs everywhere), so a `Conv` node never fails
//! for want of an algorithm. The first run of each shape times the
//! algorithms cuDNN offers on the real buffers (`FindEx`, as PyTorch's
//! `cudnn.benchmark`) and keeps the fastest whose workspace fits.
//!
//! Tensors are channels last: the input `(N, spatial..., C)` is described to
//! cuDNN as `(N, C, spatial...)` with NHWC strides, the weight
//! `(O, kernel..., C / groups)` as a filter in NHWC format. A 1-D convolution
//! is a 2-D one with a height of 1. Float32 convolves with plain FMA (no
//! TF32) unless `RMLX_ENABLE_TF32=1`, as matmul does.

use crate::dtype::Dtype;
use crate::error::{Error, Result};
use cudarc::cudnn::sys as dnn;
use std::collections::HashMap;
use std::ffi::{c_int, c_void, CStr};
use std::sync::{Mutex, OnceLock, PoisonError};

/// A convolution as cuDNN takes it: `padding` on both sides, no input dilation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ConvSpec {
    pub stride: Vec<usize>,
    pub padding: Vec<usize>,
    pub dilation: Vec<usize>,
    pub groups: usize,
    /// A true convolution (the kernel flipped) rather than a correlation.
    pub flip: bool,
}

/// The most workspace a convolution may take, in bytes.
const MAX_WORKSPACE: usize = 1 << 30;
/// How many algorithms to ask the heuristic and the timing run for.
const ALGOS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    device: usize,
    dtype: Dtype,
    tf32: bool,
    x: Vec<usize>,
    w: Vec<usize>,
    spec: ConvSpec,
}

struct Plan {
    x: dnn::cudnnTensorDescriptor_t,
    y: dnn::cudnnTensorDescriptor_t,
    w: dnn::cudnnFilterDescriptor_t,
    conv: dnn::cudnnConvolutionDescriptor_t,
    /// The heuristic's candidates: (algorithm, workspace bytes).
    candidates: Vec<(dnn::cudnnConvolutionFwdAlgo_t, usize)>,
    /// The algorithm picked by timing, once timed.
    timed: Option<(dnn::cudnnConvolutionFwdAlgo_t, usize)>,
}

impl Drop for Plan {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        // SAFETY: each non-null descriptor was created by the matching cuDNN
        // call, is owned by this plan alone and is destroyed once here.
        unsafe {
            if !self.x.is_null() {
                let _ = dnn::cudnnDestroyTensorDescriptor(self.x);
            }
            if !self.y.is_null() {
                let _ = dnn::cudnnDestroyTensorDescriptor(self.y);
            }
            if !self.w.is_null() {
                let _ = dnn::cudnnDestroyFilterDescriptor(self.w);
            }
            if !self.conv.is_null() {
                let _ = dnn::cudnnDestroyConvolutionDescriptor(self.conv);
            }
        }
    }
}

struct Handle(dnn::cudnnHandle_t);

#[derive(Default)]
struct State {
    handles: HashMap<usize, Handle>,
    /// `None`: cuDNN has no algorithm for this convolution.
    plans: HashMap<Key, Option<Plan>>,
}

// SAFETY: cuDNN handles and descriptors may be used from any thread as long
// as calls on one are not concurrent; all of them sit behind STATE's mutex.
unsafe impl Send for State {}

static STATE: Mutex<Option<State>> = Mutex::new(None);
static PRESENT: OnceLock<bool> = OnceLock::new();

fn status_text(s: dnn::cudnnStatus_t) -> String {
    // SAFETY: cudnnGetErrorString returns a static NUL-terminated string.
    let p = unsafe { dnn::cudnnGetErrorString(s) };
    if p.is_null() {
        format!("{s:?}")
    } else {
        // SAFETY: as above.
        format!("{s:?}: {}", unsafe { CStr::from_ptr(p) }.to_string_lossy())
    }
}

fn check(s: dnn::cudnnStatus_t, what: &str) -> Result<()> {
    if s == dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS {
        Ok(())
    } else if s == dnn::cudnnStatus_t::CUDNN_STATUS_ALLOC_FAILED {
        Err(Error::OutOfMemory(format!("{what} failed: {}", status_text(s))))
    } else {
        Err(Error::Runtime(format!("{what} failed: {}", status_text(s))))
    }
}

/// Whether libcudnn can be loaded (cudarc panics on the first call into a
/// missing library, so this runs before any).
pub(crate) fn present() -> bool {
    // SAFETY: only tries to open the library files.
    *PRESENT.get_or_init(|| unsafe { dnn::is_culib_present() })
}

fn tf32() -> bool {
    crate::knobs::knobs().enable_tf32
}

fn data_type(dt: Dtype) -> Option<dnn::cudnnDataType_t> {
    match dt {
        Dtype::Float32 => Some(dnn::cudnnDataType_t::CUDNN_DATA_FLOAT),
        Dtype::Float16 => Some(dnn::cudnnDataType_t::CUDNN_DATA_HALF),
        Dtype::Bfloat16 => Some(dnn::cudnnDataType_t::CUDNN_DATA_BFLOAT16),
        _ => None,
    }
}

fn int(v: usize) -> Result<c_int> {
    c_int::try_from(v).map_err(|_| Error::Runtime(format!("cuDNN takes dimensions below 2^31, got {v}")))
}

/// `(N, C, spatial...)` dims and their NHWC strides for a channels-last
/// shape `(N, spatial..., C)`, a unit height put in front of one spatial dim.
fn nchw_of(shape: &[usize]) -> Result<(Vec<c_int>, Vec<c_int>)> {
    let nd = shape.len();
    let mut sp: Vec<usize> = shape[1..nd - 1].to_vec();
    if sp.len() == 1 {
        sp.insert(0, 1);
    }
    let c = shape[nd - 1];
    let mut dims = vec![int(shape[0])?, int(c)?];
    for &s in &sp {
        dims.push(int(s)?);
    }
    // Strides: C innermost, then the spatial dims row-major, then N.
    let mut strides = vec![0 as c_int; dims.len()];
    strides[1] = 1;
    let mut acc = c;
    for i in (0..sp.len()).rev() {
        strides[2 + i] = int(acc)?;
        acc *= sp[i];
    }
    strides[0] = int(acc)?;
    Ok((dims, strides))
}

/// Makes the descriptors of `key` and asks the heuristic for algorithms.
fn build(handle: dnn::cudnnHandle_t, key: &Key, out: &[usize]) -> Result<Option<Plan>> {
    let Some(data) = data_type(key.dtype) else { return Ok(None) };
    let d = key.x.len() - 2;
    if !(1..=3).contains(&d) {
        return Ok(None);
    }
    for s in [&key.x, &key.w, &out.to_vec()] {
        if s.iter().product::<usize>() >= (1usize << 31) {
            return Ok(None);
        }
    }
    let mut p = Plan {
        x: std::ptr::null_mut(),
        y: std::ptr::null_mut(),
        w: std::ptr::null_mut(),
        conv: std::ptr::null_mut(),
        candidates: Vec::new(),
        timed: None,
    };
    let (xd, xs) = nchw_of(&key.x)?;
    let (yd, ys) = nchw_of(out)?;
    let (wd, _) = nchw_of(&key.w)?;
    let lift = |v: &[usize], unit: usize| -> Result<Vec<c_int>> {
        let mut r: Vec<c_int> = v.iter().map(|&a| int(a)).collect::<Result<_>>()?;
        if r.len() == 1 {
            r.insert(0, unit as c_int);
        }
        Ok(r)
    };
    let pad = lift(&key.spec.padding, 0)?;
    let stride = lift(&key.spec.stride, 1)?;
    let dil = lift(&key.spec.dilation, 1)?;
    let nb = xd.len() as c_int;
    let mode = if key.spec.flip {
        dnn::cudnnConvolutionMode_t::CUDNN_CONVOLUTION
    } else {
        dnn::cudnnConvolutionMode_t::CUDNN_CROSS_CORRELATION
    };
    let math = match key.dtype {
        Dtype::Float32 if key.tf32 => dnn::cudnnMathType_t::CUDNN_DEFAULT_MATH,
        Dtype::Float32 => dnn::cudnnMathType_t::CUDNN_FMA_MATH,
        _ => dnn::cudnnMathType_t::CUDNN_TENSOR_OP_MATH,
    };
    // SAFETY: plain descriptor calls; every array passed holds `nb` (or
    // `nb - 2`) ints and outlives the call (cuDNN copies the values).
    unsafe {
        check(dnn::cudnnCreateTensorDescriptor(&mut p.x), "cudnnCreateTensorDescriptor")?;
        check(dnn::cudnnCreateTensorDescriptor(&mut p.y), "cudnnCreateTensorDescriptor")?;
        check(dnn::cudnnCreateFilterDescriptor(&mut p.w), "cudnnCreateFilterDescriptor")?;
        check(dnn::cudnnCreateConvolutionDescriptor(&mut p.conv), "cudnnCreateConvolutionDescriptor")?;
        check(dnn::cudnnSetTensorNdDescriptor(p.x, data, nb, xd.as_ptr(), xs.as_ptr()), "cudnnSetTensorNdDescriptor")?;
        check(dnn::cudnnSetTensorNdDescriptor(p.y, data, nb, yd.as_ptr(), ys.as_ptr()), "cudnnSetTensorNdDescriptor")?;
        check(
            dnn::cudnnSetFilterNdDescriptor(p.w, data, dnn::cudnnTensorFormat_t::CUDNN_TENSOR_NHWC, nb, wd.as_ptr()),
            "cudnnSetFilterNdDescriptor",
        )?;
        check(
            dnn::cudnnSetConvolutionNdDescriptor(
                p.conv,
                nb - 2,
                pad.as_ptr(),
                stride.as_ptr(),
                dil.as_ptr(),
                mode,
                dnn::cudnnDataType_t::CUDNN_DATA_FLOAT,
            ),
            "cudnnSetConvolutionNdDescriptor",
        )?;
        check(dnn::cudnnSetConvolutionMathType(p.conv, math), "cudnnSetConvolutionMathType")?;
        check(dnn::cudnnSetConvolutionGroupCount(p.conv, int(key.spec.groups)?), "cudnnSetConvolutionGroupCount")?;
        // cuDNN's idea of the output must be ours.
        let mut got = vec![0 as c_int; xd.len()];
        if dnn::cudnnGetConvolutionNdForwardOutputDim(p.conv, p.x, p.w, nb, got.as_mut_ptr())
            != dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS
            || got != yd
        {
            return Ok(None);
        }
        let mut perf: Vec<dnn::cudnnConvolutionFwdAlgoPerf_t> = Vec::with_capacity(ALGOS);
        let mut n: c_int = 0;
        let s = dnn::cudnnGetConvolutionForwardAlgorithm_v7(
            handle,
            p.x,
            p.w,
            p.conv,
            p.y,
            ALGOS as c_int,
            &mut n,
            perf.as_mut_ptr(),
        );
        if s != dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS {
            return Ok(None);
        }
        perf.set_len((n.max(0) as usize).min(ALGOS));
        for r in &perf {
            if r.status == dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS && r.memory <= MAX_WORKSPACE {
                // The heuristic's sizes are estimates: ask for the real one.
                let mut ws = 0usize;
                if dnn::cudnnGetConvolutionForwardWorkspaceSize(handle, p.x, p.w, p.conv, p.y, r.algo, &mut ws)
                    == dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS
                    && ws <= MAX_WORKSPACE
                {
                    p.candidates.push((r.algo, ws));
                }
            }
        }
    }
    Ok(if p.candidates.is_empty() { None } else { Some(p) })
}

fn handle_for(state: &mut State, device: usize) -> Result<dnn::cudnnHandle_t> {
    if let Some(h) = state.handles.get(&device) {
        return Ok(h.0);
    }
    let mut h: dnn::cudnnHandle_t = std::ptr::null_mut();
    // SAFETY: the caller made the device's context current.
    check(unsafe { dnn::cudnnCreate(&mut h) }, "cudnnCreate")?;
    state.handles.insert(device, Handle(h));
    Ok(h)
}

fn key(device: usize, dtype: Dtype, x: &[usize], w: &[usize], spec: &ConvSpec) -> Key {
    Key { device, dtype, tf32: dtype == Dtype::Float32 && tf32(), x: x.to_vec(), w: w.to_vec(), spec: spec.clone() }
}

/// Whether cuDNN has an algorithm for this convolution on GPU `device`
/// (whose output shape the caller computed as `out`). False when cuDNN is
/// missing or fails: the caller then builds the convolution another way.
pub(crate) fn supported(device: usize, dtype: Dtype, x: &[usize], w: &[usize], spec: &ConvSpec, out: &[usize]) -> bool {
    if crate::knobs::knobs().disable_cudnn || !present() || data_type(dtype).is_none() {
        return false;
    }
    let Ok(g) = super::driver::gpu(device) else { return false };
    if g.bind().is_err() {
        return false;
    }
    let k = key(device, dtype, x, w, spec);
    let mut guard = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    let state = guard.get_or_insert_with(State::default);
    if let Some(p) = state.plans.get(&k) {
        return p.is_some();
    }
    let Ok(h) = handle_for(state, device) else { return false };
    let plan = build(h, &k, out).unwrap_or(None);
    let ok = plan.is_some();
    state.plans.insert(k, plan);
    ok
}

/// Device addresses of one convolution's operands (row-major channels-last).
pub(crate) struct Operands {
    pub x: u64,
    pub w: u64,
    pub y: u64,
}

/// Enqueues the convolution on `stream`. `workspace(bytes)` returns device
/// memory of at least `bytes`, stream-ordered on `stream`, which must stay
/// alive until this returns (stream order keeps it until the kernels ran).
#[allow(clippy::too_many_arguments)]
pub(crate) fn forward<W>(
    device: usize,
    stream: super::RawStream,
    dtype: Dtype,
    x: &[usize],
    w: &[usize],
    spec: &ConvSpec,
    out: &[usize],
    ops: &Operands,
    mut workspace: impl FnMut(usize) -> Result<(W, u64)>,
) -> Result<()> {
    if !present() {
        return Err(Error::Device("cuDNN (libcudnn.so.9) could not be loaded".into()));
    }
    let k = key(device, dtype, x, w, spec);
    let mut guard = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    let state = guard.get_or_insert_with(State::default);
    let h = handle_for(state, device)?;
    if !state.plans.contains_key(&k) {
        let plan = build(h, &k, out)?;
        state.plans.insert(k.clone(), plan);
    }
    let plan = state.plans.get_mut(&k).and_then(Option::as_mut).ok_or_else(|| {
        Error::Runtime(format!("cuDNN has no algorithm for a {dtype} convolution of {x:?} with {w:?} ({spec:?})"))
    })?;
    // SAFETY: the handle belongs to this device, whose context is current.
    check(unsafe { dnn::cudnnSetStream(h, stream.0.cast()) }, "cudnnSetStream")?;
    let (one, zero) = (1.0f32, 0.0f32);
    let (algo, ws_bytes, keep_ws) = match plan.timed {
        Some((a, b)) => {
            let (keep, p) = workspace(b.max(1))?;
            (a, b, Some((keep, p)))
        }
        None => {
            // Time the candidates once on the real buffers, with room for the
            // largest workspace the heuristic named.
            let most = plan.candidates.iter().map(|c| c.1).max().unwrap_or(0);
            let (keep, wp) = workspace(most.max(1))?;
            let mut perf: Vec<dnn::cudnnConvolutionFwdAlgoPerf_t> = Vec::with_capacity(ALGOS);
            let mut n: c_int = 0;
            // SAFETY: descriptors are live and describe the buffers, which
            // hold the described extents on this device; `perf` has room for
            // ALGOS results; the workspace holds `most` bytes.
            let s = unsafe {
                dnn::cudnnFindConvolutionForwardAlgorithmEx(
                    h,
                    plan.x,
                    ops.x as usize as *const c_void,
                    plan.w,
                    ops.w as usize as *const c_void,
                    plan.conv,
                    plan.y,
                    ops.y as usize as *mut c_void,
                    ALGOS as c_int,
                    &mut n,
                    perf.as_mut_ptr(),
                    wp as usize as *mut c_void,
                    most,
                )
            };
            let mut pick = plan.candidates[0];
            if s == dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS {
                // SAFETY: cuDNN wrote `n` (at most ALGOS) results.
                unsafe { perf.set_len((n.max(0) as usize).min(ALGOS)) };
                if let Some(r) =
                    perf.iter().find(|r| r.status == dnn::cudnnStatus_t::CUDNN_STATUS_SUCCESS && r.memory <= most)
                {
                    pick = (r.algo, r.memory);
                }
            }
            plan.timed = Some(pick);
            (pick.0, pick.1, Some((keep, wp)))
        }
    };
    let wp = keep_ws.as_ref().map_or(0, |k| k.1);
    // SAFETY: as for the timing run; alpha and beta are floats, as cuDNN
    // reads them for float, half and bfloat16 data.
    let s = unsafe {
        dnn::cudnnConvolutionForward(
            h,
            std::ptr::from_ref(&one).cast(),
            plan.x,
            ops.x as usize as *const c_void,
            plan.w,
            ops.w as usize as *const c_void,
            plan.conv,
            algo,
            wp as usize as *mut c_void,
            ws_bytes,
            std::ptr::from_ref(&zero).cast(),
            plan.y,
            ops.y as usize as *mut c_void,
        )
    };
    check(s, "cudnnConvolutionForward")?;
    crate::backend::count_launch();
    Ok(())
}
