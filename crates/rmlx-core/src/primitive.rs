//! Every operation the lazy graph can hold, as plain data. Adding a variant
//! makes the compiler point at every place that must learn it (shape rules in
//! `ops`, kernels in `backend`).

use crate::dtype::Dtype;

/// An enum of ops with `ALL`, every variant in declaration order, so that no
/// list of every op is kept by hand.
macro_rules! op_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($v:ident,)* }) => {
        $(#[$m])*
        pub enum $name {
            $($v,)*
        }
        impl $name {
            /// Every op, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
        }
    };
}

/// How an elementwise op takes part in a fused chain (one kernel for a run
/// of elementwise nodes on the GPU).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fusion {
    /// Not fused: its dtype changes, or it has no chain form.
    No,
    /// Fused, and cheap: a chain of such ops alone runs the light kernel.
    Light,
    /// Fused (transcendental or otherwise costly).
    Full,
}

op_enum! {
/// Elementwise functions of one array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Abs,
    Sign,
    Negative,
    Exp,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sqrt,
    Rsqrt,
    Square,
    Reciprocal,
    Sin,
    Cos,
    Tan,
    Arcsin,
    Arccos,
    Arctan,
    Sinh,
    Cosh,
    Tanh,
    Arcsinh,
    Arccosh,
    Arctanh,
    Erf,
    Erfinv,
    Sigmoid,
    Floor,
    Ceil,
    Round,
    Trunc,
    Real,
    Imag,
    Conj,
    IsNan,
    IsInf,
    IsPosInf,
    IsNegInf,
    IsFinite,
    LogicalNot,
    BitwiseInvert,
}
}

impl UnaryOp {
    /// Whether and how the op joins a fused chain (its result has the
    /// input's float dtype when it does).
    pub fn fusion(self) -> Fusion {
        use UnaryOp::*;
        match self {
            Abs | Negative | Square | Floor | Ceil | Trunc => Fusion::Light,
            Sign | Exp | Expm1 | Log | Log2 | Log10 | Log1p | Sqrt | Rsqrt | Reciprocal | Sin | Cos | Tan | Arcsin
            | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Erf | Erfinv | Sigmoid | Round => {
                Fusion::Full
            }
            Real | Imag | Conj | IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | LogicalNot | BitwiseInvert => {
                Fusion::No
            }
        }
    }

    /// The dtype of the kernel's result for an input of `dt`: bool for the
    /// predicates, float32 for the parts and magnitude of complex64, else `dt`.
    pub fn kernel_dtype(self, dt: Dtype) -> Dtype {
        use UnaryOp::*;
        match self {
            IsNan | IsInf | IsPosInf | IsNegInf | IsFinite | LogicalNot => Dtype::Bool,
            Abs | Real | Imag if dt == Dtype::Complex64 => Dtype::Float32,
            Abs | Sign | Negative | Exp | Expm1 | Log | Log2 | Log10 | Log1p | Sqrt | Rsqrt | Square | Reciprocal
            | Sin | Cos | Tan | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Erf
            | Erfinv | Sigmoid | Floor | Ceil | Round | Trunc | Real | Imag | Conj | BitwiseInvert => dt,
        }
    }
}

op_enum! {
/// Elementwise functions of two arrays of one dtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    FloorDivide,
    Remainder,
    Power,
    Maximum,
    Minimum,
    LogAddExp,
    Arctan2,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    LogicalAnd,
    LogicalOr,
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
    LeftShift,
    RightShift,
}
}

impl BinaryOp {
    /// Whether and how the op joins a fused chain (float in, the same float out).
    pub fn fusion(self) -> Fusion {
        use BinaryOp::*;
        match self {
            Add | Subtract | Multiply | Divide | Maximum | Minimum => Fusion::Light,
            FloorDivide | Remainder | Power | LogAddExp | Arctan2 => Fusion::Full,
            Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | LogicalAnd | LogicalOr | BitwiseAnd
            | BitwiseOr | BitwiseXor | LeftShift | RightShift => Fusion::No,
        }
    }

    /// Comparisons give bool whatever their inputs.
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Equal | NotEqual | Less | LessEqual | Greater | GreaterEqual | LogicalAnd | LogicalOr)
    }
}

/// Reductions that fold a set of axes into one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    Sum,
    Prod,
    Min,
    Max,
    All,
    Any,
}

