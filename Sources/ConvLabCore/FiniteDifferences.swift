/// Central finite differences in Double: the third, independent way every derivative in
/// ConvLab is computed.
///
/// The step is h = ∛ε · max(1, |xₖ|) ≈ 6.1e-6 · scale. Central differences have truncation
/// error O(h²)·|f‴| and round-off error O(ε/h)·|f|; the two balance at h ∝ ε^{1/3}, giving
/// about 1e-10 relative accuracy for smooth functions of O(1) values — comfortably inside the
/// 1e-6 tolerance Docs/blocks-and-jacobians.md sets against finite differences.
public enum FiniteDifferences {
  /// The step used for coordinate xₖ.
  public static func step(at value: Double) -> Double {
    cubeRootEpsilon * max(1, abs(value))
  }

  /// ∛ε for Double.
  public static let cubeRootEpsilon = 6.055454452393343e-06

  /// The Jacobian d vec f / d (vec x)ᵀ, one column per coordinate of x:
  /// J[:, k] = (f(x + h eₖ) − f(x − h eₖ)) / 2h.
  public static func jacobian(
    at x: [Double], outputCount: Int? = nil, _ f: ([Double]) throws -> [Double]
  ) rethrows -> Matrix<Double> {
    var columns: [Double] = []
    var rows = outputCount ?? -1
    var probe = x
    for k in 0..<x.count {
      WorkProgress.step(k, of: x.count)
      let h = step(at: x[k])
      probe[k] = x[k] + h
      let plus = try f(probe)
      probe[k] = x[k] - h
      let minus = try f(probe)
      probe[k] = x[k]
      if rows < 0 {
        rows = plus.count
        columns.reserveCapacity(rows * x.count)
      }
      for r in 0..<plus.count { columns.append((plus[r] - minus[r]) / (2 * h)) }
    }
    return Matrix(rows: max(rows, 0), cols: x.count, storage: columns)
  }

  /// The vector–Jacobian product (dz/dy)ᵀ J = d⟨dz/dy, f(x)⟩ / d xᵀ, by central differences of
  /// the scalar z(x) = ⟨dz/dy, f(x)⟩; one pair of evaluations per coordinate of x.
  /// f′(x) of a scalar function: (f(x + h) − f(x − h)) / 2h with the step above.
  public static func derivative(at x: Double, _ f: (Double) throws -> Double) rethrows -> Double {
    let h = step(at: x)
    return (try f(x + h) - f(x - h)) / (2 * h)
  }

  public static func vjp(at x: [Double], cotangent: [Double], _ f: ([Double]) throws -> [Double]) rethrows -> [Double] {
    var probe = x
    var result = [Double](repeating: 0, count: x.count)
    func z(_ y: [Double]) -> Double {
      var s = 0.0
      for r in 0..<y.count { s += cotangent[r] * y[r] }
      return s
    }
    for k in 0..<x.count {
      let h = step(at: x[k])
      probe[k] = x[k] + h
      let plus = z(try f(probe))
      probe[k] = x[k] - h
      let minus = z(try f(probe))
      probe[k] = x[k]
      result[k] = (plus - minus) / (2 * h)
    }
    return result
  }
}
