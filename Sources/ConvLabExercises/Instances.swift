import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

// Small tools the exercises share: integer-valued random arrays (answers stay exact by hand),
// slice-wise transforms that produce the wrong variants, and the part builder.

extension SeededGenerator {
  mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
  mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &self)] }
}

/// Whole numbers in `range` (zero left out when `nonzero`), so hand computations stay exact.
func integers(_ shape: Shape, _ range: ClosedRange<Int>, _ rng: inout SeededGenerator, nonzero: Bool = false) -> Tensor<Double> {
  Tensor(
    shape: shape,
    storage: (0..<shape.count).map { _ in
      var v = rng.int(range)
      while nonzero && v == 0 { v = rng.int(range) }
      return Double(v)
    })
}

/// Numbers with two decimals in `range` (for the smooth activations).
func decimals(_ shape: Shape, _ range: ClosedRange<Double>, _ rng: inout SeededGenerator) -> Tensor<Double> {
  Tensor(shape: shape, storage: (0..<shape.count).map { _ in (Double.random(in: range, using: &rng) * 100).rounded() / 100 })
}

enum Slices {
  /// Applies `f` to every H×W slice (each channel of each image).
  static func map(_ t: Tensor<Double>, _ f: (Matrix<Double>) -> Matrix<Double>) -> Tensor<Double> {
    var slices: [Matrix<Double>] = []
    for n in 0..<t.shape.n { for d in 0..<t.shape.d { slices.append(f(t.channel(d, image: n))) } }
    let first = slices[0]
    var out = Tensor<Double>(shape: Shape(first.rows, first.cols, t.shape.d, t.shape.n))
    var k = 0
    for n in 0..<t.shape.n {
      for d in 0..<t.shape.d {
        out.setChannel(d, image: n, slices[k])
        k += 1
      }
    }
    return out
  }

  /// Every slice rotated by 180° (Xu (14)'s J k J).
  static func rot180(_ t: Tensor<Double>) -> Tensor<Double> { map(t, ConvLabNotation.rot180) }

  /// Every slice transposed.
  static func transpose(_ t: Tensor<Double>) -> Tensor<Double> {
    map(t) { m in Matrix(rows: m.cols, cols: m.rows) { r, c in m[c, r] } }
  }

  /// Filters with the input and output channel exchanged: f′(:,:,k,d) = f(:,:,d,k).
  static func swapChannels(_ t: Tensor<Double>) -> Tensor<Double> {
    Tensor(shape: Shape(t.shape.h, t.shape.w, t.shape.n, t.shape.d)) { i, j, k, d in t[i, j, d, k] }
  }
}

/// A 2-D array transposed.
func transpose2D(_ t: Tensor<Double>) -> Tensor<Double> {
  Tensor(shape: Shape(t.shape.w, t.shape.h)) { i, j, _, _ in t[j, i] }
}

/// Row-major (C order) linear index of the column-major index `k` in `shape`.
func rowMajorIndex(_ k: Int, _ shape: Shape) -> Int {
  let s = shape.subscripts(k)
  return ((s.i * shape.w + s.j) * shape.d + s.d) * shape.n + s.n
}

/// A Jacobian with rows and columns in row-major order, the `row-major-vec` mistake.
func rowMajorJacobian(_ j: Tensor<Double>, output: Shape, input: Shape) -> Tensor<Double> {
  var out = Tensor<Double>(shape: j.shape)
  for c in 0..<j.shape.w {
    for r in 0..<j.shape.h {
      out.storage[rowMajorIndex(c, input) * j.shape.h + rowMajorIndex(r, output)] = j.storage[c * j.shape.h + r]
    }
  }
  return out
}

/// A part whose answer has `answerShape`; the CSV layout follows from it.
func makePart(_ name: String, kind: String, block: String?, options: [String: String] = [:], inputs: [String: Tensor<Double>], answer: String, answerShape: Shape, maxScore: Double = 1) -> Part {
  Part(
    spec: PartSpec(
      name: name, kind: kind, block: block, options: options, inputs: [:], answer: answer,
      shape: answerShape.trimmedDims, layout: csvLayout(answerShape), maxScore: maxScore),
    inputs: inputs)
}

extension Part {
  /// The `convlab block` this part names, built from its options.
  func block() throws -> any Block {
    guard let name = spec.block else { throw ConvLabError("part '\(spec.name)' names no block.") }
    return try BlockOptions(spec.options).block(named: name)
  }

  /// The block's parameters from the part's inputs.
  var parameters: Parameters<Double> {
    Parameters(w: inputs["w"], b: inputs["b"], labels: inputs["labels"], target: inputs["target"], mask: inputs["mask"])
  }

  /// The block's backward pass on this part's inputs (the right answer of a gradient part).
  func gradients(x: Tensor<Double>? = nil, w: Tensor<Double>? = nil, dzdy: Tensor<Double>? = nil, options: [String: String] = [:]) throws -> Gradients<Double> {
    var copy = self
    for (k, v) in options { copy.spec.options[k] = v }
    var p = parameters
    if let w { p.w = w }
    return try copy.block().backward(x ?? input("x"), p, dzdy ?? input("dzdy"))
  }

  func output(_ g: Gradients<Double>) throws -> Tensor<Double> {
    switch spec.answer {
    case "dzdx": return g.dzdx
    case "dzdw": if let w = g.dzdw { return w }
    case "dzdb": if let b = g.dzdb { return b }
    default: break
    }
    throw ConvLabError("part '\(spec.name)' asks for \(spec.answer), which the block does not give.")
  }
}

/// The layout mistakes any tensor answer invites, whatever the exercise: the transpose of each
/// H×W slice, and the entries in row-major (C) order where vec stacks columns — both the whole
/// array read back in C order and a C-order `reshape(H, -1)` of a 3-D/4-D answer for the CSV.
/// Each is listed only where it moves entries (a vector's transpose is itself).
enum Confusions {
  static func generic(_ answer: Tensor<Double>, symmetric: Bool = false) -> [Variant] {
    let shape = answer.shape
    var out: [Variant] = []
    if !symmetric, shape.h == shape.w, shape.h > 1 { out.append(Variant("transposed", Slices.transpose(answer))) }
    // For a square matrix the C-order reading is the transpose itself: listed once, as that.
    if shape.h > 1 && shape.count / shape.h > 1 && !(shape.d == 1 && shape.n == 1 && shape.h == shape.w) {
      // vec read back as C order: entry k of the answer lands at row-major index k.
      var rowMajor = Tensor<Double>(shape: shape)
      for k in 0..<answer.count { rowMajor.storage[rowMajorIndex(k, shape)] = answer.storage[k] }
      if !(symmetric && shape.d == 1 && shape.n == 1) { out.append(Variant("row-major-vec", rowMajor)) }
    }
    if shape.d * shape.n > 1 && shape.w > 1 {
      // NumPy's a.reshape(H, -1) of an H×W×D×N array: column j·D·N + d·N + n instead of
      // MATLAB's j + W·d + W·D·n.
      var cOrder = Tensor<Double>(shape: shape)
      for k in 0..<answer.count {
        let s = shape.subscripts(k)
        let column = (s.j * shape.d + s.d) * shape.n + s.n
        cOrder.storage[column * shape.h + s.i] = answer.storage[k]
      }
      out.append(Variant("row-major-vec", cOrder))
    }
    return out
  }
}
