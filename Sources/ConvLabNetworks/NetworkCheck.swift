import ConvLabBlocks
import ConvLabChecks
import ConvLabCore

/// `convlab check net`: for a small network ending in a scalar loss, the explicit per-block
/// Jacobians multiplied end to end (MatConvNet §2.3's chain of Jacobians) against backprop
/// (MatConvNet (2.1)) and central finite differences, with the sizes of the Jacobians backprop never forms.
public struct NetworkCheck: Sendable {
  public let name: String
  /// d z / d (vec x₀)ᵀ from the product of explicit Jacobians vs backprop's dz/dx₀.
  public let productVsBackprop: Comparison
  /// Backprop's dz/dx₀ vs finite differences of the whole network.
  public let backpropVsFiniteDifferences: Comparison
  /// (variable, rows, cols) of every block Jacobian d vec x_l / d (vec x_{l−1})ᵀ.
  public let blockJacobians: [(String, Int, Int)]

  public var passed: Bool {
    productVsBackprop.passes(ThreeWayCheck.literalTolerance) && backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance)
  }

  public init(name: String, dag: DAG<Double>, x: Tensor<Double>) throws {
    self.name = name
    let values = try dag.forward(x)
    guard let z = values[dag.output], z.count == 1 else { throw ConvLabError("check net needs a network that ends in a scalar loss.") }
    let backprop = try dag.backward(values, dzdOutput: Tensor(shape: z.shape, storage: [1])).variables[dag.input]
    guard let dzdx = backprop else { throw ConvLabError("the input does not reach the output.") }
    let literal = try dag.literalJacobian(x)
    productVsBackprop = Comparison(literal.jacobian.storage, dzdx.storage)
    let numeric = try FiniteDifferences.jacobian(at: x.storage) { v in
      try dag.forward(Tensor(shape: x.shape, storage: v))[dag.output]?.storage ?? []
    }
    backpropVsFiniteDifferences = Comparison(dzdx.storage, numeric.storage)
    blockJacobians = literal.blockJacobianSizes
  }

  /// The two example networks: a LeNet-like chain and a DAG with a fan-out and a sum.
  public static func examples(seed: UInt64 = 1) throws -> [NetworkCheck] {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.uniform(Shape(8, 8, 1, 2), using: &rng)
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, 2), storage: [2, 3])
    let chain = Chain<Double>([
      .init(Conv(pad: [1, 1, 1, 1]), Parameters(w: .uniform(Shape(3, 3, 1, 4), using: &rng), b: .uniform(Shape(1, 1, 4), using: &rng))),
      .init(Sigmoid()),
      .init(Pool(method: .avg, size: (2, 2), stride: (2, 2))),
      .init(Conv(), Parameters(w: .uniform(Shape(4, 4, 4, 3), using: &rng))),
      .init(Loss(kind: .softmaxlog), Parameters(labels: labels)),
    ])
    let dag = try DAG<Double>(
      input: "x0",
      nodes: [
        .init("a", .block(Conv(pad: [1, 1, 1, 1]), Parameters(w: .uniform(Shape(3, 3, 1, 2), using: &rng)), input: "x0")),
        .init("r", .block(Tanh(), Parameters(), input: "a")),
        .init("s", .block(Conv(), Parameters(w: .uniform(Shape(1, 1, 1, 2), using: &rng)), input: "x0")),
        .init("t", .sum(["r", "s", "a"])),
        .init("u", .block(Pool(method: .avg, size: (2, 2), stride: (2, 2)), Parameters(), input: "t")),
        .init("v", .block(Dense(), Parameters(w: .uniform(Shape(3, 32), using: &rng)), input: "u")),
        .init("z", .block(Loss(kind: .softmaxlog), Parameters(labels: labels), input: "v")),
      ])
    return [
      try NetworkCheck(name: "chain: conv 3×3 → sigmoid → avg pool 2 → conv 4×4 → softmaxlog", dag: chain.dag, x: x),
      try NetworkCheck(name: "DAG: a = conv 3×3(x), r = tanh(a), s = conv 1×1(x), t = r + s + a → avg pool → dense → softmaxlog", dag: dag, x: x),
    ]
  }
}

