import ConvLabCore
import Foundation

/// Where the device path's kernels run: an NVIDIA GPU (`CUDAEngine` in ConvLabCUDA, driven
/// through the driver API, NVRTC and cuBLAS) or the CPU (`HostEngine`, which runs the same
/// kernel source compiled by the C compiler, and OpenBLAS for the GEMMs).
///
/// The block code above this protocol is shared: it allocates buffers, launches kernels by name
/// with the arguments cuLaunchKernel takes, and calls GEMM. Because `HostEngine` executes that
/// code exactly as the GPU would — same kernels, same argument arrays, same GEMM calls — the
/// tests check everything but the few driver calls without a GPU.
public protocol ComputeEngine: AnyObject, Sendable {
  /// "NVIDIA H100 …" or "CPU (kernels compiled for the host)".
  var name: String { get }
  /// A device allocation of `bytes` (never 0); throws a one-line error with the size on failure.
  /// Engines reuse freed buffers of the same size (`BufferCache`).
  func allocate(_ bytes: Int) throws -> UInt64
  func free(_ address: UInt64, bytes: Int)
  func upload(_ source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws
  func download(_ address: UInt64, to target: UnsafeMutableRawPointer, bytes: Int) throws
  func zero(_ address: UInt64, bytes: Int) throws
  /// Runs kernel `name` (with its precision suffix) over `total` indices; `arguments` are
  /// packed as cuLaunchKernel's `void **kernelParams`, with `total` appended as a C long.
  func launch(_ name: String, total: Int, _ arguments: [KernelArgument]) throws
  /// Runs reduction kernel `name` (a CL_REDUCTIONn) for `outputs` outputs: on the GPU one block
  /// of threads per output, which share its sum; arguments as for `launch`, with `outputs` as `total`.
  func reduce(_ name: String, outputs: Int, _ arguments: [KernelArgument]) throws
  /// C ← α op(A) op(B) + β C on column-major device buffers.
  func gemm(
    _ precision: Precision, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UInt64, lda: Int, b: UInt64, ldb: Int, beta: Double, c: UInt64, ldc: Int) throws
  /// Waits for queued work and reports an asynchronous kernel error, if any.
  func synchronize() throws
  /// Seconds the device spent on the work `body` queues (CUDA events on the GPU; wall time on
  /// the CPU), waiting for it to finish.
  func elapsed(_ body: () throws -> Void) throws -> Double
}

/// The element type of a buffer, as the kernels' name suffix.
public enum Precision: String, Sendable {
  case f32, f64

  public init<S: Scalar>(_: S.Type) { self = S.singlePrecision != nil ? .f32 : .f64 }
  public var bytes: Int { self == .f32 ? 4 : 8 }
}

/// One argument of a kernel launch: device memory, an integer, a floating-point value or a C
/// struct, passed by address as CUDA's `kernelParams` expects. A buffer argument holds its
/// allocation, so memory cannot be freed while a launch that uses it is being made.
public enum KernelArgument: Sendable {
  case buffer(DeviceMemory?, byteOffset: Int)
  case int32(Int32)
  case int64(Int64)
  case float(Float)
  case double(Double)
  case bytes([UInt8])

  public static func int(_ v: Int) -> KernelArgument { .int32(Int32(v)) }
  public static func long(_ v: Int) -> KernelArgument { .int64(Int64(v)) }
  /// A scalar of the kernel's element type T.
  public static func scalar<S: Scalar>(_ v: S) -> KernelArgument {
    S.singlePrecision != nil ? .float(Float(v)) : .double(Double(v))
  }
  /// A tensor's first element, or a null pointer.
  public static func tensor<S>(_ t: DeviceTensor<S>?) -> KernelArgument {
    .buffer(t?.memory, byteOffset: (t?.offset ?? 0) * MemoryLayout<S>.stride)
  }
  /// An allocation's start.
  public static func memory(_ m: DeviceMemory) -> KernelArgument { .buffer(m, byteOffset: 0) }
  /// A C struct (cl_conv_geometry, …) by value.
  public static func value<T>(_ v: T) -> KernelArgument { .bytes(withUnsafeBytes(of: v) { Array($0) }) }

  var byteCount: Int {
    switch self {
    case .buffer, .int64, .double: return 8
    case .int32, .float: return 4
    case .bytes(let b): return b.count
    }
  }

