import ConvLabBlocks
import ConvLabCore
import ConvLabNetworks
import ConvLabNotation

/// The MatConvNet manual's derivations: backpropagation as a chain of Jacobians (§2.3) and on a
/// DAG (§2.3.1), the geometry of chapter 5, and every block's derivative of chapter 6, each
/// computed from the manual's formula and checked against finite differences or another block.
enum MatConvNetDerivations {
  static let all: [(id: String, title: String, reference: String, build: Derivations.Builder)] = [
    ("matconvnet-chain", "Backpropagation: a product of Jacobians, evaluated from the left", "MatConvNet §2.3", chain),
    ("matconvnet-dag", "Backpropagation in a DAG: derivatives of a shared variable add up", "MatConvNet §2.3.1", dag),
    ("matconvnet-im2row", "Convolution as im2row: φ, the Kronecker forms, and φ*", "MatConvNet §6.1", im2row),
    ("matconvnet-convt", "Convolution transpose is the conv block's backward pass", "MatConvNet §4.2, §6.2", convt),
    ("matconvnet-pool", "Pooling as a selector: y = S(x) x, dz/dx = S(x)ᵀ dz/dy", "MatConvNet §6.3", pool),
    ("matconvnet-activations", "ReLU and sigmoid: diagonal Jacobians", "MatConvNet §6.4", activations),
    ("matconvnet-normalization", "LRN, batch norm, spatial norm and softmax backward", "MatConvNet §6.5", normalization),
    ("matconvnet-losses", "Log-loss, softmax log-loss and p-distance backward", "MatConvNet §6.6", losses),
    ("matconvnet-geometry", "Output sizes and receptive fields, composed and checked", "MatConvNet ch. 5", geometry),
  ]

  /// dz/dx of `block` at x (fast path) and the same by central differences of ⟨dz/dy, f(x)⟩,
  /// both H × (W·D·N).
  static func vjp(_ block: any Block, _ x: Tensor<Double>, _ p: Parameters<Double>, _ rng: inout SeededGenerator) throws -> (analytic: Matrix<Double>, numeric: Matrix<Double>) {
    let y = try block.forward(x, p)
    let dzdy = Tensor<Double>.uniform(y.shape, using: &rng)
    let analytic = try block.backward(x, p, dzdy).dzdx
    let numeric = try FiniteDifferences.vjp(at: x.storage, cotangent: dzdy.storage) { v in try block.forward(Tensor(shape: x.shape, storage: v), p).storage }
    // Shown as MATLAB's reshape(dzdx, H, []): the columns of every channel and image side by side.
    let (rows, cols) = (x.shape.h, x.count / max(1, x.shape.h))
    return (Matrix(rows: rows, cols: cols, storage: analytic.storage), Matrix(rows: rows, cols: cols, storage: numeric))
  }

  static let fd = "central differences of ⟨dz/dy, y⟩"

  // MARK: §2.3

