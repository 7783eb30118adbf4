import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import Testing

/// The harness can fail: a block whose backward pass is wrong is caught by the three-way
/// check, which names the comparisons that disagree, while the true block passes.
@Suite struct ThreeWayCheckTests {
  /// ReLU with a backward pass that is off by a factor `scale` (the literal path and the
  /// forward pass are ReLU's own): the kind of slip a student makes with a missing 1/n².
  struct ScaledBackward: Block {
    let relu = ReLU()
    let scale: Double
    var name: String { "relu×\(scale)" }
    func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape { try relu.outputShape(x, p) }
    func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> { try relu.forward(x, p) }
    func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
      let g = try relu.backward(x, p, dzdy)
      return Gradients(dzdx: g.dzdx.map { $0 * S(scale) })
    }
    func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> { try relu.literalForward(x, p) }
    func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> { try relu.jacobian(at: x, p, wrt: v) }
    func structure(wrt v: Variable) -> String { relu.structure(wrt: v) }
  }

  /// Inputs at least 0.05 from ReLU's kink, so finite differences are exact up to round-off.
  static func instance(seed: UInt64) -> Tensor<Double> {
    var rng = SeededGenerator(seed: seed)
    return Tensor<Double>.uniform(Shape(3, 4, 2, 2), in: -1...1, using: &rng).map { abs($0) < 0.05 ? $0 + 0.1 : $0 }
  }

  @Test(arguments: [UInt64(1), 2, 3])
  func theTrueBlockPasses(seed: UInt64) throws {
    let report = try ThreeWayCheck(ScaledBackward(scale: 1), x: Self.instance(seed: seed), Parameters(), configuration: "x 3×4×2×2", seed: seed)
    #expect(report.passed, "literal↔fast \(report.literalVsFast), FD \(report.versusFiniteDifferences)")
  }

  /// A backward pass 0.1 % off is far outside both tolerances (1e-9 literal, 1e-6 finite
  /// differences): the relative error of dz/dx is then 1e-3 against both references.
  @Test(arguments: [UInt64(1), 2, 3])
  func aWrongBackwardPassFails(seed: UInt64) throws {
    let report = try ThreeWayCheck(ScaledBackward(scale: 1.001), x: Self.instance(seed: seed), Parameters(), configuration: "x 3×4×2×2", seed: seed)
    #expect(!report.passed)
    // The forward passes agree, so the failure is the backward pass's alone.
    #expect(report.forward.relativeError <= ThreeWayCheck.literalTolerance)
    let dx = try #require(report.variables.first { $0.variable == .x })
    #expect(dx.backpropVsLiteral.relativeError > 1e-4 && dx.backpropVsFiniteDifferences.relativeError > 1e-4)
    // The literal Jacobian itself still matches finite differences.
    #expect(dx.jacobianVsFiniteDifferences.relativeError <= ThreeWayCheck.finiteDifferenceTolerance)
  }

  /// `bench conv --shape` is parsed into typed errors: a malformed shape names the setting.
  @Test func aMalformedBenchShapeIsAnInvalidValue() {
    #expect(throws: ConvLabError.invalidValue("shape", value: "1,2,3", expected: "nine integers N,H,W,D,K,FH,FW,STRIDE,PAD, each at most \(Size.maxExtent) (e.g. 64,32,32,1,6,5,5,1,0)")) {
      _ = try Benchmark.ConvShape(parsing: "1,2,3")
    }
  }
}
