import ConvLabCore

/// One layer of a textual network description such as
/// `conv 5x5; pool 2x2 stride 2; conv 3x3x64 pad 1 dilate 2; relu; convt 4x4 upsample 2 crop 1`.
///
/// Grammar (one layer between semicolons): a kind, an optional size `HxW` (or `K`, or
/// `HxWxC` with a filter count C), and options `stride S|SH,SW`, `pad P|T,B,L,R`,
/// `dilate D|DH,DW`, `upsample U|UH,UW`, `crop C|T,B,L,R`, `ceil` (Caffe pooling), and a pooling
/// method `max|avg|maxavg`. Kinds without a window (relu, sigmoid, tanh, softmax, …) are 1 × 1.
public struct LayerSpec: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable, CaseIterable {
    case conv, pool, convt, relu, sigmoid, tanh, softmax, normalize, bnorm, spnorm, dropout
  }

  public var kind: Kind
  public var geometry: FilterGeometry
  /// conv: number of filters, when given as the third size number.
  public var filters: Int?
  /// pool: max, avg or maxavg.
  public var method: String?
  /// pool: Caffe's ceil mode (MatConvNet §5.2.1).
  public var caffeCeil: Bool
  /// convt: upsampling factors and crops [top, bottom, left, right].
  public var upsample: (Int, Int) { (geometry.rows.stride, geometry.cols.stride) }
  public let text: String

  public var description: String { text }

  public static func == (a: LayerSpec, b: LayerSpec) -> Bool { a.text == b.text }
  public func hash(into hasher: inout Hasher) { hasher.combine(text) }

  /// Parses one layer.
  public init(parsing text: String) throws {
    let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard let first = words.first else { throw ConvLabError("empty layer in the network description.") }
    guard let kind = Kind(rawValue: first.lowercased()) else {
      throw ConvLabError("unknown layer '\(first)' in '\(text)'; expected one of \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
    self.kind = kind
    let layerText = text.trimmingCharacters(in: .whitespaces)
    self.text = layerText
    var size: (Int, Int)?
    var stride = (1, 1)
    var dilation = (1, 1)
    var pad = [0, 0, 0, 0]
    var filters: Int?
    var method: String?
    var ceil = false
    var k = 1
    let maxExtent = Size.maxExtent
    // Every number is a size from outside: parse it exactly (no silently dropped words) and bound it.
    func numbers(_ word: String, _ name: String, _ separators: Set<Character>, _ range: ClosedRange<Int>, _ usage: String) throws -> [Int] {
      let parts = word.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) })
      var values: [Int] = []
      for part in parts {
        guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }) else {
          throw ConvLabError("'\(name) \(word.prefix(40))' in '\(layerText.prefix(80))' should be \(usage).")
        }
        guard let v = Int(part), range.contains(v) else {
          throw ConvLabError("'\(name) \(word.prefix(40))' in '\(layerText.prefix(80))' is out of range: each number must be between \(range.lowerBound) and \(range.upperBound).")
        }
        values.append(v)
      }
      return values
    }
    func pair(_ word: String, _ name: String) throws -> (Int, Int) {
      let v = try numbers(word, name, [","], 1...maxExtent, "one or two positive integers (e.g. \(name) 2 or \(name) 2,1)")
      guard v.count == 1 || v.count == 2 else {
        throw ConvLabError("'\(name) \(word.prefix(40))' in '\(layerText.prefix(80))' should be one or two positive integers (e.g. \(name) 2 or \(name) 2,1).")
      }
      return v.count == 1 ? (v[0], v[0]) : (v[0], v[1])
    }
    func quad(_ word: String, _ name: String) throws -> [Int] {
      let v = try numbers(word, name, [","], 0...maxExtent, "one non-negative integer or four (top,bottom,left,right)")
      guard v.count == 1 || v.count == 4 else {
        throw ConvLabError("'\(name) \(word.prefix(40))' in '\(layerText.prefix(80))' should be one non-negative integer or four (top,bottom,left,right).")
      }
      return v.count == 1 ? Array(repeating: v[0], count: 4) : v
    }
    while k < words.count {
      let word = words[k].lowercased()
      func value() throws -> String {
        guard k + 1 < words.count else { throw ConvLabError("'\(word.prefix(40))' in '\(layerText.prefix(80))' needs a value.") }
        k += 1
        return words[k]
      }
      switch word {
      case "stride", "upsample": stride = try pair(try value(), word)
      case "dilate": dilation = try pair(try value(), word)
      case "pad", "crop": pad = try quad(try value(), word)
      case "ceil": ceil = true
      case "max", "avg", "maxavg": method = word
      default:
        guard word.first?.isNumber == true else {
          throw ConvLabError("cannot read '\(words[k].prefix(40))' in '\(layerText.prefix(80))'; expected a size like 5x5 or an option (stride, pad, dilate, upsample, crop, ceil).")
        }
        guard size == nil else {
          throw ConvLabError("'\(layerText.prefix(80))' gives two sizes ('\(words[k].prefix(40))' is the second); write one size like 5x5 or 3x3x64.")
        }
        let dims = try numbers(word, "size", ["x", "×"], 1...maxExtent, "a size like 5, 5x5 or 3x3x64 (height x width x filters)")
        guard dims.count <= 3 else {
          throw ConvLabError("cannot read '\(words[k].prefix(40))' in '\(layerText.prefix(80))'; a size has one to three numbers (5, 5x5 or 3x3x64).")
        }
        size = dims.count == 1 ? (dims[0], dims[0]) : (dims[0], dims[1])
        if dims.count == 3 { filters = dims[2] }
      }
      k += 1
    }
    // A windowed layer without a size used to mean 1 × 1, silently; it is almost always a typo.
    if size == nil && (kind == .conv || kind == .pool || kind == .convt) {
      throw ConvLabError("'\(layerText.prefix(80))' has no window size; write one, e.g. '\(kind.rawValue) 5x5' (or '\(kind.rawValue) 1x1' for a 1 × 1 window).")
    }
    if kind == .pool && method == nil { method = "max" }
    self.filters = filters
    self.method = method
    self.caffeCeil = ceil
    geometry = FilterGeometry(kh: size?.0 ?? 1, kw: size?.1 ?? 1, stride: stride, pad: pad, dilation: dilation)
  }

  /// Output H″ × W″ of this layer for an H × W input (MatConvNet (5.3); §5.3 for convt;
  /// §5.2.1 for Caffe ceil pooling).
  public func outputSize(h: Int, w: Int) throws -> (h: Int, w: Int) {
    switch kind {
    case .convt:
      return (try ConvTransposeAxis(rows: geometry.rows).outputLength(h), try ConvTransposeAxis(rows: geometry.cols).outputLength(w))
    case .pool where caffeCeil:
      return (try CaffePooling.outputLength(h, geometry.rows), try CaffePooling.outputLength(w, geometry.cols))
    default:
      return try geometry.outputSize(h: h, w: w, what: kind == .pool ? "pooling window" : "filter")
    }
  }

  /// The receptive-field transformation of this layer along rows and columns.
  public var receptiveField: (rows: ReceptiveField, cols: ReceptiveField) {
    switch kind {
    case .conv, .pool:
      return (.filter(geometry.rows), .filter(geometry.cols))
    case .convt:
      return (
        .convTranspose(size: geometry.rows.size, upsample: geometry.rows.stride, cropBefore: geometry.rows.padBefore),
        .convTranspose(size: geometry.cols.size, upsample: geometry.cols.stride, cropBefore: geometry.cols.padBefore)
      )
    case .normalize:
      // LRN mixes channels, not pixels: spatially it is 1 × 1.
      return (.identity, .identity)
    default:
      return (.identity, .identity)
    }
  }
}

