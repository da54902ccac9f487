//! Matrix products on the GPU through cuBLASLt.
//!
//! The rest of the backend describes a (possibly batched) row-major product
//! `C[b] = A[b] @ B[b]` with a [`Gemm`] and calls [`gemm`]. This module turns
//! that description into a cuBLASLt call, which works on column-major
//! matrices (see [`gemm`] for how the two conventions are matched).
//!
//! Everything that is costly to set up is made once and kept for the life of
//! the process:
//!
//! - one cuBLASLt handle per device;
//! - one 32 MiB workspace per (device, stream) pair, so that products running
//!   at the same time on two streams of one device never share scratch memory;
//! - one plan per shape: the matmul descriptor, the three matrix layouts and
//!   the algorithm picked by the cuBLASLt heuristic.
//!
//! All of it sits behind one mutex, which is also held while the product is
//! enqueued; the enqueue itself is asynchronous, so the lock is held briefly.

use crate::dtype::Dtype;
use crate::error::{Error, Result};
use cudarc::cublaslt::result as ltr;
use cudarc::cublaslt::sys as lt;
use cudarc::driver::sys as drv;
use cudarc::driver::sys::{CUdeviceptr, CUstream};
use std::collections::HashMap;
use std::ffi::{c_void, CStr};
use std::mem::MaybeUninit;
use std::sync::{Mutex, OnceLock, PoisonError};

/// One (possibly batched) ROW-MAJOR product `C[b] = A[b] @ B[b]`, with `A[b]`
/// of shape (m, k), `B[b]` of shape (k, n) and `C[b]` of shape (m, n).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gemm {
    /// The dtype of A, B and C: Float32, Float16, Bfloat16, Float64 or Complex64.
    pub dtype: Dtype,
    /// Rows of A and C.
    pub m: usize,
    /// Columns of B and C.
    pub n: usize,
    /// Columns of A and rows of B.
    pub k: usize,
    /// The number of products (at least 1).
    pub batch: usize,
    /// The address of element (0, 0) of `A[0]`.
    pub a: CUdeviceptr,
    /// When `!a_trans`, `A[i][p]` is at element `a + i*lda + p` (row-major A);
    /// when `a_trans`, it is at `a + p*lda + i` (column-major A, that is A^T row-major).
    pub lda: usize,
    /// Whether A is stored column-major (see `lda`).
    pub a_trans: bool,
    /// Elements between `A[b]` and `A[b+1]` (0: the same A for every product).
    pub stride_a: i64,
    /// The address of element (0, 0) of `B[0]`.
    pub b: CUdeviceptr,
    /// When `!b_trans`, `B[p][j]` is at element `b + p*ldb + j`;
    /// when `b_trans`, it is at `b + j*ldb + p`.
    pub ldb: usize,
    /// Whether B is stored column-major (see `ldb`).
    pub b_trans: bool,
    /// Elements between `B[b]` and `B[b+1]` (0: the same B for every product).
    pub stride_b: i64,
    /// The output, written row-major: `C[b][i][j]` is at `c + b*stride_c + i*ldc + j`.
    pub c: CUdeviceptr,
    /// Elements between rows of C (at least n; n when dense).
    pub ldc: usize,
    /// Elements between `C[b]` and `C[b+1]` (m * n when dense).
    pub stride_c: i64,
}

/// Bytes of device memory in each workspace.
const WORKSPACE_BYTES: usize = 32 << 20;

/// `cublasOperation_t` values (the cuBLAS module of cudarc, which defines the
/// enum, is not enabled; cuBLASLt takes them as `int32_t`).
const OP_N: i32 = 0;
const OP_T: i32 = 1;

/// Scale values handed to cuBLASLt by host pointer (alpha = 1, beta = 0).
static ONE_F32: f32 = 1.0;
static ZERO_F32: f32 = 0.0;
static ONE_F64: f64 = 1.0;
static ZERO_F64: f64 = 0.0;
static ONE_C32: [f32; 2] = [1.0, 0.0];
static ZERO_C32: [f32; 2] = [0.0, 0.0];

/// How one dtype is handed to cuBLASLt.
#[derive(Clone, Copy)]
struct Types {
    /// The type of A, B, C and D.
    data: lt::cudaDataType,
    /// The type of alpha and beta.
    scale: lt::cudaDataType,
    /// The accumulation type.
    compute: lt::cublasComputeType_t,
}

