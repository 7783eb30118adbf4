import ConvLabCore
import Foundation

/// The CUDA libraries, loaded at run time with dlopen: ConvLab has no link-time CUDA dependency,
/// so one binary runs everywhere and says in one line why the GPU path is unavailable.
///
/// Search order for each library: the directories in `CONVLAB_CUDA_LIB_PATH` (colon-separated),
/// the dynamic loader's own path, then `/usr/local/cuda/targets/x86_64-linux/lib` and
/// `/usr/local/cuda/lib64`. NVRTC and cuBLAS are tried as `.so.13`, then `.so.12`.
public final class CUDALibraries: @unchecked Sendable {
  public static let shared = CUDALibraries()

  /// The handle and path of each library that loaded; the reason for each that did not.
  public let driver: Result<Loaded, ConvLabError>
  public let nvrtc: Result<Loaded, ConvLabError>
  public let cublas: Result<Loaded, ConvLabError>

  public struct Loaded: @unchecked Sendable {
    public let path: String
    let handle: UnsafeMutableRawPointer

    /// A C function of this library, typed.
    func function<F>(_ name: String, as _: F.Type) throws -> F {
      guard let symbol = dlsym(handle, name) else { throw ConvLabError("\(path) has no symbol \(name).") }
      return unsafeBitCast(symbol, to: F.self)
    }
  }

  static var searchDirectories: [String] {
    let custom = (ProcessInfo.processInfo.environment["CONVLAB_CUDA_LIB_PATH"] ?? "").split(separator: ":").map(String.init)
    return custom + [""] + ["/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/cuda/lib64"]
  }

  /// dlopen of the first name found in the search directories.
  static func load(_ names: [String]) -> Result<Loaded, ConvLabError> {
    for directory in searchDirectories {
      for name in names {
        let path = directory.isEmpty ? name : (directory as NSString).appendingPathComponent(name)
        if let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) { return .success(Loaded(path: path, handle: handle)) }
      }
    }
    return .failure(ConvLabError("\(names.joined(separator: " or ")) not found"))
  }

  init() {
    driver = Self.load(["libcuda.so.1"])
    nvrtc = Self.load(["libnvrtc.so.13", "libnvrtc.so.12"])
    cublas = Self.load(["libcublas.so.13", "libcublas.so.12"])
  }
}

/// The NVIDIA driver API calls `convlab info` needs (CUDA Driver API: cuInit, cuDevice*).
public struct CUDADevice: Sendable {
  public let name: String
  public let computeCapability: (major: Int, minor: Int)
  public let memoryBytes: Int
  public let driverVersion: Int

  typealias IntOut = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32

  /// The first GPU, or why there is none.
  public static func first() throws -> CUDADevice {
    let lib = try CUDALibraries.shared.driver.get()
    let cuInit = try lib.function("cuInit", as: (@convention(c) (UInt32) -> Int32).self)
    let driverGetVersion = try lib.function("cuDriverGetVersion", as: IntOut.self)
    let getCount = try lib.function("cuDeviceGetCount", as: IntOut.self)
    let getDevice = try lib.function("cuDeviceGet", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
    let getName = try lib.function("cuDeviceGetName", as: (@convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32).self)
    let getAttribute = try lib.function("cuDeviceGetAttribute", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32).self)
    let totalMem = try lib.function("cuDeviceTotalMem_v2", as: (@convention(c) (UnsafeMutablePointer<Int>, Int32) -> Int32).self)
    let status = cuInit(0)
    guard status == 0 else { throw ConvLabError("cuInit failed with CUDA error \(status) (no usable GPU or driver).") }
    var count: Int32 = 0
    var version: Int32 = 0
    var device: Int32 = 0
    _ = driverGetVersion(&version)
    guard getCount(&count) == 0, count > 0 else { throw ConvLabError("the CUDA driver reports no GPU.") }
    guard getDevice(&device, 0) == 0 else { throw ConvLabError("cuDeviceGet(0) failed.") }
    var name = [CChar](repeating: 0, count: 256)
    _ = getName(&name, Int32(name.count), device)
    var major: Int32 = 0
    var minor: Int32 = 0
    var bytes = 0
    // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75, _MINOR = 76.
    _ = getAttribute(&major, 75, device)
    _ = getAttribute(&minor, 76, device)
    _ = totalMem(&bytes, device)
    return CUDADevice(name: text(name), computeCapability: (Int(major), Int(minor)), memoryBytes: bytes, driverVersion: Int(version))
  }
}

/// cuBLAS's version (cublasGetProperty: MAJOR = 0, MINOR = 1, PATCH = 2).
public enum CuBLAS {
  public static func version() throws -> String {
    let lib = try CUDALibraries.shared.cublas.get()
    let property = try lib.function("cublasGetProperty", as: (@convention(c) (Int32, UnsafeMutablePointer<Int32>) -> Int32).self)
    var parts: [Int32] = [0, 0, 0]
    for k in 0..<3 { _ = property(Int32(k), &parts[k]) }
    return parts.map(String.init).joined(separator: ".")
  }
}
