import ConvLabCore

/// The blocks `convlab block`, `jacobian` and `check` know, each with the options and the input
/// files it reads (MatConvNet's vl_nn* names). An option or input a block does not read is an
/// error naming the block and what it does read, never silently ignored.
public enum BlockKind: String, CaseIterable, Sendable {
  case conv, convt, pool, subsample, dense, relu, sigmoid, tanh, softmax, normalize, bnorm, spnorm, dropout, pdist, loss

  /// The block called `name`, or an error listing the names.
  public init(named name: String) throws {
    guard let kind = BlockKind(rawValue: name) else {
      throw ConvLabError("unknown block '\(name)'; available: \(BlockKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    self = kind
  }

  /// The options this block reads (names without dashes).
  public var options: [String] {
    switch self {
    case .conv: return ["pad", "stride", "dilate", "flip"]
    case .convt: return ["upsample", "crop", "num-groups"]
    case .pool: return ["method", "pool-size", "pad", "stride", "ceil"]
    case .subsample: return ["pool-size"]
    case .relu: return ["leak"]
    case .normalize, .spnorm: return ["param"]
    case .bnorm: return ["epsilon"]
    case .dropout: return ["rate", "mask-seed"]
    case .pdist: return ["p", "noroot"]
    case .loss: return ["loss", "topk"]
    case .dense, .sigmoid, .tanh, .softmax: return []
    }
  }

  /// The input files this block reads besides x (names without dashes).
  public var inputs: [String] {
    switch self {
    case .conv, .convt, .dense, .subsample, .bnorm: return ["w", "b"]
    case .dropout: return ["mask"]
    case .pdist: return ["target"]
    case .loss: return ["labels", "target"]
    case .pool, .relu, .sigmoid, .tanh, .softmax, .normalize, .spnorm: return []
    }
  }

  /// Refuses options and inputs the block does not read (`.optionNotApplicable`,
  /// `.inputNotApplicable`, which list what it does take).
  public func check(options given: some Sequence<String>, inputs givenInputs: some Sequence<String> = [String]()) throws {
    if let bad = given.sorted().first(where: { !options.contains($0) }) {
      throw ConvLabError.optionNotApplicable(block: rawValue, option: Setting(bad), accepted: options.map { Setting($0) })
    }
    if let bad = givenInputs.sorted().first(where: { !inputs.contains($0) }) {
      throw ConvLabError.inputNotApplicable(block: rawValue, input: Setting(bad), accepted: inputs.map { Setting($0) })
    }
  }
}

/// The options of `convlab block`/`jacobian`/`check` (MatConvNet's vl_nn* names), parsed from
/// text and turned into a `Block`. Kept here, not in the CLI, so tests and other tools build
/// blocks the same way. Every number is bounded before use (`Size.maxExtent` for sizes), and
/// `block(named:)` refuses options the block does not read.
public struct BlockOptions: Sendable {
  public var pad = [0, 0, 0, 0]
  public var stride = (1, 1)
  public var dilate = (1, 1)
  /// conv: true convolution, filters rotated by 180° (Xu (14)).
  public var flip = false
  public var method = Pool.Method.max
  public var poolSize: (Int, Int)? = nil
  public var caffeCeil = false
  public var leak = 0.0
  /// A `Loss.Kind` or a `RegressionLoss.Kind` name.
  public var loss = "softmaxlog"
  public var topK = 5
  public var upsample = (1, 1)
  public var crop = [0, 0, 0, 0]
  public var numGroups = 1
  /// normalize: N, κ, α, β; spnorm: PH, PW, α, β.
  public var param: [Double]? = nil
  public var epsilon = 1e-4
  public var p = 2.0
  public var noRoot = false
  public var rate = 0.5
  public var seed: UInt64 = 1
  /// The option names that were given as text (`init(_:)`); `block(named:)` checks them.
  public private(set) var given: Set<String> = []

  public init() {}

  /// The names `convlab block` accepts.
  public static let blockNames = BlockKind.allCases.map(\.rawValue)

  /// Every loss name (`--loss`).
  public static let lossNames = Loss.Kind.allCases.map(\.rawValue) + RegressionLoss.Kind.allCases.map(\.rawValue)

  /// Parses comma-separated numbers (`param` 5,1,0.0001,0.75).
  public static func parseNumbers(_ text: String, count: Int, option: String) throws -> [Double] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let v = parts.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == count, v.count == count, v.allSatisfy(\.isFinite) else {
      throw ConvLabError.invalidValue(Setting(option), value: text, expected: "\(count) comma-separated numbers")
    }
    return v
  }

  /// Parses `P` or `T,B,L,R`, each between 0 and `Size.maxExtent`.
  public static func parsePad(_ text: String, option: String = "pad") throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    let v = parts.map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard v.allSatisfy({ (0...Size.maxExtent).contains($0 ?? -1) }), v.count == 1 || v.count == 4 else {
      throw ConvLabError.invalidValue(Setting(option), value: text, expected: "one integer or four (top,bottom,left,right), each between 0 and \(Size.maxExtent)")
    }
    let values = v.compactMap { $0 }
    return values.count == 1 ? Array(repeating: values[0], count: 4) : values
  }

