/// A mistake in what the user asked for, described in one sentence a student understands:
/// what was wrong, what was expected, and the numbers involved.
///
/// The cases carry values, so callers and tests match what went wrong (`.optionNotApplicable(
/// block: "pool", option: "dilate", …)`) rather than substrings. A case that names something
/// the user sets (an option, an input file, a hyper-parameter) holds it as a `Setting`; the
/// libraries never spell a flag: `description` names a setting by its plain name, and a
/// program words the same cases with its own syntax through `worded(naming:)` (the CLI writes
/// `--pad`). `ConvLabError("…")` (`.message`) remains for sentences that name no setting.
///
/// The CLI prints the worded sentence on one line and exits non-zero; library code throws this
/// instead of trapping whenever a caller could have avoided the problem.
public enum ConvLabError: Error, CustomStringConvertible, Equatable, Sendable {
  /// A plain sentence that names no setting.
  case message(String)
  /// A block was not given an input it needs: `conv` without its filters `w`. `what` says what
  /// the input holds (and its expected shape), or is empty.
  case missingInput(block: String, inputs: [Setting], what: String)
  /// An option the block does not read (`pool` given `dilate`); `accepted` lists its options.
  case optionNotApplicable(block: String, option: Setting, accepted: [Setting])
  /// An input the block does not read (`pool` given `w`); `accepted` lists those besides x.
  case inputNotApplicable(block: String, input: Setting, accepted: [Setting])
  /// A setting name that no block knows; `known` lists every one.
  case unknownOption(Setting, known: [Setting])
  /// A setting given as text that is malformed or outside what is allowed: `pad` '1,,2'.
  /// `expected` completes "should be …" (e.g. "a whole number between 1 and 1048576").
  case invalidValue(Setting, value: String, expected: String)
  /// A setting that `subject` needs and was not given in a usable form; `hint` gives an example.
  case missingOption(subject: String, option: Setting, hint: String)
  /// A number outside its range: `subject` (a block, a derivation, training) needs `setting`
  /// `allowed` (e.g. "> 0", "between 1 and 6"), and `value` was given.
  case outOfRange(subject: String, setting: Setting, value: String, allowed: String)
  /// An array whose shape is not the expected one (`what` names it: dz/dy, a file).
  case shapeMismatch(what: String, expected: String, got: String)
  /// A computation path that cannot do this (`reason`); the paths that can, by their names.
  case pathUnavailable(reason: String, alternatives: [String])
  /// Allocations for `what` (bytes) above the memory limit (bytes).
  case memoryLimit(what: String, bytes: Int, limit: Int)
  /// Any other sentence that names settings, kept as text and settings so that a program
  /// words the settings its way.
  case worded(Sentence)

  /// A plain sentence (`.message`).
  public init(_ description: String) {
    self = .message(description)
  }

  /// The sentence with every setting named by `name` (the CLI passes its flags: `--pad`).
  public func worded(naming name: (Setting) -> String) -> String {
    func list(_ settings: [Setting], _ separator: String = ", ") -> String { settings.map(name).joined(separator: separator) }
    switch self {
    case .message(let text):
      return text
    case .missingInput(let block, let inputs, let what):
      return "\(block) needs \(list(inputs, " and "))\(what.isEmpty ? "" : " (\(what))")."
    case .optionNotApplicable(let block, let option, let accepted):
      let takes = accepted.isEmpty ? "it takes no options" : "its options are " + list(accepted)
      return "\(block) does not take \(name(option)); \(takes)."
    case .inputNotApplicable(let block, let input, let accepted):
      let takes = accepted.isEmpty ? "it reads only \(name(.x))" : "it reads \(name(.x)) and " + list(accepted)
      return "\(block) does not read \(name(input)); \(takes)."
    case .unknownOption(let option, let known):
      return "'\(option.name)' is not a block option; the options are \(list(known))."
    case .invalidValue(let setting, let value, let expected):
      return "\(name(setting)) '\(value)' should be \(expected)."
    case .missingOption(let subject, let option, let hint):
      return "\(subject) needs \(name(option))\(hint.isEmpty ? "" : " (\(hint))")."
    case .outOfRange(let subject, let setting, let value, let allowed):
      return "\(subject) needs \(name(setting)) \(allowed), got \(value)."
    case .shapeMismatch(let what, let expected, let got):
      return "\(what) has shape \(got), but \(expected) was expected."
    case .pathUnavailable(let reason, let alternatives):
      return "\(reason); use \(name(.path)) \(alternatives.joined(separator: " or "))."
    case .memoryLimit(let what, let bytes, let limit):
      return "\(what) would need \(MemoryLimit.format(Double(bytes))), more than the \(MemoryLimit.format(Double(limit))) memory limit "
        + "(set \(name(.maxMemory)) or CONVLAB_MAX_MEMORY to change it)."
    case .worded(let sentence):
      return sentence.parts.map {
        switch $0 {
        case .text(let text): return text
        case .setting(let setting): return name(setting)
        }
      }.joined()
    }
  }

  /// The sentence with every setting named plainly (`pad`, `w`).
  public var description: String { worded(naming: \.name) }
}

extension ConvLabError {
  /// Shape mismatch at an API boundary, phrased with both shapes (`.shapeMismatch`).
  public static func shape(_ what: String, expected: String, got: String) -> ConvLabError {
    .shapeMismatch(what: what, expected: expected, got: got)
  }
}

/// Something the user sets that an error names: an option of a block (`pad`), an input (`w`),
/// a hyper-parameter (`epochs`), a derivation's `size`. Its `name` is the option's name without
/// dashes, as `exercise.json` and `BlockOptions` spell it; the CLI's flag is `--` + name.
public struct Setting: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  public let name: String

  public init(_ name: String) { self.name = name }

  public init(stringLiteral name: String) { self.name = name }

  public var description: String { name }

  /// The input x of a block.
  public static let x = Setting("x")
  /// The computation path (literal, fast, gemm, a device).
  public static let path = Setting("path")
  /// The memory limit every command honours.
  public static let maxMemory = Setting("max-memory")
}

/// A sentence whose settings stay values (`.worded`): written with interpolation,
/// `"\(setting: "resume"): the checkpoint does not exist"`, and worded by `ConvLabError`.
public struct Sentence: Equatable, Sendable, ExpressibleByStringInterpolation {
  /// Text, or a setting to be named by whoever words the sentence.
  public enum Part: Equatable, Sendable {
    case text(String)
    case setting(Setting)
  }

  public var parts: [Part]

  public init(stringLiteral value: String) { parts = [.text(value)] }

  public init(stringInterpolation: Interpolation) { parts = stringInterpolation.parts }

  /// Builds the parts: literal text and interpolated values as text, `\(setting:)` as a setting.
  public struct Interpolation: StringInterpolationProtocol {
    var parts: [Part] = []

    public init(literalCapacity: Int, interpolationCount: Int) {}

    public mutating func appendLiteral(_ literal: String) { parts.append(.text(literal)) }

    public mutating func appendInterpolation(setting: Setting) { parts.append(.setting(setting)) }

    public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
  }
}
