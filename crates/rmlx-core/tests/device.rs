//! Devices, streams and unified memory: the same tests run on a machine
//! without a GPU (which must say so cleanly) and on one with a GPU (where
//! arrays move between devices without copies written by the user).

use rmlx_core::{ops, Array, Device, Dtype, Error};

use crate::common::serial;

fn has_gpu() -> bool {
    rmlx_core::is_available(Device::Gpu(0))
}

#[test]
fn gpu_availability_is_consistent() {
    let _g = serial();
    let n = rmlx_core::device_count(Device::Gpu(0));
    assert_eq!(rmlx_core::is_available(Device::Gpu(0)), n > 0);
    assert!(!rmlx_core::is_available(Device::Gpu(n)));
    // A device index that does not exist is an error, never a panic.
    let e = rmlx_core::with_stream(Device::Gpu(n + 3), || ()).unwrap_err();
    assert!(matches!(e, Error::Device(_)), "{e:?}");
    assert!(e.to_string().contains(&format!("gpu, {}", n + 3)), "{e}");
    if n == 0 {
        assert!(rmlx_core::new_stream(Device::Gpu(0)).is_err());
        assert!(rmlx_core::set_default_device(Device::Gpu(0)).is_err());
    }
    let cpu = rmlx_core::device_info(Device::Cpu).unwrap();
    assert!(cpu.memory_size > 0);
    match rmlx_core::device_info(Device::Gpu(0)) {
        Ok(info) => {
            assert!(n > 0);
            assert!(info.architecture.starts_with("sm_"), "{info:?}");
            assert!(info.memory_size > (1 << 30), "{info:?}");
        }
        Err(e) => {
            assert_eq!(n, 0);
            assert!(matches!(e, Error::Device(_)) && e.to_string().contains("not available"), "{e}");
        }
    }
    // Waiting for all GPU work is fine with or without GPUs.
    rmlx_core::synchronize().unwrap();
}

#[test]
fn default_device_follows_the_environment() {
    let _g = serial();
    let want = match std::env::var("RMLX_DEVICE").ok().as_deref() {
        Some("cpu") => Device::Cpu,
        Some("gpu") if has_gpu() => Device::Gpu(0),
        _ if has_gpu() => Device::Gpu(0),
        _ => Device::Cpu,
    };
    assert_eq!(rmlx_core::default_device(), want);
}

