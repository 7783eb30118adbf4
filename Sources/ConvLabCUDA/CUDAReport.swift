import ConvLabCore

/// What `convlab info` says about the CUDA path: the GPU, its compute capability and memory,
/// the driver, NVRTC and cuBLAS versions — or exactly why each is unavailable. (The CLI says
/// what to run next: the library names no command-line flag.)
public enum CUDAReport {
  /// Whether the driver, NVRTC and cuBLAS all loaded, so the CUDA engine can be made.
  public static var ready: Bool {
    let libs = CUDALibraries.shared
    return (try? libs.driver.get()) != nil && (try? libs.nvrtc.get()) != nil && (try? libs.cublas.get()) != nil
  }

  /// One line per component (GPU, NVRTC, cuBLAS), aligned for `convlab info`.
  public static func lines() -> [String] {
    let libs = CUDALibraries.shared
    var out: [String] = []
    switch libs.driver {
    case .failure(let reason):
      out.append("  CUDA         unavailable: \(reason.description) (no NVIDIA driver on this machine)")
    case .success:
      do {
        let device = try CUDADevice.first()
        let driver = "\(device.driverVersion / 1000).\(device.driverVersion % 1000 / 10)"
        out.append("  GPU          \(device.name), compute capability \(device.computeCapability.major).\(device.computeCapability.minor), \(device.memoryBytes >> 20) MiB, CUDA driver \(driver)")
      } catch {
        out.append("  CUDA         driver present but unusable: \(error)")
      }
    }
    switch libs.nvrtc {
    case .success(let lib):
      let version = (try? NVRTC.version()).map { "\($0.major).\($0.minor)" } ?? "?"
      out.append("  NVRTC        \(version) (\(lib.path))")
    case .failure(let reason): out.append("  NVRTC        unavailable: \(reason.description)")
    }
    switch libs.cublas {
    case .success(let lib): out.append("  cuBLAS       \((try? CuBLAS.version()) ?? "?") (\(lib.path))")
    case .failure(let reason): out.append("  cuBLAS       unavailable: \(reason.description)")
    }
    return out
  }
}