impl Types {
    /// The cuBLASLt types for `dtype`; `tf32` lets float32 products use TF32 tensor cores.
    fn of(dtype: Dtype, tf32: bool) -> Result<Types> {
        use lt::cublasComputeType_t as C;
        use lt::cudaDataType as D;
        let (data, scale, compute) = match dtype {
            Dtype::Float32 if tf32 => (D::CUDA_R_32F, D::CUDA_R_32F, C::CUBLAS_COMPUTE_32F_FAST_TF32),
            Dtype::Float32 => (D::CUDA_R_32F, D::CUDA_R_32F, C::CUBLAS_COMPUTE_32F),
            Dtype::Float16 => (D::CUDA_R_16F, D::CUDA_R_32F, C::CUBLAS_COMPUTE_32F),
            Dtype::Bfloat16 => (D::CUDA_R_16BF, D::CUDA_R_32F, C::CUBLAS_COMPUTE_32F),
            Dtype::Float64 => (D::CUDA_R_64F, D::CUDA_R_64F, C::CUBLAS_COMPUTE_64F),
            Dtype::Complex64 => (D::CUDA_C_32F, D::CUDA_C_32F, C::CUBLAS_COMPUTE_32F),
            other => {
                return Err(Error::Dtype(format!(
                    "matmul on the GPU (cuBLASLt) does not support dtype {}; \
                     it supports float32, float16, bfloat16, float64 and complex64",
                    other.name()
                )))
            }
        };
        Ok(Types { data, scale, compute })
    }

    /// Host pointers to alpha = 1 and beta = 0 in the scale type.
    fn alpha_beta(self) -> (*const c_void, *const c_void) {
        match self.scale {
            lt::cudaDataType::CUDA_R_64F => (std::ptr::from_ref(&ONE_F64).cast(), std::ptr::from_ref(&ZERO_F64).cast()),
            lt::cudaDataType::CUDA_C_32F => (std::ptr::from_ref(&ONE_C32).cast(), std::ptr::from_ref(&ZERO_C32).cast()),
            _ => (std::ptr::from_ref(&ONE_F32).cast(), std::ptr::from_ref(&ZERO_F32).cast()),
        }
    }
}

/// Everything a plan depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    device: usize,
    dtype: Dtype,
    tf32: bool,
    m: usize,
    n: usize,
    k: usize,
    batch: usize,
    lda: usize,
    ldb: usize,
    a_trans: bool,
    b_trans: bool,
    stride_a: i64,
    stride_b: i64,
    ldc: usize,
    stride_c: i64,
    /// The alignments (bytes, a power of two up to 256) of the A, B and C
    /// addresses: the heuristic is told them, and the algorithm it picks may
    /// rely on them, so a plan is only reused for addresses aligned as well.
    align: [u32; 3],
}

/// The cached cuBLASLt objects for one [`Key`]. They are never destroyed.
struct Plan {
    desc: lt::cublasLtMatmulDesc_t,
    /// Layouts of cuBLASLt's A (our B), cuBLASLt's B (our A), and C (= D).
    layouts: [lt::cublasLtMatrixLayout_t; 3],
    algo: lt::cublasLtMatmulAlgo_t,
}
// SAFETY: cuBLASLt descriptors are plain host-side objects that any thread may
// use; a plan is only touched while the state mutex is held.
unsafe impl Send for Plan {}

/// A cuBLASLt handle.
struct Handle(lt::cublasLtHandle_t);
// SAFETY: as for `Plan`: the handle is only used while the state mutex is held.
unsafe impl Send for Handle {}

