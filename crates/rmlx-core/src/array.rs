//! `Array`: a cheap handle (`Arc`) to a node of the lazy graph. A node is
//! either pending (a primitive and its inputs) or ready (a view of a buffer).

use crate::device::{current_stream, Stream};
use crate::dtype::{Dtype, Element};
use crate::error::{Error, Result};
use crate::memory::Buffer;
use crate::primitive::Primitive;
use crate::shape::{checked_size, fmt_shape, row_major_strides, size_of, Shape, Strides};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// An n-dimensional array. Cloning is cheap (one reference count).
#[derive(Clone)]
pub struct Array(pub(crate) Arc<Node>);

pub(crate) struct Node {
    pub(crate) shape: Shape,
    pub(crate) dtype: Dtype,
    pub(crate) stream: Stream,
    pub(crate) state: Mutex<State>,
    /// The primitive and inputs of a node evaluated while a transformation
    /// was tracing a function, kept so the transformation can see through
    /// the evaluation (see `transforms::Tracing`).
    pub(crate) history: std::sync::OnceLock<Pending>,
}

pub(crate) enum State {
    Pending(Pending),
    Ready(Data),
    /// Taken out by the evaluator while its kernel runs.
    Running,
}

pub(crate) struct Pending {
    pub(crate) prim: Primitive,
    pub(crate) inputs: Vec<Array>,
    /// All outputs of a multi-output primitive (this node among them), else empty.
    pub(crate) siblings: Vec<Weak<Node>>,
    pub(crate) position: usize,
}

/// Where a ready array's elements are: a shared buffer, strides and offset in elements.
#[derive(Clone)]
pub(crate) struct Data {
    pub(crate) buf: Arc<Buffer>,
    pub(crate) strides: Strides,
    pub(crate) offset: usize,
}

impl Data {
    /// A fresh row-major buffer layout.
    pub(crate) fn contiguous(buf: Buffer, shape: &[usize]) -> Data {
        Data { buf: Arc::new(buf), strides: row_major_strides(shape), offset: 0 }
    }
    /// A row-major layout over a shared buffer.
    pub(crate) fn contiguous_arc(buf: Arc<Buffer>, shape: &[usize]) -> Data {
        Data { buf, strides: row_major_strides(shape), offset: 0 }
    }
}

impl Drop for Node {
    /// Drops an unevaluated graph without recursion: a chain of a million
    /// pending nodes must not overflow the stack.
    fn drop(&mut self) {
        let mut stack: Vec<Array> = Vec::new();
        if let State::Pending(p) = self.state.get_mut().unwrap_or_else(|e| e.into_inner()) {
            stack.append(&mut p.inputs);
        }
        if let Some(mut h) = self.history.take() {
            stack.append(&mut h.inputs);
        }
        while let Some(a) = stack.pop() {
            if let Some(mut node) = Arc::into_inner(a.0) {
                if let State::Pending(p) = node.state.get_mut().unwrap_or_else(|e| e.into_inner()) {
                    stack.append(&mut p.inputs);
                }
                if let Some(mut h) = node.history.take() {
                    stack.append(&mut h.inputs);
                }
            }
        }
    }
}

impl Array {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A pending node.
    pub(crate) fn pending(shape: Shape, dtype: Dtype, stream: Stream, prim: Primitive, inputs: Vec<Array>) -> Array {
        Array(Arc::new(Node {
            shape,
            dtype,
            stream,
            state: Mutex::new(State::Pending(Pending { prim, inputs, siblings: Vec::new(), position: 0 })),
            history: std::sync::OnceLock::new(),
        }))
    }

