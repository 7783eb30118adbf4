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
}

extension Float: Scalar {
  public static var npyDescr: String { "<f4" }
  public static var precisionName: String { "Float32" }

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