  static func chain(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 6
    guard side >= 4, side <= 10, side % 2 == 0 else { throw ConvLabError.outOfRange(subject: "matconvnet-chain", setting: "size", value: "\(side)", allowed: "even, between 4 and 10") }
    let x = Tensor<Double>.uniform(Shape(side, side, 1), using: &rng)
    let w = Tensor<Double>.uniform(Shape(3, 3, 1, 2), using: &rng)
    let blocks: [(any Block, Parameters<Double>)] = [(Conv(pad: [1, 1, 1, 1]), Parameters(w: w)), (ReLU(), Parameters()), (Pool(method: .max, size: (2, 2), stride: (2, 2)), Parameters())]
    var inputs = [x]
    for (b, p) in blocks { inputs.append(try b.forward(inputs.last ?? x, p)) }
    let jacobians = try zip(blocks, inputs).map { try $0.0.jacobian(at: $1, $0.1, wrt: .x) }
    let dzdy = Matrix<Double>.uniform(1, inputs.last?.count ?? 0, using: &rng)
    // (dz/dy)ᵀ J₃ J₂ J₁, multiplied from the left: only row vectors are ever formed.
    var row = dzdy
    for j in jacobians.reversed() { row = row * j }
    var g = Tensor(shape: inputs.last?.shape ?? x.shape, storage: dzdy.storage)
    for (k, (b, p)) in blocks.enumerated().reversed() { g = try b.backward(inputs[k], p, g).dzdx }
    let fullProduct = jacobians[2] * jacobians[1] * jacobians[0]
    let leftCost = jacobians.reduce(0) { $0 + $1.rows * $1.cols }
    let rightCost = jacobians[2].rows * jacobians[1].rows * jacobians[1].cols + jacobians[2].rows * jacobians[0].rows * jacobians[0].cols
    return Derivation(
      id: "matconvnet-chain", title: "Backpropagation as a chain of Jacobians", reference: "MatConvNet §2.3",
      steps: [
        DerivationStep(
          "z = ⟨p, f₃(f₂(f₁(x)))⟩ with f₁ = conv 3×3 (pad 1), f₂ = ReLU, f₃ = max pool 2×2", "A three-block chain and a projection to a scalar.",
          matrices: [("x", x.channel(0))]),
        DerivationStep(
          "J_l = d vec x_{l+1} / d (vec x_l)ᵀ: \(jacobians.map { "\($0.rows)×\($0.cols)" }.joined(separator: ", "))", "Each block's explicit Jacobian (built literally).",
          matrices: [("J_pool", jacobians[2])]),
        DerivationStep(
          "dz/d(vec x)ᵀ = (dz/dy)ᵀ J₃ J₂ J₁", "The chain rule: one product of all the Jacobians.", matrices: [("dz/dx (row)", row)],
          check: .holds(row, Matrix(rows: 1, cols: g.count, storage: g.storage), against: "backprop through the blocks' backward passes")),
        DerivationStep(
          "from the left: \(leftCost) multiply-adds (vector × matrix); forming J₃J₂J₁ first: ≥ \(rightCost)",
          "Backpropagation multiplies from the left so that only vectors are formed — and never builds the J's at all.",
          check: .holds((dzdy * fullProduct), row, against: "the full Jacobian product (associativity)")),
      ])
  }

  // MARK: §2.3.1

  static func dag(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 4
    guard side >= 2, side <= 10, side % 2 == 0 else { throw ConvLabError.outOfRange(subject: "matconvnet-dag", setting: "size", value: "\(side)", allowed: "even, between 2 and 10") }
    let x = Tensor<Double>.uniform(Shape(side, side, 2), using: &rng)
    let p1 = Tensor<Double>.uniform(x.shape, using: &rng)
    let pooledShape = Shape(side / 2, side / 2, 2)
    let p2 = Tensor<Double>.uniform(pooledShape, using: &rng)
    let pool = Pool(method: .avg, size: (2, 2), stride: (2, 2))
    func z(_ x: Tensor<Double>) throws -> Double {
      let a = try Sigmoid().forward(x, Parameters())
      let b = try pool.forward(x, Parameters())
      return zip(p1.storage, a.storage).reduce(0) { $0 + $1.0 * $1.1 } + zip(p2.storage, b.storage).reduce(0) { $0 + $1.0 * $1.1 }
    }
    let branch1 = try Sigmoid().backward(x, Parameters(), p1).dzdx
    let branch2 = try pool.backward(x, Parameters(), p2).dzdx
    let total = branch1.zipWith(branch2, +)
    let numeric = try FiniteDifferences.vjp(at: x.storage, cotangent: [1]) { v in [try z(Tensor(shape: x.shape, storage: v))] }
    let col = { (t: Tensor<Double>) in Matrix(rows: t.count, cols: 1, storage: t.storage) }
    return Derivation(
      id: "matconvnet-dag", title: "Backpropagation in a DAG", reference: "MatConvNet §2.3.1",
      steps: [
        DerivationStep("x feeds two blocks: a = σ(x), b = avgpool(x);  z = ⟨p₁, a⟩ + ⟨p₂, b⟩", "A variable with two children, as in a DAG.", matrices: [("x channel 1", x.channel(0))]),
        DerivationStep("dz/dx through σ alone", "The first child's contribution.", matrices: [("via sigmoid", branch1.channel(0))]),
        DerivationStep("dz/dx through the pool alone", "The second child's contribution.", matrices: [("via pool", branch2.channel(0))]),
        DerivationStep(
          "dz/dx = Σ over the children of x   (§2.3.1: derivatives are accumulated)", "Backprop in a DAG adds the contributions of every block that reads x.",
          matrices: [("dz/dx", total.channel(0))], check: .holds(col(total), Matrix(rows: x.count, cols: 1, storage: numeric), against: "central differences of z", tolerance: 1e-8)),
      ])
  }