  /// The arguments (and `total`) laid out as `void *args[]`, each in 16-byte-aligned storage.
  public static func withPacked<R>(
    _ arguments: [KernelArgument], total: Int,
    _ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws -> R
  ) rethrows -> R {
    let all = arguments + [.int64(Int64(total))]
    let slots = all.map { ($0.byteCount + 15) / 16 * 16 }
    let storage = UnsafeMutableRawPointer.allocate(byteCount: max(16, slots.reduce(0, +)), alignment: 16)
    defer { storage.deallocate() }
    let pointers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: all.count)
    defer { pointers.deallocate() }
    var offset = 0
    for (k, argument) in all.enumerated() {
      let slot = storage + offset
      switch argument {
      case .buffer(let m, let offset): slot.storeBytes(of: m.map { $0.address + UInt64(offset) } ?? 0, as: UInt64.self)
      case .int32(let v): slot.storeBytes(of: v, as: Int32.self)
      case .int64(let v): slot.storeBytes(of: v, as: Int64.self)
      case .float(let v): slot.storeBytes(of: v, as: Float.self)
      case .double(let v): slot.storeBytes(of: v, as: Double.self)
      case .bytes(let b): b.withUnsafeBytes { slot.copyMemory(from: $0.baseAddress!, byteCount: b.count) }
      }
      pointers[k] = slot
      offset += slots[k]
    }
    return try body(pointers)
  }
}

/// An allocation in device memory, freed when the last tensor using it goes.
public final class DeviceMemory: @unchecked Sendable {
  public let engine: any ComputeEngine
  public let address: UInt64
  public let bytes: Int

  public init(bytes: Int, on engine: any ComputeEngine) throws {
    self.engine = engine
    self.bytes = max(1, bytes)
    self.address = try engine.allocate(self.bytes)
  }

  /// 32-bit integers (class labels) copied to the device.
  public convenience init(_ values: [Int32], on engine: any ComputeEngine) throws {
    try self.init(bytes: values.count * 4, on: engine)
    try values.withUnsafeBytes { b in if let base = b.baseAddress { try engine.upload(base, to: address, bytes: b.count) } }
  }

  deinit { engine.free(address, bytes: bytes) }
}

/// A tensor in device memory: MatConvNet layout; several tensors may view one allocation.
public struct DeviceTensor<S: Scalar>: Sendable {
  public let shape: Shape
  public let memory: DeviceMemory
  /// The first element's offset into `memory`, in elements.
  public let offset: Int

  public var engine: any ComputeEngine { memory.engine }
  public var address: UInt64 { memory.address + UInt64(offset * MemoryLayout<S>.stride) }
  public var count: Int { shape.count }
  var bytes: Int { shape.count * MemoryLayout<S>.stride }

  /// Uninitialized storage (every kernel writing it writes every element).
  public init(shape: Shape, on engine: any ComputeEngine) throws {
    self.shape = shape
    self.memory = try DeviceMemory(bytes: shape.count * MemoryLayout<S>.stride, on: engine)
    self.offset = 0
  }

  init(shape: Shape, memory: DeviceMemory, offset: Int) {
    self.shape = shape
    self.memory = memory
    self.offset = offset
  }

  /// Zeros.
  public static func zeros(_ shape: Shape, on engine: any ComputeEngine) throws -> DeviceTensor<S> {
    let t = try DeviceTensor(shape: shape, on: engine)
    try engine.zero(t.address, bytes: t.bytes)
    return t
  }

  /// A copy of a host tensor.
  public init(_ tensor: Tensor<S>, on engine: any ComputeEngine) throws {
    try self.init(shape: tensor.shape, on: engine)
    let target = address
    try tensor.storage.withUnsafeBytes { b in
      if let base = b.baseAddress { try engine.upload(base, to: target, bytes: b.count) }
    }
  }

  /// `shape.count` elements starting `offset` elements in, seen with `shape` (no copy).
  public func view(offset: Int = 0, _ shape: Shape) -> DeviceTensor<S> {
    precondition(self.offset + offset + shape.count <= memory.bytes / MemoryLayout<S>.stride, "a view past the end of its allocation")
    return DeviceTensor(shape: shape, memory: memory, offset: self.offset + offset)
  }

  /// The elements from `elements` on (a group's first channel, a filter group's columns).
  public func from(_ elements: Int) -> DeviceTensor<S> { view(offset: elements, Shape(count - elements, 1)) }

  public func host() throws -> Tensor<S> {
    var t = Tensor<S>(shape: shape)
    let source = address
    let engine = self.engine
    try t.storage.withUnsafeMutableBytes { b in
      if let base = b.baseAddress { try engine.download(source, to: base, bytes: b.count) }
    }
    return t
  }
}