    /// The outputs of a multi-output primitive, kept as siblings.
    pub(crate) fn pending_multi(
        outputs: Vec<(Shape, Dtype)>,
        stream: Stream,
        prim: Primitive,
        inputs: Vec<Array>,
    ) -> Vec<Array> {
        let n = outputs.len();
        let arrays: Vec<Array> = outputs
            .into_iter()
            .enumerate()
            .map(|(position, (shape, dtype))| {
                Array(Arc::new(Node {
                    shape,
                    dtype,
                    stream,
                    state: Mutex::new(State::Pending(Pending {
                        prim: prim.clone(),
                        inputs: inputs.clone(),
                        siblings: Vec::with_capacity(n),
                        position,
                    })),
                    history: std::sync::OnceLock::new(),
                }))
            })
            .collect();
        let weak: Vec<Weak<Node>> = arrays.iter().map(|a| Arc::downgrade(&a.0)).collect();
        for a in &arrays {
            if let State::Pending(p) = &mut *a.lock() {
                p.siblings = weak.clone();
            }
        }
        arrays
    }

    /// A ready array over `data`.
    pub(crate) fn ready(shape: Shape, dtype: Dtype, stream: Stream, data: Data) -> Array {
        Array(Arc::new(Node {
            shape,
            dtype,
            stream,
            state: Mutex::new(State::Ready(data)),
            history: std::sync::OnceLock::new(),
        }))
    }

    /// An array holding a copy of `data`, laid out row-major in `shape`.
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Result<Array> {
        let n = checked_size(shape)?;
        if n != data.len() {
            return Err(Error::shape(format!(
                "from_slice: {} elements cannot fill shape {} ({} elements)",
                data.len(),
                fmt_shape(shape),
                n
            )));
        }
        let bytes = crate::ops::check_bytes(shape, T::DTYPE)?;
        let buf = Buffer::alloc(bytes)?;
        // SAFETY: the buffer holds `bytes` bytes, exactly `n` elements of T, and is 64-byte aligned.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), buf.as_mut_ptr() as *mut T, n) };
        Ok(Array::ready(shape.to_vec(), T::DTYPE, current_stream()?, Data::contiguous(buf, shape)))
    }

    /// An array holding a copy of `bytes`, the row-major elements of `shape`
    /// in `dtype` (native byte order), as NumPy's buffers hold them.
    pub fn from_bytes(bytes: &[u8], shape: &[usize], dtype: Dtype) -> Result<Array> {
        let n = checked_size(shape)?;
        let want = crate::ops::check_bytes(shape, dtype)?;
        if bytes.len() != want {
            return Err(Error::value(format!(
                "from_bytes: {} bytes cannot fill shape {} of {dtype} ({n} elements, {want} bytes)",
                bytes.len(),
                fmt_shape(shape)
            )));
        }
        if dtype == Dtype::Bool && bytes.iter().any(|&b| b > 1) {
            return Err(Error::value("from_bytes: a bool is stored as the byte 0 or 1"));
        }
        let buf = Buffer::alloc(want)?;
        // SAFETY: the buffer holds `want` bytes and `bytes` has exactly that many.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.as_mut_ptr(), want) };
        Ok(Array::ready(shape.to_vec(), dtype, current_stream()?, Data::contiguous(buf, shape)))
    }

