import ConvLabCore

/// The options of `convlab block`/`jacobian` (MatConvNet's vl_nn* names), parsed from text and
/// turned into a `Block`. Kept here, not in the CLI, so tests and other tools build blocks the
/// same way.
public struct BlockOptions: Sendable {
  public var pad = [0, 0, 0, 0]
  public var stride = (1, 1)
  public var dilate = (1, 1)
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

  public init() {}

  /// The names `convlab block` accepts.
  public static let blockNames = [
    "conv", "convt", "pool", "subsample", "dense", "relu", "sigmoid", "tanh", "softmax",
    "normalize", "bnorm", "spnorm", "dropout", "pdist", "loss",
  ]

  /// Every loss name (`--loss`).
  public static let lossNames = Loss.Kind.allCases.map(\.rawValue) + RegressionLoss.Kind.allCases.map(\.rawValue)

  /// Parses comma-separated numbers (`--param 5,1,0.0001,0.75`).
  public static func parseNumbers(_ text: String, count: Int, option: String) throws -> [Double] {
    let v = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard v.count == count, v.allSatisfy(\.isFinite) else {
      throw ConvLabError("\(option) '\(text)' should be \(count) comma-separated numbers.")
    }
    return v
  }

  /// Parses `P` or `T,B,L,R`.
  public static func parsePad(_ text: String, option: String = "--pad") throws -> [Int] {
    let v = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard v.allSatisfy({ ($0 ?? -1) >= 0 }), v.count == 1 || v.count == 4 else {
      throw ConvLabError("\(option) '\(text)' should be one non-negative integer or four (top,bottom,left,right).")
    }
    let values = v.compactMap { $0 }
    return values.count == 1 ? Array(repeating: values[0], count: 4) : values
  }

  /// Parses `S` or `SH,SW` (positive).
  public static func parsePair(_ text: String, option: String) throws -> (Int, Int) {
    let v = text.split(whereSeparator: { $0 == "," || $0 == "x" }).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard v.count == 1 || v.count == 2, v.allSatisfy({ $0 >= 1 }),
          v.count == text.split(whereSeparator: { $0 == "," || $0 == "x" }).count
    else {
      throw ConvLabError("\(option) '\(text)' should be one positive integer or two (e.g. 2 or 2,1).")
    }
    return v.count == 1 ? (v[0], v[0]) : (v[0], v[1])
  }

  /// Options from `convlab block`'s option names without dashes (`["pad": "1", "stride":
  /// "2,1", "ceil": "true"]`), as the exercises' `exercise.json` stores them. Unknown names
  /// and malformed values are one-sentence errors.
  public init(_ dictionary: [String: String]) throws {
    self.init()
    for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
      func number() throws -> Double {
        guard let v = Double(value), v.isFinite else { throw ConvLabError("--\(key) '\(value)' is not a number.") }
        return v
      }
      func whole() throws -> Int {
        guard let v = Int(value) else { throw ConvLabError("--\(key) '\(value)' is not a whole number.") }
        return v
      }
      switch key {
      case "pad": pad = try Self.parsePad(value)
      case "stride": stride = try Self.parsePair(value, option: "--stride")
      case "dilate": dilate = try Self.parsePair(value, option: "--dilate")
      case "method":
        guard let m = Pool.Method(rawValue: value) else { throw ConvLabError("--method '\(value)' is not one of max, avg, maxavg.") }
        method = m
      case "pool-size": poolSize = try Self.parsePair(value, option: "--pool-size")
      case "ceil": caffeCeil = value != "false"
      case "leak": leak = try number()
      case "loss": loss = value
      case "topk": topK = try whole()
      case "upsample": upsample = try Self.parsePair(value, option: "--upsample")
      case "crop": crop = try Self.parsePad(value, option: "--crop")
      case "num-groups": numGroups = try whole()
      case "param": param = try Self.parseNumbers(value, count: 4, option: "--param")
      case "epsilon": epsilon = try number()
      case "p": p = try number()
      case "noroot": noRoot = value != "false"
      case "rate": rate = try number()
      case "mask-seed":
        guard let v = UInt64(value) else { throw ConvLabError("--mask-seed '\(value)' is not a whole number.") }
        seed = v
      default: throw ConvLabError("'\(key)' is not an option of convlab block.")
      }
    }
  }

  /// The block called `name` with these options.
  public func block(named name: String) throws -> any Block {
    switch name {
    case "conv": return Conv(pad: pad, stride: stride, dilate: dilate)
    case "pool":
      guard let size = poolSize else { throw ConvLabError("pool needs --pool-size (e.g. --pool-size 2 or 3,2).") }
      return Pool(method: method, size: size, pad: pad, stride: stride, caffeCeil: caffeCeil)
    case "convt": return ConvTranspose(upsample: upsample, crop: crop, numGroups: numGroups)
    case "subsample":
      guard let size = poolSize, size.0 == size.1 else { throw ConvLabError("subsample needs --pool-size n (square, non-overlapping n×n blocks).") }
      return Subsample(n: size.0)
    case "dense": return Dense()
    case "relu": return ReLU(leak: leak)
    case "sigmoid": return Sigmoid()
    case "tanh": return Tanh()
    case "softmax": return Softmax()
    case "normalize":
      let v = param ?? [5, 2, 1e-4, 0.75]
      guard v.count == 4, v[0] >= 1, v[0] <= Double(Size.maxExtent), v[0] == v[0].rounded() else { throw ConvLabError("normalize needs --param N,kappa,alpha,beta with a whole N between 1 and \(Size.maxExtent).") }
      return Normalize(depth: Int(v[0]), kappa: v[1], alpha: v[2], beta: v[3])
    case "bnorm": return BatchNorm(epsilon: epsilon)
    case "spnorm":
      let v = param ?? [3, 3, 1, 0.5]
      guard v.count == 4, v[0] >= 1, v[1] >= 1, v[0] <= Double(Size.maxExtent), v[1] <= Double(Size.maxExtent), v[0] == v[0].rounded(), v[1] == v[1].rounded() else {
        throw ConvLabError("spnorm needs --param PH,PW,alpha,beta with whole PH, PW between 1 and \(Size.maxExtent).")
      }
      return SpatialNorm(size: (Int(v[0]), Int(v[1])), alpha: v[2], beta: v[3])
    case "dropout": return Dropout(rate: rate, seed: seed)
    case "pdist": return PDist(p: p, noRoot: noRoot)
    case "loss":
      if let kind = Loss.Kind(rawValue: loss) { return Loss(kind: kind, topK: topK) }
      if let kind = RegressionLoss.Kind(rawValue: loss) { return RegressionLoss(kind: kind) }
      throw ConvLabError("--loss '\(loss)' is not one of \(Self.lossNames.joined(separator: ", ")).")
    default:
      throw ConvLabError("unknown block '\(name)'; available: \(Self.blockNames.joined(separator: ", ")).")
    }
  }
}
