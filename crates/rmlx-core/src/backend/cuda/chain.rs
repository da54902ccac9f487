//! Eager fusion of elementwise chains. When evaluation reaches a run of
//! pending GPU nodes `y1 = f1(x, ..), y2 = f2(y1, ..), ...` of one float
//! dtype and shape, where each intermediate is used only by the next node,
//! the run becomes one launch of `ew_chain` (kernels/chain.cu): a kernel that
//! interprets a short program of steps, so no chain needs a compile of its own
//! and a chain of a thousand tiny ops costs a handful of launches, not a
//! thousand. The intermediates are never materialised. Each step uses the same
//! expression as the single-op kernel, so results are bit-for-bit the same.
//! `RMLX_FUSE=0` turns this off.

use super::driver;
use super::jit::{function, launch, Args, Family, Func, Launch};
use super::ops::{binary_expr, ctype, unary_expr, Ctx};
use crate::array::{Array, Data, State};
use crate::device::{Device, Stream};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::primitive::{BinaryOp, Fusion, Primitive, UnaryOp};
use crate::shape::{is_row_contiguous, size_of};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Steps and device arrays one launch takes (as in chain.cu).
const STEPS: usize = 240;
const ARRAYS: usize = 8;

/// The unary ops a chain may hold, in code order (their result has the
/// input's float dtype): those whose `fusion` is not `No`.
fn unary_ops() -> &'static [UnaryOp] {
    static OPS: OnceLock<Vec<UnaryOp>> = OnceLock::new();
    OPS.get_or_init(|| UnaryOp::ALL.iter().copied().filter(|o| o.fusion() != Fusion::No).collect())
}

/// The binary ops a chain may hold, coded after the unary ones (float in,
/// the same float out).
fn binary_ops() -> &'static [BinaryOp] {
    static OPS: OnceLock<Vec<BinaryOp>> = OnceLock::new();
    OPS.get_or_init(|| BinaryOp::ALL.iter().copied().filter(|o| o.fusion() != Fusion::No).collect())
}

/// Cheap ops: a chain of these alone runs a kernel whose switch has only
/// them, so it needs fewer registers (more threads in flight per SM) than
/// one that can also take exp, pow, erfinv, ...
fn is_light(code: u8) -> bool {
    let c = code as usize;
    if c == 0 {
        return true;
    }
    let (unary, binary) = (unary_ops(), binary_ops());
    if c <= unary.len() {
        return unary[c - 1].fusion() == Fusion::Light;
    }
    binary.get(c - 1 - unary.len()).is_some_and(|op| op.fusion() == Fusion::Light)
}

/// Whether the light kernel serves chains of light ops (`RMLX_CHAIN_LIGHT=0`
/// sends every chain to the full one, for measurement).
fn light_enabled() -> bool {
    crate::knobs::knobs().chain_light
}

fn fusable_dtype(d: Dtype) -> bool {
    matches!(d, Dtype::Float16 | Dtype::Bfloat16 | Dtype::Float32 | Dtype::Float64)
}

/// Program code of a primitive (0 is "load"), if a chain may hold it.
fn code_of(prim: &Primitive) -> Option<u8> {
    match prim {
        Primitive::Unary(op) => unary_ops().iter().position(|o| o == op).map(|i| 1 + i as u8),
        Primitive::Binary(op) => {
            binary_ops().iter().position(|o| o == op).map(|i| 1 + unary_ops().len() as u8 + i as u8)
        }
        _ => None,
    }
}

/// Is eager fusion on (`RMLX_FUSE=0` turns it off)?
fn enabled() -> bool {
    crate::knobs::knobs().fuse
}

/// Where a step's operand comes from.
enum Operand {
    /// The accumulator itself (`y * y`).
    Acc,
    /// An evaluated array: a single element (broadcast) or dense in the chain's shape.
    Array(Array),
}

struct Step {
    code: u8,
    operand: Operand,
    swap: bool,
}

/// A run of nodes to fuse, and its program.
pub(crate) struct Chain {
    /// Nodes of the run, as many as were fused, from the start of the slice given to `plan`.
    pub(crate) len: usize,
    steps: Vec<Step>,
    dtype: Dtype,
    shape: Vec<usize>,
    stream: Stream,
}

