import ArgumentParser
import ConvLabBlocks
import ConvLabChecks
import ConvLabNetworks

// Options with a fixed set of values, as swift-argument-parser types: the parser refuses any
// other value before the command runs, and `--help` lists the values.

/// `--path` of `jacobian` and `check`: where the backprop side of a comparison runs.
enum BackpropPath: String, CaseIterable, ExpressibleByArgument {
  /// The CPU's fast path (im2row + GEMM).
  case fast
  /// The GPU, through CUDA.
  case cuda
  /// The GPU's kernel code compiled for the CPU.
  case host
}

/// `--device` of `train`, `experiment` and `bench all`.
enum DeviceChoice: String, CaseIterable, ExpressibleByArgument {
  /// The CPU's fast path.
  case cpu
  /// The GPU: parameters and activations stay in device memory.
  case cuda
  /// The GPU's code run on the CPU (slow, for checking).
  case host
}

extension Pool.Method: ExpressibleByArgument {}
extension TrainingOptions.Schedule: ExpressibleByArgument {}

/// A block name (`conv`, `pool`, …): any of `BlockOptions.blockNames`.
struct BlockName: ExpressibleByArgument, CustomStringConvertible {
  let rawValue: String

  init?(argument: String) {
    guard BlockOptions.blockNames.contains(argument) else { return nil }
    rawValue = argument
  }

  static var allValueStrings: [String] { BlockOptions.blockNames }
  var description: String { rawValue }
}

/// `--loss`: one of `BlockOptions.lossNames`.
struct LossName: ExpressibleByArgument, CustomStringConvertible {
  let rawValue: String

  init?(argument: String) {
    guard BlockOptions.lossNames.contains(argument) else { return nil }
    rawValue = argument
  }

  static var allValueStrings: [String] { BlockOptions.lossNames }
  var description: String { rawValue }
}

/// What `convlab check` checks: one block, every block, the networks, or training on a device.
struct CheckTarget: ExpressibleByArgument, CustomStringConvertible {
  let rawValue: String

  init?(argument: String) {
    guard Self.allValueStrings.contains(argument) else { return nil }
    rawValue = argument
  }

  static var allValueStrings: [String] { ["all", "net", "training"] + CheckCase.blockNames }
  var description: String { rawValue }
  var isBlock: Bool { CheckCase.blockNames.contains(rawValue) }
}

/// The experiments `convlab experiment` re-runs.
enum ExperimentName: String, CaseIterable, ExpressibleByArgument {
  /// Milisavljevic §4, Tables 1–5.
  case milisavljevic
}