/// Every cached object of this module.
#[derive(Default)]
struct State {
    /// One handle per device.
    handles: HashMap<usize, Handle>,
    /// One workspace per (device, stream address).
    workspaces: HashMap<(usize, usize), CUdeviceptr>,
    plans: HashMap<Key, Plan>,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Whether libcublasLt could be found, checked once.
static LIBRARY_PRESENT: OnceLock<bool> = OnceLock::new();

/// cuBLASLt geometry of one matrix operand, in cuBLASLt's column-major terms.
#[derive(Debug, Clone, Copy)]
struct Operand {
    /// Rows of the matrix as stored (before `op` is applied).
    rows: u64,
    /// Columns of the matrix as stored.
    cols: u64,
    /// Elements between two stored columns.
    ld: i64,
    /// Elements between two batch items.
    stride: i64,
    /// `OP_N` or `OP_T`.
    op: i32,
}

/// One call of [`gemm`]: the request and what error messages should name.
struct Call<'a> {
    device: usize,
    g: &'a Gemm,
    tf32: bool,
}

impl Call<'_> {
    /// A description of the product, for error messages.
    fn describe(&self) -> String {
        let g = self.g;
        format!(
            "{} matmul on gpu({}) with m={}, n={}, k={}, batch={}, a_trans={}, lda={}, stride_a={}, \
             b_trans={}, ldb={}, stride_b={}, tf32={}",
            g.dtype.name(),
            self.device,
            g.m,
            g.n,
            g.k,
            g.batch,
            g.a_trans,
            g.lda,
            g.stride_a,
            g.b_trans,
            g.ldb,
            g.stride_b,
            self.tf32
        )
    }

    /// The error for a failed cuBLASLt call.
    fn lt_error(&self, what: &str, status: lt::cublasStatus_t) -> Error {
        Error::Runtime(format!("cuBLASLt {what} failed with {status:?} for a {}", self.describe()))
    }

    /// Turns a cuBLASLt status into a `Result`, naming the call.
    fn lt_check(&self, what: &str, status: lt::cublasStatus_t) -> Result<()> {
        if status == lt::cublasStatus_t::CUBLAS_STATUS_SUCCESS {
            Ok(())
        } else {
            Err(self.lt_error(what, status))
        }
    }

    /// Converts a size to the integer type cuBLASLt wants, or reports it as too large.
    fn int<T: TryFrom<usize>>(&self, what: &str, v: usize) -> Result<T> {
        T::try_from(v)
            .map_err(|_| Error::Runtime(format!("{what} = {v} is too large for cuBLASLt in a {}", self.describe())))
    }

    /// The geometry of a stored column-major matrix of `rows` x `cols` with
    /// leading dimension `ld` (see [`gemm`] for why `ld` may be raised).
    fn operand(&self, name: &str, rows: usize, cols: usize, ld: usize, stride: i64, trans: bool) -> Result<Operand> {
        // cuBLASLt requires ld >= rows. The caller may give a smaller ld when
        // the stored matrix has a single column (for example A of shape (1, k)
        // not transposed, where lda is a row stride that is never used): the
        // leading dimension is then never stepped over, so any value at least
        // `rows` addresses the same elements. With two or more columns a
        // smaller ld would make columns overlap, which cuBLASLt cannot express.
        let ld = if cols <= 1 { ld.max(rows) } else { ld };
        if ld < rows {
            return Err(Error::Runtime(format!(
                "cuBLASLt needs the leading dimension of {name} to be at least {rows}, got {ld}, in a {}",
                self.describe()
            )));
        }
        Ok(Operand {
            rows: self.int("rows", rows)?,
            cols: self.int("columns", cols)?,
            ld: self.int("leading dimension", ld)?,
            stride,
            op: if trans { OP_T } else { OP_N },
        })
    }

    /// The three operands in cuBLASLt's terms: its A (our B), its B (our A) and C.
    fn operands(&self) -> Result<[Operand; 3]> {
        let g = self.g;
        // Our B (k x n) is cuBLASLt's A, which must be n x k after its op.
        let lt_a = if g.b_trans {
            // B[p][j] at b + j*ldb + p: column-major k x n with ld = ldb, i.e. B
            // itself; transposing it gives B^T (n x k).
            self.operand("B", g.k, g.n, g.ldb, g.stride_b, true)?
        } else {
            // B[p][j] at b + p*ldb + j: column-major n x k with ld = ldb, i.e. B^T.
            self.operand("B", g.n, g.k, g.ldb, g.stride_b, false)?
        };
        // Our A (m x k) is cuBLASLt's B, which must be k x m after its op.
        let lt_b = if g.a_trans {
            // A[i][p] at a + p*lda + i: column-major m x k with ld = lda, i.e. A
            // itself; transposing it gives A^T (k x m).
            self.operand("A", g.m, g.k, g.lda, g.stride_a, true)?
        } else {
            // A[i][p] at a + i*lda + p: column-major k x m with ld = lda, i.e. A^T.
            self.operand("A", g.k, g.m, g.lda, g.stride_a, false)?
        };
        // C[i][j] at c + i*ldc + j: column-major n x m with ld = ldc, i.e. C^T.
        if g.ldc < g.n {
            return Err(Error::Runtime(format!("internal: ldc < n in a {}", self.describe())));
        }
        let c = Operand {
            rows: self.int("n", g.n)?,
            cols: self.int("m", g.m)?,
            ld: self.int("ldc", g.ldc)?,
            stride: g.stride_c,
            op: OP_N,
        };
        Ok([lt_a, lt_b, c])
    }
}