/// A convolution-transpose axis read from a `FilterAxis` whose stride is the upsampling
/// factor U and whose paddings are the crops C⁻, C⁺.
public struct ConvTransposeAxis: Sendable {
  public let rows: FilterAxis

  public init(rows: FilterAxis) { self.rows = rows }

  /// H″ = U(H − 1) + H′ − C⁻ − C⁺ (MatConvNet §5.3 and §4.2).
  public func outputLength(_ h: Int) throws -> Int {
    let (grown, overflow) = rows.stride.multipliedReportingOverflow(by: h - 1)
    guard !overflow, grown <= Size.maxExtent else {
      throw ConvLabError("conv transpose output would be longer than \(Size.maxExtent) samples: U(H−1) = \(rows.stride)·\(h - 1).")
    }
    let out = grown + rows.size - rows.padBefore - rows.padAfter
    guard out >= 1 else {
      throw ConvLabError("conv transpose output would have \(out) samples: U(H−1)+H′−C⁻−C⁺ = \(rows.stride)·\(h - 1)+\(rows.size)−\(rows.padBefore)−\(rows.padAfter); reduce the crop.")
    }
    return out
  }
}

/// Caffe's pooling output size (MatConvNet §5.2.1).
public enum CaffePooling {
  /// H″ = ⌈(H − H′ + 2P)/S⌉ + 1, lowered by one when the last window would start inside the
  /// bottom padding (MatConvNet (5.4): S(H″ − 1) − P + 1 ≤ H must hold). Caffe pads symmetrically, so P
  /// is the axis's `padBefore`.
  public static func outputLength(_ h: Int, _ axis: FilterAxis) throws -> Int {
    let p = axis.padBefore
    let s = axis.stride
    let k = axis.size
    guard p < k else {
      throw ConvLabError("Caffe pooling needs padding smaller than the window (got pad \(p), window \(k)).")
    }
    guard h + 2 * p >= k else {
      throw ConvLabError("the pooling window (\(k)) is larger than the padded input (\(h + 2 * p)).")
    }
    var out = (h - k + 2 * p + s - 1) / s + 1  // ⌈a/b⌉ = ⌊(a + b − 1)/b⌋ for a ≥ 0
    if (out - 1) * s >= h + p { out -= 1 }
    return out
  }

