import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

/// The blocks in symbols: the forward output of the linear blocks and the explicit Jacobian
/// d vec y / d (vec v)ᵀ of every block that has an exact symbolic form, for `convlab jacobian
/// … --symbolic` and `convlab block … --symbolic`.
///
/// Single-channel inputs (H × W × 1 × 1) and one filter, as in the papers' worked examples.
public enum SymbolicBlocks {
  /// The letters of the input, the filter (or weights), the output, and the bias.
  public struct Names: Sendable, Equatable {
    /// The input's letter (a, x, I).
    public var input: String
    /// The filter's or weights' letter (β, k, w).
    public var filter: String
    /// The output's letter (z, y, A).
    public var output: String
    /// The bias's letter (b).
    public var bias: String

    /// Letters for input, filter, output and bias.
    public init(input: String, filter: String, output: String, bias: String = "b") {
      self.input = input
      self.filter = filter
      self.output = output
      self.bias = bias
    }

    /// Vardhan App. A: Z = A ∗ β.
    public static let vardhan = Names(input: "a", filter: "β", output: "z")
    /// Vardhan App. B: A = max-pool(I).
    public static let vardhanPooling = Names(input: "I", filter: "Ω", output: "A")
    /// Xu: x, k, z (and δ for errors).
    public static let xu = Names(input: "x", filter: "k", output: "z")
    /// MatConvNet ch. 4: y = f(x, w).
    public static let matConvNet = Names(input: "x", filter: "w", output: "y")

    /// The paper each block's example follows: Vardhan for conv and pooling (App. A, B), Xu
    /// for his β-subsample layer, MatConvNet's x, w, y otherwise.
    public static func defaults(for block: String) -> Names {
      switch block {
      case "conv": return .vardhan
      case "pool": return .vardhanPooling
      case "subsample": return Names(input: "x", filter: "β", output: "z")
      default: return .matConvNet
      }
    }

