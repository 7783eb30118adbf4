import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNetworks
import Foundation
import Testing

/// A conv block with a planted mistake, for showing that the projection rows catch it: either
/// its backward pass returns dz/dw 0.01 % too large, or its literal Jacobian's columns are.
struct PlantedConv: ColumnBlockJacobianBlock {
  enum Mistake: Sendable { case backward, literal }
  let inner: Conv
  let mistake: Mistake
  static let factor = 1.0001

  var name: String { inner.name }
  func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape { try inner.outputShape(x, p) }
  func variables<S: Scalar>(_ p: Parameters<S>) -> [Variable] { inner.variables(p) }
  func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> { try inner.forward(x, p) }
  func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    var g = try inner.backward(x, p, dzdy)
    if mistake == .backward { g.dzdw = g.dzdw.map { $0.map { $0 * S(Self.factor) } } }
    return g
  }
  func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> { try inner.literalForward(x, p) }
  func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> { try inner.jacobian(at: x, p, wrt: v) }
  func structure(wrt v: Variable) -> String { inner.structure(wrt: v) }
  func jacobianColumns(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> (rows: Int, cols: Int, column: (Int) throws -> [Double]) {
    let j = try inner.jacobianColumns(at: x, p, wrt: v)
    guard mistake == .literal, v == .w else { return j }
    return (j.rows, j.cols, { c in try j.column(c).map { $0 * Self.factor } })
  }
}

@Suite("net check above the memory gate: vᵀJu three ways")
struct NetworkCheckProjectionTests {
  /// J u from the column blocks equals the dense explicit Jacobian times u, for every block with
  /// a column-by-column construction and every variable, with budgets from one column to all.
  @Test func columnBlocksGiveTheDenseProduct() throws {
    var rng = SeededGenerator(seed: 9)
    let x = Tensor<Double>.uniform(Shape(6, 6, 2, 1), in: -1...1, using: &rng)
    let cases: [(any Block, Parameters<Double>)] = [
      (Conv(pad: [1, 0, 1, 1], stride: (2, 1)), Parameters(w: .uniform(Shape(3, 2, 2, 3), in: -1...1, using: &rng), b: .uniform(Shape(1, 1, 3), in: -1...1, using: &rng))),
      (FlippedConv(pad: [1, 1, 1, 1], dilate: (2, 1)), Parameters(w: .uniform(Shape(2, 3, 2, 2), in: -1...1, using: &rng), b: .uniform(Shape(1, 1, 2), in: -1...1, using: &rng))),
      (Dense(), Parameters(w: .uniform(Shape(4, 72), in: -1...1, using: &rng), b: .uniform(Shape(1, 1, 4), in: -1...1, using: &rng))),
      (Subsample(n: 3), Parameters(w: .uniform(Shape(1, 1, 2), in: -1...1, using: &rng), b: .uniform(Shape(1, 1, 2), in: -1...1, using: &rng))),
      (Tanh(), Parameters()),
    ]
    for (block, p) in cases {
      for v in block.variables(p) {
        let dense = try block.jacobian(at: x, p, wrt: v)
        let u = (0..<dense.cols).map { _ in Double.random(in: -1...1, using: &rng) }
        let expected = (dense * Matrix(rows: u.count, cols: 1, storage: u)).storage
        for bytes in [1, dense.rows * 8 * 5, dense.count * 8] {
          let got = try #require(try block.literalJacobianProduct(at: x, p, wrt: v, u, bytes: bytes), "\(block.name) has a column route")
          // The same products summed in blocks instead of all at once: a few ulps of the
          // largest partial sum (|J u| ≤ ~10 here), so 1e-13 relative.
          let c = Comparison(got, expected)
          #expect(c.relativeError <= 1e-13, "\(block.name) wrt \(v.rawValue), \(bytes) bytes: \(c)")
        }
      }
    }
    #expect(try Pool(method: .max, size: (2, 2), stride: (2, 2)).literalJacobianProduct(at: x, Parameters(), wrt: .x, [Double](repeating: 0, count: 72), bytes: 8) == nil)
  }

