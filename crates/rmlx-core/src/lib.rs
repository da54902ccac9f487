//! rmlx-core: lazy n-dimensional arrays in the style of MLX.
//!
//! Ops build a graph; nothing is computed until [`eval`] (or `item`,
//! `to_vec`) asks for a result.
//!
//! ```
//! use rmlx_core::{ops, Array, Dtype};
//! let a = Array::from_slice(&[1.0f32, 2.0, 3.0], &[3]).unwrap();
//! let b = ops::exp(&(&a * 2.0)).unwrap();   // nothing has run yet
//! assert!(!b.is_evaluated());
//! let v: Vec<f32> = b.to_vec().unwrap();    // runs the graph
//! assert!((v[0] - 2f32.exp()).abs() < 1e-5);
//! ```

pub mod array;
pub(crate) mod backend;
pub mod device;
pub mod dtype;
pub mod error;
pub mod eval;
pub mod format;
pub mod graph;
pub mod interop;
pub mod knobs;
pub mod memory;
mod operators;
pub mod ops;
pub mod primitive;
pub mod random;
pub mod shape;
pub mod transforms;

pub use array::Array;
#[doc(hidden)]
pub use backend::cuda::compile_all as __compile_all_kernels;
pub use backend::gpu_launches;
pub use device::{
    clear_streams, default_device, default_stream, device_count, device_info, is_available, new_stream, pop_stream,
    push_stream, set_default_device, set_default_stream, with_stream, Device, DeviceInfo, Stream, StreamOrDevice,
};
pub use dtype::{finfo, iinfo, issubdtype, promote_types, result_type, Dtype, DtypeCategory, Element};
pub use error::{Error, Result};
pub use eval::{async_eval, eval, synchronize};
pub use interop::{gpu_stream_handle, RawParts};
pub use memory::{
    clear_cache, device_memory, get_active_memory, get_cache_memory, get_memory_limit, get_peak_memory,
    reset_peak_memory, set_cache_limit, set_device_memory_limit, set_memory_limit, MemoryInfo,
};
pub use ops::{Axes, Operand, Scalar};
pub use transforms::{
    checkpoint, grad, grad_params, jvp, value_and_grad, value_and_grad_params, vjp, vjp_with, vmap, CustomFunction,
    Params,
};
