import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

/// The windows of a pooling layer, for the wrong variants written as loops: for each output
/// entry (column-major order) its in-bounds input indices (column-major).
func poolWindows(_ x: Shape, size: Int, stride: Int, pad: Int, out: Shape) -> [(output: Int, inputs: [Int])] {
  var windows: [(Int, [Int])] = []
  for n in 0..<out.n {
    for d in 0..<out.d {
      for j in 0..<out.w {
        for i in 0..<out.h {
          var inputs: [Int] = []
          for c in (j * stride - pad)..<(j * stride - pad + size) where (0..<x.w).contains(c) {
            for r in (i * stride - pad)..<(i * stride - pad + size) where (0..<x.h).contains(r) { inputs.append(x.index(r, c, d, n)) }
          }
          windows.append((out.index(i, j, d, n), inputs))
        }
      }
    }
  }
  return windows
}

/// Max-pooling's backward pass: the switches (Xu (7)–(8); Vardhan App. B; MatConvNet §6.3),
/// with overlapping windows and a tie planted in one window.
public struct MaxPoolExercise: Exercise {
  public init() {}
  public var id: String { "maxpool-backward" }
  public var title: String { "Max-pooling backward: routing the derivative through the switches" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "Xu (7)–(8); Vardhan App. B; MatConvNet §6.3" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let size = rng.int(2...3)
    let stride = rng.int(1...size)
    let h = rng.int(4...5)
    let w = rng.int(4...5)
    var x = integers(Shape(h, w), 0...6, &rng)
    // A tie: the top-left window's maximum appears twice.
    var top = 0.0
    for c in 0..<size { for r in 0..<size { top = max(top, x[r, c]) } }
    x[1, 0] = top + 1
    x[0, 1] = top + 1
    let options = ["method": "max", "pool-size": "\(size)", "stride": "\(stride)"]
    let y = try Pool(method: .max, size: (size, size), stride: (stride, stride)).outputShape(x.shape, Parameters<Double>())
    let dzdy = integers(y, -3...3, &rng, nonzero: true)
    let part = makePart("dzdx", kind: "gradient", block: "pool", options: options, inputs: ["x": x, "dzdy": dzdy], answer: "dzdx", answerShape: x.shape, maxScore: 2)
    let task = """
      Max pooling with \(size)×\(size) windows and stride \(stride)\(stride < size ? " (the windows overlap)" : "") maps x ∈ R^{\(h)×\(w)} to
      y ∈ R^{\(y.h)×\(y.w)}. Given dz/dy, compute dz/dx. When a window has several equal maxima, the derivative goes to the
      first of them in column-major order (MatConvNet's convention).
      """
    return Instance(parts: [part], task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let dzdy = try part.input("dzdy")
    let o = try BlockOptions(part.spec.options)
    let right = try part.gradients().dzdx
    let windows = poolWindows(x.shape, size: o.poolSize?.0 ?? 2, stride: o.stride.0, pad: o.pad[0], out: dzdy.shape)
    var all = Tensor<Double>(shape: x.shape)
    var assigned = Tensor<Double>(shape: x.shape)
    for (out, inputs) in windows {
      let best = inputs.map { x.storage[$0] }.max() ?? 0
      let first = inputs.first { x.storage[$0] == best } ?? 0
      for i in inputs where x.storage[i] == best { all.storage[i] += dzdy.storage[out] }
      assigned.storage[first] = dzdy.storage[out]
    }
    var variants = [Variant("maxpool-ties-all", all)]
    if o.stride.0 < (o.poolSize?.0 ?? 2) { variants.append(Variant("overlap-assigned", assigned)) }
    return Solution(answer: right, variants: variants)
  }
}

/// Average pooling's backward pass with padding (MatConvNet §4.3, §6.3; Xu (4)–(6)).
public struct AvgPoolExercise: Exercise {
  public init() {}
  public var id: String { "avgpool-backward" }
  public var title: String { "Average-pooling backward with padding" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "Xu (4)–(6); MatConvNet §4.3, §6.3" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let size = rng.int(2...3)
    let stride = rng.int(1...size)
    let h = rng.int(4...5)
    let w = rng.int(4...5)
    let x = integers(Shape(h, w), -3...3, &rng)
    let options = ["method": "avg", "pool-size": "\(size)", "stride": "\(stride)", "pad": "1"]
    let y = try Pool(method: .avg, size: (size, size), pad: [1, 1, 1, 1], stride: (stride, stride)).outputShape(x.shape, Parameters<Double>())
    let dzdy = integers(y, -3...3, &rng, nonzero: true)
    let part = makePart("dzdx", kind: "gradient", block: "pool", options: options, inputs: ["x": x, "dzdy": dzdy], answer: "dzdx", answerShape: x.shape, maxScore: 2)
    let task = """
      Average pooling with \(size)×\(size) windows, stride \(stride) and one row/column of zero padding on every side maps
      x ∈ R^{\(h)×\(w)} to y ∈ R^{\(y.h)×\(y.w)}. As in MatConvNet, each window averages only its in-bounds samples.
      Given dz/dy, compute dz/dx.
      """
    return Instance(parts: [part], task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let dzdy = try part.input("dzdy")
    let o = try BlockOptions(part.spec.options)
    let size = o.poolSize?.0 ?? 2
    let windows = poolWindows(x.shape, size: size, stride: o.stride.0, pad: o.pad[0], out: dzdy.shape)
    var summed = Tensor<Double>(shape: x.shape)
    var fullDivisor = summed
    var assigned = summed
    for (out, inputs) in windows {
      let g = dzdy.storage[out]
      for i in inputs {
        summed.storage[i] += g
        fullDivisor.storage[i] += g / Double(size * size)
        assigned.storage[i] = g / Double(inputs.count)
      }
    }
    var variants = [Variant("avgpool-not-divided", summed), Variant("avgpool-wrong-divisor", fullDivisor)]
    if o.stride.0 < size { variants.append(Variant("overlap-assigned", assigned)) }
    return Solution(answer: try part.gradients().dzdx, variants: variants)
  }
}

/// Xu's trainable average layer z = β down(x) + b (Xu (2)): dz/dx through up(·) = · ⊗ 1
/// (Xu (4)–(6)) and the β, b gradients (Xu (19)–(22)).
public struct SubsampleExercise: Exercise {
  public init() {}
  public var id: String { "xu-subsample" }
  public var title: String { "Xu's β-layer: up-sampling by Kronecker product, dz/dβ and dz/db" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "Xu (2), (4)–(6), (19)–(22)" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let n = 2
    let h = 2 * rng.int(2...3)
    let w = 2 * rng.int(2...3)
    let x = integers(Shape(h, w, 2), -2...3, &rng)
    let beta = integers(Shape(2, 1), 2...3, &rng)
    let b = integers(Shape(2, 1), -1...1, &rng)
    let dzdy = integers(Shape(h / n, w / n, 2), -3...3, &rng, nonzero: true)
    let inputs = ["x": x, "w": beta, "b": b, "dzdy": dzdy]
    let options = ["pool-size": "\(n)"]
    let parts = [
      makePart("dzdx", kind: "gradient", block: "subsample", options: options, inputs: inputs, answer: "dzdx", answerShape: x.shape, maxScore: 2),
      makePart("dzdw", kind: "gradient", block: "subsample", options: options, inputs: inputs, answer: "dzdw", answerShape: beta.shape),
      makePart("dzdb", kind: "gradient", block: "subsample", options: options, inputs: inputs, answer: "dzdb", answerShape: b.shape),
    ]
    let task = """
      Xu's sub-sampling layer (Xu (2), without its activation) maps each channel j of x ∈ R^{\(h)×\(w)×2} to
      z_j = β_j down(x_j) + b_j, where down(·) sums every non-overlapping \(n)×\(n) block. β is `w.npy`, b is `b.npy`.
      Given δ = dz/dy, compute dz/dx (with up(·) = · ⊗ 1\(n)ₓ\(n), Xu (6)), dz/dβ (Xu (21)–(22), part `dzdw`) and dz/db (Xu (19)–(20)).
      """
    return Instance(parts: parts, task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let dzdy = try part.input("dzdy")
    let g = try part.gradients()
    let answer = try part.output(g)
    var variants: [Variant] = []
    switch part.spec.answer {
    case "dzdx": variants.append(Variant("upsample-averaged", answer.map { $0 / 4 }))
    case "dzdb": variants.append(Variant("bias-not-summed", Tensor(shape: answer.shape) { k, _, _, _ in dzdy[0, 0, k, 0] }))
    default: break
    }
    return Solution(answer: answer, variants: variants)
  }
}
