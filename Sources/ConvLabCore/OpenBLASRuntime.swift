import CBLAS
import CConvLabSupport
import Foundation

/// The CPU's vector features, read with cpuid/xgetbv.
public struct CPUFeatures: Sendable {
  public let vendor: String
  public let sse42, avx, avx2, fma, avx512f, avx512bw, avx512dq, avx512vl: Bool

  public init(vendor: String, sse42: Bool, avx: Bool, avx2: Bool, fma: Bool, avx512f: Bool, avx512bw: Bool, avx512dq: Bool, avx512vl: Bool) {
    self.vendor = vendor
    (self.sse42, self.avx, self.avx2, self.fma) = (sse42, avx, avx2, fma)
    (self.avx512f, self.avx512bw, self.avx512dq, self.avx512vl) = (avx512f, avx512bw, avx512dq, avx512vl)
  }

  public static let current: CPUFeatures = {
    let f = convlab_detect_cpu_features()
    let vendor = withUnsafeBytes(of: f.vendor) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
    return CPUFeatures(
      vendor: vendor, sse42: f.sse42 != 0, avx: f.avx != 0, avx2: f.avx2 != 0, fma: f.fma != 0,
      avx512f: f.avx512f != 0, avx512bw: f.avx512bw != 0, avx512dq: f.avx512dq != 0, avx512vl: f.avx512vl != 0)
  }()

  /// AVX-512 F, BW, DQ and VL together: what OpenBLAS's SkylakeX kernels execute.
  public var hasSkylakeXSet: Bool { avx512f && avx512bw && avx512dq && avx512vl }

  /// The names of the features present, widest last.
  public var names: [String] {
    [
      ("sse4.2", sse42), ("avx", avx), ("fma", fma), ("avx2", avx2), ("avx512f", avx512f),
      ("avx512bw", avx512bw), ("avx512dq", avx512dq), ("avx512vl", avx512vl),
    ]
    .filter { $0.1 }.map { $0.0 }
  }

  /// The model name the kernel reports in /proc/cpuinfo (may be generic on virtual machines).
  public static var modelName: String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
      let colon = line.firstIndex(of: ":")
    else { return "unknown" }
    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
  }
}

/// Chooses OpenBLAS's compute kernel from the CPU's real features.
///
/// OpenBLAS picks its kernel ("core type") when the library loads, before `main`, from the
/// CPU model. A virtual CPU that hides its model makes it fall back to generic SSE3
/// ("Prescott") kernels, 4–5× slower than what the hardware can run. The only fix that
/// works after loading is to set `OPENBLAS_CORETYPE` and start the program again, which is
/// what `prepareOpenBLAS(arguments:)` does — once, and only when the kernel in use is weaker
/// than what the CPU supports, so a correctly detected CPU never pays for a re-exec.
public enum OpenBLASRuntime {
  /// Kernels that use AVX-512 (OpenBLAS 0.3.x names).
  static let avx512Kernels: Set<String> = ["SkylakeX", "Cooperlake", "SapphireRapids"]
  /// Kernels that use AVX2 + FMA (or better).
  static let avx2Kernels: Set<String> = avx512Kernels.union(["Haswell", "Zen", "Excavator"])

  /// Marker set in the environment of the re-executed process.
  static let reexecMarker = "CONVLAB_OPENBLAS_REEXEC"

  /// The kernel OpenBLAS is using (`openblas_get_corename`).
  public static var coreName: String { String(cString: openblas_get_corename()) }

  /// OpenBLAS's build configuration string.
  public static var config: String { String(cString: openblas_get_config()) }

  /// Threads OpenBLAS uses for one GEMM.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// The kernel the CPU can run that is better than `current`, or nil when `current` is
  /// already the right class.
  public static func betterKernel(for cpu: CPUFeatures, current: String) -> String? {
    if cpu.hasSkylakeXSet && !avx512Kernels.contains(current) { return "SkylakeX" }
    if cpu.avx2 && cpu.fma && !avx2Kernels.contains(current) { return "Haswell" }
    return nil
  }

