import ConvLabBlocks
import ConvLabCore
import ConvLabDevice
import Foundation

/// The device path on an NVIDIA GPU: the driver API for memory and launches, NVRTC for the
/// kernels (compiled once per process for the device's compute capability), cuBLAS for GEMM —
/// all loaded with dlopen (`CUDALibraries`). Strict FP32: cuBLAS runs in its default math mode
/// (no TF32) unless `tf32` is asked for.
public final class CUDAEngine: ComputeEngine, @unchecked Sendable {
  public let device: CUDADevice
  public let name: String
  let driver: Driver
  let blas: BLAS
  let module: OpaquePointer
  let multiprocessors: Int
  /// The device's primary context and cuCtxSetCurrent: a context is current per thread, so every
  /// entry point makes it current on the calling thread (cheap: a thread-local store).
  let context: OpaquePointer?
  let setCurrent: @convention(c) (OpaquePointer?) -> Int32
  private var functions: [String: OpaquePointer] = [:]
  /// Freed buffers kept for reuse (every step of a training run allocates the same sizes).
  let cache = BufferCache()
  private let lock = NSLock()

  /// The driver entry points ConvLab uses (CUDA Driver API, cuda.h).
  struct Driver {
    typealias Address = UInt64
    let memAlloc: @convention(c) (UnsafeMutablePointer<Address>, Int) -> Int32
    let memFree: @convention(c) (Address) -> Int32
    let memcpyHtoD: @convention(c) (Address, UnsafeRawPointer, Int) -> Int32
    let memcpyDtoH: @convention(c) (UnsafeMutableRawPointer, Address, Int) -> Int32
    let memsetD8: @convention(c) (Address, UInt8, Int) -> Int32
    let moduleLoadData: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeRawPointer) -> Int32
    let moduleGetFunction: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer, UnsafePointer<CChar>) -> Int32
    let launchKernel:
      @convention(c) (
        OpaquePointer, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
      ) -> Int32
    let ctxSynchronize: @convention(c) () -> Int32
    let eventCreate: @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32) -> Int32
    let eventRecord: @convention(c) (OpaquePointer, OpaquePointer?) -> Int32
    let eventSynchronize: @convention(c) (OpaquePointer) -> Int32
    let eventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, OpaquePointer, OpaquePointer) -> Int32
    let eventDestroy: @convention(c) (OpaquePointer) -> Int32
    let errorString: @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32

    init(_ lib: CUDALibraries.Loaded) throws {
      memAlloc = try lib.function("cuMemAlloc_v2", as: type(of: memAlloc))
      memFree = try lib.function("cuMemFree_v2", as: type(of: memFree))
      memcpyHtoD = try lib.function("cuMemcpyHtoD_v2", as: type(of: memcpyHtoD))
      memcpyDtoH = try lib.function("cuMemcpyDtoH_v2", as: type(of: memcpyDtoH))
      memsetD8 = try lib.function("cuMemsetD8_v2", as: type(of: memsetD8))
      moduleLoadData = try lib.function("cuModuleLoadData", as: type(of: moduleLoadData))
      moduleGetFunction = try lib.function("cuModuleGetFunction", as: type(of: moduleGetFunction))
      launchKernel = try lib.function("cuLaunchKernel", as: type(of: launchKernel))
      ctxSynchronize = try lib.function("cuCtxSynchronize", as: type(of: ctxSynchronize))
      eventCreate = try lib.function("cuEventCreate", as: type(of: eventCreate))
      eventRecord = try lib.function("cuEventRecord", as: type(of: eventRecord))
      eventSynchronize = try lib.function("cuEventSynchronize", as: type(of: eventSynchronize))
      eventElapsedTime = try lib.function("cuEventElapsedTime", as: type(of: eventElapsedTime))
      eventDestroy = try lib.function("cuEventDestroy_v2", as: type(of: eventDestroy))
      errorString = try lib.function("cuGetErrorString", as: type(of: errorString))
    }

    /// Throws "what: CUDA error N (text)" for a non-zero status.
    func check(_ status: Int32, _ what: @autoclosure () -> String) throws {
      guard status != 0 else { return }
      var text: UnsafePointer<CChar>? = nil
      _ = errorString(status, &text)
      throw ConvLabError("\(what()): CUDA error \(status) (\(text.map { String(cString: $0) } ?? "unknown")).")
    }
  }

  /// cuBLAS: a handle and the two GEMMs (cublas_v2.h; CUBLAS_OP_N = 0, CUBLAS_OP_T = 1).
  struct BLAS {
    /// α and β are passed by host pointer (CUBLAS_POINTER_MODE_HOST); A, B, C are device addresses.
    typealias Gemm =
      @convention(c) (
        OpaquePointer, Int32, Int32, Int32, Int32, Int32, UnsafeRawPointer, UInt64, Int32,
        UInt64, Int32, UnsafeRawPointer, UInt64, Int32
      ) -> Int32
    let handle: OpaquePointer
    let sgemm: Gemm
    let dgemm: Gemm

    init(_ lib: CUDALibraries.Loaded, tf32: Bool) throws {
      let create = try lib.function("cublasCreate_v2", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32).self)
      let setMathMode = try lib.function("cublasSetMathMode", as: (@convention(c) (OpaquePointer, Int32) -> Int32).self)
      sgemm = try lib.function("cublasSgemm_v2", as: Gemm.self)
      dgemm = try lib.function("cublasDgemm_v2", as: Gemm.self)
      var h: OpaquePointer? = nil
      let status = create(&h)
      guard status == 0, let h else { throw ConvLabError("cublasCreate failed with cuBLAS status \(status).") }
      handle = h
      // CUBLAS_DEFAULT_MATH = 0 (strict FP32), CUBLAS_TF32_TENSOR_OP_MATH = 3.
      _ = setMathMode(h, tf32 ? 3 : 0)
    }
  }

  /// Opens the first GPU, retains its primary context, compiles the kernels with NVRTC for its
  /// compute capability (or reads them from `PTXCache`) and loads them; every failure is one line saying which step failed.
  public init(tf32: Bool = false) throws {
    let libraries = CUDALibraries.shared
    let lib: CUDALibraries.Loaded
    do { lib = try libraries.driver.get() } catch {
      throw ConvLabError("the CUDA path is unavailable: \(error) (no NVIDIA driver on this machine; `convlab info` says more).")
    }
    device = try CUDADevice.first()
    name = "\(device.name), compute capability \(device.computeCapability.major).\(device.computeCapability.minor)"
    let driver = try Driver(lib)
    self.driver = driver
    let deviceGet = try lib.function("cuDeviceGet", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    let retain = try lib.function("cuDevicePrimaryCtxRetain", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32) -> Int32).self)
    let setCurrent = try lib.function("cuCtxSetCurrent", as: (@convention(c) (OpaquePointer?) -> Int32).self)
    let attribute = try lib.function("cuDeviceGetAttribute", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32).self)
    var ordinal: Int32 = 0
    var context: OpaquePointer? = nil
    var count: Int32 = 0
    try driver.check(deviceGet(&ordinal, 0), "cuDeviceGet")
    try driver.check(retain(&context, ordinal), "cuDevicePrimaryCtxRetain")
    try driver.check(setCurrent(context), "cuCtxSetCurrent")
    self.context = context
    self.setCurrent = setCurrent
    // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16.
    _ = attribute(&count, 16, ordinal)
    multiprocessors = max(1, Int(count))
    let architecture = "compute_\(device.computeCapability.major)\(device.computeCapability.minor)"
    let ptx = try PTXCache.convlabPTX(architecture: architecture, driver: device.driverVersion)
    var loaded: OpaquePointer? = nil
    try ptx.withCString { try driver.check(driver.moduleLoadData(&loaded, $0), "loading the kernels' PTX (\(architecture))") }
    guard let loaded else { throw ConvLabError("cuModuleLoadData returned no module.") }
    module = loaded
    blas = try BLAS(try libraries.cublas.get(), tf32: tf32)
  }

  /// Makes the context current on this thread.
  func current() throws { try driver.check(setCurrent(context), "cuCtxSetCurrent") }

  public func allocate(_ bytes: Int) throws -> UInt64 {
    if let reused = cache.take(bytes) { return reused }
    try current()
    var address: UInt64 = 0
    var status = driver.memAlloc(&address, max(1, bytes))
    if status == 2 {  // out of memory: give back the cached buffers and try once more
      for parked in cache.drain() { _ = driver.memFree(parked) }
      status = driver.memAlloc(&address, max(1, bytes))
    }
    if status == 2 {  // CUDA_ERROR_OUT_OF_MEMORY
      throw ConvLabError("the GPU is out of memory: \(bytes) bytes (\(JacobianBudget.formatBytes(Double(bytes)))) requested, \(JacobianBudget.formatBytes(Double(device.memoryBytes))) in all.")
    }
    try driver.check(status, "cuMemAlloc of \(bytes) bytes")
    return address
  }

  public func free(_ address: UInt64, bytes: Int) { cache.park(address, bytes: bytes) }

  public func upload(_ source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws {
    try current()
    try driver.check(driver.memcpyHtoD(address, source, bytes), "copying \(bytes) bytes to the GPU")
  }

  public func download(_ address: UInt64, to target: UnsafeMutableRawPointer, bytes: Int) throws {
    try current()
    try driver.check(driver.memcpyDtoH(target, address, bytes), "copying \(bytes) bytes from the GPU")
  }

  public func zero(_ address: UInt64, bytes: Int) throws {
    try current()
    try driver.check(driver.memsetD8(address, 0, bytes), "cuMemsetD8")
  }

  func function(_ name: String) throws -> OpaquePointer {
    lock.lock()
    defer { lock.unlock() }
    if let f = functions[name] { return f }
    var f: OpaquePointer? = nil
    try driver.check(driver.moduleGetFunction(&f, module, name), "finding kernel \(name)")
    guard let f else { throw ConvLabError("no kernel named \(name).") }
    functions[name] = f
    return f
  }

  /// 256 threads per block; at most 32 blocks per multiprocessor (the loops are grid-stride).
  public func launch(_ name: String, total: Int, _ arguments: [KernelArgument]) throws {
    try start(name, blocks: (total + 255) / 256, total: total, arguments)
  }

  /// One block of 256 threads per output (at most 32 blocks per multiprocessor; the blocks loop).
  public func reduce(_ name: String, outputs: Int, _ arguments: [KernelArgument]) throws {
    try start(name, blocks: outputs, total: outputs, arguments)
  }

  /// Queues kernel `name` on the default stream: `blocks` blocks (capped) of 256 threads.
  func start(_ name: String, blocks: Int, total: Int, _ arguments: [KernelArgument]) throws {
    guard total > 0 else { return }
    try current()
    let f = try function(name)
    let grid = UInt32(min(blocks, multiprocessors * 32))
    try KernelArgument.withPacked(arguments, total: total) { params in
      try driver.check(driver.launchKernel(f, grid, 1, 1, 256, 1, 1, 0, nil, params, nil), "launching \(name)")
    }
  }

  public func gemm(
    _ precision: Precision, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UInt64, lda: Int, b: UInt64, ldb: Int, beta: Double, c: UInt64, ldc: Int
  ) throws {
    guard m > 0, n > 0 else { return }
    try current()
    let (ta, tb) = (Int32(transA ? 1 : 0), Int32(transB ? 1 : 0))
    let status: Int32
    switch precision {
    case .f32:
      var (al, be) = (Float(alpha), Float(beta))
      status = blas.sgemm(blas.handle, ta, tb, Int32(m), Int32(n), Int32(k), &al, a, Int32(lda), b, Int32(ldb), &be, c, Int32(ldc))
    case .f64:
      var (al, be) = (alpha, beta)
      status = blas.dgemm(blas.handle, ta, tb, Int32(m), Int32(n), Int32(k), &al, a, Int32(lda), b, Int32(ldb), &be, c, Int32(ldc))
    }
    guard status == 0 else { throw ConvLabError("cuBLAS \(precision == .f32 ? "S" : "D")gemm (\(m)×\(n)×\(k)) failed with status \(status).") }
  }

  public func synchronize() throws {
    try current()
    try driver.check(driver.ctxSynchronize(), "a kernel failed (reported at synchronization)")
  }

  /// Device time between two events recorded on the default stream around `body`.
  public func elapsed(_ body: () throws -> Void) throws -> Double {
    try current()
    var start: OpaquePointer? = nil
    var end: OpaquePointer? = nil
    try driver.check(driver.eventCreate(&start, 0), "cuEventCreate")
    try driver.check(driver.eventCreate(&end, 0), "cuEventCreate")
    guard let start, let end else { throw ConvLabError("cuEventCreate returned no event.") }
    defer {
      _ = driver.eventDestroy(start)
      _ = driver.eventDestroy(end)
    }
    try driver.check(driver.eventRecord(start, nil), "cuEventRecord")
    try body()
    try driver.check(driver.eventRecord(end, nil), "cuEventRecord")
    try driver.check(driver.eventSynchronize(end), "a kernel failed (reported at the timing event)")
    var ms: Float = 0
    try driver.check(driver.eventElapsedTime(&ms, start, end), "cuEventElapsedTime")
    return Double(ms) / 1e3
  }
}
