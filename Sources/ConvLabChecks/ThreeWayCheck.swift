import ConvLabBlocks
import ConvLabCore

/// The three-way agreement Docs/blocks-and-jacobians.md calls "verified": literal (explicit matrices) vs fast
/// (im2row/BLAS) vs central finite differences, all in Double.
public struct ThreeWayCheck: Sendable {
  /// Literal vs fast in Double: both are exact up to summation order, so a few hundred ulps.
  public static let literalTolerance = 1e-9
  /// Finite differences: truncation O(h²) ≈ 4e-11 plus round-off ε/h ≈ 4e-11 for smooth,
  /// O(1) functions; 1e-6 leaves room for curvature (exp, log) away from kinks.
  public static let finiteDifferenceTolerance = 1e-6

  public struct VariableReport: Sendable {
    public let variable: Variable
    /// Literal J vs the Jacobian by finite differences of the fast forward.
    public let jacobianVsFiniteDifferences: Comparison
    /// Fast backward (dz/dy)ᵀJ vs the literal (dz/dy)ᵀ J.
    public let backpropVsLiteral: Comparison
    /// Fast backward vs a finite-difference VJP.
    public let backpropVsFiniteDifferences: Comparison
  }

  public let block: String
  public let configuration: String
  /// Literal forward vs fast forward.
  public let forward: Comparison
  public let variables: [VariableReport]

  /// Worst literal-vs-fast error over forward and all backward passes.
  public var literalVsFast: Double {
    ([forward.relativeError] + variables.map(\.backpropVsLiteral.relativeError)).reduce(0) { max($0, $1.isNaN ? .infinity : $1) }
  }

  /// Worst error against finite differences.
  public var versusFiniteDifferences: Double {
    variables.flatMap { [$0.jacobianVsFiniteDifferences.relativeError, $0.backpropVsFiniteDifferences.relativeError] }
      .reduce(0) { max($0, $1.isNaN ? .infinity : $1) }
  }

  public var passed: Bool {
    literalVsFast <= Self.literalTolerance && versusFiniteDifferences <= Self.finiteDifferenceTolerance
  }

  /// Runs all comparisons for one block on one instance; `seed` draws dz/dy.
  public init(_ block: any Block, x: Tensor<Double>, _ p: Parameters<Double>, configuration: String, seed: UInt64 = 1) throws {
    self.block = block.name
    self.configuration = configuration
    let fast = try block.forward(x, p)
    forward = Comparison(try block.literalForward(x, p), fast)
    var rng = SeededGenerator(seed: seed)
    let dzdy = Tensor<Double>.uniform(fast.shape, using: &rng)
    var reports: [VariableReport] = []
    let variables = block.variables(p)
    // Forward-only blocks (error counts) have nothing to differentiate.
    let gradients = variables.isEmpty ? nil : try block.backward(x, p, dzdy)
    for v in variables {
      let at = try block.tensor(v, x: x, p)
      let j = try block.jacobian(at: x, p, wrt: v)
      let f = try block.function(of: v, x: x, p)
      let numeric = try FiniteDifferences.jacobian(at: at.storage, f)
      let literalVJP = (Matrix(rows: 1, cols: dzdy.count, storage: dzdy.storage) * j).storage
      let numericVJP = try FiniteDifferences.vjp(at: at.storage, cotangent: dzdy.storage, f)
      guard let backprop = gradients?[v]?.storage else { throw ConvLabError("\(block.name) returned no dz/d\(v.rawValue).") }
      reports.append(
        VariableReport(
          variable: v,
          jacobianVsFiniteDifferences: Comparison(j, numeric),
          backpropVsLiteral: Comparison(backprop, literalVJP),
          backpropVsFiniteDifferences: Comparison(backprop, numericVJP)))
    }
    self.variables = reports
  }
}
