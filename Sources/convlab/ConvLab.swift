import ArgumentParser
import CConvLabSupport
import Foundation
import ConvLabCore
import ConvLabCUDA

/// The root command only configures; each subcommand lives in its own file.
struct ConvLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convlab",
    abstract: "Executable CNN derivations: the papers' notation, explicit Jacobians and checks.",
    discussion: """
      Arrays follow MatConvNet: x ∈ R^{H×W×D×N}, column-major, vec stacks H fastest.
      Papers: Xu, Murugan, Milisavljevic, Vardhan, MatConvNet (see README.md).
      """,
    subcommands: [Info.self, Notation.self, LeNet.self, Geometry.self, BlockCommand.self, Jacobian.self, Check.self, Net.self, Bench.self, Derive.self, Train.self, Experiment.self, Figures.self, AuditCommand.self, ExerciseCommand.self]
  )
}

@main
enum Main {
  static func main() {
    // Line-buffered stdout, so progress lines appear as they happen in logs and pipes too.
    convlab_line_buffer_stdout()
    // A closed pipe (`convlab … | head`) ends the program quietly, as for any Unix tool.
    signal(SIGPIPE, SIG_DFL)
    // OpenBLAS picked its kernel when it loaded; fix a weak choice before any GEMM runs.
    OpenBLASRuntime.prepareOpenBLAS()
    // Training allocates the same large tensors every step: keep freed ones instead of unmapping them.
    AllocationPolicy.retainFreedMemory()
    // `--path cuda` reaches the GPU engine through the block layer's registry.
    CUDAEngine.register()
    ConvLab.main()
  }
}
