import ConvLabBlocks
import ConvLabCore
import Foundation

/// A network written as text, one layer per `;`-separated item, e.g.
/// `conv 3x3x64 pad 1; relu; pool max 2 stride 2; dense 10; loss softmaxlog`.
///
/// | item | meaning |
/// | --- | --- |
/// | `conv FHxFWxK [pad P\|T,B,L,R] [stride S] [dilate D] [table lenet] [flip]` | K filters of FH×FW over all input channels (MatConvNet §4.1); `table lenet` keeps only the S2→C3 connections of Xu Table 1; `flip` makes it a true convolution, filters rotated by 180° (Xu (14)) |
/// | `pool max\|avg\|maxavg F[xF] [stride S] [pad P] [ceil]` | pooling (stride defaults to F; `ceil` is Caffe's rounding, MatConvNet §5.2.1) |
/// | `subsample N` | Xu's trainable average layer β·down(x) + b (Xu (2)) |
/// | `relu`, `leaky A`, `sigmoid`, `tanh` | activations (Murugan Table 1) |
/// | `dense K` | fully connected, K outputs (Murugan (3.15)) |
/// | `loss KIND` | softmaxlog (default), log, mhinge, mshinge, logistic, binarylog, hinge, mse, l2, l1, mae, bce |
public struct NetSpec: Sendable, Equatable, CustomStringConvertible {
  public enum Layer: Sendable, Equatable {
    case conv(fh: Int, fw: Int, k: Int, pad: [Int], stride: [Int], dilate: [Int], lenetTable: Bool, flip: Bool = false)
    case pool(method: Pool.Method, size: [Int], stride: [Int], pad: [Int], ceil: Bool)
    case subsample(Int)
    case relu(leak: Double)
    case sigmoid, tanh
    case dense(Int)
  }

  public var layers: [Layer]
  public var loss: String

  public init(layers: [Layer], loss: String = "softmaxlog") {
    self.layers = layers
    self.loss = loss
  }