/// Can `a` (an evaluated array of the chain's dtype) be a step's operand?
fn usable(a: &Array, dtype: Dtype, shape: &[usize]) -> bool {
    if a.dtype() != dtype {
        return false;
    }
    match &*a.lock() {
        State::Ready(d) => a.size() == 1 || (a.shape() == shape && is_row_contiguous(shape, &d.strides)),
        _ => false,
    }
}

/// The longest fusable run at the start of `order` (nodes in evaluation
/// order, each still pending), if it holds at least two nodes.
pub(crate) fn plan(order: &[Option<Array>]) -> Option<Chain> {
    if !enabled() {
        return None;
    }
    let first = order.first()?.as_ref()?;
    if !matches!(first.stream().device, Device::Gpu(_)) || !fusable_dtype(first.dtype()) {
        return None;
    }
    let (dtype, shape, stream) = (first.dtype(), first.shape().to_vec(), first.stream());
    let mut steps: Vec<Step> = Vec::new();
    let mut len = 0;
    let mut prev: Option<&Array> = None;
    for slot in order {
        let Some(node) = slot else { break };
        if node.dtype() != dtype || node.shape() != shape || node.stream() != stream {
            break;
        }
        let (code, inputs) = match &*node.lock() {
            State::Pending(p) if p.siblings.is_empty() => match code_of(&p.prim) {
                Some(c) => (c, p.inputs.clone()),
                None => break,
            },
            _ => break,
        };
        if inputs.iter().any(|a| a.dtype() != dtype) {
            break;
        }
        let is_prev = |a: &Array| prev.is_some_and(|p| Arc::ptr_eq(&p.0, &a.0));
        let mut new_steps: Vec<Step> = Vec::with_capacity(2);
        match (prev, inputs.as_slice()) {
            (None, [x]) => {
                if !usable(x, dtype, &shape) {
                    break;
                }
                new_steps.push(Step { code: 0, operand: Operand::Array(x.clone()), swap: false });
                new_steps.push(Step { code, operand: Operand::Acc, swap: false });
            }
            (None, [x, y]) => {
                if !usable(x, dtype, &shape) {
                    break;
                }
                let operand = if Arc::ptr_eq(&x.0, &y.0) {
                    Operand::Acc
                } else if usable(y, dtype, &shape) {
                    Operand::Array(y.clone())
                } else {
                    break;
                };
                new_steps.push(Step { code: 0, operand: Operand::Array(x.clone()), swap: false });
                new_steps.push(Step { code, operand, swap: false });
            }
            (Some(p), ins) => {
                // The previous node must be used by this node only: the
                // evaluation order holds one reference, this node's inputs
                // hold `uses`, and so does their clone `ins` here.
                let uses = ins.iter().filter(|a| is_prev(a)).count();
                if uses == 0 || Arc::strong_count(&p.0) != 1 + 2 * uses {
                    break;
                }
                match ins {
                    [_] => new_steps.push(Step { code, operand: Operand::Acc, swap: false }),
                    [x, y] => {
                        let (other, swap) = match (is_prev(x), is_prev(y)) {
                            (true, true) => (None, false),
                            (true, false) => (Some(y), false),
                            _ => (Some(x), true),
                        };
                        let operand = match other {
                            None => Operand::Acc,
                            Some(o) if usable(o, dtype, &shape) => Operand::Array(o.clone()),
                            Some(_) => break,
                        };
                        new_steps.push(Step { code, operand, swap });
                    }
                    _ => break,
                }
            }
            _ => break,
        }
        steps.extend(new_steps);
        len += 1;
        prev = Some(node);
    }
    (len >= 2).then_some(Chain { len, steps, dtype, shape, stream })
}

