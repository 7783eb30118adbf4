import ArgumentParser
import ConvLabCore
import ConvLabNotation

extension ConvLab {
  /// `convlab lenet`: LeNet-5's S2→C3 table and the counts derived from it.
  struct LeNet: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "lenet",
      abstract: "Print LeNet-5's S2→C3 connection table (Xu Table 1) and derive its kernel and parameter counts.")

    @Option(help: "Kernel size K of C3 (LeNet-5: 5).")
    var kernel = 5

    func validate() throws {
      // K² must not overflow in the parameter count: a kernel larger than any image is refused.
      guard (1...Size.maxExtent).contains(kernel) else { throw ValidationError("--kernel must be between 1 and \(Size.maxExtent), got \(kernel).") }
    }

    func run() throws {
      print(Terminal.bold("LeNet-5 S2 → C3 connections") + " (Xu Table 1; LeCun et al. 1998)\n")
      let header = (0..<LeNetTable.outputMaps).map { MatrixFormat.pad(String($0), 2) }.joined(separator: " ")
      print("  i\\j " + header + "   |M_i|")
      for i in 0..<LeNetTable.inputMaps {
        let marks = (0..<LeNetTable.outputMaps).map { LeNetTable.connected(i, $0) ? " X" : " ·" }.joined(separator: " ")
        print("   \(i)  " + marks + "   \(LeNetTable.outputs(of: i).count)")
      }
      let sizes = (0..<LeNetTable.outputMaps).map { MatrixFormat.pad(String(LeNetTable.inputs(of: $0).count), 2) }.joined(separator: " ")
      print("|M_j| " + sizes + "\n")
      print("M_j (inputs of C3 map j, Xu (1)):")
      for j in 0..<LeNetTable.outputMaps {
        print("  M_\(j) = {\(LeNetTable.inputs(of: j).map(String.init).joined(separator: ", "))}")
      }
      print("\nM_i (C3 maps fed by S2 map i, Xu §3.2 (17)):")
      for i in 0..<LeNetTable.inputMaps {
        print("  M_\(i) = {\(LeNetTable.outputs(of: i).map(String.init).joined(separator: ", "))}")
      }
      let counts = (0..<LeNetTable.outputMaps).map { LeNetTable.inputs(of: $0).count }
      print("")
      print(Terminal.wrap("Kernels = Σ_j |M_j| = \(counts.map(String.init).joined(separator: " + ")) = \(LeNetTable.kernelCount)", hanging: 2))
      print(
        Terminal.wrap(
          "Parameters = kernels·K² + biases = \(LeNetTable.kernelCount)·\(kernel)·\(kernel) + \(LeNetTable.outputMaps) = \(LeNetTable.parameterCount(kernelSize: kernel))"
            + (kernel == 5 ? "   (Xu §2.1: 60 × 5 × 5 + 16 = 1516 " + Terminal.verdict(LeNetTable.parameterCount() == 1516) + ")" : ""), hanging: 2))
    }
  }
}
