import ConvLabBlocks
import ConvLabCore
import ConvLabNotation

/// dz/dx, dz/dw and dz/db of a convolution with the stride, padding and dilation drawn per
/// student (Xu (9)–(18); Murugan (3.60)–(3.74); MatConvNet §6.1).
public struct ConvBackwardExercise: Exercise {
  public init() {}
  public var id: String { "conv-backward" }
  public var title: String { "Convolution backward: dz/dx, dz/dw, dz/db" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "Xu (9)–(18); Murugan (3.60)–(3.74); MatConvNet §4.1, §6.1" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    // Geometry first, redrawn until the output has at least 2×2 positions (smaller ones make
    // too many mistakes coincide).
    var f = 2
    var stride = 1
    var pad = 0
    var dilate = 1
    var h = 4
    var w = 4
    repeat {
      f = rng.int(2...3)
      stride = rng.int(1...2)
      pad = rng.int(0...1)
      dilate = f == 2 ? rng.int(1...2) : 1
      h = rng.int(4...5)
      w = rng.int(4...5)
    } while (h + 2 * pad - dilate * (f - 1) - 1) / stride < 1 || (w + 2 * pad - dilate * (f - 1) - 1) / stride < 1
    let x = integers(Shape(h, w, 2, 1), -2...3, &rng)
    let filters = integers(Shape(f, f, 2, 2), -2...2, &rng, nonzero: true)
    let b = integers(Shape(2, 1), -1...1, &rng)
    let options = ["pad": "\(pad)", "stride": "\(stride)", "dilate": "\(dilate)"]
    let y = try Conv(pad: [pad, pad, pad, pad], stride: (stride, stride), dilate: (dilate, dilate)).outputShape(x.shape, Parameters(w: filters, b: b))
    let dzdy = integers(y, -2...2, &rng, nonzero: true)
    let inputs = ["x": x, "w": filters, "b": b, "dzdy": dzdy]
    let parts = [
      makePart("dzdx", kind: "gradient", block: "conv", options: options, inputs: inputs, answer: "dzdx", answerShape: x.shape, maxScore: 2),
      makePart("dzdw", kind: "gradient", block: "conv", options: options, inputs: inputs, answer: "dzdw", answerShape: filters.shape, maxScore: 2),
      makePart("dzdb", kind: "gradient", block: "conv", options: options, inputs: inputs, answer: "dzdb", answerShape: b.shape, maxScore: 1),
    ]
    let task = """
      A convolution layer (MatConvNet's `conv`, a cross-correlation: y(i″,j″,k) = b(k) + Σ x(S·i″+D·i′−P, S·j″+D·j′−P, d) f(i′,j′,d,k))
      maps x ∈ R^{\(h)×\(w)×2} to y ∈ R^{\(y.h)×\(y.w)×2} with \(f)×\(f) filters, stride S = \(stride), padding P = \(pad) on every side
      and dilation D = \(dilate). Given dz/dy, compute dz/dx, dz/dw and dz/db.
      """
    return Instance(parts: parts, task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let x = try part.input("x")
    let w = try part.input("w")
    let dzdy = try part.input("dzdy")
    let stride = try BlockOptions(part.spec.options).stride.0
    let pad = try BlockOptions(part.spec.options).pad[0]
    let right = try part.gradients()
    var variants: [Variant] = []
    func add(_ id: String, _ g: Gradients<Double>) throws { variants.append(Variant(id, try part.output(g))) }
    switch part.spec.answer {
    case "dzdx":
      try add("missing-flip", part.gradients(w: Slices.rot180(w)))
      try add("channels-swapped", part.gradients(w: Slices.swapChannels(w)))
    case "dzdw":
      variants.append(Variant("missing-flip", Slices.rot180(try part.output(right))))
      variants.append(Variant("channels-swapped", Slices.swapChannels(try part.output(right))))
      variants.append(Variant("transposed", Slices.transpose(try part.output(right))))
    default:
      // The bias taken from the first output position only, not summed over all of them.
      variants.append(Variant("bias-not-summed", Tensor(shape: Shape(dzdy.shape.d, 1)) { k, _, _, _ in dzdy[0, 0, k, 0] }))
    }
    if stride > 1, part.spec.answer != "dzdb" {
      // dz/dy packed densely at the top-left of the stride-1 output instead of spread out.
      let dense = try Conv(pad: [pad, pad, pad, pad], dilate: try BlockOptions(part.spec.options).dilate).outputShape(x.shape, part.parameters)
      var packed = Tensor<Double>(shape: dense)
      for k in 0..<dzdy.count {
        let s = dzdy.shape.subscripts(k)
        packed.storage[dense.index(s.i, s.j, s.d, s.n)] = dzdy.storage[k]
      }
      try add("stride-not-dilated", part.gradients(dzdy: packed, options: ["stride": "1"]))
    }
    if pad > 0, part.spec.answer == "dzdx" {
      // The gradient with respect to the padded input, padding rows and columns kept.
      let padded = Tensor<Double>(shape: Shape(x.shape.h + 2 * pad, x.shape.w + 2 * pad, x.shape.d, x.shape.n)) { i, j, d, n in
        (pad..<pad + x.shape.h).contains(i) && (pad..<pad + x.shape.w).contains(j) ? x[i - pad, j - pad, d, n] : 0
      }
      try add("padding-not-cropped", part.gradients(x: padded, options: ["pad": "0"]))
    }
    return Solution(answer: try part.output(right), variants: variants)
  }
}

/// Vardhan's Appendix A conv Jacobians dᵥZ/dᵥA and dᵥZ/dᵥK (3×4 input, 2×2 kernel, padding
/// (1,1), stride (1,2)) with the kernel and input drawn per student.
public struct VardhanJacobianExercise: Exercise {
  public init() {}
  public var id: String { "vardhan-conv-jacobian" }
  public var title: String { "Vardhan App. A: the conv Jacobians dᵥZ/dᵥA and dᵥZ/dᵥK" }
  public var kind: ExerciseKind { .byHand }
  public var citation: String { "Vardhan App. A, §3.2 (numerator layout); MatConvNet §6.1" }

