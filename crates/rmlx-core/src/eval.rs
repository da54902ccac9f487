//! Evaluation: an iterative topological sort of the pending graph, then each
//! node run on its stream's backend. A node that ran drops its primitive and
//! inputs at once, so intermediates are freed while the rest still runs.

use crate::array::{Array, Node, State};
use crate::error::Result;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex};

/// Hashes node addresses: they are unique and well spread after a multiply,
/// so SipHash's protection against chosen keys is not needed on this hot path.
#[derive(Default)]
struct PtrHasher(u64);
impl Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64 >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
type PtrSet = HashSet<*const Node, BuildHasherDefault<PtrHasher>>;

/// One evaluation at a time: `async_eval` and `eval` from several threads
/// never run the same node twice.
static EVAL_LOCK: Mutex<()> = Mutex::new(());

/// Computes `outputs` and everything they depend on.
pub fn eval(outputs: &[Array]) -> Result<()> {
    if outputs.iter().all(|a| a.is_evaluated()) {
        return Ok(());
    }
    let _guard = EVAL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    run_order(topological_order(outputs))?;
    // GPU work was only enqueued: wait for the streams the outputs were computed on.
    let mut streams: Vec<crate::device::Stream> = Vec::new();
    for a in outputs {
        if matches!(a.stream().device, crate::device::Device::Gpu(_)) && !streams.contains(&a.stream()) {
            streams.push(a.stream());
        }
    }
    for s in streams {
        crate::backend::synchronize(s)?;
    }
    Ok(())
}

/// Runs the pending nodes of `order` (inputs before users), fusing chains
/// where the backend can; GPU work is enqueued, not waited for.
fn run_order(order: Vec<Array>) -> Result<()> {
    crate::transforms::check_not_vmapped(&order)?;
    // Each slot is emptied as its node runs, so intermediates are freed early.
    let mut order: Vec<Option<Array>> = order.into_iter().map(Some).collect();
    let mut i = 0;
    // A transformation tracing a function needs every node's history: no fusion then.
    let fuse = !crate::transforms::tracing();
    while i < order.len() {
        let chain = if fuse { crate::backend::plan_fused(&order[i..]) } else { None };
        if let Some(chain) = chain {
            if run_chain(&mut order[i..i + chain.len], &chain) {
                i += chain.len;
                continue;
            }
        }
        if let Some(array) = order[i].take() {
            run_node(array)?;
        }
        i += 1;
    }
    Ok(())
}

/// How many `async_eval` calls have not finished yet, and a signal when one does.
static IN_FLIGHT: (Mutex<usize>, std::sync::Condvar) = (Mutex::new(0), std::sync::Condvar::new());

/// Waits until every `async_eval` started before has finished and all work
/// enqueued on every GPU has completed.
pub fn synchronize() -> Result<()> {
    let (count, done) = &IN_FLIGHT;
    let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
    while *n > 0 {
        n = done.wait(n).unwrap_or_else(|e| e.into_inner());
    }
    drop(n);
    crate::backend::synchronize_all()
}

/// Marks one `async_eval` as in flight for as long as it lives.
struct InFlight;
impl InFlight {
    fn start() -> InFlight {
        *IN_FLIGHT.0.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        InFlight
    }
}
impl Drop for InFlight {
    fn drop(&mut self) {
        let (count, done) = &IN_FLIGHT;
        let mut n = count.lock().unwrap_or_else(|e| e.into_inner());
        *n = n.saturating_sub(1);
        done.notify_all();
    }
}

/// Starts computing `outputs` in the background and returns at once; a later
/// `eval`, `item` or `to_vec` waits for what it needs.
///
/// A graph whose pending nodes all run on GPU streams is enqueued here, on
/// the calling thread (launches are asynchronous, and nothing waits for the
/// GPU), so the generation-loop idiom `y = step(y); async_eval(y)` costs the
/// launches and no more. A graph with CPU work goes to one long-lived worker
/// thread, in the order of the calls; no thread is started per call.
pub fn async_eval(outputs: &[Array]) -> Result<()> {
    if crate::transforms::tracing() {
        return Err(crate::Error::value(
            "async_eval: cannot evaluate asynchronously inside a function transformation (grad, vjp, jvp, vmap); use eval",
        ));
    }
    if outputs.iter().all(|a| a.is_evaluated()) {
        return Ok(());
    }
    {
        let _guard = EVAL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let order = topological_order(outputs);
        if order.iter().all(|a| matches!(a.stream().device, crate::device::Device::Gpu(_))) {
            return run_order(order);
        }
    }
    let job = (outputs.to_vec(), InFlight::start());
    let sent = worker().lock().unwrap_or_else(|e| e.into_inner()).send(job);
    if let Err(std::sync::mpsc::SendError((outputs, _flight))) = sent {
        // The worker is gone (it never panics; a failed start): compute here.
        return eval(&outputs);
    }
    Ok(())
}