/// `convlab net check`: the three-way check of a whole network given as a spec (and weights),
/// per layer and end to end, with the worst entry of every comparison.
///
/// - **Per layer** (each block alone, at its input x_{l−1} in the network and with backprop's
///   dz/dx_l): the explicit Jacobian's (dz/dx_l)ᵀ J_v against the block's backward pass, and
///   that against central finite differences of ⟨dz/dx_l, f_l⟩ (MatConvNet §2.3, MatConvNet (2.1)).
/// - **End to end**: dz/dx₀ and every dz/dw_l as the product of the explicit block Jacobians
///   from the loss down, (dz/d vec x_L)ᵀ J_L ⋯ J_{l+1} J_{l,w} (MatConvNet §2.3's chain of
///   Jacobians, evaluated from the left, image by image), against backprop and against finite
///   differences of the whole objective z.
///
/// Element-wise blocks keep their Jacobian as a diagonal, pooling and subsampling as the
/// non-zeros of their selectors (`StructuredJacobian`), so LeNet-5 at 28×28 runs in megabytes. A block whose dense Jacobian for one image exceeds `jacobianBytes`
/// is checked by random projections instead: vᵀ J u with v = dz/dx_l and a seeded random u,
/// three ways: the literal ⟨v, J u⟩ with J u from the explicit Jacobian built in column blocks
/// that fit under the gate (`literalJacobianProduct`), backprop's ⟨vᵀJ, u⟩, and the finite
/// difference ⟨v, (f(x + hu) − f(x − hu)) / 2h⟩; the end-to-end product then continues from
/// backprop's vector, and the report says so.
/// Finite differences cover every entry up to `fdEntries` per array, else a seeded sample.
public struct NetworkVerification: Sendable {
  /// One comparison row.
  public struct Row: Sendable {
    /// 1-based spec item (0 for the input in end-to-end rows).
    public let item: Int
    public let block: String
    /// `x`, `w`, `b` (per layer) or the key (`x`, `3.w`) end to end.
    public let variable: String
    /// How the Jacobian was held: `dense 4704×784`, `diagonal 4704`, or `projection vᵀJu`.
    public let form: String
    /// Explicit Jacobian product (or literal VJP, or for a projection the literal vᵀ(J u)) vs
    /// backprop; nil for a projection of a block without a column-by-column Jacobian.
    public let literalVsBackprop: Comparison?
    /// Backprop vs central finite differences on `checked` of `total` entries (or the projection).
    public let backpropVsFiniteDifferences: Comparison
    public let checked: Int
    public let total: Int
    /// Sampled entries left out because they sit at a kink (ReLU at 0, a max-pool tie): their
    /// central differences with steps h and h/2 disagree, so no finite difference is valid there.
    public let atKinks: Int
    /// For a projection row: the three values of vᵀJu (literal from J u in column blocks,
    /// backprop's ⟨vᵀJ, u⟩, the central difference); nil entries were not available.
    public var projection: (literal: Double?, backprop: Double, finiteDifference: Double?)? = nil
    /// For a projection row: the literal vᵀ(J u) against the central difference.
    public var literalVsFiniteDifferences: Comparison? = nil