  // MARK: §6.1

  static func im2row(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 4
    guard side >= 2, side <= 8 else { throw ConvLabError.outOfRange(subject: "matconvnet-im2row", setting: "size", value: "\(side)", allowed: "between 2 and 8") }
    let x = Tensor<Double>.uniform(Shape(side, side, 2), using: &rng)
    let w = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let map = try Im2Row(geometry: FilterGeometry(kh: 2, kw: 2, stride: (2, 2), pad: [1, 0, 1, 0]), h: side, w: side, d: 2)
    let phi = map.phi(x)
    let f = Matrix(rows: 8, cols: 3, storage: w.storage)
    let forms = convolutionKroneckerForms(phi: phi, filters: f)
    let h = map.matrixH(Double.self)
    let viaH = kron(f.transposed, identity(phi.rows)) * h * vec(x)
    let block = Conv(pad: [1, 0, 1, 0], stride: (2, 2))
    let y = try block.forward(x, Parameters(w: w))
    let dY = Matrix<Double>.uniform(phi.rows, 3, using: &rng)
    let dzdy = Tensor(shape: y.shape, storage: dY.storage)
    let back = try block.backward(x, Parameters(w: w), dzdy)
    let dF = phi.transposed * dY
    let dX = map.phiStar(dY * f.transposed)
    let col = { (t: Tensor<Double>) in Matrix(rows: t.count, cols: 1, storage: t.storage) }
    return Derivation(
      id: "matconvnet-im2row", title: "Convolution by im2row", reference: "MatConvNet §6.1",
      steps: [
        DerivationStep(
          "y = φ(x) F   (x \(side)×\(side)×2, F 2×2×2×3, stride 2, padding top/left 1)", "φ(x) stacks one patch per output position; F holds one filter per column.",
          matrices: [("phi(x)", phi), ("F", f)], check: .holds(vec(phi * f), col(y), against: "the conv block")),
        DerivationStep("vec y = (I ⊗ φ(x)) vec F", "Linear in F: the Kronecker form of the product.", check: .holds(forms.viaVecF, forms.direct, against: "vec(φ(x) F)")),
        DerivationStep(
          "vec y = (Fᵀ ⊗ I) vec φ(x) = (Fᵀ ⊗ I) H vec x", "Linear in x: φ is itself a 0/1 matrix H applied to vec x.", matrices: [("H", h)],
          check: .holds(viaH, forms.direct, against: "vec(φ(x) F)")),
        DerivationStep(
          "dz/dF = φ(x)ᵀ dz/dY", "The filter derivative: one GEMM with the patches.", matrices: [("dz/dF", dF)],
          check: .holds(dF, Matrix(rows: 8, cols: 3, storage: back.dzdw?.storage ?? []), against: "the conv block's dz/dw")),
        DerivationStep(
          "dz/dX = φ*(dz/dY Fᵀ)   (φ* = Hᵀ scatters rows back into the image, adding overlaps)", "The input derivative: a GEMM, then the transpose of im2row.",
          matrices: [("dz/dX channel 1", dX.channel(0))], check: .holds(col(dX), col(back.dzdx), against: "the conv block's dz/dx")),
      ])
  }

  // MARK: §4.2, §6.2

