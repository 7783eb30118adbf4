import ConvLabCore

/// Unaligned vector loads and stores on tensor storage, shared by the fast kernels that work in
/// SIMD lanes (sums, the direct convolution, max-pool backward).
enum SIMDMemory {
  @inline(__always)
  static func load<V: SIMD>(_ p: UnsafePointer<V.Scalar>, as _: V.Type = V.self) -> V {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
  }

  @inline(__always)
  static func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<V.Scalar>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  }
}
