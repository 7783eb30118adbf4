import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNotation
import ConvLabPlot
import Foundation

/// The papers' figures, recomputed from ConvLab's own blocks and notation layer with fixed seeds
/// (`convlab figures`, `make figures`). Each figure says which paper figure or equation it
/// redraws.
public enum PaperFigures {
  /// Every figure that needs no data set and no timing: byte-for-byte reproducible.
  public static func deterministic() throws -> [Figure] {
    [
      try activations(), kroneckerUpsampling(), try maxPoolRouting(), try kernelGradientPatches(), try fullConvolution(),
      try jacobianSparsity(), try receptiveFields(), dilatedKernels(),
    ]
  }

  static func grid(_ rows: Int, _ cols: Int, _ f: (Int, Int) -> Double) -> Matrix<Double> {
    var m = Matrix<Double>(rows: rows, cols: cols)
    for i in 0..<rows { for j in 0..<cols { m[i, j] = f(i, j) } }
    return m
  }

  static func rounded(_ m: Matrix<Double>) -> Matrix<Double> {
    Matrix(rows: m.rows, cols: m.cols, storage: m.storage.map { ($0 * 100).rounded() / 100 })
  }

  /// Murugan Table 1: sigmoid, tanh, ReLU and leaky ReLU with their derivatives, evaluated by
  /// the blocks' forward and backward passes (dz/dy = 1 gives f′(x)).
  public static func activations() throws -> Figure {
    let xs = stride(from: -4.0, through: 4.0, by: 0.02).map { $0 }
    let x = Tensor<Double>(shape: Shape(xs.count, 1), storage: xs)
    let ones = Tensor<Double>(shape: x.shape, repeating: 1)
    let blocks: [(String, any Block)] = [("sigmoid", Sigmoid()), ("tanh", Tanh()), ("ReLU", ReLU()), ("leaky ReLU (a = 0.1)", ReLU(leak: 0.1))]
    var values: [Plot.Series] = []
    var slopes: [Plot.Series] = []
    for (name, block) in blocks {
      values.append(Plot.Series(name, x: xs, y: try block.forward(x, Parameters()).storage))
      slopes.append(Plot.Series(name + "′", x: xs, y: try block.backward(x, Parameters(), ones).dzdx.storage))
    }
    return Figure(
      name: "activations", title: "Activation functions and their derivatives (Murugan Table 1)",
      panels: [
        Plot(title: "f(x)", xlabel: "x", ylabel: "f(x)", series: values, settings: ["set key top left box opaque", "set yrange [-1.2:4.2]"]),
        Plot(title: "f′(x) from the backward pass", xlabel: "x", ylabel: "f′(x)", series: slopes, settings: ["set key top left box opaque", "set yrange [-0.1:1.2]"]),
      ], layout: (1, 2))
  }

  /// Xu Fig. 3 / Xu (6): up(δ) = δ ⊗ 1ₙₓₙ spreads each error over its n × n block; the
  /// average layer's error is then up(δ)/n² (Xu (4)–(6)).
  public static func kroneckerUpsampling() -> Figure {
    let delta = Matrix<Double>(rows: 2, cols: 3, storage: [1, 4, 2, 5, 3, 6])
    return Figure(
      name: "kronecker-upsampling", title: "Kronecker up-sampling up(δ) = δ ⊗ 1₂ₓ₂ (Xu (6), Fig. 3)",
      panels: [
        Plot(title: "δ (2×3)", matrix: delta, cellLabels: true, settings: ["set cbrange [0:7]"]),
        Plot(title: "1₂ₓ₂", matrix: .ones(2, 2), cellLabels: true, settings: ["set cbrange [0:7]"]),
        Plot(title: "up(δ) = δ ⊗ 1₂ₓ₂ (4×6)", matrix: up(delta, 2), cellLabels: true, settings: ["set cbrange [0:7]"]),
      ], layout: (1, 3), size: (1200, 380))
  }

  /// Xu (8), Vardhan App. B: max pooling remembers where each window's maximum is (the
  /// switches) and routes the error there; all other entries get zero.
  public static func maxPoolRouting() throws -> Figure {
    var rng = SeededGenerator(seed: 8)
    let x = Tensor<Double>(shape: Shape(4, 4), storage: (0..<16).map { _ in Double(Int.random(in: 0...9, using: &rng)) + Double(Int.random(in: 0...9, using: &rng)) / 10 })
    let pool = Pool(method: .max, size: (2, 2), stride: (2, 2))
    let y = try pool.forward(x, Parameters())
    let delta = Tensor<Double>(shape: y.shape, storage: [1, 2, 3, 4])
    let routed = try pool.backward(x, Parameters(), delta).dzdx
    return Figure(
      name: "maxpool-routing", title: "Max pooling and its error routing (Xu (8), Vardhan App. B switches)",
      panels: [
        Plot(title: "x (4×4)", matrix: x.channel(0), cellLabels: true),
        Plot(title: "y = max over 2×2 windows", matrix: y.channel(0), cellLabels: true),
        Plot(title: "δ = dz/dy", matrix: delta.channel(0), cellLabels: true),
        Plot(title: "dz/dx: δ at each window's maximum", matrix: routed.channel(0), cellLabels: true),
      ], layout: (1, 4), size: (1500, 400))
  }