  static func convt(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 3
    guard side >= 1, side <= 8 else { throw ConvLabError.outOfRange(subject: "matconvnet-convt", setting: "size", value: "\(side)", allowed: "between 1 and 8") }
    let x = Tensor<Double>.uniform(Shape(side, side, 2), using: &rng)
    let f = Tensor<Double>.uniform(Shape(3, 3, 2, 2), using: &rng)
    let t = ConvTranspose(upsample: (2, 2), crop: [1, 0, 1, 0])
    let y = try t.forward(x, Parameters(w: f))
    // The conv with stride 2 and padding 1,0,1,0 that maps y's shape back to x's shape.
    let c = Conv(pad: [1, 0, 1, 0], stride: (2, 2))
    let viaConv = try c.backward(Tensor(shape: y.shape), Parameters(w: f), x).dzdx
    let jt = try t.jacobian(at: x, Parameters(w: f), wrt: .x)
    let jc = try c.jacobian(at: Tensor(shape: y.shape), Parameters(w: f), wrt: .x)
    let numeric = try vjp(t, x, Parameters(w: f), &rng)
    return Derivation(
      id: "matconvnet-convt", title: "Convolution transpose", reference: "MatConvNet §4.2, §6.2",
      steps: [
        DerivationStep(
          "y = convt(x, f), upsample 2, crop (1,0,1,0):  \(x.shape) → \(y.shape)", "The transpose of a strided convolution enlarges its input.", matrices: [("y channel 1", y.channel(0))]),
        DerivationStep(
          "convt(x, f) = the conv block's dz/dx with dz/dy = x   (MatConvNet (6.1))", "Conv transpose applies the conv's backward pass as a forward pass.",
          check: .holds(Matrix(rows: y.count, cols: 1, storage: y.storage), Matrix(rows: y.count, cols: 1, storage: viaConv.storage), against: "conv (stride 2, pad 1,0,1,0) backward")),
        DerivationStep("J_convt = (J_conv)ᵀ", "Their Jacobians are transposes of each other.", check: .holds(jt, jc.transposed, against: "the conv block's Jacobian")),
        DerivationStep(
          "dz/dx of convt = conv(dz/dy, f)", "So convt's backward pass is a plain convolution.", matrices: [("dz/dx", numeric.analytic)],
          check: .holds(numeric.analytic, numeric.numeric, against: fd, tolerance: 1e-8)),
      ])
  }

  // MARK: §6.3

  static func pool(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 5
    guard side >= 3, side <= 9 else { throw ConvLabError.outOfRange(subject: "matconvnet-pool", setting: "size", value: "\(side)", allowed: "between 3 and 9") }
    let x = Support.tensor(Support.distinct(side, side, &rng))
    let block = Pool(method: .max, size: (3, 3), stride: (2, 2))
    let s = try block.poolingMatrix(at: x)
    let y = try block.forward(x, Parameters())
    let dzdy = Matrix<Double>.uniform(y.count, 1, using: &rng)
    let back = try block.backward(x, Parameters(), Tensor(shape: y.shape, storage: dzdy.storage)).dzdx
    let numeric = try vjp(block, x, Parameters(), &rng)
    let avg = Pool(method: .avg, size: (3, 3), pad: [1, 1, 1, 1], stride: (2, 2))
    let avgNumeric = try vjp(avg, x, Parameters(), &rng)
    return Derivation(
      id: "matconvnet-pool", title: "Pooling as a selector", reference: "MatConvNet §6.3",
      steps: [
        DerivationStep("max pooling 3×3, stride 2 (overlapping windows) on \(side)×\(side) distinct values", "Every window has one maximum.", matrices: [("x", x.channel(0))]),
        DerivationStep(
          "vec y = S(x) vec x,  S(x) ∈ {0,1}: one 1 per row, at the window's maximum   (MatConvNet (6.2))", "Pooling is linear once the switches are known.",
          matrices: [("S(x)", s)], check: .holds(s * vec(x), vec(y), against: "the pool block's forward pass")),
        DerivationStep(
          "dz/d vec x = S(x)ᵀ dz/d vec y   (MatConvNet (6.2))", "The transpose routes each derivative to its switch; overlapping windows add.",
          check: .holds(s.transposed * dzdy, vec(back), against: "the pool block's backward pass")),
        DerivationStep(
          "the same against finite differences", "Away from ties the selector is exact.", matrices: [("dz/dx", numeric.analytic)],
          check: .holds(numeric.analytic, numeric.numeric, against: fd, tolerance: 1e-8)),
        DerivationStep(
          "average pooling with padding: S = 1/(in-bounds count) over each window", "The same form with constant weights.",
          matrices: [("dz/dx", avgNumeric.analytic)], check: .holds(avgNumeric.analytic, avgNumeric.numeric, against: fd, tolerance: 1e-8)),
      ])
  }