  /// Parses the text form; every mistake is one sentence naming the item.
  public init(parsing text: String) throws {
    var layers: [Layer] = []
    var loss = "softmaxlog"
    let items = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    guard !items.isEmpty else { throw ConvLabError("the network spec is empty; write layers separated by ';', e.g. \"conv 5x5x6; relu; pool max 2; dense 10\".") }
    for (index, item) in items.enumerated() {
      var words = item.split(separator: " ").map(String.init)
      let head = words.removeFirst().lowercased()
      func fail(_ why: String) -> ConvLabError { ConvLabError("network spec item \(index + 1) '\(item)': \(why)") }
      func dims(_ text: String, _ count: ClosedRange<Int>) throws -> [Int] {
        let v = text.split(separator: "x").map { Int($0) }
        guard count.contains(v.count), v.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= Size.maxExtent }) else {
          throw fail("'\(text)' should be \(count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound) or \(count.upperBound)") positive integers joined by x.")
        }
        return v.compactMap { $0 }
      }
      // Options come as `name value` pairs (or a bare flag).
      var options: [String: String] = [:]
      var flags: Set<String> = []
      var positional: [String] = []
      var w = 0
      let valued: Set<String> = ["pad", "stride", "dilate", "table"]
      while w < words.count {
        let word = words[w].lowercased()
        if valued.contains(word) {
          guard w + 1 < words.count else { throw fail("'\(word)' needs a value.") }
          guard options[word] == nil else { throw fail("'\(word)' is given twice.") }
          options[word] = words[w + 1]
          w += 2
        } else if word == "ceil" || word == "flip" {
          guard !flags.contains(word) else { throw fail("'\(word)' is given twice.") }
          flags.insert(word)
          w += 1
        } else {
          positional.append(words[w])
          w += 1
        }
      }
      func pair(_ key: String) throws -> [Int] {
        guard let v = options[key] else { return [1, 1] }
        guard let p = try? BlockOptions.parsePair(v, option: key), p.0 <= Size.maxExtent, p.1 <= Size.maxExtent else {
          throw fail("\(key) '\(v)' should be one integer or two (e.g. 2 or 2,1) between 1 and \(Size.maxExtent).")
        }
        return [p.0, p.1]
      }
      func pad() throws -> [Int] {
        guard let v = options["pad"] else { return [0, 0, 0, 0] }
        guard let p = try? BlockOptions.parsePad(v, option: "pad"), p.allSatisfy({ $0 <= Size.maxExtent }) else {
          throw fail("pad '\(v)' should be one integer or four (top,bottom,left,right) between 0 and \(Size.maxExtent).")
        }
        return p
      }
      func onlyOptions(_ allowed: Set<String>, positional count: Int) throws {
        if let extra = options.keys.first(where: { !allowed.contains($0) }) { throw fail("'\(extra)' does not apply to \(head).") }
        if let flag = flags.sorted().first(where: { !allowed.contains($0) }) { throw fail("'\(flag)' does not apply to \(head).") }
        guard positional.count == count else { throw fail("expected \(count) value\(count == 1 ? "" : "s") after \(head), got \(positional.count).") }
      }
      switch head {
      case "conv":
        try onlyOptions(["pad", "stride", "dilate", "table", "flip"], positional: 1)
        let d = try dims(positional[0], 3...3)
        if let t = options["table"], t.lowercased() != "lenet" { throw fail("the only connection table is 'lenet' (Xu Table 1).") }
        layers.append(.conv(fh: d[0], fw: d[1], k: d[2], pad: try pad(), stride: try pair("stride"), dilate: try pair("dilate"), lenetTable: options["table"] != nil, flip: flags.contains("flip")))
      case "pool":
        try onlyOptions(["pad", "stride", "ceil"], positional: 2)
        guard let method = Pool.Method(rawValue: positional[0].lowercased()) else { throw fail("pooling method '\(positional[0])' is not max, avg or maxavg.") }
        var size = try dims(positional[1], 1...2)
        if size.count == 1 { size.append(size[0]) }
        layers.append(.pool(method: method, size: size, stride: options["stride"] == nil ? size : try pair("stride"), pad: try pad(), ceil: flags.contains("ceil")))
      case "subsample":
        try onlyOptions([], positional: 1)
        layers.append(.subsample(try dims(positional[0], 1...1)[0]))
      case "relu":
        try onlyOptions([], positional: 0)
        layers.append(.relu(leak: 0))
      case "leaky":
        try onlyOptions([], positional: 1)
        guard let a = Double(positional[0]), a > 0, a < 1 else { throw fail("the leak should be a number between 0 and 1.") }
        layers.append(.relu(leak: a))
      case "sigmoid":
        try onlyOptions([], positional: 0)
        layers.append(.sigmoid)
      case "tanh":
        try onlyOptions([], positional: 0)
        layers.append(.tanh)
      case "dense":
        try onlyOptions([], positional: 1)
        layers.append(.dense(try dims(positional[0], 1...1)[0]))
      case "loss":
        try onlyOptions([], positional: 1)
        guard index == items.count - 1 else { throw fail("the loss must be the last item.") }
        guard BlockOptions.lossNames.contains(positional[0]), !(Loss.Kind(rawValue: positional[0])?.isForwardOnly ?? false) else {
          throw fail("'\(positional[0])' is not a trainable loss; use one of \(Self.trainableLosses.joined(separator: ", ")).")
        }
        loss = positional[0]
      default:
        throw fail("unknown layer '\(head)'; use conv, pool, subsample, relu, leaky, sigmoid, tanh, dense or loss.")
      }
    }
    guard !layers.isEmpty else { throw ConvLabError("the network spec has a loss but no layers.") }
    self.init(layers: layers, loss: loss)
  }

  /// Losses with a derivative (the error counts are forward-only).
  public static var trainableLosses: [String] { BlockOptions.lossNames.filter { !(Loss.Kind(rawValue: $0)?.isForwardOnly ?? false) } }

  /// The canonical text form (parses back to the same spec).
  public var description: String {
    func pair(_ v: [Int]) -> String { v[0] == v[1] ? "\(v[0])" : "\(v[0]),\(v[1])" }
    func pad(_ p: [Int]) -> String { Set(p).count == 1 ? "\(p[0])" : p.map(String.init).joined(separator: ",") }
    let items = layers.map { layer -> String in
      switch layer {
      case .conv(let fh, let fw, let k, let p, let s, let d, let table, let flip):
        var t = "conv \(fh)x\(fw)x\(k)"
        if p != [0, 0, 0, 0] { t += " pad \(pad(p))" }
        if s != [1, 1] { t += " stride \(pair(s))" }
        if d != [1, 1] { t += " dilate \(pair(d))" }
        if table { t += " table lenet" }
        if flip { t += " flip" }
        return t
      case .pool(let m, let size, let s, let p, let ceil):
        var t = "pool \(m.rawValue) \(size[0] == size[1] ? "\(size[0])" : "\(size[0])x\(size[1])")"
        if s != size { t += " stride \(pair(s))" }
        if p != [0, 0, 0, 0] { t += " pad \(pad(p))" }
        if ceil { t += " ceil" }
        return t
      case .subsample(let n): return "subsample \(n)"
      case .relu(let leak): return leak == 0 ? "relu" : "leaky \(leak)"
      case .sigmoid: return "sigmoid"
      case .tanh: return "tanh"
      case .dense(let k): return "dense \(k)"
      }
    }
    return (items + ["loss \(loss)"]).joined(separator: "; ")
  }
}
