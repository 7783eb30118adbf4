import ConvLabBlocks
import ConvLabCore
import ConvLabDevice
import Testing

/// The device path on the CPU's HostEngine (the GPU's kernel source compiled for the CPU),
/// handed to the blocks as a value (`ComputePath.device`), against the literal path: the
/// papers' explicit matrices, an independent construction.
@Suite struct HostEngineTests {
  /// Double on both sides; the two differ only in summation order, so a few ulps of the
  /// largest entry: 1e-12 leaves room for sums over a few dozen terms.
  static let tolerance = 1e-12

  @Test(arguments: [UInt64(1), 2, 3])
  func convOnTheDeviceEqualsTheLiteralConvolution(seed: UInt64) throws {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.uniform(Shape(6, 5, 2, 2), using: &rng)
    let p = Parameters(w: Tensor<Double>.uniform(Shape(3, 2, 2, 3), using: &rng), b: Tensor<Double>.uniform(Shape(1, 1, 3), using: &rng))
    let conv = Conv(pad: [1, 0, 1, 1], stride: (2, 1))
    let device = ComputePath.device(DeviceAccelerator(engine: HostEngine()))
    #expect(relativeError(try conv.evaluate(x, p, path: device), try conv.evaluate(x, p, path: .literal)) < Self.tolerance)
    let dzdy = Tensor<Double>.uniform(try conv.outputShape(x.shape, p), using: &rng)
    let onDevice = try conv.gradients(x, p, dzdy, path: device)
    let literal = try conv.gradients(x, p, dzdy, path: .literal)
    #expect(relativeError(onDevice.dzdx, literal.dzdx) < Self.tolerance)
    #expect(relativeError(try #require(onDevice.dzdw), try #require(literal.dzdw)) < Self.tolerance)
    #expect(relativeError(try #require(onDevice.dzdb), try #require(literal.dzdb)) < Self.tolerance)
  }

  /// A block without a device implementation says so, naming the paths that do work.
  @Test func aBlockWithoutADeviceImplementationSaysWhichPathsWork() throws {
    struct Identity: Block {
      var name: String { "identity" }
      func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape { x }
      func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> { x }
      func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> { Gradients(dzdx: dzdy) }
      func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> { x }
      func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> { .identity(x.count) }
      func structure(wrt v: Variable) -> String { "identity" }
    }
    #expect(throws: ConvLabError.pathUnavailable(reason: "identity has no device implementation yet", alternatives: ["fast", "literal"])) {
      _ = try Identity().evaluate(Tensor<Double>(shape: Shape(2, 2)), Parameters(), path: .device(DeviceAccelerator(engine: HostEngine())))
    }
  }
}