  // MARK: §6.4

  static func activations(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 3
    guard side >= 1, side <= 10 else { throw ConvLabError.outOfRange(subject: "matconvnet-activations", setting: "size", value: "\(side)", allowed: "between 1 and 10") }
    let x = Support.tensor(Support.distinct(side, side, &rng))
    let relu = try vjp(ReLU(), x, Parameters(), &rng)
    let sigmoid = try vjp(Sigmoid(), x, Parameters(), &rng)
    let jr = try ReLU().jacobian(at: x, Parameters(), wrt: .x)
    let js = try Sigmoid().jacobian(at: x, Parameters(), wrt: .x)
    let diagR = Matrix<Double>(rows: x.count, cols: x.count) { r, c in r == c && x.storage[r] > 0 ? 1 : 0 }
    let diagS = Matrix<Double>(rows: x.count, cols: x.count) { r, c in r == c ? Support.sigmoid(x.storage[r]) * (1 - Support.sigmoid(x.storage[r])) : 0 }
    return Derivation(
      id: "matconvnet-activations", title: "ReLU and sigmoid", reference: "MatConvNet §6.4",
      steps: [
        DerivationStep("x (\(side)×\(side), no zeros)", "Values away from ReLU's kink.", matrices: [("x", x.channel(0))]),
        DerivationStep(
          "ReLU: dz/dx = dz/dy ∘ 1{x > 0};  J = diag(1{vec x > 0})   (§6.4.1)", "The Jacobian of an element-wise function is diagonal.",
          check: .holds(jr, diagR, against: "the ReLU block's literal Jacobian")),
        DerivationStep(
          "ReLU backward", "The block's backward pass against finite differences.", matrices: [("dz/dx", relu.analytic)], check: .holds(relu.analytic, relu.numeric, against: fd, tolerance: 1e-8)),
        DerivationStep(
          "sigmoid: dz/dx = dz/dy ∘ σ(x)(1 − σ(x));  J = diag(σ(1 − σ))   (§6.4.2)", "The slope written with the output itself.",
          check: .holds(js, diagS, against: "the sigmoid block's literal Jacobian")),
        DerivationStep(
          "sigmoid backward", "The block's backward pass against finite differences.", matrices: [("dz/dx", sigmoid.analytic)],
          check: .holds(sigmoid.analytic, sigmoid.numeric, against: fd, tolerance: 1e-8)),
      ])
  }

  // MARK: §6.5

  static func normalization(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let side = instance.size ?? 3
    guard side >= 2, side <= 6 else { throw ConvLabError.outOfRange(subject: "matconvnet-normalization", setting: "size", value: "\(side)", allowed: "between 2 and 6") }
    let x = Tensor<Double>.uniform(Shape(side, side, 4, 2), using: &rng)
    let lrn = try vjp(Normalize(depth: 3, kappa: 1, alpha: 0.5, beta: 0.75), x, Parameters(), &rng)
    let gains = Tensor<Double>.uniform(Shape(4, 1), in: 0.5...1.5, using: &rng)
    let biases = Tensor<Double>.uniform(Shape(4, 1), using: &rng)
    let bn = try vjp(BatchNorm(), x, Parameters(w: gains, b: biases), &rng)
    let sp = try vjp(SpatialNorm(size: (3, 3), alpha: 1, beta: 0.5), x, Parameters(), &rng)
    let sm = try vjp(Softmax(), x, Parameters(), &rng)
    return Derivation(
      id: "matconvnet-normalization", title: "Normalization blocks", reference: "MatConvNet §6.5",
      steps: [
        DerivationStep("x (\(side)×\(side)×4×2)", "Four channels, two images.", matrices: [("x(:,:,1,1)", x.channel(0))]),
        DerivationStep(
          "LRN: y = x / (κ + α Σ_{t∈G(k)} x_t²)^β;  dz/dx = dz/dy ∘ L^{−β} − 2αβ x Σ_{k∈G(t)} dz/dy_k x_k L_k^{−β−1}   (§6.5.1)",
          "The normalizer of each channel depends on its neighbours, so derivatives flow across channels.",
          matrices: [("dz/dx", lrn.analytic)], check: .holds(lrn.analytic, lrn.numeric, against: fd, tolerance: 1e-7)),
        DerivationStep(
          "batch norm: dz/dx = (w/σ)(dz/dy − mean(dz/dy) − x̂ mean(dz/dy ∘ x̂)) per channel   (§6.5.2)",
          "Mean and variance depend on every sample of the channel, hence the two averaged correction terms.",
          matrices: [("dz/dx", bn.analytic)], check: .holds(bn.analytic, bn.numeric, against: fd, tolerance: 1e-7)),
        DerivationStep(
          "spatial norm: y = x (1 + α n²)^{−β}, n² the mean of x² over a 3×3 window   (§6.5.3)", "Like LRN, but the window is spatial.",
          matrices: [("dz/dx", sp.analytic)], check: .holds(sp.analytic, sp.numeric, against: fd, tolerance: 1e-7)),
        DerivationStep(
          "softmax across channels: dz/dx = y ∘ (dz/dy − ⟨dz/dy, y⟩)   (§6.5.4)", "The Jacobian diag(y) − y yᵀ applied without forming it.",
          matrices: [("dz/dx", sm.analytic)], check: .holds(sm.analytic, sm.numeric, against: fd, tolerance: 1e-7)),
      ])
  }

