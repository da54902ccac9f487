//! Memory shared with other libraries: arrays over memory rmlx does not own
//! (`Array::from_external`), the addresses of an array's elements
//! (`raw_parts`), and `copy`, which always makes a buffer of its own.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rmlx_core::{ops, Array, Device, Dtype, Error};

/// Counts drops, to check that the owner of external memory is released once.
struct Owner(Arc<AtomicUsize>, #[allow(dead_code)] Vec<f32>);
impl Drop for Owner {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn owned(v: Vec<f32>) -> (u64, Arc<AtomicUsize>, Box<Owner>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let owner = Box::new(Owner(drops.clone(), v));
    (owner.1.as_ptr() as u64, drops, owner)
}

#[test]
fn host_memory_is_wrapped_without_a_copy_and_released_once() {
    let (ptr, drops, owner) = owned((0..6).map(|i| i as f32).collect());
    // SAFETY: the owner holds the six floats until it is dropped.
    let a = unsafe { Array::from_external(ptr, Device::Cpu, &[2, 3], None, Dtype::Float32, owner) }.unwrap();
    assert_eq!(a.to_vec::<f32>().unwrap(), vec![0., 1., 2., 3., 4., 5.]);
    assert_eq!(a.raw_parts(Device::Cpu, None).unwrap().ptr, ptr, "the array reads the memory in place");
    let b = ops::sum(&(&a * 2.0), rmlx_core::Axes::All, false).unwrap();
    assert_eq!(b.item::<f32>().unwrap(), 30.0);
    let view = ops::transpose(&a, &[1, 0]).unwrap();
    drop(a);
    assert_eq!(drops.load(Ordering::SeqCst), 0, "a view keeps the memory alive");
    assert_eq!(view.to_vec::<f32>().unwrap(), vec![0., 3., 1., 4., 2., 5.]);
    drop(view);
    drop(b);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn strided_and_negative_strided_layouts() {
    let (ptr, _d, owner) = owned((0..12).map(|i| i as f32).collect());
    // Columns 0 and 2 of a (3, 4) matrix, rows reversed: start at element 8.
    let start = ptr + 8 * 4;
    // SAFETY: every addressed element lies inside the 12 floats.
    let a =
        unsafe { Array::from_external(start, Device::Cpu, &[3, 2], Some(&[-4, 2]), Dtype::Float32, owner) }.unwrap();
    assert_eq!(a.to_vec::<f32>().unwrap(), vec![8., 10., 4., 6., 0., 2.]);
    let p = a.raw_parts(Device::Cpu, None).unwrap();
    assert_eq!((p.ptr, p.strides.clone()), (start, vec![-4, 2]));
    // Ops on it run on the default device and match.
    let s = ops::sum(&a, rmlx_core::Axes::Some(vec![0]), false).unwrap();
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![12., 18.]);
}

#[test]
fn external_memory_is_never_written_in_place() {
    // The memory outlives the arrays here, so it can be read afterwards.
    let mem = vec![1.0f32; 4];
    let drops = Arc::new(AtomicUsize::new(0));
    let owner = Box::new(Owner(drops.clone(), Vec::new()));
    // SAFETY: `mem` outlives every array over it.
    let a =
        unsafe { Array::from_external(mem.as_ptr() as u64, Device::Cpu, &[4], None, Dtype::Float32, owner) }.unwrap();
    // A unary op holding the only reference may reuse its input's buffer: never external memory.
    let b = ops::exp(&a).unwrap();
    drop(a);
    let v: Vec<f32> = b.to_vec().unwrap();
    assert!(v.iter().all(|x| (x - std::f32::consts::E).abs() < 1e-6));
    drop(b);
    assert_eq!(mem, vec![1.0; 4]);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn bad_external_layouts_are_errors() {
    let (ptr, _d, owner) = owned(vec![0.0; 4]);
    // SAFETY: rejected before any read.
    let e = unsafe { Array::from_external(ptr + 2, Device::Cpu, &[1], None, Dtype::Float32, owner) }.unwrap_err();
    assert!(matches!(e, Error::Value(_)) && e.to_string().contains("aligned"), "{e}");
    let (ptr, _d, owner) = owned(vec![0.0; 4]);
    // SAFETY: as above.
    let e = unsafe { Array::from_external(ptr, Device::Cpu, &[2, 2], Some(&[2]), Dtype::Float32, owner) }.unwrap_err();
    assert!(matches!(e, Error::Shape(_)), "{e}");
    let (_, _d, owner) = owned(vec![0.0; 4]);
    // SAFETY: as above.
    let e = unsafe { Array::from_external(0, Device::Cpu, &[2], None, Dtype::Float32, owner) }.unwrap_err();
    assert!(e.to_string().contains("null"), "{e}");
    // Empty arrays need no memory at all.
    let (_, d, owner) = owned(vec![]);
    // SAFETY: nothing is read.
    let a = unsafe { Array::from_external(0, Device::Cpu, &[0, 3], None, Dtype::Float32, owner) }.unwrap();
    assert_eq!(a.shape(), &[0, 3]);
    assert_eq!(d.load(Ordering::SeqCst), 1);
}

#[test]
fn copy_makes_a_buffer_of_its_own() {
    let a = Array::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
    let c = ops::copy(&a).unwrap();
    let t = ops::copy(&ops::transpose(&a, &[1, 0]).unwrap()).unwrap();
    assert_eq!(c.to_vec::<i32>().unwrap(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(t.to_vec::<i32>().unwrap(), vec![1, 4, 2, 5, 3, 6]);
    assert!(!c.shares_buffer_with(&a));
    let s = ops::contiguous(&a).unwrap();
    s.eval().unwrap();
    assert!(s.shares_buffer_with(&a), "contiguous shares a row-major input");
}

#[test]
fn raw_parts_on_the_arrays_device() {
    let dev = rmlx_core::default_device();
    let a = ops::arange(0.0, 8.0, 1.0, Dtype::Float32).unwrap();
    let a = ops::reshape(&a, &[2, 4]).unwrap();
    let p = a.raw_parts(dev, None).unwrap();
    assert_eq!(p.strides, vec![4, 1]);
    assert_eq!(p.device, dev);
    if let Device::Gpu(_) = dev {
        // The device address, wrapped again, reads the same values (zero copy both ways).
        let keep = a.clone();
        // SAFETY: `keep` holds the buffer until the new array drops it.
        let b = unsafe { Array::from_external(p.ptr, dev, &[2, 4], Some(&[4, 1]), Dtype::Float32, Box::new(keep)) }
            .unwrap();
        assert_eq!(b.to_vec::<f32>().unwrap(), (0..8).map(|i| i as f32).collect::<Vec<_>>());
        let s = rmlx_core::default_stream(dev).unwrap();
        assert!(rmlx_core::gpu_stream_handle(s).unwrap() != 0);
    } else {
        assert!(rmlx_core::gpu_stream_handle(rmlx_core::default_stream(Device::Cpu).unwrap()).is_err());
    }
}
