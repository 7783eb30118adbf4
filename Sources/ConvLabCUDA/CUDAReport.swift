import ConvLabCore

/// What `convlab info` says about the CUDA path: the GPU, its compute capability and memory,
/// the driver, NVRTC and cuBLAS versions — or exactly why each is unavailable.
public enum CUDAReport {
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
    let ready = (try? libs.driver.get()) != nil && (try? libs.nvrtc.get()) != nil && (try? libs.cublas.get()) != nil
    out.append(
      ready
        ? "  --path cuda  ready to try: `convlab check all --path cuda` compares every block with the CPU"
        : "  --path cuda  unavailable here; `convlab check all --path host` runs the same device code on the CPU")
    return out
  }
}
