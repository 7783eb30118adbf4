import ArgumentParser
import ConvLabCore

extension ConvLabError {
  /// The sentence as the CLI says it: every setting named by its flag (`pad` → `--pad`). The
  /// libraries never spell a flag; this is the one place that does.
  var forCLI: String { worded(naming: { "--" + $0.name }) }
}

/// A library error worded for the command line, printed by swift-argument-parser as
/// `Error: …` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
  let description: String
}

extension ParsableCommand {
  /// `main(arguments)` with the libraries' errors worded for the CLI (`ConvLabError.forCLI`);
  /// parsing, help and every other error behave as in `main`.
  static func mainWordingErrors(_ arguments: [String]) -> Never {
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      Self.exit()
    } catch let error as ConvLabError {
      Self.exit(withError: CLIError(description: error.forCLI))
    } catch {
      Self.exit(withError: error)
    }
  }
}
