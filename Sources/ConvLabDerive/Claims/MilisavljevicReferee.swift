import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Milisavljevic read line by line as a referee: the class counts of §1, the prose of §2–§3
/// checked on the blocks (shared weights, non-linear pooling, im2col columns, resolution under
/// dilation), the shapes §4's settings give on a 28×28 input, and the readings of the tables
/// in §5–§6 the other claims file does not make.
extension MilisavljevicClaims {
  /// The map sizes after each of the 4 layers: a 3×3 convolution that keeps the size (padding 1),
  /// then a pool of size `sizes[l]` and stride `sizes[l]` (non-overlapping) with `pad` on every
  /// side; nil from the layer whose output would be empty on.
  static func pooledSizes(_ sizes: [Int], pad: Int) -> [Int?] {
    var h = 28
    var out: [Int?] = []
    for f in sizes {
      let block = Pool(method: .max, size: (f, f), pad: [pad, pad, pad, pad], stride: (f, f))
      guard h > 0, let shape = try? block.outputShape(Shape(h, h, 1), Parameters<Double>()), shape.h > 0 else {
        h = 0
        out.append(nil)
        continue
      }
      h = shape.h
      out.append(h)
    }
    return out
  }

  /// The claims. Tolerances: 0 where the numbers are counts, sizes, yes/no flags or table
  /// entries (exact); 1e-6 against central differences (O(1) values, the differences' error is
  /// far below it); 1e-12 where two computations form the same products in another order
  /// (rounding only); the two table readings with a rounded figure say their own.
  static func refereeClaims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }

    // The tables as printed. Table 1: accuracy, best epoch, epoch runtime (s), runtime to best (s).
    let fullyConnected = (acc: 0.816, epoch: 17.0, epochTime: 4.0)
    let table1: [String: (acc: Double, epoch: Double, epochTime: Double)] = [
      "No Pooling": (0.883, 38, 33), "Stride": (0.877, 9, 20), "Dilation": (0.883, 9, 64), "Max Pooling": (0.880, 12, 17),
      "Average Pooling": (0.881, 28, 18),
    ]
    let table2 = [0.877, 0.874, 0.867]  // stride 2, 3, 4
    // Table 3: (best: 128 filters, second best: 64 filters) accuracy and runtime to model, for Stride, Dilation, Max, Average.
    let table3Best = [(0.878, 303.0), (0.884, 1583), (0.880, 270), (0.882, 834)]
    let table3Second = [(0.877, 185.0), (0.883, 576), (0.880, 209), (0.881, 504)]
    // Table 4 (F = 2, 3, 2→3): accuracy, and average epoch runtime.
    let maxAcc = [0.880, 0.877, 0.874]
    let avgAcc = [0.881, 0.874, 0.878]
    let maxAvgAcc = [0.880, 0.877, 0.883]
    let maxEpochTime = [17.0, 11, 17]
    let avgEpochTime = [18.0, 11, 17]
    // Table 5 (i+1, i+2, i+3, 2): accuracy and runtime to best model.
    let table5 = [(0.885, 640.0), (0.883, 576), (0.886, 741), (0.886, 1426)]
    // Every "best model epoch" of Tables 1 and 4 (Max, Average, Max+Average).
    let bestEpochs = [17.0, 38, 9, 9, 12, 28] + [12, 12, 9, 28, 65, 29, 12, 13, 14]
    let cnnAccuracies =
      table1.values.map(\.acc) + table2 + (table3Best + table3Second).map(\.0) + maxAcc + avgAcc + maxAvgAcc + table5.map(\.0)

    // §1: 10 digits + 26 + 26 letters = 62 classes; 15 letters merged leave 47.
    let merged = ["C", "I", "J", "K", "L", "M", "O", "P", "S", "U", "V", "W", "X", "Y", "Z"]

    // §2: a filter for a 3-channel image has depth 3, F·F·D weights, whatever the image size.
    var weightCounts: [Double] = []
    for (h, w) in [(7, 6), (12, 10)] {
      let x = Tensor<Double>.uniform(Shape(h, w, 3), using: &rng)
      let filter = Tensor<Double>.uniform(Shape(3, 3, 3, 1), using: &rng)
      let g = try Conv().backward(x, Parameters(w: filter), Tensor<Double>.uniform(Shape(h - 2, w - 2, 1), using: &rng))
      weightCounts.append(Double(g.dzdw?.count ?? 0))
    }
    // §2: each convolution (output position) becomes a column of im2col; the filters' rows times the columns give the outputs.
    let image = Tensor<Double>.uniform(Shape(7, 6, 3), using: &rng)
    let filters = Tensor<Double>.uniform(Shape(3, 3, 3, 4), using: &rng)
    let columns = try Audit.im2row(image, kh: 3, kw: 3).transposed
    let filterRows = Matrix(rows: 27, cols: 4, storage: filters.storage).transposed
    let direct = try DirectConvolution.forward(image, filters, stride: 1, pad: 0)
    let byColumns = filterRows * columns
    let directRows = Matrix(rows: 20, cols: 4, storage: direct.storage).transposed
    // (2) with its printed limits, m = 1 … M^l, n = 1 … N^l over layer l's output (M × N = 4 × 3 for a 6×5 input, F = 3), 1-based as printed.
    let input = Matrix<Double>.uniform(6, 5, using: &rng)
    let kernel = Matrix<Double>.uniform(3, 3, using: &rng)
    let outputError = Matrix<Double>.uniform(4, 3, using: &rng)
    let eq2 = Matrix<Double>(rows: 3, cols: 3) { r0, s0 in
      let (r, s) = (r0 + 1, s0 + 1)
      var sum = 0.0
      for m in 1...outputError.rows { for n in 1...outputError.cols { sum += outputError[m - 1, n - 1] * input[r + m - 1 - 1, s + n - 1 - 1] } }
      return sum
    }
    let eq2FD = Support.gradient(at: kernel) { k in Support.inner(outputError, xcorr2(input, k)) }
    // §2: one output unit of a 3×3 convolution on an 8×8×2 map depends on 3·3·2 = 18 of the 128 inputs.
    let sparseInput = Tensor<Double>.uniform(Shape(8, 8, 2), using: &rng)
    let sparseFilter = Tensor<Double>.uniform(Shape(3, 3, 2, 1), using: &rng)
    let unit = Matrix<Double>(rows: 6, cols: 6) { r, c in r == 2 && c == 3 ? 1 : 0 }
    let oneUnit = try Conv().backward(sparseInput, Parameters(w: sparseFilter), unit.tensor).dzdx
    let contributing = Double(oneUnit.storage.filter { $0 != 0 }.count)
    // §2: pooling acts on every input channel alone: the 2×2 max pool block on a 4×6×3 map against each channel pooled by loops.
    let channels = Tensor<Double>.uniform(Shape(4, 6, 3), using: &rng)
    let pooledChannels = try Pool(method: .max, size: (2, 2), stride: (2, 2)).forward(channels, Parameters())
    let perChannel = (0..<3).flatMap { d in Support.maxPool(channels.channel(d), 2).storage }
    // §2: zero padding p on a 28×28 map with F = 3 gives 26, 28, 30 for p = 0, 1, 2.
    let paddedSides = try (0...2).map { p in
      Double(try Conv(pad: [p, p, p, p]).outputShape(Shape(28, 28), Parameters(w: Tensor<Double>(shape: Shape(3, 3)))).h)
    }
    // §2: max pooling passes the gradient to the maximum of each window only.
    let map = Support.distinct(4, 6, &rng)
    let incoming = Matrix<Double>.uniform(2, 3, using: &rng)
    let routed = Support.gradient(at: map) { v in Support.inner(incoming, Support.maxPool(v, 2)) }
    let atMaxima = Matrix<Double>(rows: 4, cols: 6) { r, c in
      indicatorOfMax(Matrix<Double>(rows: 2, cols: 2) { p, q in map[(r / 2) * 2 + p, (c / 2) * 2 + q] })[r % 2, c % 2]
    }
    let reached = Support.map(routed) { abs($0) > 1e-9 ? 1 : 0 }
    // §2: pooling 2×2 of the 28×28×64 map cuts the weights of a following fully-connected layer (47 classes) by 4.
    let pooledShape = try Pool(method: .max, size: (2, 2), stride: (2, 2)).outputShape(Shape(28, 28, 64), Parameters<Double>())
    let weightRatio = Double(pooledShape.h * pooledShape.w * pooledShape.d * 47) / Double(28 * 28 * 64 * 47)

    // §3: pooling "non-linearly": P(x + y) − P(x) − P(y) for the max and the average pool blocks,
    // with y = −x: the max pool then gives max − min of each window (> 0 for distinct entries),
    // where two independent draws can share every window's argmax and look additive (seed 84).
    let u = Tensor<Double>.uniform(Shape(4, 4), using: &rng)
    let w = u.map { -$0 }
    func residual(_ method: Pool.Method) throws -> Double {
      let pool = Pool(method: method, size: (2, 2), stride: (2, 2))
      let sum = try pool.forward(u.zipWith(w, +), Parameters())
      let parts = try pool.forward(u, Parameters()).zipWith(try pool.forward(w, Parameters()), +)
      return zip(sum.storage, parts.storage).map { abs($0 - $1) }.max() ?? 0
    }
    // Non-linear where the residual is far above rounding (1e-12 on values of order 1).
    let maxNonlinear = flag(try residual(.max) > 1e-12)
    let avgNonlinear = flag(try residual(.avg) > 1e-12)
    // §3: strided 3×3 convolutions (s = 2, padding 1): the map shrinks and the receptive field grows, layer by layer.
    let strided = dilatedSizes([1, 1, 1, 1], pad: 1, stride: 2)
    var reach: Set<Int> = [0]
    var fields: [Int] = []
    for _ in 0..<4 {
      reach = Set(reach.flatMap { p in [2 * p, 2 * p + 1, 2 * p + 2] })
      fields.append((reach.max() ?? 0) - (reach.min() ?? 0) + 1)
    }
    let shrinking = zip([28] + strided.map { $0 ?? 0 }, strided.map { $0 ?? 0 }).map { flag($1 < $0) }
    let growing = zip(fields, fields.dropFirst()).map { flag($1 > $0) }
    // §3: dilation i+2 (2, 3, 4, 5) with padding d on every layer ("same") against §4's padding 1.
    var samePadded: [Double] = []
    var h = 28
    for d in 2...5 {
      h = try Conv(pad: [d, d, d, d], dilate: (d, d)).outputShape(Shape(h, h), Parameters(w: Tensor<Double>(shape: Shape(3, 3)))).h
      samePadded.append(Double(h))
    }
    let paperPadded = dilatedSizes([2, 3, 4, 5], pad: 1, stride: 1).map { Double($0 ?? 0) }

    // §4: the stride settings and the pool settings on the 28×28 input.
    let strideChains = (2...4).map { dilatedSizes([1, 1, 1, 1], pad: 1, stride: $0) }
    let pool3 = pooledSizes([3, 3, 3, 3], pad: 0)
    let pool23 = pooledSizes([2, 2, 3, 3], pad: 0)
    let pool3Padded = pooledSizes([3, 3, 3, 3], pad: 1)
    let pool23Padded = pooledSizes([2, 2, 3, 3], pad: 1)
    // §4: the dilation schedules i+1, i+2, i+3 (i from 0, as the default needs) with padding 1: sizes per layer.
    let byRate = [1, 2, 3].map { offset in dilatedSizes((0..<4).map { $0 + offset }, pad: 1, stride: 1).map { $0 ?? 0 } }
    let fasterPerLayer = (0..<4).map { l in flag(byRate[0][l] >= byRate[1][l] && byRate[1][l] >= byRate[2][l]) }
    let fasterSomewhere = flag((0..<4).contains { byRate[0][$0] > byRate[1][$0] } && (0..<4).contains { byRate[1][$0] > byRate[2][$0] })
    // §5: the final map sizes, hence the inputs of the fully-connected layer (× 64 filters): constant dilation 2 against the others.
    let finalConstant = dilatedSizes([2, 2, 2, 2], pad: 1, stride: 1).last.flatMap { $0 } ?? 0
    let finalIPlus1 = byRate[0][3]
    let finalIPlus2 = byRate[1][3]
    let finalIPlus3 = dilatedSizes([3, 4, 5, 6], pad: 2, stride: 1).last.flatMap { $0 } ?? 0  // §4's padding 2, stride 1 (the corrected setting)
    let noPoolingInputs = 28 * 28 * 64
    let strideInputs = (strideChains[0].last.flatMap { $0 } ?? 0) * (strideChains[0].last.flatMap { $0 } ?? 0) * 64
    let poolInputs = (pooledSizes([2, 2, 2, 2], pad: 0).last.flatMap { $0 } ?? 0)
    let otherInputs = [strideInputs, poolInputs * poolInputs * 64, finalIPlus2 * finalIPlus2 * 64]
    // The four schedules' dilations summed over the layers: i+1, i+2, i+3, constant 2.
    let totalRates = [1, 2, 3].map { offset in (0..<4).reduce(0) { $0 + $1 + offset } } + [2 * 4]
    let strideChainText = strideChains.map(chain).joined(separator: "; ")

    return try refereeAbstract() + [
      .holds(
        .milisavljevic, "§1", "§1 (47 of 62 classes)", kind: .prose,
        "I've used 47 out of the 62 (10 digits, 26 lower case letters, and 26 upper case letters) potential classes … The 15 letters that are missing … C, I, J, K, L, M, O, P, S, U, V, W, X, Y, Z",
        against: "10 + 26 + 26, 62 − 15 and the letters listed", value: [62, 47, 15], truth: [Double(10 + 26 + 26), Double(62 - merged.count), Double(merged.count)], tolerance: 0),
      Claim(
        .milisavljevic, section: "§2", location: "§2 (weights shared between depths)", kind: .prose,
        printed: "if an image has 3 colour channels it would need depth 3. The convolution helps contain the number of learnable parameters as the weights are shared between the different depths",
        verdict: .wrong, intended: "the weights are shared between the positions: a filter of depth D has F·F·D weights, one F×F slice per depth, whatever the image's height and width",
        note: "the sentence before gives the filter depth 3, i.e. a different F×F slice for each colour channel; what the convolution shares is one filter across every position of the image",
        readings: [
          Reading(
            "as printed: one F×F kernel shared by the D = 3 depths", "F·F = 9 weights per filter", against: "the conv block's dz/dw for a 3×3 filter on 7×6×3 and 12×10×3 images",
            value: [9, 9], truth: weightCounts, tolerance: 0),
          Reading(
            "corrected: shared between positions", "F·F·D = 27 weights per filter, for any H×W", against: "the conv block's dz/dw for a 3×3 filter on 7×6×3 and 12×10×3 images",
            value: [27, 27], truth: weightCounts, tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§2", "§2 (sparse transformation)", kind: .prose, "resulting in a sparse transformation. Only a few input units contribute to a given output unit",
        against: "the non-zero entries of one output unit's gradient in the input (the conv block's dz/dx, 3×3 filter, 8×8×2 map): F·F·D = 18 of 128",
        value: [18], truth: [contributing], tolerance: 0),
      .holds(
        .milisavljevic, "§2", "§2 (pooling per channel)", kind: .prose, "A Pooling layer uses a function like Max (Figure 3) or Average on every input channel and down-samples it",
        against: "the 2×2 max pool block on a 4×6×3 map against each channel pooled by loops", value: pooledChannels.storage, truth: perChannel, tolerance: 0),
      .holds(
        .milisavljevic, "§2", "§2 (zero padding)", kind: .prose, "A method to increase the size of the feature map is to add zero padding to the edges of the image",
        against: "the conv block's output side for a 28×28 map, F = 3, padding p = 0, 1, 2 (growing by 2 per unit of p)", value: [26, 28, 30], truth: paddedSides, tolerance: 0),
      .holds(
        .milisavljevic, "§2", "§2 (im2col columns)", kind: .prose,
        "Each convolution is converted into a column (Figure 4) using im2col (mat) … the convolution output can be achieved by matrix multiplication (Figure 5)",
        against: "naive convolution loops (7×6×3 input, four 3×3×3 filters): the filters as rows times the 27 × 20 matrix of columns",
        value: byColumns.storage + [Double(columns.rows), Double(columns.cols)], truth: directRows.storage + [27, 20], tolerance: 1e-12),
      .holds(
        .milisavljevic, "§2", "(2), the summation limits", kind: .indexRange,
        "∂E/∂w_{r,s}ˡ = Σ_{m=1}^{Mˡ} Σ_{n=1}^{Nˡ} ∂E/∂h_{m,n}ˡ h_{r+m−1,s+n−1}^{l−1}, layer l with output shape M × N",
        against: "central differences of E = ⟨∂E/∂h, (1)'s correlation⟩ in w (6×5 input, 3×3 w, 4×3 output)", value: eq2.storage, truth: eq2FD.storage, tolerance: 1e-6,
        note: "the sums run over layer l's output, M = H − F + 1 rows and N = W − F + 1 columns; r, s = 1 … F"),
      .holds(
        .milisavljevic, "§2", "§2 (max pooling gradient)", kind: .prose,
        "the gradient from the next layer is passed back to only the neuron that achieved the max, while other neurons get zero gradient",
        against: "where central differences of ⟨g, maxpool(x)⟩ in x are non-zero (1) or zero (0), 4×6 map with distinct values, 2×2 windows",
        value: atMaxima.storage, truth: reached.storage, tolerance: 0),
      .holds(
        .milisavljevic, "§2", "§2 (pooling reduces parameters)", kind: .prose,
        "their purpose is to reduce the spatial size of the representation. Thus reduces the number of parameters and computation for the network",
        against: "the weights of a fully-connected layer (47 classes) after a 2×2, stride-2 pool of a 28×28×64 map, over those without it", value: [0.25], truth: [weightRatio],
        tolerance: 0),
      Claim(
        .milisavljevic, section: "§3", location: "§3 (pooling non-linearly downsamples)", kind: .prose,
        printed: "Pooling layers are used to increase the receptive field (Luo et al., 2017) by non-linearly downsampling the input … only Max Pooling … and Average Pooling … are considered",
        verdict: .wrong, intended: "Max Pooling downsamples non-linearly; Average Pooling is linear (an average of the window)",
        note: "of the two pooling layers the paper uses, the average is linear: P(x + y) = P(x) + P(y) to rounding, while the max is not",
        readings: [
          Reading(
            "as printed: both pooling layers non-linear", "Max, Average non-linear (1, 1)", against: "whether P(x + y) − P(x) − P(y) of the 2×2 pool blocks exceeds 1e-12 (4×4 maps)",
            value: [1, 1], truth: [maxNonlinear, avgNonlinear], tolerance: 0),
          Reading(
            "corrected", "Max non-linear, Average linear (1, 0)", against: "whether P(x + y) − P(x) − P(y) of the 2×2 pool blocks exceeds 1e-12 (4×4 maps)",
            value: [1, 0], truth: [maxNonlinear, avgNonlinear], tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§3", "§3 (stride shrinks the map, grows the field)", kind: .prose,
        "Stride reduces the size of feature maps … Thus, after each Convolutional layer the feature map is decreased and the receptive field is increased",
        against: "four 3×3 convolutions with stride 2 and padding 1 on 28×28 (\(chain(strided)); receptive fields \(fields.map(String.init).joined(separator: ", ")), by brute force)",
        value: [1, 1, 1, 1, 1, 1, 1], truth: shrinking + growing, tolerance: 0),
      Claim(
        .milisavljevic, section: "§3", location: "§3 (dilation and resolution)", kind: .prose,
        printed:
          "dilated convolutions support exponential expansion of the receptive field without loss of coverage and resolution. The key difference from polling and strided convolutions is that they reduce the resolution",
        verdict: .ambiguous,
        note:
          "true of a dilated convolution padded by its dilation (Yu & Koltun's setting); the paper's own dilation networks (§4: padding 1) use the dilated convolution as the dimensionality reduction and lose resolution at every layer, as §4 says (\"reduces the output layer size faster\")",
        readings: [
          Reading(
            "padding = dilation (Yu & Koltun)", "28 × 28 kept through 4 layers, dilations 2, 3, 4, 5", against: "the conv block's output sizes",
            value: [28, 28, 28, 28], truth: samePadded, tolerance: 0),
          Reading(
            "the paper's networks (§4: padding 1, dilation i+2)", "28 × 28 kept through 4 layers, dilations 2, 3, 4, 5", against: "the conv block's output sizes",
            value: [28, 28, 28, 28], truth: paperPadded, tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§4", "§4 (stride settings' shapes)", kind: .size, "Kernel size F = 3 … Stride s = 2 … Padding = 1 … the values tested were 2,3 and 4",
        against: "every output non-empty over the 4 layers of the conv block (\(strideChainText))", value: [1, 1, 1], truth: strideChains.map(valid), tolerance: 0),
      Claim(
        .milisavljevic, section: "§4", location: "§4 (pool sizes 3 and 2 → 3)", kind: .size,
        printed: "Number of layers = 4 … Pool size F = 2 … The pool sizes tested were 2, 3 and starting a pool size of 2 for the first to layer then changing to a pool size 3 for the 2 last layers",
        verdict: .ambiguous,
        note: "the paper gives no padding for the pools; Table 4 reports networks for F: 3 and 2 → 3, which exist only if the pools are padded (or round their size up)",
        readings: [
          Reading(
            "unpadded pools, rounding down", "F: 3 \(chain(pool3)); F: 2 → 3 \(chain(pool23))", against: "every pool output non-empty (1)", value: [1, 1],
            truth: [valid(pool3), valid(pool23)], tolerance: 0),
          Reading(
            "pools padded by 1, like the convolutions", "F: 3 \(chain(pool3Padded)); F: 2 → 3 \(chain(pool23Padded))", against: "every pool output non-empty (1)", value: [1, 1],
            truth: [valid(pool3Padded), valid(pool23Padded)], tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§4", "§4 (100 epochs)", kind: .table, "All models were trained for 100 epochs … The best model for each architecture was picked using the validation set accuracy",
        against: "every best-model epoch of Tables 1 and 4 lies within the 100 epochs trained (1)", value: Array(repeating: 1, count: bestEpochs.count),
        truth: bestEpochs.map { flag($0 >= 1 && $0 <= 100) }, tolerance: 0),
      .holds(
        .milisavljevic, "§4", "§4 (dilation rate and output size)", kind: .prose, "Increasing the dilation rate, reduces the output layer size faster",
        against: "the conv block's sizes per layer for i+1, i+2, i+3 (padding 1): \(byRate.map { $0.map(String.init).joined(separator: " → ") }.joined(separator: "; ")) (0: empty)",
        value: [1, 1, 1, 1, 1], truth: fasterPerLayer + [fasterSomewhere], tolerance: 0),
      .holds(
        .milisavljevic, "§5", "§5 (CNNs against the baseline)", kind: .table, "From Table 1, we can conclude that all of the CNNs outperformed the baseline model with a significant margin",
        against: "the lowest CNN accuracy of Tables 1–5 against the Fully-Connected 0.816", value: [1, 0.867],
        truth: [flag((cnnAccuracies.min() ?? 0) > fullyConnected.acc), cnnAccuracies.min() ?? 0],
        tolerance: 0),
      Claim(
        .milisavljevic, section: "§5", location: "§5 (stride 4 the worst)", kind: .crossReference,
        printed: "Some data loss occurs when stride is 4, because its bigger than the kernel size, and this explains the worst performance of the tested architectures", verdict: .ambiguous,
        note: "0.867 (Table 2) is the lowest accuracy of every CNN in Tables 1–5; the Fully-Connected baseline of Table 1 (0.816) is lower",
        readings: [
          Reading(
            "the worst of the CNNs tested", "stride 4's 0.867 = the lowest CNN accuracy", against: "Tables 1–5 without the baseline", value: [0.867], truth: [cnnAccuracies.min() ?? 0], tolerance: 0),
          Reading(
            "the worst of every architecture tested", "stride 4's 0.867 = the lowest accuracy", against: "Tables 1–5 with the Fully-Connected baseline", value: [0.867],
            truth: [min(cnnAccuracies.min() ?? 0, fullyConnected.acc)], tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§5", "§5 (stride against pooling)", kind: .crossReference,
        "When stride is compared with both Max and Average Pooling with F: 2 … testing accuracies 0.880 and 0.881 respectively, while the best stride model s: 2 achieves an accuracy of 0.877",
        against: "Table 4 (F = 2) and Table 2's best row", value: [0.880, 0.881, 0.877], truth: [maxAcc[0], avgAcc[0], table2.max() ?? 0], tolerance: 0),
      Claim(
        .milisavljevic, section: "§5", location: "§5 (more filters)", kind: .crossReference,
        printed: "there's strong evidence that adding more filters improves the produced model (Table 3). However increasing the filters come as a cost, runtime increases significantly",
        verdict: .ambiguous,
        note: "Table 3: 128 filters beat 64 for Stride, Dilation and Average Pooling, tie for Max Pooling (0.880 both); the runtime rises for all four (×1.6, ×2.7, ×1.3, ×1.7)",
        readings: [
          Reading(
            "accuracy improves for every method", "128 > 64 in accuracy, and in runtime, for each of the four", against: "Table 3 (1 where it does)",
            value: Array(repeating: 1, count: 8), truth: zip(table3Best, table3Second).map { flag($0.0 > $1.0) } + zip(table3Best, table3Second).map { flag($0.1 > $1.1) }, tolerance: 0),
          Reading(
            "accuracy never drops", "128 ≥ 64 in accuracy, and > in runtime, for each of the four", against: "Table 3 (1 where it does)",
            value: Array(repeating: 1, count: 8), truth: zip(table3Best, table3Second).map { flag($0.0 >= $1.0) } + zip(table3Best, table3Second).map { flag($0.1 > $1.1) }, tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§5", "§5 (similar epoch runtime)", kind: .table, "Measurements from Table 4, support this observation, as the average epoch runtime is similar",
        against: "Table 4's average epoch runtimes of Average Pooling against Max Pooling (F = 2, 3, 2→3), within 6% (one second of 17)", value: maxEpochTime, truth: avgEpochTime,
        tolerance: 0.06),
      .holds(
        .milisavljevic, "§5", "§5 (Max+Average against Max)", kind: .table, "it follows the trend of Max Pooling, while being partially better",
        against: "Table 4: Max+Average ≥ Max at F = 2, 3, 2→3, and > at one or two of them", value: [1, 1, 1, 1],
        truth: zip(maxAvgAcc, maxAcc).map { flag($0 >= $1) } + [flag((1...2).contains(zip(maxAvgAcc, maxAcc).filter { $0 > $1 }.count))], tolerance: 0),
      .holds(
        .milisavljevic, "§5", "§5 (pool increase)", kind: .table, "While the other systems did not improve from the pool increase, the introduced layer proceed it's best results",
        against: "Table 4: F: 2 → 3 below F: 2 for Max and Average; Max+Average's best row is F: 2 → 3", value: [1, 1, 1],
        truth: [flag(maxAcc[2] < maxAcc[0]), flag(avgAcc[2] < avgAcc[0]), flag(maxAvgAcc[2] == maxAvgAcc.max())], tolerance: 0),
      .holds(
        .milisavljevic, "§5", "§5 (i+2 not the lowest rate)", kind: .table,
        "the dilation rate i + 2 performed the worst but was not the lowest rate tested",
        against: "Table 5's lowest accuracy; the dilations summed over the 4 layers (i from 0): i+1 10, constant 2 8, below i+2's 14",
        value: [0.883, 1], truth: [table5.map(\.0).min() ?? 0, flag(totalRates.contains { $0 < totalRates[1] })], tolerance: 0),
      .holds(
        .milisavljevic, "§5", "§5 (constant dilation 2)", kind: .table, "Constant dilation 2 has the same accuracy but took twice the runtime to reach an optimal model",
        against: "Table 5: accuracy of 2 against i+3 (0.886), runtime 1426 s over 741 s = 1.92 (\"twice\" within 5%: a round figure)", value: [table5[3].0, 2],
        truth: [table5[2].0, table5[3].1 / table5[2].1], tolerance: 0.05),
      .holds(
        .milisavljevic, "§5", "§5 (constant dilation parameters)", kind: .prose,
        "The dimensionality with constant dilation doesn't reduce as fast which then has an increased number of learnable parameters",
        against:
          "final map sides by the conv block: constant 2 \(finalConstant), i+1 \(finalIPlus1), i+2 \(finalIPlus2), i+3 \(finalIPlus3) (padding 2, stride 1); the fully-connected weights grow with their square",
        value: [1, 1, 1], truth: [finalIPlus1, finalIPlus2, finalIPlus3].map { flag(finalConstant > $0) }, tolerance: 0),
      .holds(
        .milisavljevic, "§5", "§5 (Fully-Connected faster)", kind: .table, "Notice that the Fully-Connected Network is much faster",
        against: "Table 1's average epoch runtime: 4 s against at least 4 × 4 s for every CNN", value: [1], truth: [flag(table1.values.allSatisfy { $0.epochTime >= 4 * fullyConnected.epochTime })],
        tolerance: 0),
      .holds(
        .milisavljevic, "§5", "§5 (no pooling parameters)", kind: .prose,
        "the parameters (weights) that the no pooling architecture has to train is significantly larger than dilation and the rest of the architectures resulting in a slower convergence",
        against: "the fully-connected inputs 28·28·64 against stride, pooling and dilation (×10 at least), and Table 1's latest best epoch (38)",
        value: [1, 38], truth: [flag(otherInputs.allSatisfy { noPoolingInputs >= 10 * $0 }), table1.values.map(\.epoch).max() ?? 0], tolerance: 0),
      .holds(
        .milisavljevic, "§6", "§6 (stride against pooling)", kind: .table, "Results from the stride experiments suggest that it performs worse than pooling",
        against: "Table 1 (64 filters) and Table 3 (128): Stride below Max and Average Pooling", value: [1, 1, 1, 1],
        truth: [
          flag(table1["Stride"]?.acc ?? 1 < table1["Max Pooling"]?.acc ?? 0), flag(table1["Stride"]?.acc ?? 1 < table1["Average Pooling"]?.acc ?? 0),
          flag(table3Best[0].0 < table3Best[2].0), flag(table3Best[0].0 < table3Best[3].0),
        ], tolerance: 0),
      Claim(
        .milisavljevic, section: "§6", location: "§6 (filters: accuracy against runtime)", kind: .table,
        printed: "The number of filters can be considered a trade off between runtime and accuracy. More filters higher accuracy but also higher runtime, not necessarily at the same rate",
        verdict: .ambiguous,
        note:
          "the same reading of Table 3 as §5's: Max Pooling gains no accuracy from 128 filters (0.880 both) but 29% more runtime; the rates differ everywhere (accuracy +0.1% at most, runtime +29% to +175%)",
        readings: [
          Reading(
            "higher accuracy for every method", "128 > 64 in accuracy for each of the four, and accuracy grows slower than runtime", against: "Table 3 (1 where it does)",
            value: Array(repeating: 1, count: 8),
            truth: zip(table3Best, table3Second).map { flag($0.0 > $1.0) } + zip(table3Best, table3Second).map { flag($0.0 / $1.0 < $0.1 / $1.1) }, tolerance: 0),
          Reading(
            "accuracy never lower", "128 ≥ 64 in accuracy for each of the four, and accuracy grows slower than runtime", against: "Table 3 (1 where it does)",
            value: Array(repeating: 1, count: 8),
            truth: zip(table3Best, table3Second).map { flag($0.0 >= $1.0) } + zip(table3Best, table3Second).map { flag($0.0 / $1.0 < $0.1 / $1.1) }, tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "§6", "§6 (dilation generally better)", kind: .table, "Concluding, dilation generally has improved performance over the other methods",
        against: "Table 1 (Dilation ≥ every method), Table 3 (128 filters: Dilation highest), Tables 1–5 (best of all: a dilation model)", value: [1, 1, 1],
        truth: [
          flag(table1.values.allSatisfy { $0.acc <= table1["Dilation"]?.acc ?? 0 }), flag(table3Best.allSatisfy { $0.0 <= table3Best[1].0 }),
          flag(table5.map(\.0).max() ?? 0 >= cnnAccuracies.max() ?? 1),
        ], tolerance: 0),
    ]
  }

  /// Multiply-adds and pooling comparisons of one forward pass of one of §4's networks on a 28×28×1
  /// image (64 filters of 3×3, padding 1, 47 classes): each of the 4 layers a convolution that keeps
  /// the size, then the reduction — a strided or dilated 3×3 convolution, a 2×2 pool of stride 2, or
  /// none — then the fully-connected softmax layer. Sizes from the conv and pool blocks' output shapes.
  static func forwardOperations(_ reduction: Reduction) throws -> Int {
    var side = 28
    var channels = 1
    var operations = 0
    func convolve(_ block: Conv) throws {
      let out = try block.outputShape(Shape(side, side, channels), Parameters(w: Tensor<Double>(shape: Shape(3, 3, channels, 64))))
      operations += out.h * out.w * 64 * 9 * channels
      side = out.h
      channels = 64
    }
    for layer in 0..<4 {
      try convolve(Conv(pad: [1, 1, 1, 1]))
      switch reduction {
      case .none: break
      case .stride(let s): try convolve(Conv(pad: [1, 1, 1, 1], stride: (s, s)))
      case .dilation(let offset): try convolve(Conv(pad: [1, 1, 1, 1], dilate: (layer + offset, layer + offset)))
      case .pool:
        let out = try Pool(method: .max, size: (2, 2), stride: (2, 2)).outputShape(Shape(side, side, 64), Parameters<Double>())
        operations += out.h * out.w * 64 * 4
        side = out.h
      }
    }
    return operations + side * side * 64 * 47
  }

  /// The dimensionality reduction of §4's networks (Table 1's rows).
  enum Reduction {
    case none
    case stride(Int)
    /// Dilation i + `offset` at layer i = 0 … 3 (§4's default i+2).
    case dilation(Int)
    case pool
  }

  /// The abstract's checkable sentences against the paper's own tables (the findings it
  /// summarises) and, for the runtime sentence, the operation counts of §4's networks. No
  /// tolerance: table entries, counts and yes/no flags are exact.
  static func refereeAbstract() throws -> [Claim] {
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    // Table 1 (64 filters): accuracy, best epoch, average epoch runtime (s), runtime until best (s); Fully-Connected is the baseline, not a method.
    let noPooling = (acc: 0.883, epochTime: 33.0, untilBest: 1269.0)
    let methods: [(name: String, acc: Double, epochTime: Double, untilBest: Double)] = [
      ("Stride", 0.877, 20, 185), ("Dilation", 0.883, 64, 576), ("Max Pooling", 0.880, 17, 209), ("Average Pooling", 0.881, 18, 504),
    ]
    // Table 3: (128 filters, 64 filters) accuracy and runtime to model, for Stride, Dilation, Max, Average.
    let table3 = [((0.878, 303.0), (0.877, 185.0)), ((0.884, 1583), (0.883, 576)), ((0.880, 270), (0.880, 209)), ((0.882, 834), (0.881, 504))]
    // Table 4 (F = 2, 3, 2→3) accuracies; Table 5 (i+1, i+2, i+3, 2) accuracies; Table 2 (s = 2, 3, 4).
    let maxAcc = [0.880, 0.877, 0.874]
    let avgAcc = [0.881, 0.874, 0.878]
    let maxAvgAcc = [0.880, 0.877, 0.883]
    let table5 = [0.885, 0.883, 0.886, 0.886]
    let table2 = [0.877, 0.874, 0.867]
    // One forward pass of each network of Table 1 (Dilation is §4's default i+2: Table 1's 576 s is Table 5's i+2 row).
    let noPoolingOps = Double(try forwardOperations(.none))
    let methodOps = try [Reduction.stride(2), .dilation(2), .pool].map { Double(try forwardOperations($0)) }
    let millions = ([noPoolingOps] + methodOps).map { String(format: "%.1f", $0 / 1e6) }
    let cnnAccuracies = [noPooling.acc] + methods.map(\.acc) + table2 + table3.flatMap { [$0.0.0, $0.1.0] } + maxAcc + avgAcc + maxAvgAcc + table5
    let slowerText = "at least twice every method's (\"much slower\")"
    return [
      Claim(
        .milisavljevic, section: "Abstract", location: "Abstract (much slower)", kind: .table,
        printed: "Convolution with none of the context expanding methods, performs at much slower than the rest, indicating that the methods are indeed helpful for CNN",
        verdict: .ambiguous,
        note: "judged on the paper's own numbers, not on a timing of ours: Table 1's two runtime columns, and the operation count of one forward pass of §4's networks "
          + "(a size-keeping 3×3 convolution per layer, then the reduction; the backward pass scales with it). No pooling takes longest to its best model (38 epochs), "
          + "but an epoch of the dilation network (i+2, padding 1) costs more, in Table 1 and in operations: \(millions[0]) M for no pooling against \(millions[1]) M (stride 2), "
          + "\(millions[2]) M (dilation i+2), \(millions[3]) M (max pooling)",
        readings: [
          Reading(
            "slower to its best model", "runtime until best of no pooling \(slowerText)", against: "Table 1's runtime until best: 1269 s against 185, 576, 209, 504 s (1 where it holds)",
            value: [1], truth: [flag(methods.allSatisfy { noPooling.untilBest >= 2 * $0.untilBest })], tolerance: 0),
          Reading(
            "slower per epoch, measured", "average epoch runtime of no pooling above every method's", against: "Table 1's average epoch runtime: 33 s against 20, 64, 17, 18 s (1 where it holds)",
            value: [1], truth: [flag(methods.allSatisfy { noPooling.epochTime > $0.epochTime })], tolerance: 0),
          Reading(
            "slower per epoch, by operations", "operations of a forward pass of no pooling above every method's",
            against: "multiply-adds (and pooling comparisons) of §4's networks on one 28×28 image, by the blocks' output sizes (1 where it holds)",
            value: [1], truth: [flag(methodOps.allSatisfy { noPoolingOps > $0 })], tolerance: 0),
        ]),
      Claim(
        .milisavljevic, section: "Abstract", location: "Abstract (filters affect each method)", kind: .table,
        printed: "The number of filters affecting the performance of each method directly", verdict: .ambiguous,
        note: "Table 3: 128 filters against 64 change the accuracy of Stride, Dilation and Average Pooling but not of Max Pooling (0.880 both); the runtime of all four",
        readings: [
          Reading(
            "performance as accuracy", "accuracy with 128 filters ≠ with 64, for each of the four methods", against: "Table 3 (1 where it differs)",
            value: [1, 1, 1, 1], truth: table3.map { flag($0.0.0 != $0.1.0) }, tolerance: 0),
          Reading(
            "performance as runtime", "runtime to model with 128 filters ≠ with 64, for each of the four methods", against: "Table 3 (1 where it differs)",
            value: [1, 1, 1, 1], truth: table3.map { flag($0.0.1 != $0.1.1) }, tolerance: 0),
        ]),
      Claim(
        .milisavljevic, section: "Abstract", location: "Abstract (Average against Max Pooling)", kind: .table,
        printed: "The Average Pooling seems to outperform Max pooling unlike most of the latest trends", verdict: .ambiguous,
        note: "§5 itself finds 'no clear advantage of either one': Average Pooling is ahead in Table 1, Table 3 and at F = 2 and 2 → 3 of Table 4, behind at F = 3 (0.874 against 0.877)",
        readings: [
          Reading(
            "in the default setting (Tables 1 and 3)", "Average > Max: Table 1, Table 3 with 128 and with 64 filters", against: "Tables 1 and 3 (1 where it holds)",
            value: [1, 1, 1],
            truth: [flag(methods[3].acc > methods[2].acc), flag(table3[3].0.0 > table3[2].0.0), flag(table3[3].1.0 > table3[2].1.0)], tolerance: 0),
          Reading(
            "at every pool size tested", "Average > Max at F = 2, 3, 2 → 3", against: "Table 4 (1 where it holds)", value: [1, 1, 1],
            truth: zip(avgAcc, maxAcc).map { flag($0 > $1) }, tolerance: 0),
        ]),
      .holds(
        .milisavljevic, "Abstract", "Abstract (striding the lowest)", kind: .table, "Striding has the lowest performance when compared to the other methods",
        against: "Table 1 (64 filters) and Table 3 (128 and 64 filters): Stride's accuracy below every other method's, no pooling included (1 where it holds)",
        value: [1, 1, 1],
        truth: [
          flag((methods.dropFirst().map(\.acc) + [noPooling.acc]).allSatisfy { methods[0].acc < $0 }),
          flag(table3.dropFirst().allSatisfy { table3[0].0.0 < $0.0.0 }), flag(table3.dropFirst().allSatisfy { table3[0].1.0 < $0.1.0 }),
        ], tolerance: 0,
        note: "the Fully-Connected baseline (0.816) is not a context expanding method; among the strides, s = 4 is lower still (0.867, Table 2)"),
      .holds(
        .milisavljevic, "Abstract", "Abstract (dilation outperforms)", kind: .table, "Dilation generally outperforms the other trained models",
        against: "Table 1 (Dilation ≥ every model), Table 3 (128 filters: Dilation highest), Tables 1–5 (the best model of all is a dilation model) (1 where it holds)",
        value: [1, 1, 1],
        truth: [
          flag((methods.map(\.acc) + [noPooling.acc]).allSatisfy { $0 <= methods[1].acc }), flag(table3.allSatisfy { $0.0.0 <= table3[1].0.0 }),
          flag((table5.max() ?? 0) >= (cnnAccuracies.max() ?? 1)),
        ], tolerance: 0, note: "'generally': Dilation ties no pooling in Table 1 (0.883)"),
      .holds(
        .milisavljevic, "Abstract", "Abstract (Max+Average promising)", kind: .table,
        "Finally, a new pooling layer that combines max and average pooling was introduced and shows promising results",
        against: "Table 4: Max+Average ≥ Max at every pool size, and its F = 2 → 3 network the best of the table (1 where it holds)", value: [1, 1, 1, 1],
        truth: zip(maxAvgAcc, maxAcc).map { flag($0 >= $1) } + [flag(maxAvgAcc[2] >= ((maxAcc + avgAcc + maxAvgAcc).max() ?? 1))], tolerance: 0),
    ]
  }
}
