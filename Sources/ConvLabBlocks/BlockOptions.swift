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
  public var loss = Loss.Kind.softmaxlog

  public init() {}

  /// The names `convlab block` accepts.
  public static let blockNames = ["conv", "pool", "relu", "sigmoid", "tanh", "softmax", "loss"]

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

  /// The block called `name` with these options.
  public func block(named name: String) throws -> any Block {
    switch name {
    case "conv": return Conv(pad: pad, stride: stride, dilate: dilate)
    case "pool":
      guard let size = poolSize else { throw ConvLabError("pool needs --pool-size (e.g. --pool-size 2 or 3,2).") }
      return Pool(method: method, size: size, pad: pad, stride: stride, caffeCeil: caffeCeil)
    case "relu": return ReLU(leak: leak)
    case "sigmoid": return Sigmoid()
    case "tanh": return Tanh()
    case "softmax": return Softmax()
    case "loss": return Loss(kind: loss)
    default:
      throw ConvLabError("unknown block '\(name)'; available: \(Self.blockNames.joined(separator: ", ")).")
    }
  }
}
