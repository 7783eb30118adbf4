import CConvLabKernels
import ConvLabCore
import Foundation

/// NVRTC, the runtime CUDA C++ compiler: ConvLab's kernels are compiled to PTX at first use for
/// the device's compute capability (no `-O3`: NVRTC rejects it; it optimizes by default).
public enum NVRTC {
  typealias Program = OpaquePointer?

  public static func version() throws -> (major: Int, minor: Int) {
    let lib = try CUDALibraries.shared.nvrtc.get()
    let f = try lib.function("nvrtcVersion", as: (@convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32).self)
    var major: Int32 = 0
    var minor: Int32 = 0
    guard f(&major, &minor) == 0 else { throw ConvLabError("nvrtcVersion failed.") }
    return (Int(major), Int(minor))
  }

  /// Compiles `source` (with `headers`: name → text) for `sm_XY`; returns the PTX, or throws
  /// with the compiler's log.
  public static func compile(_ source: String, name: String, headers: [String: String] = [:], architecture: String) throws -> String {
    let lib = try CUDALibraries.shared.nvrtc.get()
    typealias Create =
      @convention(c) (
        UnsafeMutablePointer<Program>, UnsafePointer<CChar>, UnsafePointer<CChar>, Int32,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?
      ) -> Int32
    typealias Compile = @convention(c) (Program, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias Size = @convention(c) (Program, UnsafeMutablePointer<Int>) -> Int32
    typealias Text = @convention(c) (Program, UnsafeMutablePointer<CChar>) -> Int32
    typealias Destroy = @convention(c) (UnsafeMutablePointer<Program>) -> Int32
    let create = try lib.function("nvrtcCreateProgram", as: Create.self)
    let compileProgram = try lib.function("nvrtcCompileProgram", as: Compile.self)
    let ptxSize = try lib.function("nvrtcGetPTXSize", as: Size.self)
    let getPTX = try lib.function("nvrtcGetPTX", as: Text.self)
    let logSize = try lib.function("nvrtcGetProgramLogSize", as: Size.self)
    let getLog = try lib.function("nvrtcGetProgramLog", as: Text.self)
    let destroy = try lib.function("nvrtcDestroyProgram", as: Destroy.self)

    let names = headers.keys.sorted()
    let cNames = try duplicate(names)
    let cTexts = try duplicate(names.map { headers[$0] ?? "" })
    defer { for text in cNames + cTexts { free(text) } }
    var program: Program = nil
    let texts: [UnsafePointer<CChar>?] = cTexts.map { UnsafePointer($0) }
    let includes: [UnsafePointer<CChar>?] = cNames.map { UnsafePointer($0) }
    let created = texts.withUnsafeBufferPointer { t in
      includes.withUnsafeBufferPointer { i in create(&program, source, name, Int32(names.count), t.baseAddress, i.baseAddress) }
    }
    guard created == 0 else { throw ConvLabError("nvrtcCreateProgram failed for \(name) (NVRTC error \(created)).") }
    defer { _ = destroy(&program) }
    let options = try duplicate(["--gpu-architecture=\(architecture)", "--std=c++14", "--fmad=false"])
    defer { for option in options { free(option) } }
    let optionPointers: [UnsafePointer<CChar>?] = options.map { UnsafePointer($0) }
    let status = optionPointers.withUnsafeBufferPointer { compileProgram(program, Int32(options.count), $0.baseAddress) }
    var size = 0
    _ = logSize(program, &size)
    var log = [CChar](repeating: 0, count: max(1, size))
    _ = getLog(program, &log)
    guard status == 0 else {
      throw ConvLabError("NVRTC could not compile \(name) for \(architecture): \(text(log).trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    _ = ptxSize(program, &size)
    var ptx = [CChar](repeating: 0, count: max(1, size))
    _ = getPTX(program, &ptx)
    return text(ptx)
  }

  /// C strings for the C API, freed by the caller.
  static func duplicate(_ strings: [String]) throws -> [UnsafeMutablePointer<CChar>] {
    try strings.map {
      guard let copy = strdup($0) else { throw ConvLabError("out of memory while passing arguments to NVRTC.") }
      return copy
    }
  }
}

/// A NUL-terminated C buffer as a String.
func text(_ buffer: [CChar]) -> String {
  String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The kernel sources NVRTC compiles: `convlab.cu` and the files it includes
/// (`convlab_kernels.h`, `convlab_precisions.inc`, `convlab_kernels.inc`), owned by
/// CConvLabKernels (Sources/CConvLabKernels/shared), which compiles the same text for the CPU
/// and embeds it in the binary.
public enum KernelSources {
  public static let header = "convlab_kernels.h"

  /// The CUDA source files, by name.
  public static func all() throws -> [String: String] {
    var out: [String: String] = [:]
    for k in 0..<Int(cl_kernel_source_count()) {
      guard let name = cl_kernel_source_name(Int32(k)), let text = cl_kernel_source_text(Int32(k)) else {
        throw ConvLabError("kernel source \(k) is missing from the binary.")
      }
      out[String(cString: name)] = String(cString: text)
    }
    guard out["convlab.cu"] != nil else { throw ConvLabError("the kernel source convlab.cu is missing from the binary.") }
    return out
  }

  /// Compiles every .cu file for `architecture` (e.g. `compute_80` or `sm_90`); returns name → PTX.
  public static func compileAll(architecture: String) throws -> [String: String] {
    let sources = try all()
    let headers = sources.filter { !$0.key.hasSuffix(".cu") }
    var ptx: [String: String] = [:]
    for (name, text) in sources where name.hasSuffix(".cu") {
      ptx[name] = try NVRTC.compile(text, name: name, headers: headers, architecture: architecture)
    }
    return ptx
  }
}

/// PTX kept on disk between runs, so that NVRTC (about a second for all kernels) runs once per
/// kernel source, architecture, driver and NVRTC version rather than once per process. The
/// folder is `CONVLAB_CACHE_DIR`, else `$XDG_CACHE_HOME/convlab`, else `~/.cache/convlab`; a
/// file that cannot be written only costs the next run a compile.
public enum PTXCache {
  public static var directory: String {
    let env = ProcessInfo.processInfo.environment
    if let dir = env["CONVLAB_CACHE_DIR"], !dir.isEmpty { return dir }
    if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/convlab" }
    return NSHomeDirectory() + "/.cache/convlab"
  }

  /// The cache file for a source set: FNV-1a (64-bit) of every file's name and text, the
  /// architecture, the driver version and NVRTC's version.
  public static func path(sources: [String: String], architecture: String, driver: Int) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    let nvrtc = (try? NVRTC.version()).map { "\($0.major).\($0.minor)" } ?? "?"
    let key = sources.keys.sorted().map { "\($0)\u{0}\(sources[$0] ?? "")" } + [architecture, String(driver), nvrtc]
    for byte in key.joined(separator: "\u{1}").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return directory + "/ptx-\(architecture)-" + String(hash, radix: 16) + ".ptx"
  }

  /// convlab.cu's PTX for `architecture`: from the cache, or compiled by NVRTC and stored.
  public static func convlabPTX(architecture: String, driver: Int) throws -> String {
    let sources = try KernelSources.all()
    let file = path(sources: sources, architecture: architecture, driver: driver)
    if let cached = try? String(contentsOfFile: file, encoding: .utf8), !cached.isEmpty { return cached }
    guard let ptx = try KernelSources.compileAll(architecture: architecture)["convlab.cu"] else {
      throw ConvLabError("the kernel source convlab.cu is missing from the binary.")
    }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try? writeAtomically(Data(ptx.utf8), to: file)
    return ptx
  }
}