  static func lenet(images: Int = 1) throws -> (Network<Double>, Tensor<Double>, NetTarget<Double>) {
    var rng = SeededGenerator(seed: 21)
    let network = try Network<Double>(spec: try Models.spec("lenet5"), input: Shape(28, 28), classes: nil, seed: 3)
    let x = Tensor<Double>.uniform(Shape(28, 28, 1, images), using: &rng)
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, images), storage: (0..<images).map { Double($0 % 10 + 1) })
    return (network, x, .labels(labels))
  }

  /// A gate of 40 000 bytes sends LeNet-5's convolutions, subsamplings and dense layers through
  /// projections (their one-image Jacobians are 60 KB to 37 MB) while the ReLUs' diagonals fit;
  /// every projection row then has its literal side, and all three agree.
  @Test func lenetBelowATinyGateIsCheckedThreeWaysByProjections() throws {
    let (network, x, goal) = try Self.lenet()
    let check = try NetworkVerification(network: network, x: x, target: goal, fdEntries: 8, seed: 2, jacobianBytes: 40_000)
    // C1, S2, C3, S4, C5, F6, output (items 1, 3, 5, 7, 9, 11, 13).
    #expect(check.projectedItems == [1, 3, 5, 7, 9, 11, 13])
    let rows = check.layers.filter { $0.form == "projection vᵀJu" }
    #expect(rows.count == 7 * 3, "x, w and b of each projected item")
    for r in rows {
      let p = try #require(r.projection)
      #expect(p.literal != nil, "item \(r.item) \(r.variable) has its literal side")
      let literal = try #require(r.literalVsBackprop, "item \(r.item) \(r.variable)")
      // Both are Float64 sums of the same ~10⁴–10⁵ products in other orders: ~1e-14.
      #expect(literal.relativeError <= ThreeWayCheck.literalTolerance, "item \(r.item) \(r.variable): \(literal)")
      if let fd = r.literalVsFiniteDifferences { #expect(fd.passes(ThreeWayCheck.finiteDifferenceTolerance), "item \(r.item) \(r.variable): \(fd)") }
    }
    #expect(rows.contains { $0.literalVsFiniteDifferences != nil }, "finite differences ran on the projections")
    #expect(check.passed, "\(check.layers.filter { !$0.passed }.map { "\($0.item) \($0.variable)" })")
  }

  @Test(arguments: [PlantedConv.Mistake.backward, .literal])
  func aPlantedMistakeAboveTheGateIsCaught(mistake: PlantedConv.Mistake) throws {
    var (network, x, goal) = try Self.lenet()
    let c3 = try #require(network.chain.layers[4].block as? Conv, "item 5 of LeNet-5 is C3")
    network.chain.layers[4].block = PlantedConv(inner: c3, mistake: mistake)
    let check = try NetworkVerification(network: network, x: x, target: goal, fdEntries: 8, seed: 2, jacobianBytes: 40_000)
    let row = try #require(check.layers.first { $0.item == 5 && $0.variable == "w" })
    #expect(row.form == "projection vᵀJu")
    let literal = try #require(row.literalVsBackprop)
    let fd = try #require(row.literalVsFiniteDifferences)
    // A 1e-4 relative mistake is far outside both tolerances (1e-9 explicit, 1e-6 finite differences).
    #expect(!literal.passes(ThreeWayCheck.literalTolerance), "explicit↔backprop catches it: \(literal)")
    switch mistake {
    case .backward:
      #expect(!row.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance), "backprop↔FD catches it")
      #expect(fd.passes(ThreeWayCheck.finiteDifferenceTolerance), "the literal side agrees with the finite difference: \(fd)")
    case .literal:
      #expect(!fd.passes(ThreeWayCheck.finiteDifferenceTolerance), "explicit↔FD catches it")
      #expect(row.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance), "backprop is right")
    }
    #expect(!row.passed && !check.passed)
    #expect(check.layers.filter { !$0.passed }.allSatisfy { $0.item == 5 && $0.variable == "w" }, "only the planted row fails per layer")
  }
}
