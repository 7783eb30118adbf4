import ConvLabCore

/// Sums over contiguous runs of memory for the normalization blocks. A loop `s += p[i]` is one
/// chain of dependent additions (IEEE addition is not associative, so the compiler may not
/// reorder it): one add per 3–4 cycles, a quarter of what memory delivers. These keep 32
/// independent partial sums in four 8-lane vectors, which the compiler maps to SIMD registers,
/// and add them together at the end. The order of summation differs from the serial loop's,
/// which is as accurate (pairwise-like, error O(n/32 · ε) instead of O(n · ε)).
enum Reductions {
  typealias Lanes<S: Scalar> = SIMD8<S>

  @inline(__always)
  static func load<S: Scalar>(_ p: UnsafePointer<S>, _ i: Int) -> Lanes<S> { SIMDMemory.load(p + i) }

  /// Σᵢ p[i] for i in 0..<count.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func sum<S: Scalar>(_ p: UnsafePointer<S>, count: Int) -> S {
    var a = Lanes<S>()
    var b = Lanes<S>()
    var c = Lanes<S>()
    var d = Lanes<S>()
    var i = 0
    while i + 32 <= count {
      a += load(p, i)
      b += load(p, i + 8)
      c += load(p, i + 16)
      d += load(p, i + 24)
      i += 32
    }
    var total = ((a + b) + (c + d)).sum()
    while i < count {
      total += p[i]
      i += 1
    }
    return total
  }

  /// Σᵢ (p[i] − shift)² for i in 0..<count (the second pass of the variance).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func sumOfSquares<S: Scalar>(_ p: UnsafePointer<S>, count: Int, minus shift: S) -> S {
    var a = Lanes<S>()
    var b = Lanes<S>()
    var c = Lanes<S>()
    var d = Lanes<S>()
    let m = Lanes<S>(repeating: shift)
    var i = 0
    while i + 32 <= count {
      let (u, v, w, x) = (load(p, i) - m, load(p, i + 8) - m, load(p, i + 16) - m, load(p, i + 24) - m)
      a += u * u
      b += v * v
      c += w * w
      d += x * x
      i += 32
    }
    var total = ((a + b) + (c + d)).sum()
    while i < count {
      let v = p[i] - shift
      total += v * v
      i += 1
    }
    return total
  }

  /// (Σᵢ g[i], Σᵢ g[i] (x[i] − shift)) for i in 0..<count (batch norm's backward sums).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func sumAndDot<S: Scalar>(_ g: UnsafePointer<S>, _ x: UnsafePointer<S>, count: Int, minus shift: S) -> (S, S) {
    var sa = Lanes<S>()
    var sb = Lanes<S>()
    var da = Lanes<S>()
    var db = Lanes<S>()
    let m = Lanes<S>(repeating: shift)
    var i = 0
    while i + 16 <= count {
      let (g0, g1) = (load(g, i), load(g, i + 8))
      sa += g0
      sb += g1
      da += g0 * (load(x, i) - m)
      db += g1 * (load(x, i + 8) - m)
      i += 16
    }
    var (sum, dot) = ((sa + sb).sum(), (da + db).sum())
    while i < count {
      sum += g[i]
      dot += g[i] * (x[i] - shift)
      i += 1
    }
    return (sum, dot)
  }
}