  /// MatConvNet's bottom padding that reproduces Caffe's output size:
  /// P⁺ = min(P⁻ + S − 1, H′ − 1) (MatConvNet §5.2.1).
  public static func matConvNetPadAfter(_ axis: FilterAxis) -> Int {
    min(axis.padBefore + axis.stride - 1, axis.size - 1)
  }
}

/// A network description: layers separated by semicolons.
public struct LayerStack: Sendable {
  public let layers: [LayerSpec]

  /// The most layers a description may have.
  public static let maxLayers = 1000

  public init(parsing text: String) throws {
    let parts = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !parts.isEmpty else { throw ConvLabError("the network description is empty; write layers separated by ';' (e.g. \"conv 5x5; pool 2x2 stride 2\").") }
    guard parts.count <= Self.maxLayers else {
      throw ConvLabError("the network description has \(parts.count) layers; at most \(Self.maxLayers) are allowed.")
    }
    layers = try parts.map(LayerSpec.init(parsing:))
  }

  /// Per layer: output size and the receptive field of that output on the network input,
  /// composed with MatConvNet §5.5.
  public func trace(h: Int, w: Int) throws -> [(layer: LayerSpec, h: Int, w: Int, rows: ReceptiveField, cols: ReceptiveField)] {
    var (curH, curW) = (h, w)
    var (rfRows, rfCols) = (ReceptiveField.identity, ReceptiveField.identity)
    var out: [(LayerSpec, Int, Int, ReceptiveField, ReceptiveField)] = []
    for (index, layer) in layers.enumerated() {
      do {
        (curH, curW) = try layer.outputSize(h: curH, w: curW)
        // Bounded sizes keep the next layer's arithmetic far from overflow.
        guard curH <= Size.maxExtent, curW <= Size.maxExtent else {
          throw ConvLabError("the output would be \(curH)×\(curW); each side must be at most \(Size.maxExtent).")
        }
      } catch let error as ConvLabError {
        throw ConvLabError("layer \(index + 1) (\(layer.text)): \(error.description)")
      }
      let rf = layer.receptiveField
      rfRows = rfRows.then(rf.rows)
      rfCols = rfCols.then(rf.cols)
      out.append((layer, curH, curW, rfRows, rfCols))
    }
    return out
  }
}