/// Reductions that return an index along one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgReduceOp {
    ArgMin,
    ArgMax,
}

/// How `pad` fills the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadMode {
    /// The value given (the second input).
    Constant,
    /// The nearest edge value.
    Edge,
}

/// One node's operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Primitive {
    /// `start + i * step` along a 1-D output.
    Arange {
        start: f64,
        step: f64,
    },
    Unary(UnaryOp),
    Binary(BinaryOp),
    /// Two outputs: floor quotient and remainder.
    DivMod,
    /// `where(cond, x, y)`.
    Select,
    AsType(Dtype),
    /// Reduces `axes`, keeping them as size-1 dimensions.
    Reduce {
        op: ReduceOp,
        axes: Vec<usize>,
    },
    /// Index of the min/max along `axis`, kept as a size-1 dimension.
    ArgReduce {
        op: ArgReduceOp,
        axis: usize,
    },
    /// Softmax (or log-softmax) over the last axis.
    Softmax {
        log: bool,
        precise: bool,
    },
    /// log(sum(exp(x))) over the last axis, kept as a size-1 dimension.
    LogSumExp,
    /// Median over the last axis, kept as a size-1 dimension.
    Median,
    /// Batched matrix product of two arrays with equal batch shapes.
    Matmul,
    /// To the node's shape; a view when the input's layout allows, else a copy.
    Reshape,
    Transpose {
        perm: Vec<usize>,
    },
    BroadcastTo,
    /// A strided window: `starts[i] + k * steps[i]` along each axis.
    Slice {
        starts: Vec<usize>,
        steps: Vec<isize>,
    },
    /// A view with the given strides and offset (in elements) into the input's data.
    AsStrided {
        strides: Vec<isize>,
        offset: usize,
    },
    /// A row-major copy (sharing the input's buffer when it is row-major).
    Contiguous,
    /// A row-major copy into a fresh buffer, never shared.
    Copy,
    /// The input itself (sharing its buffer), but a constant for the
    /// transformations: no cotangent flows back through it and its tangent
    /// is zero.
    StopGradient,
    /// The same bytes read as another dtype.
    View(Dtype),
    Concatenate {
        axis: usize,
    },
    Pad {
        low: Vec<usize>,
        high: Vec<usize>,
        mode: PadMode,
    },
    /// Elements of input 0 at the int64 indices of input 1 along `axis`:
    /// output shape `a[..axis] + indices + a[axis + 1..]`. Negative indices
    /// count from the end; indices still outside `[0, n)` are clamped.
    Take {
        axis: usize,
    },
    /// A copy of input 0 with the elements at the flat (row-major) int64
    /// positions of input 1 combined with input 2 (same shape as input 1),
    /// in order; positions wrap once from the end and are then clamped.
    Scatter {
        mode: ScatterMode,
    },
    /// The inverse of `Take`: a copy of input 0 with the blocks of input 2
    /// (shape `a[..axis] + indices + a[axis + 1..]`) combined into the rows
    /// that the int64 indices of input 1 name along `axis` (wrapped once
    /// from the end, then clamped); repeated rows accumulate for every mode
    /// but `Set`.
    ScatterAxis {
        mode: ScatterMode,
        axis: usize,
    },
    /// Threefry-2x32 random bits (MLX's layout) from the uint32 keys of
    /// input 0, of shape `K + [2]`: the output is `K + S`, `width` bytes an
    /// element (uint8, uint16, uint32), the elements of shape `S` of key k
    /// drawn from key k alone.
    RandomBits {
        width: usize,
    },
    /// Float32 standard normals from the uint32 bits `RandomBits { width: 4 }`
    /// gives for the same keys and shape: each word `b` becomes
    /// `sqrt(2) * erfinv(2 * (b / 2^32 clamped below 1) - 1 + 2^-24)`, in
    /// float32 with one rounding per step, so both devices give equal bits.
    RandomNormal,
    /// The last axis sorted (stable; NaN last; -0.0 equal to 0.0), or with
    /// `arg` the uint32 indices that sort it.
    Sort {
        arg: bool,
    },
    /// For each element of input 1, the uint32 insertion index into the
    /// sorted 1-D input 0 (the first such index, or the last with `right`).
    SearchSorted {
        right: bool,
    },
    /// A running `op` along `axis`, from the end with `reverse`; without
    /// `inclusive` output i combines the elements before i only (the first
    /// output is the identity).
    Scan {
        op: ScanOp,
        axis: usize,
        reverse: bool,
        inclusive: bool,
    },
    /// A convolution (a correlation unless `flip`), channels last (MLX's
    /// layout): input 0 `(N, spatial..., C_in)`, weight input 1
    /// `(C_out, kernel..., C_in / groups)`, output `(N, spatial..., C_out)`,
    /// of one floating dtype. The same node on every device; each backend
    /// picks its kernel when it runs (im2col into the GEMM, or cuDNN).
    Conv(ConvArgs),
    /// A function with its own transformation rules (`CustomFunction`):
    /// the first `n_primals` inputs are its arguments, the rest its results
    /// as the wrapped function computed them, which this node passes on.
    Custom(crate::transforms::CustomRef),
}

