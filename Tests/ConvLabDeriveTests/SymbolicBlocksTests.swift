import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabDerive
import ConvLabNotation
import Testing

/// The blocks in symbols, substituted with the seeded instance's numbers, against each block's
/// literal Jacobian (ConvLabBlocks), and the symbolic derivations.
@Suite struct SymbolicBlocksTests {
  /// The symbolic entries are single products (conv, pooling, dense) or short polynomials
  /// (softmax, sigmoid) in the instance's numbers, so substitution reproduces the literal
  /// Jacobian to a few ulps; 1e-12 is far below any wrong entry (O(0.1) for these inputs).
  static let tolerance = 1e-12

  static let cases: [(block: String, options: [String: String], x: Shape, filter: Shape?, wrt: Variable)] = [
    ("conv", ["pad": "1", "stride": "1,2"], Shape(3, 4), Shape(2, 2), .x),
    ("conv", ["pad": "1", "stride": "1,2"], Shape(3, 4), Shape(2, 2), .w),
    ("conv", ["pad": "0,1,1,0", "stride": "2", "dilate": "1"], Shape(5, 5), Shape(2, 3), .x),
    ("conv", ["dilate": "2"], Shape(5, 5), Shape(2, 2), .w),
    ("pool", ["method": "avg", "pool-size": "3", "pad": "1", "stride": "2"], Shape(4, 5), nil, .x),
    ("pool", ["method": "max", "pool-size": "2", "stride": "1"], Shape(3, 4), nil, .x),
    ("pool", ["method": "max", "pool-size": "3,2", "pad": "1", "stride": "1,2"], Shape(3, 4), nil, .x),
    ("relu", ["leak": "0.01"], Shape(3, 3), nil, .x),
    ("sigmoid", [:], Shape(2, 3), nil, .x),
    ("tanh", [:], Shape(2, 2), nil, .x),
    ("softmax", [:], Shape(2, 1, 3), nil, .x),
  ]

  @Test(arguments: 0..<11)
  func substitutedJacobianEqualsTheLiteralJacobian(index: Int) throws {
    let c = Self.cases[index]
    let block = try BlockOptions(c.options).block(named: c.block)
    var rng = SeededGenerator(seed: UInt64(10 + index))
    let instance = try RandomInstance.make(for: block, shape: c.x, filter: c.filter, given: Parameters<Double>(), using: &rng)
    let names = SymbolicBlocks.Names.defaults(for: c.block)
    let result = try SymbolicBlocks.jacobian(block, at: instance.x, instance.parameters, wrt: c.wrt, names: names)
    let check = try SymbolicBlocks.substitutionCheck(result, block, at: instance.x, instance.parameters, wrt: c.wrt, names: names)
    #expect(check.relativeError < Self.tolerance, "\(c.block) \(c.options) wrt \(c.wrt): \(check)")
    #expect(result.rowLabels.count == result.matrix.rows && result.colLabels.count == result.matrix.cols)
  }

  @Test func subsampleAndDenseInSymbols() throws {
    var rng = SeededGenerator(seed: 3)
    let sub = Subsample(n: 2)
    let x = Tensor<Double>.uniform(Shape(4, 4), using: &rng)
    let p = Parameters<Double>(w: Tensor(shape: Shape(1, 1), storage: [0.7]), b: Tensor(shape: Shape(1, 1), storage: [-0.2]))
    for v in [Variable.x, .w, .b] {
      let names = SymbolicBlocks.Names.defaults(for: "subsample")
      let r = try SymbolicBlocks.jacobian(sub, at: x, p, wrt: v, names: names)
      #expect(try SymbolicBlocks.substitutionCheck(r, sub, at: x, p, wrt: v, names: names).relativeError < Self.tolerance, "subsample wrt \(v)")
    }
    let dense = Dense()
    let xd = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let pd = Parameters<Double>(w: Tensor<Double>.uniform(Shape(3, 4), using: &rng), b: Tensor<Double>.uniform(Shape(3, 1), using: &rng))
    for v in [Variable.x, .w, .b] {
      let names = SymbolicBlocks.Names.defaults(for: "dense")
      let r = try SymbolicBlocks.jacobian(dense, at: xd, pd, wrt: v, names: names)
      #expect(try SymbolicBlocks.substitutionCheck(r, dense, at: xd, pd, wrt: v, names: names).relativeError < Self.tolerance, "dense wrt \(v)")
    }
  }