/// `chain_apply<V>`: one `case` per fusable op, from the single-op expressions.
fn apply_source(dtype: Dtype, light: bool) -> Result<String> {
    let t = ctype(dtype);
    let mut s = format!(
        "typedef {t} T;\ntemplate <int V> DEV void chain_apply(T (&acc)[V], const T (&y)[V], int code, bool swap) {{\n  \
         switch (code) {{\n"
    );
    for (i, &op) in unary_ops().iter().enumerate() {
        if light && !is_light(1 + i as u8) {
            continue;
        }
        let e = unary_expr(op, dtype)?;
        s += &format!(
            "    case {}: {{\n#pragma unroll\n      for (int k = 0; k < V; k++) {{ T x0 = acc[k]; acc[k] = ({e}); }}\n    }} break;\n",
            1 + i
        );
    }
    for (i, &op) in binary_ops().iter().enumerate() {
        if light && !is_light((1 + unary_ops().len() + i) as u8) {
            continue;
        }
        let e = binary_expr(op);
        s += &format!(
            "    case {}: {{\n#pragma unroll\n      for (int k = 0; k < V; k++) {{ T x0 = swap ? y[k] : acc[k]; \
             T x1 = swap ? acc[k] : y[k]; acc[k] = ({e}); }}\n    }} break;\n",
            1 + unary_ops().len() + i
        );
    }
    s += "    default: break;\n  }\n}\n";
    Ok(s)
}

/// The specialisation of chain.cu for `dtype`, with every fusable op or
/// (`light`) only the cheap ones (also used to precompile it).
pub(crate) fn defines(dtype: Dtype, light: bool) -> Result<String> {
    // Operands loaded up front: 3 for 4- and 8-byte types; none for 16-bit
    // ones, where the extra registers cost more than they gain (measured on
    // the H200: a*b+c bfloat16 1842 GB/s with, 2480 without; float32 3853 with).
    let pre = if crate::knobs::knobs().kdef("CHAIN_PRE").is_some() {
        String::new()
    } else {
        format!("#define CHAIN_PRE {}\n", if dtype.size() == 2 { 0 } else { 3 })
    };
    Ok(format!("{pre}{}", apply_source(dtype, light)?))
}