/// An array made on one device is used by ops on the other, both ways.
#[test]
fn arrays_cross_devices_without_user_copies() {
    let _g = serial();
    let other = if has_gpu() { Device::Gpu(0) } else { Device::Cpu };
    let x = Array::from_slice(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
    let on_other = rmlx_core::with_stream(other, || ops::exp(&x)).unwrap().unwrap();
    assert_eq!(on_other.stream().device, other);
    let back = rmlx_core::with_stream(Device::Cpu, || ops::add(&on_other, &x)).unwrap().unwrap();
    assert_eq!(back.stream().device, Device::Cpu);
    let again = rmlx_core::with_stream(other, || ops::multiply(&back, 2.0)).unwrap().unwrap();
    let v: Vec<f32> = again.to_vec().unwrap();
    for (i, got) in v.iter().enumerate() {
        let x = (i + 1) as f32;
        let want = (x.exp() + x) * 2.0;
        assert!((got - want).abs() <= 1e-5 * want, "{i}: {got} vs {want}");
    }
    // Reading the GPU result on the host twice gives the same values (the host copy is kept).
    let v2: Vec<f32> = again.to_vec().unwrap();
    assert_eq!(v, v2);
}

/// Two streams of one device: work on the second waits for what it reads from the first.
#[test]
fn streams_order_their_dependencies() {
    let _g = serial();
    let dev = if has_gpu() { Device::Gpu(0) } else { Device::Cpu };
    let s1 = rmlx_core::new_stream(dev).unwrap();
    let s2 = rmlx_core::new_stream(dev).unwrap();
    assert_ne!(s1, s2);
    let n = 1 << 20;
    let x = ops::arange(0.0, n as f64, 1.0, Dtype::Float32).unwrap();
    let mut y = rmlx_core::with_stream(s1, || ops::add(&x, 1.0)).unwrap().unwrap();
    for _ in 0..20 {
        y = rmlx_core::with_stream(s1, || ops::multiply(&y, 1.0)).unwrap().unwrap();
    }
    let z = rmlx_core::with_stream(s2, || ops::sum(&y, rmlx_core::Axes::All, false)).unwrap().unwrap();
    assert_eq!(z.stream(), s2);
    let got: f64 = ops::astype(&z, Dtype::Float64).unwrap().item().unwrap();
    let want = (n as f64) * (n as f64 + 1.0) / 2.0;
    assert!((got - want).abs() / want < 1e-4, "{got} vs {want}");
}

/// async_eval returns at once; a later read waits for the result.
#[test]
fn async_eval_then_read() {
    let _g = serial();
    let x = ops::ones(&[512, 512], Dtype::Float32).unwrap();
    let y = ops::matmul(&x, &x).unwrap();
    let s = ops::sum(&y, rmlx_core::Axes::All, false).unwrap();
    rmlx_core::async_eval(std::slice::from_ref(&s)).unwrap();
    let v: f32 = s.item().unwrap();
    assert_eq!(v, 512.0 * 512.0 * 512.0);
}

/// More memory than the device has is an error; the process and the device keep working.
#[test]
fn asking_for_too_much_memory_is_an_error() {
    let _g = serial();
    let dev = rmlx_core::default_device();
    let huge = ops::zeros(&[1usize << 40], Dtype::Float32).unwrap(); // 4 TiB once materialised
    let e = ops::add(&huge, 1.0).unwrap().eval().unwrap_err();
    assert!(matches!(e, Error::OutOfMemory(_)), "{e:?}");
    if let Device::Gpu(_) = dev {
        // Past our own limit, the driver itself refuses: still an error, not an abort.
        let old = rmlx_core::set_device_memory_limit(dev, usize::MAX).unwrap();
        let e = ops::add(&huge, 1.0).unwrap().eval().unwrap_err();
        rmlx_core::set_device_memory_limit(dev, old).unwrap();
        assert!(matches!(e, Error::OutOfMemory(_)), "{e:?}");
    }
    let ok = ops::add(ops::ones(&[1000], Dtype::Float32).unwrap(), 1.0).unwrap();
    assert_eq!(ok.to_vec::<f32>().unwrap(), vec![2.0; 1000]);
}

#[test]
fn device_memory_is_reported_per_device() {
    let _g = serial();
    let dev = rmlx_core::default_device();
    let before = rmlx_core::device_memory(dev).unwrap();
    let x = ops::add(ops::ones(&[1 << 20], Dtype::Float32).unwrap(), 1.0).unwrap();
    x.eval().unwrap();
    let during = rmlx_core::device_memory(dev).unwrap();
    // Other threads' small arrays may come and go meanwhile: allow a page of slack.
    assert!(during.active + 4096 >= before.active + (4 << 20), "{before:?} -> {during:?}");
    assert!(during.peak >= during.active);
    assert!(during.limit > 0);
    drop(x);
    let after = rmlx_core::device_memory(dev).unwrap();
    assert!(after.active + (4 << 20) <= during.active + 4096, "{during:?} -> {after:?}");
    if !has_gpu() {
        assert!(rmlx_core::device_memory(Device::Gpu(0)).is_err());
    }
}

#[test]
fn set_default_stream_is_per_thread() {
    let _g = serial();
    let dev = rmlx_core::default_device();
    let before = rmlx_core::default_stream(dev).unwrap();
    let s = rmlx_core::new_stream(dev).unwrap();
    rmlx_core::set_default_stream(s).unwrap();
    assert_eq!(rmlx_core::default_stream(dev).unwrap(), s);
    assert_eq!(rmlx_core::default_device(), dev, "the default device does not change");
    let x = rmlx_core::ops::ones(&[2], rmlx_core::Dtype::Float32).unwrap();
    assert_eq!(x.stream(), s, "ops built on this thread go to the thread's default stream");
    let other = std::thread::spawn(move || rmlx_core::default_stream(dev).unwrap()).join().unwrap();
    assert_eq!(other, before, "other threads keep the program's default");
    rmlx_core::clear_streams();
    assert_eq!(rmlx_core::default_stream(dev).unwrap(), before);
    assert_eq!(rmlx_core::ops::ones(&[2], rmlx_core::Dtype::Float32).unwrap().stream(), before);
}
