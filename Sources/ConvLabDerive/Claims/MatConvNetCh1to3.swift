import ConvLabBlocks
import ConvLabCore
import ConvLabNetworks
import ConvLabNotation
import Foundation

/// The manual's chapters 1–3 (introduction, CNN fundamentals, wrappers): the sizes and
/// derivative shapes they state, the chain rule (2.1) and the DAG derivatives (2.2) on numbers,
/// backpropagation over blocks, the speed tables and what the text says about them, and the
/// cross-references between sections.
extension MatConvNetClaims {
  /// Table 1.1 (images/s): model, batch size, CPU, GPU, CuDNN, as printed.
  static let table11: [(model: String, batch: Int, cpu: Double, gpu: Double, cudnn: Double)] = [
    ("AlexNet", 256, 22.1, 192.4, 264.1), ("VGG-F", 256, 21.4, 211.4, 289.7), ("VGG-M", 128, 7.8, 116.5, 136.6),
    ("VGG-S", 128, 7.4, 96.2, 110.1), ("VGG-VD-16", 24, 1.7, 18.4, 20.0), ("VGG-VD-19", 24, 1.5, 15.7, 16.5),
  ]
  /// Table 1.2: VGG-VD-16 speed (images/s) on 1–4 GPUs, as printed.
  static let table12: [Double] = [20.0, 22.20, 38.18, 44.8]

  static func introductionLines(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }

    // §1.1: im is H × W × D with D = 3; f = randn(3,3,3,16); y = vl_nnconv(x, f, []) has K = 16 channels.
    let im = Tensor<Double>.uniform(Shape(7, 6, 3), using: &rng)
    let bank = Tensor<Double>.uniform(Shape(3, 3, 3, 16), using: &rng)
    let y11 = try Conv().forward(im, Parameters(w: bank))
    // §1.2: [dzdx, dzdf, dzdb] = vl_nnconv(x, f, b, dzdy) — and chapter 4's opening: dzdx, dzdw have the shapes of x, w.
    let b12 = Tensor<Double>.uniform(Shape(1, 1, 16), using: &rng)
    let g12 = try Conv().backward(im, Parameters(w: bank, b: b12), Tensor<Double>.uniform(y11.shape, using: &rng))
    let shapes = { (s: Shape?) -> [Double] in s.map { [Double($0.h), Double($0.w), Double($0.d), Double($0.n)] } ?? [] }
    // §1.3 names the pre-trained models; §1.4 trains "the models discussed in section 1.3" for Table 1.1.
    let listed = ["AlexNet", "VGG-S", "VGG-M", "VGG-S", "VGG-VD-16", "VGG-VD-19"]
    let intendedList = ["AlexNet", "VGG-F", "VGG-M", "VGG-S", "VGG-VD-16", "VGG-VD-19"]
    let tableModels = table11.map(\.model)
    let alex = table11[0]

    // §2.1 and §2.2.1: x_l = f_l(x_{l−1}; w_l) ∈ R^{H_l×W_l×D_l} through conv 3×3 (4 filters) → ReLU → max pool 2×2 (stride 2).
    let x0 = Tensor<Double>.uniform(Shape(8, 8, 2), using: &rng)
    let w1 = Tensor<Double>.uniform(Shape(3, 3, 2, 4), using: &rng)
    let chain = Chain<Double>([.init(Conv(), Parameters(w: w1)), .init(ReLU()), .init(Pool(method: .max, size: (2, 2), stride: (2, 2)))])
    let values = try chain.forward(x0)
    let layerShapes = values.dropFirst().flatMap { [Double($0.shape.h), Double($0.shape.w), Double($0.shape.d)] }
    let stated: [Double] = [6, 6, 4, 6, 6, 4, 3, 3, 4]  // (5.3): 8 − 3 + 1 = 6; ReLU keeps it; ⌊(6 − 2)/2⌋ + 1 = 3
    var sequential = x0
    for layer in chain.layers { sequential = try layer.block.forward(sequential, layer.parameters) }