fn chain_function(ctx: &Ctx, dtype: Dtype, light: bool) -> Result<Func> {
    type Funcs = HashMap<(usize, Dtype, bool), Func>;
    static FUNCS: Mutex<Option<Funcs>> = Mutex::new(None);
    let key = (ctx.g.index, dtype, light);
    if let Some(f) = FUNCS.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).get(&key) {
        return Ok(*f);
    }
    let f = function(ctx.g, Family::Chain, &defines(dtype, light)?, "ew_chain")?;
    FUNCS.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashMap::new).insert(key, f);
    Ok(f)
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct RawStep {
    code: u8,
    mode: u8,
    slot: u8,
    swap: u8,
    pad: u32,
    imm: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Prog {
    n: i32,
    vec: i32,
    /// Slots of the first dense steps in step order (-1: none): loaded up front.
    pre: [i32; 4],
    arr: [u64; ARRAYS],
    steps: [RawStep; STEPS],
}

/// A step's operand, resolved for one launch.
enum Resolved {
    Acc,
    Imm(u64),
    /// A device pointer; dense (indexed) or one broadcast element.
    Ptr(u64, bool),
}

/// Runs the chain and returns the last node's data.
pub(crate) fn run(chain: &Chain) -> Result<Data> {
    let Device::Gpu(i) = chain.stream.device else {
        return Err(Error::Runtime("internal: a CPU chain reached the GPU backend".into()));
    };
    let g = driver::gpu(i)?;
    let ctx = Ctx { g, s: g.stream(chain.stream.index)? };
    let n = size_of(&chain.shape);
    let esize = chain.dtype.size();
    if n == 0 {
        return Ok(Data::contiguous(crate::memory::Buffer::alloc(0)?, &chain.shape));
    }
    if crate::backend::trace() {
        eprintln!(
            "[rmlx trace] fused chain of {} elementwise nodes on {} -> {:?} {}",
            chain.len, chain.stream, chain.shape, chain.dtype
        );
    }
    let light = light_enabled() && chain.steps.iter().all(|st| is_light(st.code));
    let f = chain_function(&ctx, chain.dtype, light)?;
    // Resolve every operand first (uploads happen here), holding the data alive.
    let mut held: Vec<Data> = Vec::new();
    let mut resolved: Vec<(u8, Resolved, bool)> = Vec::with_capacity(chain.steps.len());
    for st in &chain.steps {
        let r = match &st.operand {
            Operand::Acc => Resolved::Acc,
            Operand::Array(a) => {
                let d = a.data()?;
                let scalar = a.size() == 1;
                let r = if scalar && d.buf.device_index() != Some(g.index) && d.buf.is_on_host() {
                    let mut imm = 0u64;
                    // SAFETY: the host copy holds the element at `offset`; imm holds 8 bytes >= esize.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            d.buf.as_ptr().add(d.offset * esize),
                            &mut imm as *mut u64 as *mut u8,
                            esize,
                        )
                    };
                    Resolved::Imm(imm)
                } else {
                    let p = d.buf.device_ptr(g.index, ctx.s)? + (d.offset * esize) as u64;
                    Resolved::Ptr(p, !scalar)
                };
                held.push(d);
                r
            }
        };
        resolved.push((st.code, r, st.swap));
    }
    // Cut the program into launches of at most STEPS steps and ARRAYS arrays;
    // each later launch starts by loading the previous one's output.
    let mut out: Option<(Arc<crate::memory::Buffer>, u64)> = None;
    let mut k = 0;
    while k < resolved.len() {
        let mut prog = Prog { n: 0, vec: 1, pre: [-1; 4], arr: [0; ARRAYS], steps: [RawStep::default(); STEPS] };
        let mut slots: Vec<u64> = Vec::new();
        let push = |prog: &mut Prog, slots: &mut Vec<u64>, code: u8, r: &Resolved, swap: bool| -> bool {
            let mut st = RawStep { code, swap: swap as u8, ..Default::default() };
            match *r {
                Resolved::Acc => st.mode = 0,
                Resolved::Imm(v) => {
                    st.mode = 1;
                    st.imm = v;
                }
                Resolved::Ptr(p, dense) => {
                    let slot = match slots.iter().position(|&q| q == p) {
                        Some(s) => s,
                        None if slots.len() < ARRAYS => {
                            slots.push(p);
                            slots.len() - 1
                        }
                        None => return false,
                    };
                    st.mode = if dense { 3 } else { 2 };
                    st.slot = slot as u8;
                    if dense && !p.is_multiple_of(16) {
                        prog.vec = 0;
                    }
                }
            }
            prog.steps[prog.n as usize] = st;
            prog.n += 1;
            true
        };
        if let Some((_, p)) = &out {
            push(&mut prog, &mut slots, 0, &Resolved::Ptr(*p, true), false);
        }
        while k < resolved.len() && (prog.n as usize) < STEPS {
            let (code, r, swap) = &resolved[k];
            // A load must stay with the step that follows it.
            if *code == 0 && (prog.n as usize) + 2 > STEPS {
                break;
            }
            if !push(&mut prog, &mut slots, *code, r, *swap) {
                break;
            }
            k += 1;
        }
        for (j, &p) in slots.iter().enumerate() {
            prog.arr[j] = p;
        }
        let dense = prog.steps[..prog.n as usize].iter().filter(|s| s.mode == 3).map(|s| s.slot as i32);
        for (q, slot) in dense.take(4).enumerate() {
            prog.pre[q] = slot;
        }
        let (buf, ptr) = ctx.alloc(n * esize)?;
        if !ptr.is_multiple_of(16) {
            prog.vec = 0;
        }
        let mut args = Args::new();
        args.arg(ptr).arg(n as i64).arg(prog);
        let vw = (16 / esize).max(1) as u64 * chain_u();
        launch(f, &Launch::linear((n as u64).div_ceil(vw), 256)?, ctx.s, &mut args)?;
        // The previous launch's output is freed in stream order after this launch.
        out = Some((buf, ptr));
    }
    drop(held);
    let (buf, _) = out.ok_or_else(|| Error::Runtime("internal: an empty chain".into()))?;
    Ok(Data::contiguous_arc(buf, &chain.shape))
}

/// Vectors per thread of the chain kernel: 2 (measured best on the H200),
/// or CHAIN_U from RMLX_KDEFS="CHAIN_U=n", which the kernel reads as well.
fn chain_u() -> u64 {
    crate::knobs::knobs().kdef("CHAIN_U").and_then(|n| n.parse().ok()).unwrap_or(2)
}