/// The largest power of two (up to 256) that divides `addr`, in bytes.
fn alignment(addr: CUdeviceptr) -> u32 {
    1u32 << addr.trailing_zeros().min(8)
}

/// A CUDA driver status as text, for error messages.
fn driver_error_text(r: drv::CUresult) -> String {
    let mut p: *const std::ffi::c_char = std::ptr::null();
    // SAFETY: cuGetErrorString only writes a pointer to a static string into `p`
    // (or leaves it untouched for an unknown status).
    unsafe { drv::cuGetErrorString(r, &mut p) };
    if p.is_null() {
        format!("{r:?}")
    } else {
        // SAFETY: the driver returned a NUL-terminated string that lives for the process.
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy();
        format!("{r:?}: {s}")
    }
}

/// Fails with `Error::Device` when libcublasLt cannot be loaded. cudarc loads
/// the library on the first call into it and panics when it is absent, so
/// this runs before any such call.
fn check_library() -> Result<()> {
    // SAFETY: `is_culib_present` only tries to open the library files (which
    // runs their initialisers, as any use of cuBLASLt would) and closes them.
    let present = *LIBRARY_PRESENT.get_or_init(|| unsafe { lt::is_culib_present() });
    if present {
        Ok(())
    } else {
        Err(Error::Device(
            "cuBLASLt (libcublasLt.so.13) could not be loaded: no cuBLASLt library was found on the \
             library search path (install the CUDA 13 cuBLAS libraries or add their folder to LD_LIBRARY_PATH)"
                .to_string(),
        ))
    }
}

/// cuBLASLt objects being built for a plan; whatever is still held when this
/// is dropped (because a step failed) is destroyed.
struct Pending {
    desc: lt::cublasLtMatmulDesc_t,
    layouts: [lt::cublasLtMatrixLayout_t; 3],
    pref: lt::cublasLtMatmulPreference_t,
}

impl Drop for Pending {
    fn drop(&mut self) {
        // While unwinding from a panic inside cudarc (a missing symbol), calling
        // into the library again could panic a second time and abort: leak instead.
        if std::thread::panicking() {
            return;
        }
        // Statuses are ignored: this only runs on the way out of an earlier error.
        // SAFETY: each non-null pointer was created by the matching cuBLASLt create
        // call, is owned by this struct alone and is destroyed once here.
        unsafe {
            if !self.pref.is_null() {
                let _ = lt::cublasLtMatmulPreferenceDestroy(self.pref);
            }
            for &l in &self.layouts {
                if !l.is_null() {
                    let _ = lt::cublasLtMatrixLayoutDestroy(l);
                }
            }
            if !self.desc.is_null() {
                let _ = lt::cublasLtMatmulDescDestroy(self.desc);
            }
        }
    }
}