  @Test func forwardOfLinearBlocksMatchesTheirNumbers() throws {
    var rng = SeededGenerator(seed: 4)
    let conv = Conv(pad: [1, 1, 1, 1], stride: (1, 2))
    let x = Tensor<Double>.uniform(Shape(3, 4), using: &rng)
    let w = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let r = try SymbolicBlocks.forward(conv, x: x.shape, filter: w.shape, names: .vardhan)
    var values = Valuation()
    values.assign("a", x.channel(0))
    values.assign("β", w.channel(0))
    let y = try conv.forward(x, Parameters(w: w))
    #expect(relativeError(try r.matrix.evaluate(values), y.channel(0)) < Self.tolerance)
    #expect(r.matrix == (try WorkedExamples.vardhanZ()))
    let pool = Pool(method: .avg, size: (2, 2), stride: (2, 2))
    let rp = try SymbolicBlocks.forward(pool, x: Shape(4, 4), filter: nil, names: .matConvNet)
    var pv = Valuation()
    let xp = Tensor<Double>.uniform(Shape(4, 4), using: &rng)
    pv.assign("x", xp.channel(0))
    #expect(relativeError(try rp.matrix.evaluate(pv), try pool.forward(xp, Parameters()).channel(0)) < Self.tolerance)
    #expect(throws: ConvLabError.self) { try SymbolicBlocks.forward(Pool(method: .max, size: (2, 2)), x: Shape(4, 4), filter: nil, names: .matConvNet) }
    #expect(throws: ConvLabError.self) { try SymbolicBlocks.forward(conv, x: Shape(3, 4, 2), filter: Shape(2, 2), names: .vardhan) }
  }

  @Test func namesAreOverriddenAndValidated() throws {
    let n = try SymbolicBlocks.Names.vardhan.overridden(by: "x,k,z")
    #expect(n.input == "x" && n.filter == "k" && n.output == "z")
    #expect(try SymbolicBlocks.Names.xu.overridden(by: "a,beta").filter == "β")
    #expect(throws: ConvLabError.self) { try SymbolicBlocks.Names.xu.overridden(by: "a,a") }
    #expect(throws: ConvLabError.self) { try SymbolicBlocks.Names.xu.overridden(by: "a,,") }
    #expect(throws: ConvLabError.self) { try SymbolicBlocks.Names.xu.overridden(by: "1,2") }
  }

  @Test func appendixAIsRecognisedOnlyInItsSetting() throws {
    var rng = SeededGenerator(seed: 5)
    let x = Tensor<Double>.uniform(Shape(3, 4), using: &rng)
    let w = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let examples = try #require(try SymbolicBlocks.appendixA(Conv(pad: [1, 1, 1, 1], stride: (1, 2)), at: x, Parameters(w: w)))
    #expect(examples.allSatisfy { $0.comparison.matches == $0.example.expectedToMatch })
    #expect(try SymbolicBlocks.appendixA(Conv(), at: x, Parameters(w: w)) == nil)
  }

  @Test(arguments: ["vardhan-appendix-a", "vardhan-appendix-b", "xu-symbolic", "matconvnet-symbolic"], [UInt64(1), 2, 3])
  func symbolicDerivationsComeOutAsExpected(id: String, seed: UInt64) throws {
    let d = try Derivations.derivation(id, .init(seed: seed))
    #expect(d.allAsExpected)
    for step in d.steps {
      if let exact = step.exact { #expect(exact.asExpected, "\(id): \(step.formula) — \(exact.comparison.report.joined(separator: "; "))") }
      if let check = step.check { #expect(check.asExpected, "\(id): \(step.formula) — \(check.comparison)") }
    }
    #expect(d.steps.contains { !$0.symbolic.isEmpty })
  }
}