/// The arguments of a convolution, one value per spatial dimension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConvArgs {
    pub stride: Vec<usize>,
    /// Zeros added before and after each spatial dimension.
    pub padding: Vec<(usize, usize)>,
    pub kernel_dilation: Vec<usize>,
    pub input_dilation: Vec<usize>,
    pub groups: usize,
    /// Flip the kernel (a true convolution rather than a correlation).
    pub flip: bool,
}

impl ConvArgs {
    /// Stride 1, no padding, no dilation, one group, for `d` spatial dimensions.
    pub fn new(d: usize) -> Self {
        ConvArgs {
            stride: vec![1; d],
            padding: vec![(0, 0); d],
            kernel_dilation: vec![1; d],
            input_dilation: vec![1; d],
            groups: 1,
            flip: false,
        }
    }

    /// Whether the convolution with kernel sizes `ks` reads each output
    /// pixel's input pixel alone (a 1 x ... x 1 kernel, unit strides, no
    /// padding or dilation): a matrix product of the input itself.
    pub(crate) fn is_pointwise(&self, ks: &[usize]) -> bool {
        ks.iter().all(|&k| k == 1)
            && self.stride.iter().all(|&v| v == 1)
            && self.input_dilation.iter().all(|&v| v == 1)
            && self.padding.iter().all(|&p| p == (0, 0))
    }
}

/// What a scan combines with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScanOp {
    Sum,
    Prod,
    Max,
    Min,
    /// log(exp(a) + exp(b)).
    LogAddExp,
}

/// How `scatter` combines an update with the element it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScatterMode {
    /// Replace it (with repeated positions, the last update wins on the CPU;
    /// on the GPU one of them does).
    Set,
    Add,
    Prod,
    Max,
    Min,
}

impl Primitive {
    /// Views share their input's buffer instead of writing a new one.
    pub fn is_view(&self) -> bool {
        matches!(
            self,
            Primitive::Transpose { .. }
                | Primitive::BroadcastTo
                | Primitive::Slice { .. }
                | Primitive::AsStrided { .. }
                | Primitive::View(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_lists_hold_every_variant_once() {
        assert_eq!(UnaryOp::ALL.len(), 42);
        assert_eq!(BinaryOp::ALL.len(), 24);
        for (i, a) in UnaryOp::ALL.iter().enumerate() {
            assert!(!UnaryOp::ALL[i + 1..].contains(a), "{a:?} twice");
        }
        for (i, a) in BinaryOp::ALL.iter().enumerate() {
            assert!(!BinaryOp::ALL[i + 1..].contains(a), "{a:?} twice");
        }
    }

    #[test]
    fn fused_ops_keep_their_float_dtype() {
        for &op in UnaryOp::ALL {
            if op.fusion() != Fusion::No {
                for dt in [Dtype::Float16, Dtype::Bfloat16, Dtype::Float32, Dtype::Float64] {
                    assert_eq!(op.kernel_dtype(dt), dt, "{op:?} on {dt}");
                }
            }
        }
        for &op in BinaryOp::ALL {
            assert!(op.fusion() == Fusion::No || !op.is_comparison(), "{op:?} gives bool and cannot fuse");
        }
        let fused = UnaryOp::ALL.iter().filter(|o| o.fusion() != Fusion::No).count();
        assert_eq!(fused, 32);
        assert_eq!(BinaryOp::ALL.iter().filter(|o| o.fusion() != Fusion::No).count(), 11);
    }
}