    // §2.2.2, property 3: a parameter shared by two functions; its derivative is the sum over both.
    let xa = Tensor<Double>.uniform(Shape(4, 4, 1), using: &rng)
    let xb = Tensor<Double>.uniform(Shape(4, 4, 1), using: &rng)
    let shared = Tensor<Double>.uniform(Shape(2, 2, 1, 2), using: &rng)
    let ga = Tensor<Double>.uniform(Shape(3, 3, 2), using: &rng)
    let gb = Tensor<Double>.uniform(Shape(3, 3, 2), using: &rng)
    let da = try Conv().backward(xa, Parameters(w: shared), ga).dzdw?.storage ?? []
    let db = try Conv().backward(xb, Parameters(w: shared), gb).dzdw?.storage ?? []
    let sharedFD = try FiniteDifferences.vjp(at: shared.storage, cotangent: [1]) { w in
      let wt = Tensor(shape: shared.shape, storage: w)
      let ya = try Conv().forward(xa, Parameters(w: wt))
      let yb = try Conv().forward(xb, Parameters(w: wt))
      return [zip(ga.storage, ya.storage).reduce(0) { $0 + $1.0 * $1.1 } + zip(gb.storage, yb.storage).reduce(0) { $0 + $1.0 * $1.1 }]
    }

    // §2.3: Jacobian sizes, dz/dw shaped like w, and MatConvNet (2.1) on the conv block (x 5×4×2, filters 2×2×2×3, pad 1).
    let block = Conv(pad: [1, 1, 1, 1])
    let x23 = Tensor<Double>.uniform(Shape(5, 4, 2), using: &rng)
    let w23 = Tensor<Double>.uniform(Shape(2, 2, 2, 3), using: &rng)
    let p23 = Parameters(w: w23)
    let y23 = try block.forward(x23, p23)
    let jx = try block.jacobian(at: x23, p23, wrt: .x)
    let jw = try block.jacobian(at: x23, p23, wrt: .w)
    let g23 = Tensor<Double>.uniform(y23.shape, using: &rng)
    let back23 = try block.backward(x23, p23, g23)
    let row = Matrix(rows: 1, cols: g23.count, storage: g23.storage)
    let viaJx = (row * jx).storage
    let viaJw = (row * jw).storage

