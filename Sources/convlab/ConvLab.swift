import ArgumentParser
import CConvLabSupport
import ConvLabCore
import Foundation

/// The root command only configures; each subcommand lives in its own file.
struct ConvLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convlab",
    abstract: "Executable CNN derivations: the papers' notation, explicit Jacobians and checks.",
    discussion: """
      Arrays follow MatConvNet: x ∈ R^{H×W×D×N}, column-major, vec stacks H fastest. \
      Papers: Xu, Murugan, Milisavljevic, Vardhan, MatConvNet (see README.md). \
      Every command takes --max-memory SIZE (e.g. 4G; default half of physical memory, or \
      CONVLAB_MAX_MEMORY): sizes from options and files are checked against it before anything \
      is allocated.
      """,
    // Grouped by what a user comes for; the names themselves are unchanged, so every script
    // and document keeps working.
    groupedSubcommands: [
      CommandGroup(name: "Notation and derivations", subcommands: [Notation.self, Derive.self, AuditCommand.self, LeNet.self, Geometry.self]),
      CommandGroup(name: "Blocks and Jacobians", subcommands: [BlockCommand.self, Jacobian.self, Check.self, Net.self]),
      CommandGroup(name: "Training and figures", subcommands: [Train.self, Experiment.self, Figures.self, Bench.self]),
      CommandGroup(name: "Teaching", subcommands: [ExerciseCommand.self]),
      CommandGroup(name: "Machine", subcommands: [Info.self]),
    ]
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
    ConvLab.runReportingErrors(takingMemoryLimit(from: Array(CommandLine.arguments.dropFirst())))
  }
}

extension ConvLab {
  /// swift-argument-parser's `main`, with one difference: a parse or `validate()` error is
  /// printed as its sentence ("Error: …") without the usage block under it, like every other
  /// error of the CLI (`convlab COMMAND --help` shows the usage). Exit statuses are the parser's:
  /// 64 for a usage error, 1 for a failure, 0 for --help.
  static func runReportingErrors(_ arguments: [String]) -> Never {
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      exit()
    } catch {
      // A library error is worded with the CLI's flag names (`pad` → `--pad`).
      let error = (error as? ConvLabError).map { CLIError(description: $0.forCLI) as Error } ?? error
      let code = exitCode(for: error)
      // --help, --version and a bare ExitCode (a command that printed its own verdicts).
      if code == .success || error is ExitCode { exit(withError: error) }
      // The parser lists many allowed values one per line ("\n  - conv"); one line reads as one sentence.
      let lines = message(for: error).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      let text =
        lines.count > 1 && lines.dropFirst().allSatisfy { $0.hasPrefix("- ") }
        ? lines.first.map { $0.replacingOccurrences(of: "one of the following:", with: "one of") + " " + lines.dropFirst().map { $0.dropFirst(2) }.joined(separator: ", ") + "." } ?? ""
        : lines.joined(separator: " ")
      FileHandle.standardError.write(Data("Error: \(text)\n".utf8))
      Foundation.exit(code.rawValue)
    }
  }
}

/// Removes `--max-memory SIZE` (or `--max-memory=SIZE`) from anywhere in the arguments and
/// sets the memory limit, so every subcommand honours it without declaring it; a malformed size
/// ends the program with one line.
func takingMemoryLimit(from arguments: [String]) -> [String] {
  var rest: [String] = []
  var k = 0
  while k < arguments.count {
    let a = arguments[k]
    var value: String?
    if a == "--max-memory" {
      guard k + 1 < arguments.count else { fail("--max-memory needs a size, e.g. --max-memory 4G.") }
      value = arguments[k + 1]
      k += 2
    } else if a.hasPrefix("--max-memory=") {
      value = String(a.dropFirst("--max-memory=".count))
      k += 1
    } else {
      rest.append(a)
      k += 1
      continue
    }
    do { MemoryLimit.set(try MemoryLimit.parse(value ?? "")) } catch { fail("--max-memory: \(error)") }
  }
  return rest
}

/// Prints `message` as the CLI's one-line error and exits 1.
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
  exit(1)
}
