import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNetworks
import Testing

@Suite struct NetworkTests {
  @Test func explicitJacobianChainMatchesBackpropAndFiniteDifferences() throws {
    // Product of explicit Jacobians vs backprop: both exact up to round-off (1e-9);
    // backprop vs central differences: 1e-6 (see ThreeWayCheck).
    for check in try NetworkCheck.examples(seed: 3) {
      #expect(check.productVsBackprop.relativeError < ThreeWayCheck.literalTolerance, "\(check.name)")
      #expect(check.backpropVsFiniteDifferences.relativeError < ThreeWayCheck.finiteDifferenceTolerance, "\(check.name)")
    }
  }

  @Test func fanOutAccumulatesDerivatives() throws {
    // y = x + x + relu(x) read three times: dz/dx = 2 + 1{x > 0} per entry for z = Σ y (MatConvNet §2.3.1).
    let dag = try DAG<Double>(nodes: [
      .init("r", .block(ReLU(), Parameters(), input: "x0")),
      .init("y", .sum(["x0", "x0", "r"])),
    ])
    let x = Tensor<Double>(shape: Shape(2, 2), storage: [1, -1, 2, -3])
    let values = try dag.forward(x)
    let g = try dag.backward(values, dzdOutput: Tensor(shape: x.shape, repeating: 1)).variables["x0"]
    #expect(g?.storage == [3, 2, 3, 2])
  }

  @Test func chainBackwardMatchesTheDAGAndGivesParameterGradients() throws {
    var rng = SeededGenerator(seed: 4)
    let chain = Chain<Double>([
      .init(Conv(), Parameters(w: .uniform(Shape(2, 2, 1, 2), using: &rng))),
      .init(Tanh()),
      .init(Loss(), Parameters(labels: Tensor(shape: Shape(1, 1, 1, 1), storage: [2]))),
    ])
    let x = Tensor<Double>.uniform(Shape(2, 2), using: &rng)
    let values = try chain.forward(x)
    let (dzdx, grads) = try chain.backward(values, dzdy: Tensor(shape: Shape(1, 1), storage: [1]))
    let dagResult = try chain.dag.backward(try chain.dag.forward(x), dzdOutput: Tensor(shape: Shape(1, 1), storage: [1]))
    #expect(dagResult.variables["x0"] == dzdx)
    // dz/dw by finite differences of the whole chain, in Double.
    let w = try #require(chain.layers[0].parameters.w)
    let numeric = try FiniteDifferences.jacobian(at: w.storage) { v in
      var c = chain
      c.layers[0].parameters.w = Tensor(shape: w.shape, storage: v)
      return try c.forward(x).last?.storage ?? []
    }
    #expect(Comparison(grads[0].dzdw?.storage ?? [], numeric.storage).relativeError < 1e-6)
  }

  @Test func nodesMustComeAfterTheirInputs() {
    #expect(throws: ConvLabError.self) { try DAG<Double>(nodes: [.init("y", .sum(["x0", "later"])), .init("later", .block(ReLU(), Parameters(), input: "x0"))]) }
    #expect(throws: ConvLabError.self) { try DAG<Double>(nodes: [.init("x0", .block(ReLU(), Parameters(), input: "x0"))]) }
  }
}
