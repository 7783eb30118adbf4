import CConvLabKernels
import ConvLabCUDA
import Foundation
import Testing

/// The kernel source NVRTC compiles is the text CConvLabKernels owns and compiles for the CPU
/// (Sources/CConvLabKernels/shared), embedded in the binary: nothing can ship beside the binary
/// and drift from what the CPU tests checked.
@Suite struct KernelSourceTests {
  static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/CConvLabKernels/shared")

  /// Every file in shared/ is embedded byte for byte, and nothing else is.
  @Test func theEmbeddedSourcesAreTheSharedFiles() throws {
    let embedded = try KernelSources.all()
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.shared.path).sorted()
    #expect(embedded.keys.sorted() == files)
    for file in files {
      let onDisk = try String(contentsOf: Self.shared.appendingPathComponent(file), encoding: .utf8)
      #expect(embedded[file] == onDisk, "\(file) differs from its embedded copy")
    }
  }

  /// What the GPU compiles includes every kernel file: convlab.cu names the header and the
  /// two-precision file, which names the kernels (so NVRTC resolves each from the embedded set).
  @Test func theGPUTranslationUnitReachesEveryFile() throws {
    let embedded = try KernelSources.all()
    let unit = try #require(embedded["convlab.cu"])
    #expect(unit.contains("#include \"\(KernelSources.header)\""))
    #expect(unit.contains("#include \"convlab_precisions.inc\""))
    let precisions = try #require(embedded["convlab_precisions.inc"])
    #expect(precisions.contains("#include \"convlab_kernels.inc\""))
  }
}
