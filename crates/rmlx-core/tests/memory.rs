//! Memory statistics, limits and the cache. These tests read process-wide
//! counters, so they run one at a time under a lock.

use rmlx_core::{
    clear_cache, get_active_memory, get_cache_memory, get_peak_memory, ops, reset_peak_memory, set_cache_limit,
    set_memory_limit, Array, Axes, Dtype, Error,
};

const N: usize = 1 << 18; // 1 MiB of float32

fn big() -> Array {
    let a = Array::from_slice(&vec![1.0f32; N], &[N]).unwrap();
    a.eval().unwrap();
    a
}

#[test]
fn intermediates_are_freed_and_inputs_donated() {
    let _g = crate::common::serial();
    let x = big();
    // On a GPU the first use copies x to the device: let that happen before counting.
    ops::add(&x, 0.0).unwrap().eval().unwrap();
    let base = get_active_memory();
    reset_peak_memory();
    let mut y = ops::exp(&x).unwrap();
    for _ in 0..20 {
        y = ops::multiply(ops::add(&y, 1.0).unwrap(), 0.5).unwrap();
    }
    y.eval().unwrap();
    let extra_peak = get_peak_memory() - base;
    // 41 elementwise ops: without freeing and donation they would need 41 MiB.
    // x is held by the test, so exp needs a new buffer; each later op reuses its input's
    // (donation) or, where it cannot, frees it right after: at most two live at a time.
    assert!(extra_peak <= 2 * N * 4 + 4096, "peak grew by {extra_peak} bytes");
    assert_eq!(get_active_memory() - base, N * 4);
    drop(y);
    assert_eq!(get_active_memory(), base);
}

#[test]
fn the_cache_reuses_freed_blocks() {
    let _g = crate::common::serial();
    set_cache_limit(usize::MAX);
    clear_cache();
    assert_eq!(get_cache_memory(), 0);
    let a = big();
    drop(a);
    let cached = get_cache_memory();
    assert!(cached >= N * 4);
    let b = big();
    assert_eq!(get_cache_memory(), cached - N * 4, "the freed block was reused");
    drop(b);
    set_cache_limit(0);
    assert_eq!(get_cache_memory(), 0, "a zero cache limit empties the cache");
    let c = big();
    drop(c);
    assert_eq!(get_cache_memory(), 0);
    set_cache_limit(usize::MAX);
}

#[test]
fn the_memory_limit_is_an_error_not_a_crash() {
    let _g = crate::common::serial();
    let x = big();
    let old = set_memory_limit(get_active_memory() + 1024);
    let y = ops::exp(&x).unwrap();
    let err = y.eval().unwrap_err();
    assert!(matches!(err, Error::OutOfMemory(_)), "{err}");
    assert!(Array::from_slice(&vec![0u8; 1 << 20], &[1 << 20]).is_err());
    set_memory_limit(old);
    // The graph is intact: the same array evaluates once memory allows.
    let total = ops::sum(&y, Axes::All, false).unwrap().item::<f64>().unwrap();
    let expected = N as f64 * 1f64.exp();
    assert!(((total - expected) / expected).abs() < 1e-5, "{total} vs {expected}");
}

#[test]
fn huge_requests_fail_cleanly() {
    let _g = crate::common::serial();
    // More elements than fit in memory: an error when the shape is checked or when allocating.
    let r = ops::zeros(&[usize::MAX / 2, 4], Dtype::Float32);
    assert!(r.is_err());
    let big = ops::zeros(&[1 << 40], Dtype::Float32).unwrap(); // a broadcast view: no memory yet
    let e = ops::exp(&big).unwrap().eval().unwrap_err();
    assert!(matches!(e, Error::OutOfMemory(_)), "{e}");
    // And the process keeps working.
    assert_eq!(ops::add(Array::scalar(1i32).unwrap(), 2).unwrap().item::<i32>().unwrap(), 3);
}