/// Creates the descriptors of `call` and asks the heuristic for an algorithm.
fn build_plan(call: &Call, handle: lt::cublasLtHandle_t, types: Types, align: [u32; 3]) -> Result<Plan> {
    let operands = call.operands()?;
    let batch: i32 = call.int("batch", call.g.batch)?;
    let mut p = Pending { desc: std::ptr::null_mut(), layouts: [std::ptr::null_mut(); 3], pref: std::ptr::null_mut() };

    p.desc = ltr::create_matmul_desc(types.compute, types.scale)
        .map_err(|e| call.lt_error("cublasLtMatmulDescCreate", e.0))?;
    for (attr, op) in [
        (lt::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSA, operands[0].op),
        (lt::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSB, operands[1].op),
    ] {
        // SAFETY: `p.desc` is a live descriptor; the attribute is an int32_t and
        // `op` is an i32 that outlives the call (cuBLASLt copies the value).
        unsafe {
            ltr::set_matmul_desc_attribute(p.desc, attr, std::ptr::from_ref(&op).cast(), std::mem::size_of::<i32>())
        }
        .map_err(|e| call.lt_error("cublasLtMatmulDescSetAttribute(TRANSA/TRANSB)", e.0))?;
    }

    for (slot, o) in p.layouts.iter_mut().zip(operands.iter()) {
        *slot = ltr::create_matrix_layout(types.data, o.rows, o.cols, o.ld)
            .map_err(|e| call.lt_error("cublasLtMatrixLayoutCreate", e.0))?;
        // SAFETY: `*slot` is a live layout; BATCH_COUNT is an int32_t and
        // STRIDED_BATCH_OFFSET an int64_t, matching the sizes passed; the values
        // outlive the calls (cuBLASLt copies them).
        unsafe {
            ltr::set_matrix_layout_attribute(
                *slot,
                lt::cublasLtMatrixLayoutAttribute_t::CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                std::ptr::from_ref(&batch).cast(),
                std::mem::size_of::<i32>(),
            )
            .map_err(|e| call.lt_error("cublasLtMatrixLayoutSetAttribute(BATCH_COUNT)", e.0))?;
            ltr::set_matrix_layout_attribute(
                *slot,
                lt::cublasLtMatrixLayoutAttribute_t::CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                std::ptr::from_ref(&o.stride).cast(),
                std::mem::size_of::<i64>(),
            )
            .map_err(|e| call.lt_error("cublasLtMatrixLayoutSetAttribute(STRIDED_BATCH_OFFSET)", e.0))?;
        }
    }

    p.pref = ltr::create_matmul_pref().map_err(|e| call.lt_error("cublasLtMatmulPreferenceCreate", e.0))?;
    let workspace_bytes = WORKSPACE_BYTES as u64;
    // SAFETY: `p.pref` is a live preference; MAX_WORKSPACE_BYTES is a uint64_t.
    unsafe {
        ltr::set_matmul_pref_attribute(
            p.pref,
            lt::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
            std::ptr::from_ref(&workspace_bytes).cast(),
            std::mem::size_of::<u64>(),
        )
    }
    .map_err(|e| call.lt_error("cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)", e.0))?;
    // Our A is cuBLASLt's B and our B its A; C and D share the address c.
    let [align_a, align_b, align_c] = align;
    for (attr, value) in [
        (lt::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, align_b),
        (lt::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, align_a),
        (lt::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, align_c),
        (lt::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, align_c),
    ] {
        // SAFETY: `p.pref` is a live preference; the alignments are uint32_t.
        unsafe {
            ltr::set_matmul_pref_attribute(p.pref, attr, std::ptr::from_ref(&value).cast(), std::mem::size_of::<u32>())
        }
        .map_err(|e| call.lt_error("cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)", e.0))?;
    }

    let mut result = MaybeUninit::<lt::cublasLtMatmulHeuristicResult_t>::uninit();
    let mut count: std::ffi::c_int = 0;
    // SAFETY: every descriptor is live; `result` has room for the one result
    // asked for and `count` receives how many were written.
    let status = unsafe {
        lt::cublasLtMatmulAlgoGetHeuristic(
            handle,
            p.desc,
            p.layouts[0],
            p.layouts[1],
            p.layouts[2],
            p.layouts[2],
            p.pref,
            1,
            result.as_mut_ptr(),
            &mut count,
        )
    };
    call.lt_check("cublasLtMatmulAlgoGetHeuristic", status)?;
    if count < 1 {
        return Err(Error::Runtime(format!(
            "cuBLASLt cublasLtMatmulAlgoGetHeuristic found no algorithm for a {}",
            call.describe()
        )));
    }
    // SAFETY: the call succeeded and reported at least one result written.
    let result = unsafe { result.assume_init() };
    call.lt_check("cublasLtMatmulAlgoGetHeuristic (result state)", result.state)?;

    // Keep the descriptors: clear them from `p` so that its drop (which still
    // destroys the preference, no longer needed) leaves them alone.
    let plan = Plan { desc: p.desc, layouts: p.layouts, algo: result.algo };
    p.desc = std::ptr::null_mut();
    p.layouts = [std::ptr::null_mut(); 3];
    Ok(plan)
}