    /// The elements in row-major order as bytes (native byte order); evaluates.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        crate::dispatch_dtype!(self.dtype(), T => {
            let v: Vec<T> = self.to_vec()?;
            let n = v.len() * std::mem::size_of::<T>();
            let mut out = vec![0u8; n];
            // SAFETY: every element type is plain data of size_of::<T>() bytes (bool is one byte, 0 or 1).
            unsafe { std::ptr::copy_nonoverlapping(v.as_ptr().cast::<u8>(), out.as_mut_ptr(), n) };
            Ok(out)
        })
    }

    /// A 1-D array holding `data`.
    pub fn from_vec<T: Element>(data: Vec<T>) -> Result<Array> {
        let n = data.len();
        Array::from_slice(&data, &[n])
    }

    /// A 0-d array holding `value`.
    pub fn scalar<T: Element>(value: T) -> Result<Array> {
        Array::from_slice(&[value], &[])
    }

    /// Dimensions.
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }
    /// Size of one dimension (negative counts from the end).
    pub fn dim(&self, axis: i64) -> Result<usize> {
        let a = crate::shape::normalize_axis("dim", axis, self.ndim())?;
        Ok(self.0.shape[a])
    }
    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.0.shape.len()
    }
    /// Number of elements.
    pub fn size(&self) -> usize {
        size_of(&self.0.shape)
    }
    /// Element type.
    pub fn dtype(&self) -> Dtype {
        self.0.dtype
    }
    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        self.0.dtype.size()
    }
    /// Bytes of all elements.
    pub fn nbytes(&self) -> usize {
        self.size() * self.itemsize()
    }
    /// The stream this array is computed on.
    pub fn stream(&self) -> Stream {
        self.0.stream
    }
    /// A number identifying this node while it lives.
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }
    /// Has this array been computed?
    pub fn is_evaluated(&self) -> bool {
        matches!(&*self.lock(), State::Ready(_))
    }
    /// The primitive of a pending array (for inspection and tests).
    pub fn primitive(&self) -> Option<Primitive> {
        match &*self.lock() {
            State::Pending(p) => Some(p.prim.clone()),
            _ => None,
        }
    }
    /// The inputs of a pending array.
    pub fn inputs(&self) -> Vec<Array> {
        match &*self.lock() {
            State::Pending(p) => p.inputs.clone(),
            _ => Vec::new(),
        }
    }
    /// The other outputs of this array's multi-output primitive (empty if none).
    pub fn siblings(&self) -> Vec<Array> {
        match &*self.lock() {
            State::Pending(p) => p
                .siblings
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != p.position)
                .filter_map(|(_, w)| w.upgrade().map(Array))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The layout of a ready array.
    pub(crate) fn data(&self) -> Result<Data> {
        match &*self.lock() {
            State::Ready(d) => Ok(d.clone()),
            _ => Err(Error::Runtime("internal: array read before it was evaluated".into())),
        }
    }

    /// Does this array share its buffer with `other` (views of one another)?
    pub fn shares_buffer_with(&self, other: &Array) -> bool {
        match (self.data(), other.data()) {
            (Ok(a), Ok(b)) => Arc::ptr_eq(&a.buf, &b.buf),
            _ => false,
        }
    }

    /// The identity and size in bytes of a ready array's buffer, which its
    /// views share (None before evaluation).
    pub fn buffer(&self) -> Option<(usize, usize)> {
        self.data().ok().map(|d| (Arc::as_ptr(&d.buf) as usize, d.buf.size()))
    }

    /// A ready array's data as an array of `stream`, without a copy: for
    /// data computed on one stream (a cast on the CPU of values read from
    /// the host) that belongs to another.
    pub fn on_stream(&self, stream: Stream) -> Result<Array> {
        let data = self.data().map_err(|_| Error::value("on_stream: the array must be evaluated first"))?;
        Ok(Array::ready(self.0.shape.clone(), self.0.dtype, stream, data))
    }

    /// Strides in elements of a ready array (None before evaluation).
    pub fn strides(&self) -> Option<Vec<isize>> {
        self.data().ok().map(|d| d.strides)
    }

    /// Computes this array (and what it needs).
    pub fn eval(&self) -> Result<()> {
        crate::eval::eval(std::slice::from_ref(self))
    }

    /// The single element, converted to `T` as `astype` converts.
    pub fn item<T: Element>(&self) -> Result<T> {
        if self.size() != 1 {
            return Err(Error::value(format!(
                "item: only arrays of one element can be read as a scalar, got shape {}",
                fmt_shape(self.shape())
            )));
        }
        let v = self.to_vec::<T>()?;
        v.into_iter().next().ok_or_else(|| Error::Runtime("item: empty read".into()))
    }

    /// All elements in row-major order, converted to `T` as `astype` converts.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let a = if self.dtype() == T::DTYPE { self.clone() } else { crate::ops::astype(self, T::DTYPE)? };
        a.eval()?;
        let d = a.data()?;
        d.buf.ensure_host()?;
        Ok(crate::backend::cpu::read_to_vec::<T>(&d, a.shape()))
    }
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::format::format_array(self))
    }
}

impl std::fmt::Display for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::format::format_array(self))
    }
}
