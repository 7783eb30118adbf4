import ConvLabBlocks
import ConvLabCore

/// A chain of blocks x₀ → f₁ → x₁ → … → f_L → x_L (MatConvNet's SimpleNN, §2.2.1, §3.1.1),
/// each block with its own parameters. A chain is the DAG whose node l reads node l − 1.
public struct Chain<S: Scalar>: Sendable {
  public struct Layer: Sendable {
    public var block: any Block
    public var parameters: Parameters<S>

    public init(_ block: any Block, _ parameters: Parameters<S> = Parameters()) {
      self.block = block
      self.parameters = parameters
    }
  }

  public var layers: [Layer]

  public init(_ layers: [Layer]) { self.layers = layers }

  /// The same chain as a DAG with variables x0, x1, …, xL.
  public var dag: DAG<S> {
    get throws {
      try DAG(
        input: "x0",
        nodes: layers.enumerated().map { l, layer in
          DAG.Node("x\(l + 1)", .block(layer.block, layer.parameters, input: "x\(l)"))
        })
    }
  }

  /// x₀, x₁, …, x_L.
  public func forward(_ x: Tensor<S>) throws -> [Tensor<S>] {
    var values = [x]
    for (l, layer) in layers.enumerated() {
      do {
        values.append(try layer.block.forward(values[l], layer.parameters))
      } catch let error as ConvLabError {
        throw ConvLabError("layer \(l + 1) (\(layer.block.name)): \(error.description)")
      }
    }
    return values
  }

  /// Backpropagation (MatConvNet (2.1)): from dz/dx_L back to dz/dx₀, never forming a
  /// Jacobian; returns dz/dx₀ and every layer's gradients.
  /// Without `inputGradient` the first layer may skip dz/dx (training never needs it), and the
  /// returned dz/dx is then zero.
  public func backward(_ values: [Tensor<S>], dzdy: Tensor<S>, inputGradient: Bool = true) throws -> (dzdx: Tensor<S>, layers: [Gradients<S>]) {
    var g = dzdy
    var grads: [Gradients<S>] = []
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      let result = try layers[l].block.backward(values[l], layers[l].parameters, g, inputGradient: l > 0 || inputGradient)
      grads.append(result)
      g = result.dzdx
    }
    return (g, grads.reversed())
  }
}
