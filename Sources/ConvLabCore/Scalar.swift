import CBLAS
import RealModule

/// The element types ConvLab computes in: `Float` (sgemm) and `Double` (dgemm).
///
/// Every block, the notation layer and the checks are generic over `Scalar`, so the same code
/// runs in single precision for speed and in double precision for verification (Docs/blocks-and-jacobians.md:
/// "relative error ≤ 1e-9 between literal and fast in Double").
public protocol Scalar: Real, BinaryFloatingPoint, SIMDScalar, Codable, Sendable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
  /// NumPy's dtype string for this type (`<f4`, `<f8`).
  static var npyDescr: String { get }
  /// Human-readable precision name (`Float32`, `Float64`).
  static var precisionName: String { get }

  /// C ← α op(A) op(B) + β C on column-major buffers (BLAS `?gemm`).
  static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Self, a: UnsafePointer<Self>, lda: Int,
    b: UnsafePointer<Self>, ldb: Int,
    beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// The evidence that this type is `Float`, or nil (`Double`): how code generic over the scalar
  /// reaches the Float32-only kernels (the AVX2 micro-kernel, the polynomial sigmoid, the C fill
  /// loops). A requirement, so the type's own conformance decides, not a cast at run time.
  static var singlePrecision: SinglePrecision<Self>? { get }
}

/// Evidence that the scalar type `S` is `Float`: the identity conversions between `S` and
/// `Float` values, written once, in `Float`'s conformance to `Scalar`. Only `Float` can make one
/// (the initializer is private to that conformance), so a value in hand proves `S == Float`;
/// generic code that holds one calls Float32 kernels with no cast and no copy.
public struct SinglePrecision<S: Scalar>: Sendable {
  /// A tensor of `S` as the same tensor of `Float` (shared storage).
  public let tensor: @Sendable (Tensor<S>) -> Tensor<Float>
  /// A tensor of `Float` as the same tensor of `S` (shared storage).
  public let result: @Sendable (Tensor<Float>) -> Tensor<S>
  /// A buffer of `S` as the same buffer of `Float`.
  public let pointer: @Sendable (UnsafePointer<S>) -> UnsafePointer<Float>
  /// A mutable buffer of `S` as the same buffer of `Float`.
  public let mutablePointer: @Sendable (UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float>

  fileprivate init(
    tensor: @escaping @Sendable (Tensor<S>) -> Tensor<Float>, result: @escaping @Sendable (Tensor<Float>) -> Tensor<S>,
    pointer: @escaping @Sendable (UnsafePointer<S>) -> UnsafePointer<Float>,
    mutablePointer: @escaping @Sendable (UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float>
  ) {
    (self.tensor, self.result, self.pointer, self.mutablePointer) = (tensor, result, pointer, mutablePointer)
  }
}

extension Float: Scalar {
  public static var npyDescr: String { "<f4" }
  public static var precisionName: String { "Float32" }
  /// `Float` is single precision: every conversion is the identity.
  public static var singlePrecision: SinglePrecision<Float>? {
    SinglePrecision(tensor: { $0 }, result: { $0 }, pointer: { $0 }, mutablePointer: { $0 })
  }

  @inlinable
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}

extension Double: Scalar {
  public static var npyDescr: String { "<f8" }
  public static var precisionName: String { "Float64" }
  /// `Double` has no Float32 kernels: generic code takes its generic loops and dgemm.
  public static var singlePrecision: SinglePrecision<Double>? { nil }

  @inlinable
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    cblas_dgemm(
      CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