    /// Every comparison within its tolerance (ThreeWayCheck's).
    public var passed: Bool {
      (literalVsBackprop?.passes(ThreeWayCheck.literalTolerance) ?? true)
        && backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance)
        && (literalVsFiniteDifferences?.passes(ThreeWayCheck.finiteDifferenceTolerance) ?? true)
    }
  }

  /// The objective z: the loss averaged over the images.
  public let loss: Double
  /// One row per layer and variable, in layer order.
  public let layers: [Row]
  /// dz/dx, then every parameter key in layer order.
  public let endToEnd: [Row]
  /// Items (1-based) checked by projections because their Jacobian exceeds the gate.
  public let projectedItems: [Int]
  /// The largest single explicit Jacobian held, in bytes.
  public let largestJacobianBytes: Int

  /// Every row passed.
  public var passed: Bool { (layers + endToEnd).allSatisfy(\.passed) }

  /// Checks `network` at input `x` against `target`; `fdEntries` bounds the finite differences
  /// per array, `seed` draws their sample and the projections' u, `jacobianBytes` is the gate
  /// above which a block is checked by projections.
  public init(
    network: Network<Double>, x: Tensor<Double>, target: NetTarget<Double>, fdEntries: Int = 64, seed: UInt64 = 1,
    jacobianBytes: Int = min(JacobianBudget.defaultBytes, MemoryLimit.bytes / 4)
  ) throws {
    let chain = network.chain
    let p = try network.lossParameters(target, count: x.shape.n)
    let (z, dzdx, grads) = try network.objective(x, target)
    let values = try chain.forward(x)
    let scale = network.objectiveScale(batch: x.shape.n)
    var rng = SeededGenerator(seed: seed)
    loss = z
    guard let scores = values.last else { throw ConvLabError("the network has no layers.") }
    // Backprop's dz/dx_l for every layer output (the per-layer checks' upstream vectors).
    let dzdScores = try network.loss.backward(scores, p, Tensor(shape: Shape(1, 1), storage: [scale])).dzdx
    let upstream: [Tensor<Double>] = chain.layers.indices.map { l in l + 1 < chain.layers.count ? grads[l + 1].dzdx : dzdScores }

    // The objective as a function of one array, the rest held: for end-to-end finite differences.
    func objective(x x0: Tensor<Double>, layers: [Chain<Double>.Layer]) throws -> Double {
      var v = x0
      for layer in layers { v = try layer.block.forward(v, layer.parameters) }
      return try network.loss.forward(v, p).storage[0] * scale
    }
    func sample(_ count: Int, allowed: (Int) -> Bool = { _ in true }) -> [Int] {
      let candidates = (0..<count).filter(allowed)
      guard candidates.count > fdEntries else { return candidates }
      var picked = candidates
      picked.shuffle(using: &rng)
      return Array(picked.prefix(fdEntries)).sorted()
    }
    /// The central difference with step h, or nil at a kink (ReLU at 0, a max-pool tie).
    /// For a smooth f the central differences of steps h and h/2 agree to O(h²), and the gap
    /// between the forward and backward differences, h f″ + O(h³), halves with h. A kink within
    /// h of the point breaks the first; a kink exactly at the point (LeNet's relu → subsample →
    /// relu makes exact zeros) keeps the gap at the slope's jump and breaks the second. Either
    /// way the central difference is off by up to half the jump, so the entry is left out.
    func centralDifference(at value: Double, scale: Double, _ f: (Double) throws -> Double) rethrows -> Double? {
      let h = FiniteDifferences.step(at: value)
      let (f0, fp, fm, fph, fmh) = (try f(value), try f(value + h), try f(value - h), try f(value + h / 2), try f(value - h / 2))
      let full = (fp - fm) / (2 * h)
      let half = (fph - fmh) / h
      let gap = (fp - 2 * f0 + fm) / h
      let halfGap = (fph - 2 * f0 + fmh) / (h / 2)
      let tolerance = ThreeWayCheck.finiteDifferenceTolerance * max(scale, abs(full)) / 4
      return abs(full - half) <= tolerance && abs(gap - 2 * halfGap) <= tolerance ? full : nil
    }

    // The literal end-to-end row vector r = dz/d vec x_l, from the loss's explicit Jacobian.
    let lossJacobian = try network.loss.explicitJacobian(at: scores, p, wrt: .x)
    var r = lossJacobian.leftMultiply([scale])
    var viaBackprop: Int? = nil
    var layerRows: [Row] = []
    var endRows: [Row] = []
    var projected: [Int] = []
    var largest = lossJacobian.storedCount * 8
    var literalParameterGradients: [Int: [Variable: [Double]]] = [:]

    for l in stride(from: chain.layers.count - 1, through: 0, by: -1) {
      let layer = chain.layers[l]
      let input = values[l]
      let output = values[l + 1]
      let g = upstream[l]
      let item = l + 1
      let inPer = input.count / input.shape.n
      let outPer = output.count / output.shape.n
      var variables: [Variable] = [.x]
      if layer.parameters.w != nil, layer.block.variables(layer.parameters).contains(.w) { variables.append(.w) }
      if layer.parameters.b != nil, layer.block.variables(layer.parameters).contains(.b) { variables.append(.b) }
      let fits = try variables.allSatisfy { v in
        try layer.block.explicitJacobianBytes(x: input.image(0).shape, layer.parameters, wrt: v) <= jacobianBytes
      }
      let blockGrads = try layer.block.backward(input, layer.parameters, g)
      let rowsBefore = layerRows.count
      defer {
        // This layer's rows go before the later layers' (the loop runs from the loss down).
        let mine = layerRows[rowsBefore...]
        layerRows.removeSubrange(rowsBefore...)
        layerRows.insert(contentsOf: mine, at: 0)
      }
      if fits {
        var nextR = [Double](repeating: 0, count: input.count)
        for v in variables {
          let size = v == .x ? input.count : (v == .w ? layer.parameters.w?.count ?? 0 : layer.parameters.b?.count ?? 0)
          var literalLayer = [Double](repeating: 0, count: size)
          var literalEnd = literalLayer
          var form = ""
          for n in 0..<input.shape.n {
            let j = try layer.block.explicitJacobian(at: input.image(n), layer.parameters, wrt: v)
            largest = max(largest, j.storedCount * 8)
            form = j.form
            let gSlice = Array(g.storage[n * outPer..<(n + 1) * outPer])
            let rSlice = Array(r[n * outPer..<(n + 1) * outPer])
            let a = j.leftMultiply(gSlice)
            let b = j.leftMultiply(rSlice)
            if v == .x {
              literalLayer.replaceSubrange(n * inPer..<(n + 1) * inPer, with: a)
              literalEnd.replaceSubrange(n * inPer..<(n + 1) * inPer, with: b)
            } else {
              for k in 0..<size {
                literalLayer[k] += a[k]
                literalEnd[k] += b[k]
              }
            }
          }
          if v == .x { nextR = literalEnd } else { literalParameterGradients[l, default: [:]][v] = literalEnd }
          // Per layer: finite differences of ⟨g, f_l⟩ in the variable.
          guard let backprop = blockGrads[v] else { throw ConvLabError("item \(item) (\(layer.block.name)) returned no dz/d\(v.rawValue).") }
          let f = try layer.block.function(of: v, x: input, layer.parameters)
          let at = try layer.block.tensor(v, x: input, layer.parameters).storage
          var probe = at
          let scale = backprop.maxMagnitude
          let numeric = try sample(size).compactMap { k -> (Int, Double)? in
            try centralDifference(at: at[k], scale: scale) { t in
              probe[k] = t
              defer { probe[k] = at[k] }
              return zip(g.storage, try f(probe)).reduce(0) { $0 + $1.0 * $1.1 }
            }.map { (k, $0) }
          }
          layerRows.append(
            Row(
              item: item, block: layer.block.name, variable: v.rawValue, form: form,
              literalVsBackprop: Comparison(literalLayer, backprop.storage),
              backpropVsFiniteDifferences: Comparison(numeric.map { backprop.storage[$0.0] }, numeric.map(\.1)),
              checked: numeric.count, total: size, atKinks: min(size, fdEntries) - numeric.count))
        }
        r = nextR
      } else {
        // Above the gate: vᵀ J u for every variable, v = backprop's dz/dx_l, u random.
        projected.append(item)
        for v in variables {
          guard let backprop = blockGrads[v] else { throw ConvLabError("item \(item) (\(layer.block.name)) returned no dz/d\(v.rawValue).") }
          let f = try layer.block.function(of: v, x: input, layer.parameters)
          let at = try layer.block.tensor(v, x: input, layer.parameters).storage
          let u = (0..<at.count).map { _ in Double.random(in: -1...1, using: &rng) }
          let vJu = zip(backprop.storage, u).reduce(0) { $0 + $1.0 * $1.1 }
          let numeric = try centralDifference(at: 0, scale: abs(vJu)) { t in
            zip(g.storage, try f(zip(at, u).map { $0 + t * $1 })).reduce(0) { $0 + $1.0 * $1.1 }
          }
          // The literal side: ⟨v_n, J_n u_n⟩ image by image, J_n u_n from the explicit Jacobian
          // built in column blocks under the gate (x: each image has its own slice of u; w, b:
          // every image sees the whole u).
          var sum = 0.0
          var hasLiteral = true
          for n in 0..<input.shape.n {
            let uSlice = v == .x ? Array(u[n * inPer..<(n + 1) * inPer]) : u
            guard let ju = try layer.block.literalJacobianProduct(at: input.image(n), layer.parameters, wrt: v, uSlice, bytes: jacobianBytes) else {
              hasLiteral = false
              break
            }
            sum += zip(g.storage[n * outPer..<(n + 1) * outPer], ju).reduce(0) { $0 + $1.0 * $1.1 }
          }
          let literal = hasLiteral ? sum : nil
          var row = Row(
            item: item, block: layer.block.name, variable: v.rawValue, form: "projection vᵀJu",
            literalVsBackprop: literal.map { Comparison([$0], [vJu]) },
            backpropVsFiniteDifferences: Comparison(numeric.map { _ in [vJu] } ?? [], numeric.map { [$0] } ?? []),
            checked: numeric == nil ? 0 : 1, total: at.count, atKinks: numeric == nil ? 1 : 0)
          row.projection = (literal, vJu, numeric)
          if let literal, let numeric { row.literalVsFiniteDifferences = Comparison([literal], [numeric]) }
          layerRows.append(row)
        }
        r = blockGrads.dzdx.storage
        viaBackprop = max(viaBackprop ?? 0, item)
      }
    }

    // End to end: the products against backprop and finite differences of z.
    func endRow(
      item: Int, block: String, key: String, literal: [Double]?, backprop: [Double], at: [Double], mask: [Double]?,
      z zOf: ([Double]) throws -> Double
    ) throws -> Row {
      let entries = sample(at.count) { mask?[$0] != 0 }
      var probe = at
      let scale = backprop.reduce(0) { max($0, abs($1)) }
      let numeric = try entries.compactMap { k -> (Int, Double)? in
        try centralDifference(at: at[k], scale: scale) { t in
          probe[k] = t
          defer { probe[k] = at[k] }
          return try zOf(probe)
        }.map { (k, $0) }
      }
      let masked = literal.map { lit in mask.map { m in zip(lit, m).map { $0 * $1 } } ?? lit }
      let form = viaBackprop.map { $0 >= item ? "product (backprop above item \($0))" : "product of explicit Jacobians" } ?? "product of explicit Jacobians"
      return Row(
        item: item, block: block, variable: key, form: form, literalVsBackprop: masked.map { Comparison($0, backprop) },
        backpropVsFiniteDifferences: Comparison(numeric.map { backprop[$0.0] }, numeric.map(\.1)), checked: numeric.count, total: at.count,
        atKinks: entries.count - numeric.count)
    }
    endRows.append(
      try endRow(item: 0, block: "input", key: "x", literal: r, backprop: dzdx.storage, at: x.storage, mask: nil) { v in
        try objective(x: Tensor(shape: x.shape, storage: v), layers: chain.layers)
      })
    for (l, layer) in chain.layers.enumerated() {
      for v in [Variable.w, .b] {
        guard let t = v == .w ? layer.parameters.w : layer.parameters.b, let backprop = v == .w ? grads[l].dzdw : grads[l].dzdb else { continue }
        let mask = v == .w ? network.masks[l]?.storage : nil
        endRows.append(
          try endRow(
            item: l + 1, block: layer.block.name, key: NetWeights.key(layer: l, v.rawValue),
            literal: literalParameterGradients[l]?[v], backprop: backprop.storage, at: t.storage, mask: mask
          ) { values in
            var layers = chain.layers
            if v == .w { layers[l].parameters.w = Tensor(shape: t.shape, storage: values) } else { layers[l].parameters.b = Tensor(shape: t.shape, storage: values) }
            return try objective(x: x, layers: layers)
          })
      }
    }
    layers = layerRows
    endToEnd = endRows
    projectedItems = projected.sorted()
    largestJacobianBytes = largest
  }
}
