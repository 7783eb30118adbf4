import CConvLabKernels
import ConvLabCore
import Foundation

/// The device path on the CPU: memory is host memory, a launch runs the kernel's CPU build
/// (the same source as the GPU's, see Sources/CConvLabKernels) over every index in turn with the
/// packed argument array, and GEMM is OpenBLAS. Slow by design — it exists so that the tests
/// exercise all the code a GPU run executes except the driver calls.
public final class HostEngine: ComputeEngine, @unchecked Sendable {
  /// Freed buffers kept for reuse, as on the GPU (so the tests exercise the cache too).
  public let cache = BufferCache()

  public init() {}

  deinit { for address in cache.drain() { Foundation.free(pointer(address)) } }

  public var name: String { "CPU (the CUDA kernels compiled for the host)" }

  public func allocate(_ bytes: Int) throws -> UInt64 {
    if let reused = cache.take(bytes), let p = pointer(reused) {
      // Garbage again, so that a kernel that leaves an element unwritten is caught.
      memset(p, 0x7F, bytes)
      return reused
    }
    guard bytes > 0, let p = malloc(bytes) else { throw ConvLabError("could not allocate \(bytes) bytes of host memory for the device path.") }
    // Garbage, as cuMemAlloc would leave it: a kernel that forgets to write an element shows.
    memset(p, 0x7F, bytes)
    return UInt64(UInt(bitPattern: p))
  }

  public func free(_ address: UInt64, bytes: Int) { cache.park(address, bytes: bytes) }

  func pointer(_ address: UInt64) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: UInt(address)) }

  public func upload(_ source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws {
    pointer(address)?.copyMemory(from: source, byteCount: bytes)
  }

  public func download(_ address: UInt64, to target: UnsafeMutableRawPointer, bytes: Int) throws {
    if let p = pointer(address) { target.copyMemory(from: p, byteCount: bytes) }
  }

  public func zero(_ address: UInt64, bytes: Int) throws {
    if let p = pointer(address) { memset(p, 0, bytes) }
  }

  public func launch(_ name: String, total: Int, _ arguments: [KernelArgument]) throws {
    guard let kernel = cl_cpu_find(name) else { throw ConvLabError("no kernel named \(name) in ConvLab's kernel source.") }
    guard total > 0 else { return }
    KernelArgument.withPacked(arguments, total: total) { kernel($0) }
  }

  /// On the CPU a reduction is the same loop over outputs as any kernel (its terms summed in order).
  public func reduce(_ name: String, outputs: Int, _ arguments: [KernelArgument]) throws {
    try launch(name, total: outputs, arguments)
  }

  public func gemm(
    _ precision: Precision, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UInt64, lda: Int, b: UInt64, ldb: Int, beta: Double, c: UInt64, ldc: Int
  ) throws {
    guard m > 0, n > 0 else { return }
    func run<S: Scalar>(_: S.Type) {
      guard let pa = pointer(a), let pb = pointer(b), let pc = pointer(c) else { return }
      S.gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: S(alpha), a: pa.assumingMemoryBound(to: S.self), lda: lda,
        b: pb.assumingMemoryBound(to: S.self), ldb: ldb, beta: S(beta), c: pc.assumingMemoryBound(to: S.self), ldc: ldc)
    }
    precision == .f32 ? run(Float.self) : run(Double.self)
  }

  public func synchronize() throws {}

  public func elapsed(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// Every kernel name in the source (both precisions), for the tests.
  public static var kernelNames: [String] {
    (0..<Int(cl_cpu_kernel_count())).compactMap { cl_cpu_kernel_name(Int32($0)).map { String(cString: $0) } }
  }
}