    // §2.3.1: a DAG in which every block takes all previous variables (L = 3, variables in R²).
    let dag = ThreeBlockDAG()
    let start = [0.3, -0.7]
    let xs1 = dag.f1(start)
    let xs2 = dag.f2(start, xs1)
    // ∂f_l/∂x_k and ∂h_{l+1}/∂x_l by central differences (h_{l+1} runs the blocks after l with x₀ … x_l clamped).
    let df: [[Matrix<Double>]] = [
      [FiniteDifferences.jacobian(at: start) { dag.f1($0) }],
      [FiniteDifferences.jacobian(at: start) { dag.f2($0, xs1) }, FiniteDifferences.jacobian(at: xs1) { dag.f2(start, $0) }],
      [
        FiniteDifferences.jacobian(at: start) { dag.f3($0, xs1, xs2) }, FiniteDifferences.jacobian(at: xs1) { dag.f3(start, $0, xs2) },
        FiniteDifferences.jacobian(at: xs2) { dag.f3(start, xs1, $0) },
      ],
    ]
    let dh: [Matrix<Double>] = [
      FiniteDifferences.jacobian(at: xs1) { dag.h2(start, $0) },  // ∂h₂/∂x₁
      FiniteDifferences.jacobian(at: xs2) { dag.f3(start, xs1, $0) },  // ∂h₃/∂x₂
      Matrix<Double>.identity(2),  // ∂h₄/∂x₃, h₄ = x_L
    ]
    func add(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> { Matrix(rows: a.rows, cols: a.cols, storage: zip(a.storage, b.storage).map { $0 + $1 }) }
    let zero = Matrix<Double>(rows: 2, cols: 2)
    // d vec x_L|x₀ / d(vec x₀)ᵀ = Σ_{l=1}^{L} d vec h_{l+1}/d(vec x_l)ᵀ · d vec f_l/d(vec x₀)ᵀ.
    let sumForX0 = (1...3).reduce(zero) { add($0, dh[$1 - 1] * df[$1 - 1][0]) }
    let fullX0 = FiniteDifferences.jacobian(at: start) { dag.h1($0) }
    // MatConvNet (2.2) for l = 1: d vec h₂/d(vec x₁)ᵀ = Σ_{k=2}^{L} d vec h_{k+1}/d(vec x_k)ᵀ · d vec f_k/d(vec x₁)ᵀ.
    let sumForX1 = (2...3).reduce(zero) { add($0, dh[$1 - 1] * df[$1 - 1][1]) }
    // Backpropagation over blocks: derivatives of x₁ … x_{L−1} start at zero, x_L's at 1 (the identity);
    // for k = L … 1, every input x_l (l < k) accumulates [d h_{k+1}/d x_k][d f_k/d x_l].
    var accumulated: [Matrix<Double>] = [zero, zero, zero, Matrix<Double>.identity(2)]  // index l = 0 … L
    for k in stride(from: 3, through: 1, by: -1) { for l in 0..<k { accumulated[l] = add(accumulated[l], accumulated[k] * df[k - 1][l]) } }
    let truthBlocks = dh[0].storage + dh[1].storage

    // §3.1.1: the chain wrapper evaluates the CNN and, given dz/dy, its derivatives.
    let dzdy = Tensor<Double>.uniform(values.last?.shape ?? Shape(1, 1), using: &rng)
    let chainBack = try chain.backward(values, dzdy: dzdy)
    let chainFD = try FiniteDifferences.vjp(at: x0.storage, cotangent: dzdy.storage) { v in try chain.forward(Tensor(shape: x0.shape, storage: v)).last?.storage ?? [] }

    // §3.1.2: the DAG wrapper on a graph that is not a chain: x₀ feeds σ and tanh, their sum feeds a conv.
    let wd = Tensor<Double>.uniform(Shape(2, 2, 1, 1), using: &rng)
    let graph = try DAG<Double>(nodes: [
      .init("a", .block(Sigmoid(), Parameters(), input: "x0")), .init("b", .block(Tanh(), Parameters(), input: "x0")),
      .init("c", .sum(["a", "b"])), .init("y", .block(Conv(), Parameters(w: wd), input: "c")),
    ])
    let xd = Tensor<Double>.uniform(Shape(4, 4, 1), using: &rng)
    let dagValues = try graph.forward(xd)
    let gd = Tensor<Double>.uniform(dagValues[graph.output]?.shape ?? Shape(1, 1), using: &rng)
    let dagBack = try graph.backward(dagValues, dzdOutput: gd)
    let dagFD = try FiniteDifferences.vjp(at: xd.storage, cotangent: gd.storage) { v in
      let t = Tensor(shape: xd.shape, storage: v)
      let c = try Sigmoid().forward(t, Parameters()).zipWith(try Tanh().forward(t, Parameters()), +)
      return try Conv().forward(c, Parameters(w: wd)).storage
    }
    // The sections of chapter 3, as the manual titles them (for its cross-references).
    let chapter3Titles = ["§3.1.1": "SimpleNN", "§3.1.2": "DagNN"]

    return [
      .holds(
        .matConvNet, "§1.1", "§1.1 (filter bank example)", kind: .example,
        "im is H × W × D with D = 3; a bank of K = 16 filters of size 3 × 3 (f = randn(3,3,3,16)); y = vl_nnconv(x,f,[]) has K channels",
        against: "the conv block on a 7×6×3 image: y's depth, and its height and width by §4.1's size formula", value: [16, 5, 4],
        truth: [Double(y11.shape.d), Double(y11.shape.h), Double(y11.shape.w)]),
      .holds(
        .matConvNet, "§1.2", "§1.2 (derivative shapes)", kind: .size,
        "[dzdx, dzdf, dzdb] = vl_nnconv(x, f, b, dzdy); the arrays dzdx, dzdy and dzdw have the same dimensions of x, y and w (chapter 4)",
        against: "the conv block's backward pass on the §1.1 example with biases", value: shapes(im.shape) + shapes(bank.shape) + shapes(b12.shape),
        truth: shapes(g12.dzdx.shape) + shapes(g12.dzdw?.shape) + shapes(g12.dzdb?.shape)),
      Claim(
        .matConvNet, section: "§1.3", location: "§1.3 (pre-trained models)", kind: .table,
        printed: "These include: AlexNet [7], VGG-S, VGG-M, VGG-S [1], and VGG-VD-16, and VGG-VD-19 [10]",
        verdict: .wrong, intended: "AlexNet, VGG-F, VGG-M, VGG-S [1], VGG-VD-16 and VGG-VD-19: Table 1.1's six models",
        note:
          "VGG-S is named twice and VGG-F, which Table 1.1 and §1.4 ('the models discussed in section 1.3') use, not at all; the stored LaTeX (doc/intro.tex, an older version) lacks this paragraph, and a text conversion does not turn an F into an S",
        readings: [
          Reading(
            "as printed", "Table 1.1's models named in the list", against: "Table 1.1's six models",
            value: [Double(Set(listed).intersection(tableModels).count)], truth: [Double(tableModels.count)]),
          Reading(
            "corrected: VGG-F for the first VGG-S", "Table 1.1's models named in the list", against: "Table 1.1's six models",
            value: [Double(Set(intendedList).intersection(tableModels).count)], truth: [Double(tableModels.count)]),
        ]),
      // "about 40%": a figure rounded to one significant digit stands for 35 %–45 %, a relative tolerance of 0.125.
      .holds(
        .matConvNet, "§1.4", "§1.4 (CuDNN against CuBLAS)", kind: .table,
        "AlexNet trains at about 264 images/s with CuDNN, which is about 40% faster than the vanilla GPU implementation",
        against: "Table 1.1: 264.1/192.4 − 1 (264.1 images/s with CuDNN)", value: [0.40], truth: [alex.cudnn / alex.gpu - 1], tolerance: 0.125),
      .holds(
        .matConvNet, "§1.4", "§1.4 (GPU against CPU)", kind: .table, "… and more than 10 times faster than using the CPUs; comparable to Caffe's 253 images/s",
        against: "Table 1.1: 264.1/22.1 > 10, and 253 within 5 % of 264.1", value: [1, 1],
        truth: [flag(alex.cudnn / alex.cpu > 10), flag(abs(253 - alex.cudnn) / alex.cudnn < 0.05)]),
      // "from 20 images/s to 45": whole numbers, so a relative tolerance of 0.5/45 ≈ 0.011 covers the rounding.
      .holds(
        .matConvNet, "§1.4", "§1.4 (multiple GPUs)", kind: .table,
        "batch of 264 images in sub-batches of 22 distributed among one to four GPUs; training speed increases from 20 images/s to 45",
        against: "Table 1.2 (1 and 4 GPUs), and 264/22 sub-batches shared evenly by 1, 2, 3 and 4 GPUs", value: [20, 45, 1],
        truth: [table12[0], table12[3], flag(264 % 22 == 0 && (1...4).allSatisfy { (264 / 22) % $0 == 0 })], tolerance: 0.5 / 45),
      .holds(
        .matConvNet, "§1.5", "§1.5 (releases)", kind: .crossReference, "So far there have been 12 ad-interim releases",
        against: "the release Figure 1.1 downloads, matconvnet-1.0-beta12", value: [12],
        truth: [Double("matconvnet-1.0-beta12".components(separatedBy: "beta").last.flatMap { Int($0) } ?? 0)]),
      Claim(
        .matConvNet, section: "§2.1, §2.2.1", location: "§2.1 (layer sizes)", kind: .size,
        printed: "x_l = f_l(x_{l−1}; w_l), x_l ∈ R^{H_l×W_l×D_l}; evaluating the network is evaluating all the intermediate stages in order",
        readings: [
          Reading(
            "as printed", "the sizes of x₁, x₂, x₃ (conv 3×3 with 4 filters, ReLU, max pool 2×2 stride 2, x₀ 8×8×2)", against: "the chain's outputs",
            value: stated, truth: layerShapes),
          Reading(
            "as printed", "x_L = f(x₀; w₁, …, w_L), the blocks applied one by one", against: "the chain wrapper's output",
            value: sequential.storage, truth: values.last?.storage ?? []),
        ]),
      .holds(
        .matConvNet, "§2.2.2", "§2.2.2 (shared parameters)", kind: .prose,
        "the same parameter can feed into two or more functions, and therefore be shared among them",
        against: "central differences in w of z = ⟨G_a, conv(x_a, w)⟩ + ⟨G_b, conv(x_b, w)⟩ (the two dz/dw added)", value: zip(da, db).map { $0 + $1 }, truth: sharedFD, tolerance: 1e-6),
      .holds(
        .matConvNet, "§2.3", "§2.3 (Jacobian sizes)", kind: .size,
        "d vec x_l/d(vec x_{l−1})ᵀ is an H_lW_lD_l × H_{l−1}W_{l−1}D_{l−1} matrix; dz/dw_l has the same dimensions as w_l",
        against: "the conv block's explicit Jacobian and its dz/dw (x 5×4×2, filters 2×2×2×3, pad 1)",
        value: [Double(y23.count), Double(x23.count)] + shapes(w23.shape), truth: [Double(jx.rows), Double(jx.cols)] + shapes(back23.dzdw?.shape)),
      .holds(
        .matConvNet, "§2.3", "MatConvNet (2.1)", "dz/d(vec x)ᵀ = dz/d(vec y)ᵀ · d vec y/d(vec x)ᵀ,  dz/d(vec w)ᵀ = dz/d(vec y)ᵀ · d vec y/d(vec w)ᵀ",
        against: "the conv block's backward pass (dz/dx, then dz/dw)", value: viaJx + viaJw, truth: back23.dzdx.storage + (back23.dzdw?.storage ?? [])),
      .holds(
        .matConvNet, "§2.3.1", "§2.3.1 (derivative in x₀)", kind: .display,
        "d vec x_L|x₀ / d(vec x₀)ᵀ = Σ_{l=1}^{L} d vec h_{l+1}/d(vec x_l)ᵀ · d vec f_l/d(vec x₀)ᵀ, h_{L+1} = x_L",
        against: "central differences of x_L in x₀ (a three-block DAG, each block reading all earlier variables)", value: sumForX0.storage, truth: fullX0.storage, tolerance: 1e-6),
      .holds(
        .matConvNet, "§2.3.1", "MatConvNet (2.2)", "d vec x_L|x₀,…,x_l / d(vec x_l)ᵀ = d vec h_{l+1}/d(vec x_l)ᵀ = Σ_{k=l+1}^{L} d vec h_{k+1}/d(vec x_k)ᵀ · d vec f_k/d(vec x_l)ᵀ",
        against: "central differences of h₂ in x₁ (l = 1, x₀ clamped)", value: sumForX1.storage, truth: dh[0].storage, tolerance: 1e-6),
      .holds(
        .matConvNet, "§2.3.1", "§2.3.1 (backtracking over blocks)", kind: .display,
        "initialise d(vec h_{l+1})/d(vec x_l)ᵀ to zero (to 1 for l = L); for k = L, …, 1 and every input x_l, l < k, accumulate [d vec h_{k+1}/d(vec x_k)ᵀ][d vec f_k/d(vec x_l)ᵀ]",
        against: "central differences of h₂ in x₁ and h₃ in x₂", value: accumulated[1].storage + accumulated[2].storage, truth: truthBlocks, tolerance: 1e-6),
      .holds(
        .matConvNet, "§3.1", "§3.1 (wrappers)", kind: .crossReference,
        "MatConvNet provides two wrappers: SimpleNN for basic chains of blocks (section 3.1.1), and DagNN for more complex graphs",
        against: "the titles of §3.1.1 and §3.1.2", value: [1, 1], truth: [flag(chapter3Titles["§3.1.1"] == "SimpleNN"), flag(chapter3Titles["§3.1.2"] == "DagNN")]),
      Claim(
        .matConvNet, section: "§3.1", location: "§3.1 (stray reference)", kind: .crossReference,
        printed: "… and DagNN for more complex graphs. simple wrapper for the common case of a linear chain (section 3.1.2).",
        verdict: .wrong, intended: "the linear-chain wrapper is SimpleNN, section 3.1.1 (§3.1.2 is DagNN)",
        note:
          "a sentence fragment cites §3.1.2 for the linear chain; the LaTeX source (vlfeat/matconvnet doc/wrappers.tex, a later version) reads 'SimpleNN for basic chains of blocks (\\autoref{s:simplenn}) and DagNN for … (\\autoref{s:dagnn})' without it, and a text conversion does not write sentences",
        readings: [
          Reading(
            "as printed: §3.1.2", "the cited section describes the linear-chain wrapper SimpleNN", against: "the titles of chapter 3's sections",
            value: [1], truth: [flag(chapter3Titles["§3.1.2"] == "SimpleNN")]),
          Reading(
            "corrected: §3.1.1", "the cited section describes the linear-chain wrapper SimpleNN", against: "the titles of chapter 3's sections",
            value: [1], truth: [flag(chapter3Titles["§3.1.1"] == "SimpleNN")]),
        ]),
      .holds(
        .matConvNet, "§3.1.1", "§3.1.1 (SimpleNN)", kind: .prose,
        "vl_simplenn takes as input the CNN net, the input x and potentially output derivatives dzdy: evaluation of the CNN and of its derivatives",
        against: "central differences of ⟨dz/dy, chain(x)⟩ (ConvLab's chain wrapper: conv, ReLU, max pool)", value: chainBack.dzdx.storage, truth: chainFD, tolerance: 1e-6),
      .holds(
        .matConvNet, "§3.1.2", "§3.1.2 (DagNN)", kind: .prose, "The DagNN wrapper … has to support arbitrary graph topologies",
        against: "central differences through a graph where x₀ feeds σ and tanh and their sum feeds a conv (ConvLab's DAG wrapper)",
        value: dagBack.variables[graph.input]?.storage ?? [], truth: dagFD, tolerance: 1e-6),
      .holds(
        .matConvNet, "§3.4", "§3.4 (expected speed)", kind: .crossReference, "If all goes well, you should expect to be able to train with 200-300 images/sec",
        against: "Table 1.1's fastest GPU speeds (AlexNet and VGG-F with CuDNN)", value: [1, 1],
        truth: table11.prefix(2).map { flag((200...300).contains($0.cudnn)) }),
    ]
  }
}

/// A DAG whose blocks read every earlier variable (§2.3.1's worst case), L = 3, variables in R².
struct ThreeBlockDAG {
  func f1(_ x0: [Double]) -> [Double] { [Foundation.tanh(x0[0] + 0.5 * x0[1]), Foundation.sin(x0[1])] }
  func f2(_ x0: [Double], _ x1: [Double]) -> [Double] { [x0[0] * x1[1] + x1[0] * x1[0], Foundation.cos(x1[0] - x0[1])] }
  func f3(_ x0: [Double], _ x1: [Double], _ x2: [Double]) -> [Double] { [x0[0] * x2[0] + x1[1] * x2[1], Foundation.exp(0.3 * x0[1]) + x1[0] * x2[0]] }
  /// h₂(x₀, x₁) = h₃(x₀, x₁, f₂(x₀, x₁)) with h₃ = f₃.
  func h2(_ x0: [Double], _ x1: [Double]) -> [Double] { f3(x0, x1, f2(x0, x1)) }
  /// h₁(x₀) = h₂(x₀, f₁(x₀)) = x_L.
  func h1(_ x0: [Double]) -> [Double] { h2(x0, f1(x0)) }
}