  /// Parses `S` or `SH,SW` (also `SHxSW`), each between 1 and `Size.maxExtent`.
  public static func parsePair(_ text: String, option: String) throws -> (Int, Int) {
    let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "," || $0 == "x" })
    let v = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard v.count == 1 || v.count == 2, v.count == parts.count, v.allSatisfy({ (1...Size.maxExtent).contains($0) }) else {
      throw ConvLabError.invalidValue(Setting(option), value: text, expected: "one integer or two (e.g. 2 or 2,1), each between 1 and \(Size.maxExtent)")
    }
    return v.count == 1 ? (v[0], v[0]) : (v[0], v[1])
  }

  /// Options from `convlab block`'s option names without dashes (`["pad": "1", "stride":
  /// "2,1", "ceil": "true"]`), as the exercises' `exercise.json` stores them. Unknown names
  /// and malformed or out-of-range values are one-sentence errors (`.unknownOption`,
  /// `.invalidValue`).
  public init(_ dictionary: [String: String]) throws {
    self.init()
    for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
      func invalid(_ expected: String) -> ConvLabError { .invalidValue(Setting(key), value: value, expected: expected) }
      func number(_ range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, _ what: String = "a number") throws -> Double {
        guard let v = Double(value), v.isFinite, range.contains(v) else { throw invalid(what) }
        return v
      }
      func whole(_ range: ClosedRange<Int>) throws -> Int {
        guard let v = Int(value), range.contains(v) else { throw invalid("a whole number between \(range.lowerBound) and \(range.upperBound)") }
        return v
      }
      func flag() throws -> Bool {
        guard value == "true" || value == "false" else { throw invalid("true or false") }
        return value == "true"
      }
      switch key {
      case "pad": pad = try Self.parsePad(value)
      case "stride": stride = try Self.parsePair(value, option: key)
      case "dilate": dilate = try Self.parsePair(value, option: key)
      case "flip": flip = try flag()
      case "method":
        guard let m = Pool.Method(rawValue: value) else { throw invalid("one of max, avg, maxavg") }
        method = m
      case "pool-size": poolSize = try Self.parsePair(value, option: key)
      case "ceil": caffeCeil = try flag()
      case "leak": leak = try number()
      case "loss":
        guard Self.lossNames.contains(value) else { throw invalid("one of \(Self.lossNames.joined(separator: ", "))") }
        loss = value
      case "topk": topK = try whole(1...Size.maxExtent)
      case "upsample": upsample = try Self.parsePair(value, option: key)
      case "crop": crop = try Self.parsePad(value, option: key)
      case "num-groups": numGroups = try whole(1...Size.maxExtent)
      case "param": param = try Self.parseNumbers(value, count: 4, option: key)
      case "epsilon": epsilon = try number(Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude, "a positive number")
      case "p": p = try number(Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude, "a positive number")
      case "noroot": noRoot = try flag()
      case "rate": rate = try number(0...0.999_999, "a rate between 0 and 1 (excluding 1)")
      case "mask-seed":
        guard let v = UInt64(value) else { throw invalid("a whole number") }
        seed = v
      default:
        throw ConvLabError.unknownOption(Setting(key), known: Set(BlockKind.allCases.flatMap(\.options)).sorted().map { Setting($0) })
      }
      given.insert(key)
    }
  }

  /// The block called `name` with these options; options given as text that the block does
  /// not read are refused.
  public func block(named name: String) throws -> any Block {
    let kind = try BlockKind(named: name)
    try kind.check(options: given)
    switch kind {
    case .conv:
      return flip ? FlippedConv(pad: pad, stride: stride, dilate: dilate) : Conv(pad: pad, stride: stride, dilate: dilate)
    case .pool:
      guard let size = poolSize else { throw ConvLabError.missingOption(subject: "pool", option: "pool-size", hint: "e.g. 2 or 3,2") }
      return Pool(method: method, size: size, pad: pad, stride: stride, caffeCeil: caffeCeil)
    case .convt: return ConvTranspose(upsample: upsample, crop: crop, numGroups: numGroups)
    case .subsample:
      guard let size = poolSize, size.0 == size.1 else {
        throw ConvLabError.missingOption(subject: "subsample", option: "pool-size", hint: "one size n: square, non-overlapping n×n blocks")
      }
      return Subsample(n: size.0)
    case .dense: return Dense()
    case .relu: return ReLU(leak: leak)
    case .sigmoid: return Sigmoid()
    case .tanh: return Tanh()
    case .softmax: return Softmax()
    case .normalize:
      let v = param ?? [5, 2, 1e-4, 0.75]
      guard v.count == 4, v[0] >= 1, v[0] <= Double(Size.maxExtent), v[0] == v[0].rounded() else {
        throw ConvLabError.outOfRange(
          subject: "normalize", setting: "param", value: v.map { "\($0)" }.joined(separator: ","),
          allowed: "N,kappa,alpha,beta with a whole N between 1 and \(Size.maxExtent)")
      }
      return Normalize(depth: Int(v[0]), kappa: v[1], alpha: v[2], beta: v[3])
    case .bnorm: return BatchNorm(epsilon: epsilon)
    case .spnorm:
      let v = param ?? [3, 3, 1, 0.5]
      guard v.count == 4, v[0] >= 1, v[1] >= 1, v[0] <= Double(Size.maxExtent), v[1] <= Double(Size.maxExtent),
        v[0] == v[0].rounded(), v[1] == v[1].rounded()
      else {
        throw ConvLabError.outOfRange(
          subject: "spnorm", setting: "param", value: v.map { "\($0)" }.joined(separator: ","),
          allowed: "PH,PW,alpha,beta with whole PH, PW between 1 and \(Size.maxExtent)")
      }
      return SpatialNorm(size: (Int(v[0]), Int(v[1])), alpha: v[2], beta: v[3])
    case .dropout: return Dropout(rate: rate, seed: seed)
    case .pdist: return PDist(p: p, noRoot: noRoot)
    case .loss:
      if let kind = Loss.Kind(rawValue: loss) { return Loss(kind: kind, topK: topK) }
      if let kind = RegressionLoss.Kind(rawValue: loss) { return RegressionLoss(kind: kind) }
      throw ConvLabError.invalidValue("loss", value: loss, expected: "one of \(Self.lossNames.joined(separator: ", "))")
    }
  }
}
