import ConvLabBlocks
import ConvLabCore

/// A network as a directed acyclic graph of variables (MatConvNet §2.3.1, DagNN §3.1.2): every
/// node computes one variable from earlier ones, either by a block (one input) or by summing
/// several variables (the merge that makes a DAG more than a chain).
///
/// Backward runs the nodes in reverse order and *accumulates* dz/dv into every variable v that
/// feeds several nodes — the sum over paths in MatConvNet §2.3.1 derivation.
public struct DAG<S: Scalar>: Sendable {
  public enum Operation: Sendable {
    case block(any Block, Parameters<S>, input: String)
    case sum([String])
  }

  public struct Node: Sendable {
    public let output: String
    public let operation: Operation

    public init(_ output: String, _ operation: Operation) {
      self.output = output
      self.operation = operation
    }

    public var inputs: [String] {
      switch operation {
      case .block(_, _, let input): return [input]
      case .sum(let names): return names
      }
    }
  }

  public let input: String
  public private(set) var nodes: [Node]

  /// Validates that every node reads only the input or earlier outputs, and that no variable
  /// is defined twice.
  public init(input: String = "x0", nodes: [Node]) throws {
    var defined: Set<String> = [input]
    for node in nodes {
      for name in node.inputs where !defined.contains(name) {
        throw ConvLabError("node '\(node.output)' reads '\(name)', which is not defined before it; list nodes in an order where inputs come first.")
      }
      guard defined.insert(node.output).inserted else { throw ConvLabError("variable '\(node.output)' is defined twice.") }
    }
    self.input = input
    self.nodes = nodes
  }

  /// The network's output variable: the last node's.
  public var output: String { nodes.last?.output ?? input }

  /// All variables, computed in order.
  public func forward(_ x: Tensor<S>) throws -> [String: Tensor<S>] {
    var values = [input: x]
    for node in nodes {
      switch node.operation {
      case .block(let block, let p, let name):
        guard let v = values[name] else { throw ConvLabError("missing variable '\(name)'.") }
        values[node.output] = try block.forward(v, p)
      case .sum(let names):
        let terms = try names.map { name -> Tensor<S> in
          guard let v = values[name] else { throw ConvLabError("missing variable '\(name)'.") }
          return v
        }
        guard let first = terms.first, terms.allSatisfy({ $0.shape == first.shape }) else {
          throw ConvLabError("sum '\(node.output)' adds variables of different shapes: \(terms.map { "\($0.shape)" }.joined(separator: ", ")).")
        }
        values[node.output] = terms.dropFirst().reduce(first) { $0.zipWith($1, +) }
      }
    }
    return values
  }

  /// Derivatives of z with respect to every variable and to every block's parameters, given
  /// dz/d(output).
  public func backward(_ values: [String: Tensor<S>], dzdOutput: Tensor<S>) throws -> (variables: [String: Tensor<S>], parameters: [String: Gradients<S>]) {
    var derivatives = [output: dzdOutput]
    var parameterGradients: [String: Gradients<S>] = [:]
    func accumulate(_ name: String, _ g: Tensor<S>) {
      // A variable read by several nodes receives the sum of their contributions (§2.3.1).
      if let existing = derivatives[name] { derivatives[name] = existing.zipWith(g, +) } else { derivatives[name] = g }
    }
    for node in nodes.reversed() {
      guard let g = derivatives[node.output] else { continue }  // does not reach the output
      switch node.operation {
      case .block(let block, let p, let name):
        guard let v = values[name] else { throw ConvLabError("missing variable '\(name)'.") }
        let grads = try block.backward(v, p, g)
        parameterGradients[node.output] = grads
        accumulate(name, grads.dzdx)
      case .sum(let names):
        for name in names { accumulate(name, g) }
      }
    }
    return (derivatives, parameterGradients)
  }
}

extension DAG where S == Double {
  /// The explicit Jacobian d vec x_L / d (vec x₀)ᵀ by the chain rule on explicit matrices,
  /// accumulated forward: J_v = J_f J_u for v = f(u), and J_v = Σ J_u for a sum
  /// (MatConvNet §2.3.1: a linear combination of products of block Jacobians).
  public func literalJacobian(_ x: Tensor<Double>) throws -> (jacobian: Matrix<Double>, blockJacobianSizes: [(String, Int, Int)]) {
    let values = try forward(x)
    var jacobians = [input: Matrix<Double>.identity(x.count)]
    var sizes: [(String, Int, Int)] = []
    for node in nodes {
      switch node.operation {
      case .block(let block, let p, let name):
        guard let v = values[name], let upstream = jacobians[name] else { throw ConvLabError("missing variable '\(name)'.") }
        let local = try block.jacobian(at: v, p, wrt: .x)
        sizes.append((node.output, local.rows, local.cols))
        jacobians[node.output] = local * upstream
      case .sum(let names):
        let terms = try names.map { name -> Matrix<Double> in
          guard let j = jacobians[name] else { throw ConvLabError("missing variable '\(name)'.") }
          return j
        }
        jacobians[node.output] = terms.dropFirst().reduce(terms[0], +)
      }
    }
    guard let j = jacobians[output] else { throw ConvLabError("the DAG has no output.") }
    return (j, sizes)
  }
}
