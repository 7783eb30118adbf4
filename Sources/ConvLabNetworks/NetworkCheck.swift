import ConvLabBlocks
import ConvLabCore

/// `convlab check net`: for a small network ending in a scalar loss, the explicit per-block
/// Jacobians multiplied end to end (MatConvNet §2.3's chain of Jacobians) against backprop
/// (eq. 2.1) and central finite differences, with the sizes of the Jacobians backprop never forms.
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
    let dag = try DAG<Double>(input: "x0", nodes: [
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