  /// What happened when the program started: which kernel OpenBLAS chose by itself and which
  /// one is in use now.
  public static var selectionNote: String {
    let env = ProcessInfo.processInfo.environment
    if env[reexecMarker] != nil, let original = env["CONVLAB_OPENBLAS_DETECTED"] {
      return "OpenBLAS detected \(original); ConvLab set OPENBLAS_CORETYPE=\(coreName) from the CPU's features"
    }
    if let requested = env["OPENBLAS_CORETYPE"] {
      return "OPENBLAS_CORETYPE=\(requested) set by the user"
    }
    return "chosen by OpenBLAS; matches the CPU's features"
  }

  /// Re-executes the program with `OPENBLAS_CORETYPE` set when OpenBLAS chose a kernel weaker
  /// than the CPU supports. Returns normally when no re-exec is needed (or it failed, in which
  /// case the program goes on with the slower kernel).
  ///
  /// Never overrides a user's `OPENBLAS_CORETYPE`, and never loops (a marker variable).
  ///
  /// Then shortens the time OpenBLAS's idle threads spin (see `threadTimeout`).
  public static func prepareOpenBLAS(arguments: [String] = CommandLine.arguments) {
    defer { shortenThreadTimeout() }
    let env = ProcessInfo.processInfo.environment
    guard env["OPENBLAS_CORETYPE"] == nil, env[reexecMarker] == nil else { return }
    let current = coreName
    guard let better = betterKernel(for: CPUFeatures.current, current: current) else { return }
    setenv("OPENBLAS_CORETYPE", better, 1)
    setenv("OPENBLAS_THREAD_TIMEOUT", "\(threadTimeout)", 0)
    setenv(reexecMarker, "1", 1)
    setenv("CONVLAB_OPENBLAS_DETECTED", current, 1)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    execv("/proc/self/exe", argv)
    // execv returns only on failure: carry on with OpenBLAS's own choice.
    unsetenv("OPENBLAS_CORETYPE")
  }

  /// log₂ of the cycles an idle OpenBLAS thread spins before it sleeps. OpenBLAS's default, 2²⁸
  /// cycles (about 0.1 s), keeps both of this machine's cores busy calling sched_yield after every
  /// GEMM, while ConvLab's own threads run im2row, pooling or ReLU between GEMMs: 7% of a LeNet-5
  /// step's samples were in the scheduler (perf), and the step took 14.7–19.6 ms against
  /// 12.8–15.1 ms with 2¹⁰ cycles (five alternating runs). Large GEMMs do not notice.
  public static let threadTimeout = 10

  /// The timeout OpenBLAS runs with: the user's `OPENBLAS_THREAD_TIMEOUT`, or `threadTimeout`.
  public static var threadTimeoutInUse: String { ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] ?? "28" }

  /// OpenBLAS reads `OPENBLAS_THREAD_TIMEOUT` when it loads; when the user did not set it, set it
  /// now, let OpenBLAS read its environment again and stop its threads, which it restarts with
  /// the new timeout at the next GEMM. Both functions are looked up at run time, so an OpenBLAS
  /// without them (an OpenMP build) simply keeps its default.
  static func shortenThreadTimeout() {
    guard getenv("OPENBLAS_THREAD_TIMEOUT") == nil, let process = dlopen(nil, RTLD_NOW),
      let readEnv = dlsym(process, "openblas_read_env"), let shutdown = dlsym(process, "blas_thread_shutdown_")
    else { return }
    setenv("OPENBLAS_THREAD_TIMEOUT", "\(threadTimeout)", 1)
    unsafeBitCast(readEnv, to: (@convention(c) () -> Void).self)()
    _ = unsafeBitCast(shutdown, to: (@convention(c) () -> Int32).self)()
  }

  /// Measures single-precision GEMM throughput at size n (GFLOP/s), median of `repeats`.
  public static func measureSgemm(n: Int = 1024, repeats: Int = 5) -> Double {
    var rng = SeededGenerator(seed: 1)
    let a = Matrix<Float>.uniform(n, n, using: &rng)
    let b = Matrix<Float>.uniform(n, n, using: &rng)
    var times: [Double] = []
    _ = a * b  // warm-up: thread pool start, page faults
    for _ in 0..<repeats {
      let start = DispatchTime.now().uptimeNanoseconds
      _ = a * b
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    let median = times.sorted()[times.count / 2]
    return 2 * Double(n) * Double(n) * Double(n) / median / 1e9
  }
}