    /// `--names a,β` or `--names a,β,z` (input, filter, output[, bias]); ASCII spellings such
    /// as beta and delta become β and δ.
    public func overridden(by text: String) throws -> Names {
      let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { SymbolNames.unicode(String($0).filter { $0 != " " }) }
      guard (1...4).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isLetter) }) else {
        throw ConvLabError.worded("\(setting: "names") takes up to four letters separated by commas (input, filter, output, bias), e.g. a,β or x,k,z; got '\(text)'.")
      }
      var n = self
      n.input = parts[0]
      if parts.count > 1 { n.filter = parts[1] }
      if parts.count > 2 { n.output = parts[2] }
      if parts.count > 3 { n.bias = parts[3] }
      guard Set([n.input, n.filter, n.output, n.bias]).count == 4 else {
        throw ConvLabError.worded("\(setting: "names") must give four different letters (input \(n.input), filter \(n.filter), output \(n.output), bias \(n.bias)).")
      }
      return n
    }
  }

  /// A symbolic matrix with what it is and the labels of its rows and columns.
  public struct Result: Sendable {
    /// The formula and its paper reference.
    public let title: String
    /// The matrix in symbols.
    public let matrix: SymbolicMatrix
    /// One label per row (z₁₁, z₂₁, … in vec order).
    public let rowLabels: [String]
    /// One label per column.
    public let colLabels: [String]
    /// The paper's description of the structure, and anything the symbols leave out.
    public let notes: [String]
  }

  static func requireSingleChannel(_ x: Shape, _ what: String) throws {
    guard x.d == 1, x.n == 1 else {
      throw ConvLabError.worded("\(setting: "symbolic") works on one single-channel image (H×W), as the papers' worked examples do; the \(what) is \(x).")
    }
  }

  static func labels(_ name: String, _ rows: Int, _ cols: Int) -> [String] {
    (0..<rows * cols).map { paperLabel(name, [$0 % rows + 1, $0 / rows + 1]) }
  }

  /// The forward output of a linear block in symbols (conv, average pooling, subsample, dense).
  public static func forward(_ block: any Block, x: Shape, filter: Shape?, names: Names) throws -> Result {
    try requireSingleChannel(x, "input")
    let input = SymbolicMatrix.symbols(names.input, x.h, x.w)
    switch block {
    case let conv as Conv:
      let f = try convFilter(filter)
      let y = try SymbolicLayers.convolve(input, .symbols(names.filter, f.h, f.w), geometry: conv.geometry(kh: f.h, kw: f.w))
      return Result(
        title: "\(names.output.uppercased()) = \(names.input.uppercased()) ∗ \(names.filter)  (MatConvNet §4.1: correlation, \(describe(conv.geometry(kh: f.h, kw: f.w))))",
        matrix: y, rowLabels: (1...max(1, y.rows)).map { "\($0)" }, colLabels: (1...max(1, y.cols)).map { "\($0)" },
        notes: ["biases are left out: they add b to every entry"])
    case let pool as Pool where pool.method == .avg:
      let y = try SymbolicLayers.averagePool(input, geometry: try poolGeometry(pool))
      return Result(
        title: "\(names.output) = avg-pool(\(names.input))  (MatConvNet §4.3: mean of the in-bounds samples)",
        matrix: y, rowLabels: (1...max(1, y.rows)).map { "\($0)" }, colLabels: (1...max(1, y.cols)).map { "\($0)" }, notes: [])
    case let sub as Subsample:
      let y = try SymbolicLayers.subsample(input, n: sub.n, beta: Polynomial(Symbol(names.filter, [])), bias: Polynomial(Symbol(names.bias, [])))
      return Result(
        title: "\(names.output) = \(names.filter) down(\(names.input)) + \(names.bias)  (Xu (2))", matrix: y,
        rowLabels: (1...max(1, y.rows)).map { "\($0)" }, colLabels: (1...max(1, y.cols)).map { "\($0)" }, notes: [])
    case is Dense:
      guard let f = filter else { throw ConvLabError.worded("dense needs the weights' size K×\(x.h * x.w) (\(setting: "k") or \(setting: "w") KxN).") }
      guard f.w == x.h * x.w, f.d == 1, f.n == 1 else { throw ConvLabError("dense weights must be K×\(x.h * x.w) for a \(x.h)×\(x.w) input, got \(f).") }
      let y = try SymbolicLayers.dense(input, weights: .symbols(names.filter, f.h, f.w), bias: nil)
      return Result(
        title: "\(names.output) = \(names.filter.uppercased()) vec \(names.input)  (Murugan (3.10))", matrix: y,
        rowLabels: (0..<y.rows).map { paperLabel(names.output, [$0 + 1]) }, colLabels: ["1"], notes: ["biases are left out: they add b"])
    default:
      throw ConvLabError.worded(
        "block \(block.name) \(block is Pool ? "with max pooling " : "")is not linear, so its output has no polynomial form; \(setting: "symbolic") shows its forward output for conv, pool \(setting: "method") avg, subsample and dense, and `convlab jacobian \(block.name) \(setting: "symbolic")` shows its Jacobian."
      )
    }
  }

  /// d vec y / d (vec v)ᵀ in symbols. `point` (x and the parameters) decides what the symbols
  /// cannot: which entry wins a max-pooling window, the signs ReLU sees.
  public static func jacobian(_ block: any Block, at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable, names: Names) throws -> Result {
    // Softmax works across channels, so it alone takes H×W×D.
    try requireSingleChannel(block is Softmax ? Shape(x.shape.h, x.shape.w, 1, x.shape.n) : x.shape, "input")
    let s = x.shape
    let input = SymbolicMatrix.symbols(names.input, s.h, s.w)
    let inputVariables = try SymbolicLayers.variables(of: vec(input))
    switch block {
    case let conv as Conv:
      let f = try convFilter(p.w?.shape)
      let kernel = SymbolicMatrix.symbols(names.filter, f.h, f.w)
      let g = conv.geometry(kh: f.h, kw: f.w)
      let y = try SymbolicLayers.convolve(input, kernel, geometry: g)
      let outLabels = labels(names.output, y.rows, y.cols)
      switch v {
      case .x:
        return Result(
          title:
            "d ᵥ\(names.output.uppercased()) / d ᵥ\(names.input.uppercased())  (Vardhan (a2-1): column (r,s) = vec(d\(names.input.uppercased())/d\(names.input.uppercased())_rs ∗ \(names.filter)); \(describe(g)))",
          matrix: try SymbolicLayers.jacobian(y, wrt: inputVariables), rowLabels: outLabels, colLabels: inputVariables.map(\.unicode),
          notes: [conv.structure(wrt: .x)])
      case .w:
        let kv = try SymbolicLayers.variables(of: vec(kernel))
        return Result(
          title: "d ᵥ\(names.output.uppercased()) / d ᵥ\(names.filter)  (Vardhan (a1-1): column (r,s) = vec(\(names.input.uppercased()) ∗ d\(names.filter)/d\(names.filter)_rs); \(describe(g)))",
          matrix: try SymbolicLayers.jacobian(y, wrt: kv), rowLabels: outLabels, colLabels: kv.map(\.unicode), notes: [conv.structure(wrt: .w)])
      case .b:
        let b = Symbol(names.bias, [])
        let withBias = SymbolicMatrix(rows: y.rows, cols: y.cols, entries: try y.entries.map { try $0 + Polynomial(b) })
        return Result(
          title: "d ᵥ\(names.output.uppercased()) / d\(names.bias)", matrix: try SymbolicLayers.jacobian(withBias, wrt: [b]),
          rowLabels: outLabels, colLabels: [b.unicode], notes: [conv.structure(wrt: .b)])
      }
    case let pool as Pool:
      try requireX(v, block)
      let g = try poolGeometry(pool)
      switch pool.method {
      case .avg:
        let y = try SymbolicLayers.averagePool(input, geometry: g)
        return Result(
          title: "d ᵥ\(names.output) / d ᵥ\(names.input)  (average pooling: 1/(in-bounds count) over each window, MatConvNet §6.3; \(describe(g)))",
          matrix: try SymbolicLayers.jacobian(y, wrt: inputVariables), rowLabels: labels(names.output, y.rows, y.cols),
          colLabels: inputVariables.map(\.unicode), notes: [pool.structure(wrt: .x)])
      case .max:
        var values = Valuation()
        values.assign(names.input, x.channel(0))
        let winners = try SymbolicLayers.maxPoolWinners(input, geometry: g, padding: .excluded, values: values)
        let pooled = try SymbolicLayers.maxPoolWindows(input, geometry: g, padding: .excluded)
        let selector = try SymbolicLayers.maxPoolSelector(input, geometry: g, padding: .excluded, winners: winners)
        let winning = zip(pooled.windows, winners).enumerated().map { k, pair in
          "\(paperLabel(names.output, [k % pooled.rows + 1, k / pooled.rows + 1])) = \(pair.0.entries[pair.1].value.unicode)"
        }
        return Result(
          title: "d ᵥ\(names.output) / d ᵥ\(names.input)  (max-pool selector S(x), MatConvNet §6.3, Vardhan App. B; \(describe(g)))",
          matrix: selector, rowLabels: labels(names.output, pooled.rows, pooled.cols), colLabels: inputVariables.map(\.unicode),
          notes: ["winners at this input (seeded; MatConvNet pads with −∞): " + winning.joined(separator: ", ")])
      case .maxavg:
        throw ConvLabError.worded("\(setting: "symbolic") covers pool \(setting: "method") max and avg; maxavg is their sum, shown by the numeric Jacobian.")
      }
    case let sub as Subsample:
      let beta = Symbol(names.filter, [])
      let b = Symbol(names.bias, [])
      let y = try SymbolicLayers.subsample(input, n: sub.n, beta: Polynomial(beta), bias: Polynomial(b))
      let wrt: [Symbol] = v == .x ? inputVariables : (v == .w ? [beta] : [b])
      return Result(
        title: "d ᵥ\(names.output) / d \(v == .x ? "ᵥ" + names.input : wrt[0].unicode)  (Xu (2): \(names.output) = \(beta.unicode) down(\(names.input)) + \(b.unicode))",
        matrix: try SymbolicLayers.jacobian(y, wrt: wrt), rowLabels: labels(names.output, y.rows, y.cols), colLabels: wrt.map(\.unicode),
        notes: [sub.structure(wrt: v)])
    case is Dense:
      guard let f = p.w?.shape, f.w == s.h * s.w else { throw ConvLabError("dense needs weights K×\(s.h * s.w).") }
      let weights = SymbolicMatrix.symbols(names.filter, f.h, f.w)
      let bias = SymbolicMatrix.vectorSymbols(names.bias, f.h)
      let y = try SymbolicLayers.dense(input, weights: weights, bias: p.b == nil ? nil : bias)
      let wrt: [Symbol] = v == .x ? inputVariables : try SymbolicLayers.variables(of: vec(v == .w ? weights : bias))
      return Result(
        title: "d \(names.output) / d (vec \(v == .x ? names.input : (v == .w ? names.filter.uppercased() : names.bias)))ᵀ  (\(Dense().structure(wrt: v)))",
        matrix: try SymbolicLayers.jacobian(y, wrt: wrt), rowLabels: (0..<y.rows).map { paperLabel(names.output, [$0 + 1]) },
        colLabels: wrt.map(\.unicode), notes: [])
    case let relu as ReLU:
      try requireX(v, block)
      let leak = try exactRational(relu.leak)
      return Result(
        title: "d ᵥ\(names.output) / d ᵥ\(names.input) = diag(1{\(names.input) > 0}\(leak.isZero ? "" : " + \(leak)·1{\(names.input) ≤ 0}"))  (MatConvNet §6.4.1)",
        matrix: try SymbolicJacobians.relu(positive: x.storage.map { $0 > 0 }, leak: leak), rowLabels: labels(names.output, s.h, s.w),
        colLabels: inputVariables.map(\.unicode), notes: ["signs at this input (seeded): the derivative is undefined at 0"])
    case is Sigmoid, is Tanh:
      try requireX(v, block)
      let activation: SymbolicJacobians.Activation = block is Sigmoid ? .sigmoid : .tanh
      let y = SymbolicMatrix.symbols(names.output, s.h, s.w)
      return Result(
        title: "d ᵥ\(names.output) / d ᵥ\(names.input) = diag(f′(\(names.input))) = \(activation == .sigmoid ? "diag(y(1 − y))" : "diag(1 − y²)")  (Murugan Table 1, in the outputs y = f(x))",
        matrix: try SymbolicJacobians.elementwise(activation, outputs: y), rowLabels: labels(names.output, s.h, s.w),
        colLabels: inputVariables.map(\.unicode), notes: [])
    case is Softmax:
      try requireX(v, block)
      let jac = try SymbolicJacobians.softmax(h: s.h, w: s.w, d: s.d, name: names.output)
      // One pixel: y₁ … y_D as in diag(y) − y yᵀ; otherwise y_{ijd}.
      func label(_ name: String, _ k: Int) -> String { s.h == 1 && s.w == 1 ? paperLabel(name, [k + 1]) : Tensor<Double>.label(name, shape: s, at: k) }
      return Result(
        title: "d ᵥ\(names.output) / d ᵥ\(names.input) = diag(y) − y yᵀ at every pixel  (MatConvNet §6.4; softmax across channels)",
        matrix: jac, rowLabels: (0..<s.count).map { label(names.output, $0) }, colLabels: (0..<s.count).map { label(names.input, $0) }, notes: [])
    default:
      throw ConvLabError.worded("block \(block.name) has no exact symbolic Jacobian here; \(setting: "symbolic") covers conv, pool (max, avg), subsample, dense, relu, sigmoid, tanh and softmax.")
    }
  }

  /// Substitutes the instance's numbers (x, w, b and, for Jacobians written in the outputs,
  /// y = f(x)) into a symbolic Jacobian and compares it with the block's literal Jacobian:
  /// the evidence that the symbols say what the numeric path computes.
  public static func substitutionCheck(
    _ result: Result, _ block: any Block, at x: Tensor<Double>, _ p: Parameters<Double>,
    wrt v: Variable, names: Names
  ) throws -> Comparison {
    var values = Valuation()
    values.assign(names.input, x.channel(0))
    if let w = p.w { values.assign(names.filter, Matrix(rows: w.shape.h, cols: w.shape.w, storage: w.storage)) }
    if let w = p.w, w.count == 1 { values.assign(Symbol(names.filter, []), w.storage[0]) }
    if let b = p.b {
      values.assignVector(names.bias, b.storage)
      if b.count == 1 { values.assign(Symbol(names.bias, []), b.storage[0]) }
    }
    let y = try block.forward(x, p)
    if y.shape.h == 1 && y.shape.w == 1 { values.assignVector(names.output, y.storage) }
    for k in 0..<y.count {
      let s = y.shape.subscripts(k)
      values.assign(Symbol(names.output, y.shape.d > 1 ? [s.i + 1, s.j + 1, s.d + 1] : [s.i + 1, s.j + 1]), y.storage[k])
    }
    return Comparison(try result.matrix.evaluate(values), try block.jacobian(at: x, p, wrt: v))
  }

  /// Vardhan App. A's printed examples compared with the computed ones, when the block is
  /// App. A's setting (a 3×4 input, a 2×2 filter, padding 1, stride (1,2)); nil otherwise.
  public static func appendixA(_ block: any Block, at x: Tensor<Double>, _ p: Parameters<Double>) throws -> [(example: WorkedExample, comparison: SymbolicComparison)]? {
    guard let conv = block as? Conv, x.shape.h == 3, x.shape.w == 4, x.shape.d == 1, x.shape.n == 1,
      let f = p.w?.shape, f.h == 2, f.w == 2, f.d == 1, f.n == 1,
      conv.pad == [1, 1, 1, 1], conv.stride == (1, 2), conv.dilate == (1, 1)
    else { return nil }
    return try WorkedExamples.vardhanAppendixA().map { ($0, try $0.comparison()) }
  }

  static func requireX(_ v: Variable, _ block: any Block) throws {
    guard v == .x else { throw ConvLabError("\(block.name) has no parameters in symbolic form; differentiate with respect to x.") }
  }

  static func convFilter(_ f: Shape?) throws -> Shape {
    guard let f else { throw ConvLabError.worded("conv needs the filter size for \(setting: "symbolic") (\(setting: "k") HxW, or \(setting: "w") with a .npy file or a size).") }
    guard f.d == 1, f.n == 1 else { throw ConvLabError.worded("\(setting: "symbolic") uses one single-channel filter (H′×W′), as the worked examples do; got \(f).") }
    return f
  }

  static func poolGeometry(_ pool: Pool) throws -> FilterGeometry {
    guard !pool.caffeCeil else { throw ConvLabError.worded("\(setting: "symbolic") uses MatConvNet's pooling size; drop \(setting: "ceil").") }
    _ = try pool.outputShape(Shape(max(pool.size.0, 1), max(pool.size.1, 1)), Parameters<Double>())
    return FilterGeometry(kh: pool.size.0, kw: pool.size.1, stride: pool.stride, pad: pool.pad)
  }

  static func describe(_ g: FilterGeometry) -> String {
    var parts = ["window \(g.rows.size)×\(g.cols.size)"]
    if g.isPadded { parts.append("padding \(g.rows.padBefore),\(g.rows.padAfter),\(g.cols.padBefore),\(g.cols.padAfter)") }
    if g.rows.stride != 1 || g.cols.stride != 1 { parts.append("stride (\(g.rows.stride),\(g.cols.stride))") }
    if g.rows.dilation != 1 || g.cols.dilation != 1 { parts.append("dilation (\(g.rows.dilation),\(g.cols.dilation))") }
    return parts.joined(separator: ", ")
  }

  /// The leak as an exact fraction with a denominator up to 10⁴ (0.01 = 1/100), or a sentence.
  static func exactRational(_ v: Double) throws -> Rational {
    for q in 1...10_000 {
      let p = (v * Double(q)).rounded()
      if abs(p) < 1e12, p / Double(q) == v { return try Rational(Int(p), q) }
    }
    throw ConvLabError("the leak \(v) has no short exact fraction (denominator ≤ 10000), so its symbolic Jacobian cannot be printed exactly.")
  }
}
