//! Memory shared with other libraries (DLPack, NumPy): arrays over memory
//! rmlx does not own, and the addresses of an array's elements for others
//! to read, on the host or on a GPU.

use std::sync::Arc;

use crate::array::{Array, Data};
use crate::device::{default_stream, Device};
use crate::dtype::Dtype;
use crate::error::{Error, Result};
use crate::memory::{Buffer, ExternalOwner};
use crate::shape::{checked_size, fmt_shape, row_major_strides};

/// Where an array's elements are, for another library to read in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawParts {
    /// Address of the first element (host or device address).
    pub ptr: u64,
    /// Strides in elements, one per dimension.
    pub strides: Vec<isize>,
    /// The device whose memory `ptr` addresses.
    pub device: Device,
}

/// The span of element offsets a strided layout touches: (lowest, highest).
fn span(shape: &[usize], strides: &[isize]) -> Result<(isize, isize)> {
    let (mut lo, mut hi) = (0isize, 0isize);
    let overflow = || Error::value("external memory: the strides address more than the address space");
    for (&d, &s) in shape.iter().zip(strides) {
        let reach = (d as isize - 1).checked_mul(s).ok_or_else(overflow)?;
        if reach < 0 {
            lo = lo.checked_add(reach).ok_or_else(overflow)?;
        } else {
            hi = hi.checked_add(reach).ok_or_else(overflow)?;
        }
    }
    Ok((lo, hi))
}

impl Array {
    /// A ready array over memory rmlx does not own, without copying:
    /// `shape` elements of `dtype` at `ptr` (a host address for
    /// `Device::Cpu`, an address of the GPU's primary context for
    /// `Device::Gpu`), `strides` in elements (row-major when `None`, any
    /// sign). `owner` keeps the memory alive and is dropped once no array
    /// refers to it (for device memory, after rmlx's work on it is done).
    /// rmlx never writes the memory.
    ///
    /// # Safety
    /// Every element the layout addresses must be readable at `ptr` until
    /// `owner` is dropped; device memory must be ready for work on the GPU's
    /// default rmlx stream (ask the producer to order itself before
    /// [`gpu_stream_handle`] of that stream).
    pub unsafe fn from_external(
        ptr: u64,
        device: Device,
        shape: &[usize],
        strides: Option<&[isize]>,
        dtype: Dtype,
        owner: ExternalOwner,
    ) -> Result<Array> {
        let n = checked_size(shape)?;
        let strides = match strides {
            Some(s) if s.len() != shape.len() => {
                return Err(Error::shape(format!(
                    "external memory: {} strides for shape {} ({} dimensions)",
                    s.len(),
                    fmt_shape(shape),
                    shape.len()
                )))
            }
            Some(s) => s.to_vec(),
            None => row_major_strides(shape),
        };
        let stream = default_stream(device)?;
        if n == 0 {
            drop(owner);
            return crate::device::with_stream(stream, || crate::ops::zeros(shape, dtype))?;
        }
        let isz = dtype.size();
        if ptr == 0 {
            return Err(Error::value("external memory: the address is null"));
        }
        if !ptr.is_multiple_of(isz as u64) {
            return Err(Error::value(format!(
                "external memory: the address {ptr:#x} is not aligned to the {isz}-byte elements of {dtype}"
            )));
        }
        let (lo, hi) = span(shape, &strides)?;
        let bytes = ((hi - lo) as usize + 1)
            .checked_mul(isz)
            .ok_or_else(|| Error::value("external memory: the layout spans more than the address space"))?;
        let base = ptr
            .checked_sub(lo.unsigned_abs() as u64 * isz as u64)
            .ok_or_else(|| Error::value("external memory: negative strides reach below address 0"))?;
        let buf = match device {
            // SAFETY: the caller vouches for the memory (see above).
            Device::Cpu => unsafe { Buffer::from_external_host(base as *mut u8, bytes, owner)? },
            Device::Gpu(i) => {
                let raw = crate::backend::cuda::raw_stream(stream)?;
                // SAFETY: as above.
                unsafe { Buffer::from_external_device(i, base, bytes, raw, owner)? }
            }
        };
        let data = Data { buf: Arc::new(buf), strides, offset: lo.unsigned_abs() };
        Ok(Array::ready(shape.to_vec(), dtype, stream, data))
    }

    /// Evaluates this array and gives the address and strides of its
    /// elements on `device`, copying them there first if they are elsewhere.
    /// For a GPU, `consumer` is the CUDA stream (a `CUstream` handle: 1 and 2
    /// name the legacy and per-thread default streams) on which the reader
    /// will use the memory: it is ordered after the work that writes it, and
    /// the memory is not reused before that reader's work enqueued until
    /// this array's buffer is freed. The address stays valid while this
    /// array (or a clone of it) lives.
    pub fn raw_parts(&self, device: Device, consumer: Option<u64>) -> Result<RawParts> {
        self.eval()?;
        let d = self.data()?;
        let off = (d.offset * self.itemsize()) as u64;
        let ptr = match device {
            Device::Cpu => {
                d.buf.ensure_host()?;
                d.buf.as_ptr() as u64 + off
            }
            Device::Gpu(i) => crate::backend::cuda::device_address(&d.buf, i, self.stream(), consumer)? + off,
        };
        Ok(RawParts { ptr, strides: d.strides.clone(), device })
    }
}

/// The `CUstream` handle behind a GPU stream, for handing to other
/// libraries (e.g. as the stream of a DLPack exchange).
pub fn gpu_stream_handle(stream: crate::device::Stream) -> Result<u64> {
    Ok(crate::backend::cuda::raw_stream(stream)?.0 as usize as u64)
}