/// Runs `g` on `stream` of device `device` (the caller has made that device's
/// CUDA context current on this thread). The product is only enqueued: it has
/// finished once `stream` has.
///
/// # How the row-major product maps onto cuBLASLt
///
/// cuBLASLt computes the column-major product `D = op(A') op(B')`. A
/// row-major (m x n) C laid out densely is, read column-major, the (n x m)
/// matrix C^T, and `C^T = B^T A^T`. So cuBLASLt's A' is our B, its B' is our
/// A, and its sizes are m' = n, n' = m, k' = k. Each operand is described by
/// the matrix its memory holds when read column-major with the caller's
/// leading dimension (layouts give the stored rows and columns, before op):
///
/// | ours              | memory read column-major     | cuBLASLt op | becomes      |
/// |-------------------|------------------------------|-------------|--------------|
/// | B, `!b_trans`     | B^T: n x k, ld = ldb         | N           | B^T (n x k)  |
/// | B, `b_trans`      | B: k x n, ld = ldb           | T           | B^T (n x k)  |
/// | A, `!a_trans`     | A^T: k x m, ld = lda         | N           | A^T (k x m)  |
/// | A, `a_trans`      | A: m x k, ld = lda           | T           | A^T (k x m)  |
/// | C (= D)           | C^T: n x m, ld = n           | -           | C^T (n x m)  |
///
/// Batch strides go with their operand (`stride_b` on cuBLASLt's A,
/// `stride_a` on its B, m*n on C and D); a stride of 0 reuses one matrix for
/// every product. A leading dimension smaller than the stored rows is raised
/// to the rows when the stored matrix has one column, since it is then never
/// used; otherwise it is an error.
pub(crate) fn gemm(device: usize, stream: CUstream, g: &Gemm) -> Result<()> {
    check_library()?;
    let tf32 = g.dtype == Dtype::Float32 && crate::knobs::knobs().enable_tf32;
    let types = Types::of(g.dtype, tf32)?;
    let call = Call { device, g, tf32 };
    if g.m == 0 || g.n == 0 || g.k == 0 || g.batch == 0 {
        return Err(Error::Runtime(format!("cuBLASLt cannot run an empty product: {}", call.describe())));
    }
    let align = [alignment(g.a), alignment(g.b), alignment(g.c)];
    let key = Key {
        device,
        dtype: g.dtype,
        tf32,
        m: g.m,
        n: g.n,
        k: g.k,
        batch: g.batch,
        lda: g.lda,
        ldb: g.ldb,
        a_trans: g.a_trans,
        b_trans: g.b_trans,
        stride_a: g.stride_a,
        stride_b: g.stride_b,
        ldc: g.ldc,
        stride_c: g.stride_c,
        align,
    };

    // A panic while the lock was held (only possible from inside cudarc) leaves
    // the maps consistent: entries are inserted only once complete.
    let mut guard = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    let state = guard.get_or_insert_with(State::default);

    let handle = match state.handles.get(&device) {
        Some(h) => h.0,
        None => {
            let h = ltr::create_handle().map_err(|e| call.lt_error("cublasLtCreate", e.0))?;
            state.handles.insert(device, Handle(h));
            h
        }
    };

    let workspace = match state.workspaces.get(&(device, stream as usize)) {
        Some(&w) => w,
        None => {
            let mut w: CUdeviceptr = 0;
            // SAFETY: the caller made the device's context current; `w` receives
            // the address of a fresh allocation that is kept for the process life.
            let r = unsafe { drv::cuMemAlloc_v2(&mut w, WORKSPACE_BYTES) };
            if r != drv::CUresult::CUDA_SUCCESS {
                let msg = format!(
                    "cuMemAlloc_v2 of the {} MiB cuBLASLt workspace failed ({}) for a {}",
                    WORKSPACE_BYTES >> 20,
                    driver_error_text(r),
                    call.describe()
                );
                return Err(if r == drv::CUresult::CUDA_ERROR_OUT_OF_MEMORY {
                    Error::OutOfMemory(msg)
                } else {
                    Error::Runtime(msg)
                });
            }
            state.workspaces.insert((device, stream as usize), w);
            w
        }
    };

    let plan = match state.plans.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(build_plan(&call, handle, types, align)?),
    };

    let (alpha, beta) = types.alpha_beta();
    // SAFETY: the handle, descriptors and algorithm are live and were made for
    // this shape and dtype on this device; alpha and beta point to statics of
    // the scale type (host pointer mode); the caller guarantees that a, b and c
    // address device memory of the described extent on this device; the
    // workspace holds WORKSPACE_BYTES and is used by this stream alone.
    let status = unsafe {
        lt::cublasLtMatmul(
            handle,
            plan.desc,
            alpha,
            g.b as usize as *const c_void,
            plan.layouts[0],
            g.a as usize as *const c_void,
            plan.layouts[1],
            beta,
            g.c as usize as *const c_void,
            plan.layouts[2],
            g.c as usize as *mut c_void,
            plan.layouts[2],
            &plan.algo,
            workspace as usize as *mut c_void,
            WORKSPACE_BYTES,
            stream.cast(),
        )
    };
    call.lt_check("cublasLtMatmul", status)?;
    crate::backend::count_launch();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gemm_desc(m: usize, n: usize, k: usize, a_trans: bool, b_trans: bool) -> Gemm {
        Gemm {
            dtype: Dtype::Float32,
            m,
            n,
            k,
            batch: 1,
            a: 0,
            lda: if a_trans { m } else { k },
            a_trans,
            stride_a: 0,
            b: 0,
            ldb: if b_trans { k } else { n },
            b_trans,
            stride_b: 0,
            c: 0,
            ldc: n,
            stride_c: (m * n) as i64,
        }
    }

    #[test]
    fn operands_follow_the_row_major_mapping() -> Result<()> {
        let g = gemm_desc(2, 3, 4, false, false);
        let call = Call { device: 0, g: &g, tf32: false };
        let [a, b, c] = call.operands()?;
        // cuBLASLt's A is our B read column-major: B^T, n x k, ld = ldb = n.
        assert_eq!((a.rows, a.cols, a.ld, a.op), (3, 4, 3, OP_N));
        // cuBLASLt's B is our A read column-major: A^T, k x m, ld = lda = k.
        assert_eq!((b.rows, b.cols, b.ld, b.op), (4, 2, 4, OP_N));
        assert_eq!((c.rows, c.cols, c.ld, c.stride), (3, 2, 3, 6));

        let g = gemm_desc(2, 3, 4, true, true);
        let call = Call { device: 0, g: &g, tf32: false };
        let [a, b, _] = call.operands()?;
        assert_eq!((a.rows, a.cols, a.ld, a.op), (4, 3, 4, OP_T));
        assert_eq!((b.rows, b.cols, b.ld, b.op), (2, 4, 2, OP_T));
        Ok(())
    }

    #[test]
    fn small_leading_dimensions_are_raised_only_for_one_column() -> Result<()> {
        // m == 1, A not transposed: stored k x 1, so lda is never stepped over.
        let mut g = gemm_desc(1, 3, 4, false, false);
        g.lda = 1;
        let call = Call { device: 0, g: &g, tf32: false };
        let [_, b, _] = call.operands()?;
        assert_eq!(b.ld, 4);
        // n > 1 with ldb < n makes columns overlap: refused.
        let mut g = gemm_desc(2, 3, 4, false, false);
        g.ldb = 2;
        let call = Call { device: 0, g: &g, tf32: false };
        assert!(call.operands().is_err());
        Ok(())
    }

    #[test]
    fn alignment_is_capped_at_256() {
        assert_eq!(alignment(0), 256);
        assert_eq!(alignment(4096), 256);
        assert_eq!(alignment(0x1004), 4);
        assert_eq!(alignment(0x1002), 2);
    }

    #[test]
    fn unsupported_dtypes_are_refused() {
        assert!(matches!(Types::of(Dtype::Int32, false), Err(Error::Dtype(_))));
        assert!(Types::of(Dtype::Bfloat16, false).is_ok());
    }
}
