import ArgumentParser
import ConvLabCore

extension ConvLabError {
  /// The sentence as the CLI says it: every setting named by its flag (`pad` → `--pad`). The
  /// libraries never spell a flag; this is the one place that does.
  var forCLI: String { worded(naming: { "--" + $0.name }) }
}

/// A library error worded for the command line, printed as `Error: …` with exit status 1
/// (`ConvLab.runReportingErrors`).
struct CLIError: Error, CustomStringConvertible {
  let description: String
}