type Job = (Vec<Array>, InFlight);

/// The one thread that runs `async_eval`'s graphs with CPU work.
fn worker() -> &'static Mutex<std::sync::mpsc::Sender<Job>> {
    static WORKER: std::sync::OnceLock<Mutex<std::sync::mpsc::Sender<Job>>> = std::sync::OnceLock::new();
    WORKER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        // If the thread cannot start, `rx` is dropped and sends fail: the
        // caller then evaluates synchronously.
        let _ = std::thread::Builder::new().name("rmlx-async-eval".into()).spawn(move || {
            while let Ok((outputs, flight)) = rx.recv() {
                // An error here is raised again by the eval that reads the result.
                let _ = eval(&outputs);
                drop(flight);
            }
        });
        Mutex::new(tx)
    })
}

/// Pending nodes reachable from `outputs`, inputs before users, found with an
/// explicit stack so depth costs heap, not call stack.
fn topological_order(outputs: &[Array]) -> Vec<Array> {
    let mut order = Vec::new();
    let mut seen = PtrSet::default();
    let mut stack: Vec<(Array, usize)> = Vec::new();
    for out in outputs {
        if seen.insert(Arc::as_ptr(&out.0)) && !out.is_evaluated() {
            stack.push((out.clone(), 0));
        }
        while let Some((top, next)) = stack.last_mut() {
            let child = match &*top.lock() {
                State::Pending(p) => p.inputs.get(*next).cloned(),
                _ => None,
            };
            *next += 1;
            match child {
                Some(c) => {
                    if seen.insert(Arc::as_ptr(&c.0)) && matches!(&*c.lock(), State::Pending(_)) {
                        stack.push((c, 0));
                    }
                }
                None => {
                    if let Some((a, _)) = stack.pop() {
                        order.push(a);
                    }
                }
            }
        }
    }
    order
}

/// Runs a fused elementwise chain (see `backend::plan_fused`) over the
/// pending nodes in `slots`; the last becomes ready and the rest, never
/// materialised, are dropped with it. On any failure nothing changes and the
/// caller runs the nodes one by one (which reports the error, if it persists).
fn run_chain(slots: &mut [Option<Array>], chain: &crate::backend::Fused) -> bool {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::backend::run_fused(chain)));
    let Ok(Ok(data)) = result else { return false };
    let members: Vec<Array> = slots.iter_mut().filter_map(Option::take).collect();
    if let Some(last) = members.last() {
        let old = std::mem::replace(&mut *last.lock(), State::Ready(data));
        drop(old);
    }
    true
}

fn run_node(array: Array) -> Result<()> {
    let pending = {
        let mut state = array.lock();
        match std::mem::replace(&mut *state, State::Running) {
            State::Pending(p) => p,
            other => {
                *state = other;
                return Ok(());
            }
        }
    };
    let node = &array.0;
    // A kernel that panics (a bug, never bad input) becomes an error, and the
    // node stays pending, so the process and the graph both survive.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::backend::eval_node(&pending.prim, &pending.inputs, &node.shape, node.dtype, node.stream)
    }))
    .unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(crate::Error::Runtime(format!("internal error while computing {:?}: {msg}", pending.prim)))
    });
    match result {
        Ok(mut outputs) => {
            if pending.siblings.is_empty() {
                if let Some(d) = outputs.pop() {
                    *array.lock() = State::Ready(d);
                }
            } else {
                for (i, (weak, d)) in pending.siblings.iter().zip(outputs).enumerate() {
                    if i == pending.position {
                        *array.lock() = State::Ready(d);
                    } else if let Some(sib) = weak.upgrade() {
                        *sib.state.lock().unwrap_or_else(|e| e.into_inner()) = State::Ready(d);
                    }
                }
            }
            if crate::transforms::tracing() {
                let _ = node.history.set(pending);
            } else {
                drop(pending);
            }
            Ok(())
        }
        Err(e) => {
            *array.lock() = State::Pending(pending);
            Err(e)
        }
    }
}