  /// Xu Fig. 4 / Xu (11)–(13): ∂E/∂k_{pq} = Σ δ ∘ [c]_{p,q}, where the patch [c]_{p,q} is the part of
  /// the input that kernel entry (p, q) touches — one shifted window per kernel entry.
  public static func kernelGradientPatches() throws -> Figure {
    let (h, k) = (5, 2)
    let panels = (0..<(k * k)).map { e -> Plot in
      let (p, q) = (e % k, e / k)
      let m = grid(h, h) { i, j in (i >= p && i < p + h - k + 1 && j >= q && j < q + h - k + 1) ? Double(1 + e) : 0 }
      return Plot(
        title: "[c]_{\(p + 1),\(q + 1)}: input seen by k_{\(p + 1)\(q + 1)}", matrix: m,
        settings: ["set palette defined (0 'white', 1 '#fdd49e', 2 '#fc8d59', 3 '#d7301f', 4 '#7f0000')", "set cbrange [0:4]"])
    }
    return Figure(name: "kernel-gradient-patches", title: "Kernel gradient patches: 5×5 input, 2×2 kernel, 4×4 output (Xu (11)–(13), Fig. 4)", panels: panels, layout: (1, 4), size: (1500, 400))
  }

  /// Xu Fig. 5 / Xu (15)–(18): the error reaching a layer's input is a *full* convolution — δ
  /// padded with k − 1 zeros on every side, correlated with rot180(k).
  public static func fullConvolution() throws -> Figure {
    var rng = SeededGenerator(seed: 5)
    let delta = Matrix<Double>(rows: 3, cols: 3, storage: (0..<9).map { _ in Double(Int.random(in: 1...9, using: &rng)) })
    let kernel = Matrix<Double>(rows: 2, cols: 2, storage: [1, 3, 2, 4])
    let padded = zeroPad(delta, top: 1, bottom: 1, left: 1, right: 1)
    let result = xcorr2(padded, rot180(kernel), shape: .valid)
    precondition(result == conv2(delta, kernel, shape: .full), "xcorr2(pad(δ), rot180 k) = conv2(δ, k, 'full')")
    return Figure(
      name: "full-convolution", title: "Input error as a full convolution: pad δ, correlate with rot180(k) (Xu (15)–(18), Fig. 5)",
      panels: [
        Plot(title: "δ zero-padded by k − 1 = 1", matrix: padded, cellLabels: true),
        Plot(title: "k", matrix: kernel, cellLabels: true),
        Plot(title: "rot180(k) = J k J", matrix: rot180(kernel), cellLabels: true),
        Plot(title: "xcorr(pad δ, rot180 k) = conv2(δ, k, full)", matrix: result, cellLabels: true),
      ], layout: (1, 4), size: (1500, 400))
  }

  /// The explicit Jacobians' sparsity: conv is block-Toeplitz, max pooling a selector, conv
  /// transpose the transpose of a convolution (MatConvNet §6.1–6.3).
  public static func jacobianSparsity() throws -> Figure {
    var rng = SeededGenerator(seed: 11)
    let x = Tensor<Double>.uniform(Shape(6, 6, 2), using: &rng)
    let f = Tensor<Double>.uniform(Shape(3, 3, 2, 2), using: &rng)
    let conv = try Conv().jacobian(at: x, Parameters(w: f), wrt: .x)
    let pool = try Pool(method: .max, size: (2, 2), stride: (2, 2)).jacobian(at: x, Parameters(), wrt: .x)
    let xt = Tensor<Double>.uniform(Shape(4, 4, 2), using: &rng)
    let convt = try ConvTranspose(upsample: (1, 1)).jacobian(at: xt, Parameters(w: f), wrt: .x)
    func pattern(_ m: Matrix<Double>) -> Matrix<Double> { Matrix(rows: m.rows, cols: m.cols, storage: m.storage.map { $0 == 0 ? 0 : 1 }) }
    return Figure(
      name: "jacobian-sparsity", title: "Non-zeros of explicit Jacobians d vec y / d (vec x)ᵀ (MatConvNet §6.1–6.3)",
      panels: [
        Plot(title: "conv 3×3, 6×6×2 → 4×4×2: \(conv.rows)×\(conv.cols)", matrix: pattern(conv)),
        Plot(title: "max pool 2×2: \(pool.rows)×\(pool.cols)", matrix: pattern(pool)),
        Plot(title: "conv transpose 3×3, 4×4×2 → 6×6×2: \(convt.rows)×\(convt.cols)", matrix: pattern(convt)),
      ], layout: (1, 3), size: (1400, 520))
  }