  // MARK: §6.6

  static func losses(_ instance: Derivations.Instance) throws -> Derivation {
    var rng = SeededGenerator(seed: instance.seed)
    let classes = instance.size ?? 4
    guard classes >= 2, classes <= 20 else { throw ConvLabError.outOfRange(subject: "matconvnet-losses", setting: "size", value: "\(classes)", allowed: "(classes) between 2 and 20") }
    let scores = Tensor<Double>.uniform(Shape(1, 1, classes, 3), using: &rng)
    let probabilities = try Softmax().forward(scores, Parameters())
    let labels = Tensor<Double>(shape: Shape(1, 1, 1, 3), storage: (0..<3).map { Double(($0 * 2) % classes + 1) })
    let log = try vjp(Loss(kind: .log), probabilities, Parameters(labels: labels), &rng)
    let softmaxlog = try vjp(Loss(kind: .softmaxlog), scores, Parameters(labels: labels), &rng)
    let target = Tensor<Double>.uniform(scores.shape, using: &rng)
    let pdist = try vjp(PDist(p: 3), scores, Parameters(target: target), &rng)
    let direct = try Loss(kind: .softmaxlog).backward(scores, Parameters(labels: labels), Tensor(shape: Shape(1, 1), storage: [1])).dzdx
    let formula = probabilities.zipWith(Tensor(shape: scores.shape) { _, _, d, n in Double(d + 1) == labels.storage[n] ? 1 : 0 }, -)
    return Derivation(
      id: "matconvnet-losses", title: "Losses and distances", reference: "MatConvNet §6.6",
      steps: [
        DerivationStep(
          "x (\(classes) classes × 3 images), labels c = (\(labels.storage.map { String(Int($0)) }.joined(separator: ", "))), 1-based", "Scores, their softmax, and the true classes.",
          matrices: [("x", Matrix(rows: classes, cols: 3, storage: scores.storage))]),
        DerivationStep(
          "log-loss: ℓ = −Σ log x_c;  dz/dx_k = −dz/dy · 1{k = c}/x_c   (§6.6.1)", "Only the true class's probability is differentiated.",
          matrices: [("dz/dx", log.analytic)], check: .holds(log.analytic, log.numeric, against: fd, tolerance: 1e-7)),
        DerivationStep(
          "softmax log-loss: dz/dx = dz/dy (softmax(x) − onehot(c))   (§6.6.2)", "The softmax's Jacobian and the log's derivative combine into a difference.",
          matrices: [("softmax(x) - onehot", Matrix(rows: classes, cols: 3, storage: formula.storage))],
          check: .holds(Matrix(rows: classes, cols: 3, storage: formula.storage), Matrix(rows: classes, cols: 3, storage: direct.storage), against: "the loss block's backward pass")),
        DerivationStep(
          "softmax log-loss backward", "The block's backward pass against finite differences.", matrices: [("dz/dx", softmaxlog.analytic)],
          check: .holds(softmaxlog.analytic, softmaxlog.numeric, against: fd, tolerance: 1e-7)),
        DerivationStep(
          "p-distance (p = 3): y = (Σ |x − x̄|^p)^{1/p};  dz/dx = dz/dy y^{1−p} |x − x̄|^{p−1} sign(x − x̄)   (§6.6.3)", "The root's derivative scales each term.",
          matrices: [("dz/dx", pdist.analytic)], check: .holds(pdist.analytic, pdist.numeric, against: fd, tolerance: 1e-7)),
      ])
  }