  public func generate(using rng: inout SeededGenerator) throws -> Instance {
    let a = integers(Shape(3, 4), -3...3, &rng)
    let k = integers(Shape(2, 2), -3...3, &rng, nonzero: true)
    let options = ["pad": "1", "stride": "1,2"]
    let z = try Conv(pad: [1, 1, 1, 1], stride: (1, 2)).outputShape(a.shape, Parameters(w: k))
    let inputs = ["x": a, "w": k]
    let parts = [
      makePart("jacobian_x", kind: "jacobian", block: "conv", options: options, inputs: inputs, answer: "jacobian", answerShape: Shape(z.count, a.count), maxScore: 2),
      makePart("jacobian_w", kind: "jacobian", block: "conv", options: options, inputs: inputs, answer: "jacobian", answerShape: Shape(z.count, k.count), maxScore: 2),
    ]
    let task = """
      Vardhan's Appendix A example with your own numbers: A ∈ R^{3×4} (`x.npy`), kernel K ∈ R^{2×2} (`w.npy`), zero padding (1,1) and
      stride (1,2), so Z = A ⋆ K ∈ R^{\(z.h)×\(z.w)} (cross-correlation, as MatConvNet §4.1). Write the explicit Jacobians
      dᵥZ/dᵥA (\(z.count)×\(a.count), part `jacobian_x`) and dᵥZ/dᵥK (\(z.count)×\(k.count), part `jacobian_w`) in numerator layout:
      row r is entry r of vec Z, column c entry c of vec A (or vec K), vec stacking columns.
      """
    return Instance(parts: parts, task: task)
  }

  public func solve(_ part: Part) throws -> Solution {
    let a = try part.input("x")
    let k = try part.input("w")
    let wrt: Variable = part.spec.name == "jacobian_w" ? .w : .x
    let block = try part.block()
    let z = try block.outputShape(a.shape, part.parameters)
    func jacobian(_ kernel: Tensor<Double>) throws -> Tensor<Double> {
      let j = try block.jacobian(at: a, Parameters(w: kernel), wrt: wrt)
      return Tensor(shape: Shape(j.rows, j.cols), storage: j.storage)
    }
    let right = try jacobian(k)
    var variants = [
      Variant("transposed", transpose2D(right)),
      Variant("row-major-vec", rowMajorJacobian(right, output: z, input: wrt == .x ? a.shape : k.shape)),
    ]
    if wrt == .x {
      variants.append(Variant("missing-flip", try jacobian(Slices.rot180(k))))
    } else {
      // The kernel's columns in rot180 order: the Jacobian of a true convolution.
      var flipped = right
      for c in 0..<k.count { for r in 0..<right.shape.h { flipped.storage[(k.count - 1 - c) * right.shape.h + r] = right.storage[c * right.shape.h + r] } }
      variants.append(Variant("missing-flip", flipped))
    }
    return Solution(answer: right, variants: variants)
  }
}