  /// Receptive-field size Δ after each layer (MatConvNet §5.5 composition) for four ways of
  /// broadening context (Milisavljevic §3): plain 3×3 convs, stride 2, 2×2 pooling after each conv,
  /// and dilation i + 1.
  public static func receptiveFields() throws -> Figure {
    let depth = 6
    let stacks: [(String, (Int) -> [FilterAxis])] = [
      ("conv 3×3", { _ in [FilterAxis(size: 3, padBefore: 1, padAfter: 1)] }),
      ("conv 3×3 stride 2", { _ in [FilterAxis(size: 3, stride: 2, padBefore: 1, padAfter: 1)] }),
      ("conv 3×3 + pool 2", { _ in [FilterAxis(size: 3, padBefore: 1, padAfter: 1), FilterAxis(size: 2, stride: 2)] }),
      ("conv 3×3 dilation i + 1", { i in [FilterAxis(size: 3, padBefore: i + 1, padAfter: i + 1, dilation: i + 1)] }),
    ]
    let series = stacks.map { name, layer -> Plot.Series in
      var rf = ReceptiveField.identity
      var sizes = [1.0]
      for i in 0..<depth {
        for axis in layer(i) { rf = rf.then(.filter(axis)) }
        sizes.append(rf.delta)
      }
      return Plot.Series(name, x: (0...depth).map(Double.init), y: sizes, style: .linespoints)
    }
    return Figure(
      name: "receptive-fields", title: "Receptive field growth (MatConvNet §5.5; Milisavljevic §3)",
      panels: [
        Plot(title: "receptive field size Δ after each layer", xlabel: "layers", ylabel: "Δ (input pixels)", series: series, settings: ["set key top left box opaque", "set logscale y 2"])
      ], size: (700, 480))
  }

  /// Milisavljevic Fig. 7: a 3×3 kernel dilated by 1, 2 and 3 (taps D apart, extent D(3 − 1) + 1).
  public static func dilatedKernels() -> Figure {
    let panels = [1, 2, 3].map { d -> Plot in
      let extent = d * 2 + 1
      return Plot(
        title: "dilation \(d): \(extent)×\(extent)", matrix: grid(extent, extent) { i, j in i % d == 0 && j % d == 0 ? 1 : 0 },
        settings: ["set palette defined (0 'white', 1 '#2b6cb0')"])
    }
    return Figure(name: "dilated-kernels", title: "Dilated 3×3 kernels (Milisavljevic Fig. 7; MatConvNet (5.3) extent)", panels: panels, layout: (1, 3), size: (1100, 400))
  }

  /// Milisavljevic Fig. 6: one image and its max, average and max+average pooled versions.
  public static func poolingOnImage(_ image: Tensor<Float>) throws -> Figure {
    let x: Tensor<Double> = image.converted()
    var panels = [Plot(title: "Fashion-MNIST test image 1 (28×28)", matrix: x.channel(0), settings: ["set palette gray"])]
    for method in Pool.Method.allCases {
      let y = try Pool(method: method, size: (2, 2), stride: (2, 2)).forward(x, Parameters())
      panels.append(Plot(title: "\(method == .maxavg ? "max+average" : method == .avg ? "average" : "max") pool 2 (14×14)", matrix: y.channel(0), settings: ["set palette gray"]))
    }
    return Figure(name: "pooling-fashion", title: "Pooling a Fashion-MNIST image (Milisavljevic Fig. 6)", panels: panels, layout: (1, 4), size: (1500, 420))
  }

  /// Runtime bars: naive loops vs im2col + BLAS GEMM (Milisavljevic (1)–(2)), forward, Float32.
  /// Measured on this machine: the only figure whose numbers change between runs.
  public static func runtime(_ shapes: [Benchmark.ConvShape] = Array(Benchmark.ConvShape.standard.prefix(3))) throws -> Figure {
    var naive: [Double] = []
    var fast: [Double] = []
    for s in shapes {
      naive.append(try Benchmark.conv(s, path: "naive", backward: false, sgemm: nil).medianMs)
      fast.append(try Benchmark.conv(s, path: "fast", backward: false, sgemm: nil).medianMs)
    }
    let xs = shapes.indices.map(Double.init)
    let tics = shapes.enumerated().map { "\"\($1.name)\" \($0)" }.joined(separator: ", ")
    return Figure(
      name: "runtime", title: "Convolution forward time, naive loops vs im2col + OpenBLAS GEMM (Float32, this machine)",
      panels: [
        Plot(
          title: "", xlabel: "", ylabel: "median time (ms, log scale)",
          series: [
            Plot.Series("naive loops", x: xs.map { $0 - 0.18 }, y: naive, style: .boxes),
            Plot.Series("im2col + GEMM", x: xs.map { $0 + 0.18 }, y: fast, style: .boxes),
          ], settings: ["set logscale y", "set boxwidth 0.34", "set xtics (\(tics))", "set xrange [-0.6:\(Double(shapes.count) - 0.4)]", "set key top left box opaque"])
      ], size: (760, 460))
  }
}