  // MARK: ch. 5

  static func geometry(_ instance: Derivations.Instance) throws -> Derivation {
    let side = instance.size ?? 32
    guard side >= 16, side <= 128 else { throw ConvLabError.outOfRange(subject: "matconvnet-geometry", setting: "size", value: "\(side)", allowed: "between 16 and 128") }
    let stack = try LayerStack(parsing: "conv 5x5 pad 2; pool 3x3 stride 2; conv 3x3 dilate 2 pad 1; pool 2x2 stride 2")
    let trace = try stack.trace(h: side, w: side)
    guard let last = trace.last else { throw ConvLabError("empty layer stack.") }
    let field = last.rows
    // Perturbation: which input rows change output row i″ (through the real blocks, one impulse at a time)?
    var rng = SeededGenerator(seed: instance.seed)
    let w1 = Tensor<Double>.uniform(Shape(5, 5, 1, 1), in: 0.5...1, using: &rng)
    let w2 = Tensor<Double>.uniform(Shape(3, 3, 1, 1), in: 0.5...1, using: &rng)
    let blocks: [(any Block, Parameters<Double>)] = [
      (Conv(pad: [2, 2, 2, 2]), Parameters(w: w1)), (Pool(method: .avg, size: (3, 3), stride: (2, 2)), Parameters()),
      (Conv(pad: [1, 1, 1, 1], dilate: (2, 2)), Parameters(w: w2)), (Pool(method: .avg, size: (2, 2), stride: (2, 2)), Parameters()),
    ]
    func output(_ x: Tensor<Double>) throws -> Tensor<Double> { try blocks.reduce(x) { try $1.0.forward($0, $1.1) } }
    let base = try output(Tensor(shape: Shape(side, side)))
    var touched: [Int] = []
    for r in 0..<side {
      var x = Tensor<Double>(shape: Shape(side, side))
      x[r, side / 2] = 1
      if try output(x)[1, base.shape.w / 2] != 0 { touched.append(r + 1) }
    }
    let predicted = field.inputRange(ofOutput: 2)
    let inside = (max(1, Int(predicted.lowerBound))...min(side, Int(predicted.upperBound)))
    return Derivation(
      id: "matconvnet-geometry", title: "Output sizes and receptive fields", reference: "MatConvNet ch. 5",
      steps: [
        DerivationStep(
          "stack: \(stack.layers.map(\.text).joined(separator: "; ")) on \(side)×\(side)", "A stack with padding, pooling, stride and dilation.",
          matrices: []),
        DerivationStep(
          "H″ = 1 + ⌊(H − H′ₐ + P⁻ + P⁺)/S⌋ per layer   (MatConvNet (5.3) intended, with the floor the conversion prints as bars; H′ₐ = D(H′ − 1) + 1): \(trace.map { "\($0.h)" }.joined(separator: " → "))",
          "Each layer's output size from the previous one.",
          check: .holds(Support.column([Double(last.h)]), Support.column([Double(base.shape.h)]), against: "the blocks' actual output")),
        DerivationStep(
          "composition (§5.5): α = α_f α_g, β = α_f(β_g − 1) + β_f, Δ = α_f(Δ_g − 1) + Δ_f  ⇒  \(field)", "Receptive fields compose like affine maps.",
          matrices: []),
        DerivationStep(
          "output row 2 sees input rows \(inside.lowerBound)…\(inside.upperBound) (clipped to the image)   (MatConvNet (5.1)–(5.2))", "The field of output 2: centre β + α(i″ − 1), size Δ.",
          check: .holds(Support.column(touched.map(Double.init)), Support.column(Array(inside).map(Double.init)), against: "impulses through the real blocks, one input row at a time")),
      ])
  }
}
