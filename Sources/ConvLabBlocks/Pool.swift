import ConvLabCore
import ConvLabNotation

/// Spatial pooling (MatConvNet §4.3, §6.3): max, average, and Milisavljevic's max+average
/// (the sum of the two, Milisavljevic §3).
///
/// Max pooling pads with −∞ (padding never wins); average pooling divides by the number of
/// in-bounds samples of each window (MatConvNet's behaviour). `caffeCeil` uses Caffe's output
/// size (MatConvNet §5.2.1); windows that then run past the padded input see only the samples
/// that exist.
public struct Pool: Block {
  public enum Method: String, CaseIterable, Sendable { case max, avg, maxavg }

  public var method: Method
  public var size: (Int, Int)
  public var pad: [Int]
  public var stride: (Int, Int)
  public var caffeCeil: Bool

  public init(method: Method = .max, size: (Int, Int), pad: [Int] = [0, 0, 0, 0], stride: (Int, Int) = (1, 1), caffeCeil: Bool = false) {
    self.method = method
    self.size = size
    self.pad = pad
    self.stride = stride
    self.caffeCeil = caffeCeil
  }

  public var name: String { "pool" }

  var geometry: FilterGeometry { FilterGeometry(kh: size.0, kw: size.1, stride: stride, pad: pad) }

  public func outputShape<S: Scalar>(_ x: Shape, _ p: Parameters<S>) throws -> Shape {
    guard size.0 >= 1, size.1 >= 1, stride.0 >= 1, stride.1 >= 1 else {
      throw ConvLabError("pool size and stride must be positive, got size \(size.0)×\(size.1), stride \(stride.0),\(stride.1).")
    }
    guard pad.count == 4, pad.allSatisfy({ $0 >= 0 }) else { throw ConvLabError("pool padding must be four non-negative numbers, got \(pad).") }
    guard pad[0] < size.0, pad[1] < size.0, pad[2] < size.1, pad[3] < size.1 else {
      throw ConvLabError("pool padding \(pad) must be smaller than the pool size \(size.0)×\(size.1), or some windows would hold only padding.")
    }
    let (h, w): (Int, Int)
    if caffeCeil {
      (h, w) = (try CaffePooling.outputLength(x.h, geometry.rows), try CaffePooling.outputLength(x.w, geometry.cols))
    } else {
      (h, w) = try geometry.outputSize(h: x.h, w: x.w, what: "pooling window")
    }
    return Shape(h, w, x.d, x.n)
  }

  public func structure(wrt v: Variable) -> String {
    switch method {
    case .max: return "selector S(x) ∈ {0,1}: one 1 per row, at the window's maximum (MatConvNet §6.3, Xu (8), Vardhan App. B switches)"
    case .avg: return "constant averaging matrix: 1/(in-bounds count) over each window (MatConvNet §6.3, Xu (4)–(6))"
    case .maxavg: return "selector plus averaging matrix (Milisavljevic's max+average pooling)"
    }
  }

  /// The in-bounds input rows and columns of output (i″, j″), 0-based.
  func window(_ i: Int, _ j: Int, h: Int, w: Int) -> (rows: Range<Int>, cols: Range<Int>) {
    let r0 = i * stride.0 - pad[0]
    let c0 = j * stride.1 - pad[2]
    return (max(0, r0)..<min(h, r0 + size.0), max(0, c0)..<min(w, c0 + size.1))
  }

  // MARK: Literal path — vec y = S(x) vec x (MatConvNet (6.2))

  /// The non-zeros of the pooling matrix S(x) as (row, column, value): row = output entry, the
  /// values the weights of its inputs (1 at the first maximum for max; 1/count on the window's
  /// in-bounds samples for average; both for max+average, Milisavljevic §3). Entries may repeat
  /// a position (max+average); they add.
  public func poolingEntries(at x: Tensor<Double>) throws -> (rows: Int, cols: Int, entries: [(row: Int, col: Int, value: Double)]) {
    let y = try outputShape(x.shape, Parameters<Double>())
    var entries: [(row: Int, col: Int, value: Double)] = []
    for n in 0..<y.n {
      for d in 0..<y.d {
        for j in 0..<y.w {
          for i in 0..<y.h {
            let row = y.index(i, j, d, n)
            let win = window(i, j, h: x.shape.h, w: x.shape.w)
            let count = Double(win.rows.count * win.cols.count)
            var best = -Double.infinity
            var bestColumn = -1
            for c in win.cols {
              for r in win.rows {
                let column = x.shape.index(r, c, d, n)
                if method != .max { entries.append((row, column, 1 / count)) }
                if x.storage[column] > best {
                  best = x.storage[column]
                  bestColumn = column
                }
              }
            }
            if method != .avg, bestColumn >= 0 { entries.append((row, bestColumn, 1)) }
          }
        }
      }
    }
    return (y.count, x.count, entries)
  }

  /// The pooling matrix S(x) (MatConvNet (6.2)), dense, from `poolingEntries`.
  public func poolingMatrix(at x: Tensor<Double>) throws -> Matrix<Double> {
    let y = try outputShape(x.shape, Parameters<Double>())
    try JacobianBudget.check(rows: y.count, cols: x.count)
    var s = Matrix<Double>(rows: y.count, cols: x.count)
    for e in try poolingEntries(at: x).entries { s[e.row, e.col] += e.value }
    return s
  }

  public func literalForward(_ x: Tensor<Double>, _ p: Parameters<Double>) throws -> Tensor<Double> {
    let y = try outputShape(x.shape, p)
    return Tensor(shape: y, storage: (try poolingMatrix(at: x) * vec(x)).storage)
  }

  public func jacobian(at x: Tensor<Double>, _ p: Parameters<Double>, wrt v: Variable) throws -> Matrix<Double> {
    guard v == .x else { throw ConvLabError("pool has no parameters; differentiate with respect to x.") }
    return try poolingMatrix(at: x)
  }

  // MARK: Fast path — direct loops over windows

  /// The window bounds of every output row and column (`Fast/PoolingKernels`).
  func kernelGeometry(_ x: Shape, _ y: Shape) -> PoolingKernels.Geometry {
    PoolingKernels.Geometry(
      h: x.h, w: x.w, outH: y.h, outW: y.w, slabs: x.d * x.n,
      rows: PoolingKernels.ranges(outputs: y.h, input: x.h, size: size.0, stride: stride.0, padBefore: pad[0]),
      cols: PoolingKernels.ranges(outputs: y.w, input: x.w, size: size.1, stride: stride.1, padBefore: pad[2]))
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func forward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>) throws -> Tensor<S> {
    let yShape = try outputShape(x.shape, p)
    return Tensor(shape: yShape, storage: PoolingKernels.forward(x.storage, kernelGeometry(x.shape, yShape), method: method))
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func backward<S: Scalar>(_ x: Tensor<S>, _ p: Parameters<S>, _ dzdy: Tensor<S>) throws -> Gradients<S> {
    let yShape = try outputShape(x.shape, p)
    try requireDzdy(dzdy, yShape)
    return Gradients(dzdx: Tensor(shape: x.shape, storage: PoolingKernels.backward(x.storage, dzdy.storage, kernelGeometry(x.shape, yShape), method: method)))
  }
}
