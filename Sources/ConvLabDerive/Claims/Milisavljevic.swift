import ConvLabBlocks
import ConvLabCore
import ConvLabNotation
import Foundation

/// Milisavljevic's claims outside the step-by-step derivations.
enum MilisavljevicClaims {
  static func claims(seed: UInt64) throws -> [Claim] {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor<Double>.uniform(Shape(7, 6, 3), using: &rng)
    let f = Tensor<Double>.uniform(Shape(3, 3, 3, 4), using: &rng)
    // Milisavljevic (1): the im2col matrix has one row per output pixel and one column per filter tap.
    let phi = try Audit.im2row(x, kh: 3, kw: 3)
    let direct = try DirectConvolution.forward(x, f, stride: 1, pad: 0)
    let gemm = phi * Matrix(rows: 27, cols: 4, storage: f.storage)
    // Memory: φ holds H″W″·FH·FW·D numbers for H·W·D inputs — about FH·FW times more.
    let blowUp = Double(phi.rows * phi.cols) / Double(x.count)
    let maxavg = try Pool(method: .maxavg, size: (2, 2), stride: (2, 2)).forward(x, Parameters())
    let sum = try Pool(method: .max, size: (2, 2), stride: (2, 2)).forward(x, Parameters()).zipWith(try Pool(method: .avg, size: (2, 2), stride: (2, 2)).forward(x, Parameters()), +)
    // Milisavljevic (1) with the paper's indices: h_ij = Σ_k Σ_l w_kl x_{k+i−1, l+j−1} + b, one channel.
    let image = Matrix<Double>.uniform(6, 5, using: &rng)
    let w = Matrix<Double>.uniform(3, 3, using: &rng)
    let b = 0.25
    let eq1 = Matrix<Double>(rows: 4, cols: 3) { i0, j0 in
      // 1-based i, j, k, l as printed.
      let i = i0 + 1
      let j = j0 + 1
      var sum = b
      for k in 1...3 { for l in 1...3 { sum += w[k - 1, l - 1] * image[k + i - 1 - 1, l + j - 1 - 1] } }
      return sum
    }
    let block = try Conv().forward(image.tensor, Parameters(w: w.tensor, b: Tensor(shape: Shape(1, 1), storage: [b])))
    // §2: the serialization duplicates data exactly when the stride is less than the kernel size.
    var duplication: [Double] = []
    var strideBelowKernel: [Double] = []
    for s in 1...3 {
      let geometry = try Conv(stride: (s, s)).outputShape(Shape(9, 9), Parameters(w: Tensor<Double>(shape: Shape(3, 3))))
      duplication.append(Double(geometry.h * geometry.w * 9) / 81 > 1 ? 1 : 0)
      strideBelowKernel.append(s < 3 ? 1 : 0)
    }
    // §2: "a Max Pooling layer will discard 75% of the input activations with p = 2 and s = 2" (on an 8×6 map every input is in one window).
    let evenMap = Tensor<Double>.uniform(Shape(8, 6, 2), using: &rng)
    let pooled = try Pool(method: .max, size: (2, 2), stride: (2, 2)).forward(evenMap, Parameters())
    let discarded = 1 - Double(pooled.count) / Double(evenMap.count)
    // §3: the parameters do not depend on the dilation; the receptive field (F − 1)d + 1 grows with it.
    var parameters: [Double] = []
    var fields: [Double] = []
    var fieldTruth: [Double] = []
    for d in 1...4 {
      let out = try Conv(dilate: (d, d)).outputShape(Shape(20, 20), Parameters(w: Tensor<Double>(shape: Shape(3, 3))))
      parameters.append(9)
      fields.append(Double(20 - out.h + 1))
      fieldTruth.append(Double(2 * d + 1))
    }
    // §4–5: the tables as printed (Table 1 rows: accuracy, best epoch, epoch runtime, runtime to best).
    let order = ["Fully-Connected", "No Pooling", "Stride", "Dilation", "Max Pooling", "Average Pooling"]
    let table1: [(acc: Double, epoch: Double, epochTime: Double, toBest: Double)] = [
      (0.816, 17, 4, 70), (0.883, 38, 33, 1269), (0.877, 9, 20, 185),
      (0.883, 9, 64, 576), (0.880, 12, 17, 209), (0.881, 28, 18, 504),
    ]
    let row = { (name: String) in table1[order.firstIndex(of: name) ?? 0] }
    let product = table1.map { $0.epoch * $0.epochTime }
    let toBest = table1.map(\.toBest)
    // Table 4 (pool size 2, 3, 2→3): accuracy and epoch of the best model; Tables 2, 3, 5: accuracies.
    let maxAcc = [0.880, 0.877, 0.874]
    let avgAcc = [0.881, 0.874, 0.878]
    let maxAvgAcc = [0.880, 0.877, 0.883]
    let maxEpoch = [12.0, 12, 9]
    let avgEpoch = [28.0, 65, 29]
    let table5 = [0.885, 0.883, 0.886, 0.886]  // i+1, i+2, i+3, 2
    let allAccuracies = table1.map(\.acc) + [0.877, 0.874, 0.867] + [0.878, 0.877, 0.884, 0.883, 0.880, 0.880, 0.882, 0.881] + maxAcc + avgAcc + maxAvgAcc + table5
    func flag(_ b: Bool) -> Double { b ? 1 : 0 }
    // §2: ∂E/∂H^{l−1} "is calculated by a convolution operation but with rotated filters": the full
    // correlation of δ with rot180(w) (a true convolution with w), against the conv block's backward.
    let delta = Matrix<Double>.uniform(4, 3, using: &rng)
    let viaRotated = xcorr2(zeroPad(delta, top: 2, bottom: 2, left: 2, right: 2), rot180(w))
    let blockDx = try Conv().backward(image.tensor, Parameters(w: w.tensor), delta.tensor).dzdx.storage
    // §4–5: strides 2, 3, 4 against F = 3 — overlapping, non-overlapping, and inputs never read
    // (11 samples, 1-D; the span the windows cover).
    var overlaps: [Double] = []
    var skips: [Double] = []
    for s in 2...4 {
      var reads = Array(repeating: 0, count: 11)
      for start in stride(from: 0, through: 11 - 3, by: s) { for t in 0..<3 { reads[start + t] += 1 } }
      let covered = reads.prefix(11 - (11 - 3) % s)
      overlaps.append(flag((covered.max() ?? 0) > 1))
      skips.append(flag(covered.contains(0)))
    }
    // The default configuration in Tables 2–5 (Table 2 s = 2; Table 3 64 filters for Stride, Dilation, Max, Average;
    // Table 4 F = 2 for Max and Average; Table 5 i+2), against Table 1's rows, entry by entry.
    let otherTables: [Double] = [0.877, 185, 0.877, 185, 0.883, 576, 0.883, 576, 0.880, 209, maxAcc[0], maxEpoch[0], 17, 0.881, 504, avgAcc[0], avgEpoch[0], 18]
    let stride1 = row("Stride")
    let dilation1 = row("Dilation")
    let max1 = row("Max Pooling")
    let avg1 = row("Average Pooling")
    let tableOneAgain: [Double] = [
      stride1.acc, stride1.toBest, stride1.acc, stride1.toBest, dilation1.acc, dilation1.toBest, dilation1.acc, dilation1.toBest,
      max1.acc, max1.toBest, max1.acc, max1.epoch, max1.epochTime, avg1.acc, avg1.toBest, avg1.acc, avg1.epoch, avg1.epochTime,
    ]
    return shapes() + [
      .holds(
        .milisavljevic, "§2", "Milisavljevic (1)", "h_ij = Σ_{k=1}^{F} Σ_{l=1}^{F} w_{k,l} x_{k+i−1, l+j−1} + b", against: "the conv block (MatConvNet §4.1's correlation)",
        value: eq1.storage, truth: block.storage),
      Audit.entry(
        .milisavljevic, "§2 (im2col size)", "im2col: x (H×W×D) → a (H″W″) × (FH·FW·D) matrix of patches (Fig. 4)", against: "H″W″ = 5·4 rows, 3·3·3 columns",
        printed: ([Double(phi.rows), Double(phi.cols)], [20, 27]), kind: .size),
      Audit.entry(
        .milisavljevic, "§2 (serialization)", "the convolution output by one matrix multiplication of the columns with the filters (Fig. 5)", against: "naive convolution loops",
        printed: (gemm.storage, direct.storage)),
      Audit.entry(
        .milisavljevic, "§2 (memory)", "im2col stores ≈ FH·FW copies of the input (here 20·27/126 = 4.29; → 9 as H, W grow)", against: "the size of φ(x)",
        printed: ([blowUp], [Double(20 * 27) / 126])),
      .holds(
        .milisavljevic, "§2", "§2 (duplication)", kind: .prose, "If the stride is less than the kernel size, the produced columns include a lot of data duplication",
        against: "whether φ(x) holds more numbers than x (9×9 input, F = 3, s = 1, 2, 3)", value: strideBelowKernel, truth: duplication),
      .holds(
        .milisavljevic, "§2", "§2 (max pooling discards)", kind: .prose, "a Max Pooling layer will discard 75% of the input activations with p = 2 and s = 2",
        against: "1 − outputs/inputs of the 2×2, stride-2 max pool block on an 8×6×2 map", value: [0.75], truth: [discarded]),
      .holds(
        .milisavljevic, "§2", "§2 (text before Milisavljevic (2))", kind: .prose,
        "the gradient of the error surface E with respect to H^{l−1} … is calculated by a convolution operation but with rotated filters",
        against: "the conv block's backward dz/dx (MatConvNet §6.1)", value: viaRotated.storage, truth: blockDx, tolerance: 1e-12,
        note: "a correlation of the zero-padded δ with the rotated filter, i.e. Xu (16) read with Fig. 4's correlation"),
      .holds(
        .milisavljevic, "§4", "§4 (strides 2, 3, 4)", kind: .prose,
        "values 2, 3 and 4 … tests for overlapping, non-overlapping and some cell skipping while moving the kernel (kernel size 3); some data loss occurs when stride is 4",
        against: "size-3 windows at strides 2, 3, 4: does a sample get read twice (overlap); is one skipped", value: [1, 0, 0] + [0, 0, 1], truth: overlaps + skips),
      Audit.entry(
        .milisavljevic, "§3 (Max+Average)", "max+average pooling = max pooling + average pooling (their sum)", against: "the two pooling blocks added",
        printed: (maxavg.storage, sum.storage)),
      .holds(
        .milisavljevic, "§3", "§3 (dilation)", kind: .prose, "The number of parameters is not affected by the spaces between them … dilation expands the context",
        against: "the receptive field (F − 1)d + 1 of the dilated conv block and its 9 weights, d = 1 … 4", value: parameters + fields, truth: Array(repeating: 9, count: 4) + fieldTruth),
      .holds(
        .milisavljevic, "§4", "Table 1 (runtimes)", kind: .table, "Runtime until best (s) = best model epoch × average epoch runtime (Table 1)",
        against: "the products of Table 1's columns (within 3%: the average runtime is rounded to whole seconds)", value: toBest, truth: product, tolerance: 0.03),
      .holds(
        .milisavljevic, "§5", "§5 (no pooling vs dilation)", kind: .prose,
        "No pooling has the same testing accuracy 0.883 as the dilated convolution … dilated convolution trained the best model in less than the half runtime",
        against: "Table 1 (accuracy 0.883 = 0.883; 576 s < 1269/2 s)", value: [row("No Pooling").acc, 1], truth: [row("Dilation").acc, flag(row("Dilation").toBest < row("No Pooling").toBest / 2)]),
      .holds(
        .milisavljevic, "§5", "§5 (epochs to best)", kind: .prose, "the epochs that take to reach the optimal model are more than double for Average Pooling (Table 4)",
        against: "Table 4's best-model epochs, Average > 2 × Max for F = 2, 3, 2→3", value: [1, 1, 1], truth: zip(avgEpoch, maxEpoch).map { flag($0 > 2 * $1) }),
      Claim(
        .milisavljevic, section: "§5", location: "§5 (Max vs Average by pool size)", kind: .crossReference,
        printed: "Max Pooling has a better accuracy for F: 3, but worse for F: 3 & 2 → 3", verdict: .wrong,
        intended: "better for F: 3, worse for F: 2 and F: 2 → 3 (Table 4)",
        note: "the sentence names F: 3 on both sides; Table 4 has Max ahead at F: 3 (0.877 > 0.874) and behind at F: 2 (0.880 < 0.881) and 2 → 3 (0.874 < 0.878)",
        readings: [
          Reading(
            "as printed", "Max worse than Average at F = 3 and 2→3", against: "Table 4 (1 where Max < Average)", value: [1, 1],
            truth: [flag(maxAcc[1] < avgAcc[1]), flag(maxAcc[2] < avgAcc[2])]),
          Reading(
            "corrected", "Max worse than Average at F = 2 and 2→3", against: "Table 4 (1 where Max < Average)", value: [1, 1],
            truth: [flag(maxAcc[0] < avgAcc[0]), flag(maxAcc[2] < avgAcc[2])]),
        ]),
      Claim(
        .milisavljevic, section: "§5", location: "§5 (best pooling model)", kind: .crossReference, printed: "The overall best model was achieved by Average Pooling with F: 2",
        verdict: .ambiguous, note: "true of the Max-versus-Average comparison the paragraph makes; Table 4's Max+Average with F: 2 → 3 (0.883) beats it, as the next paragraph says",
        readings: [
          Reading("best of Max and Average Pooling", "the largest of Table 4's Max and Average rows", against: "Table 4", value: [0.881], truth: [(maxAcc + avgAcc).max() ?? .nan]),
          Reading("best of all pooling in Table 4", "the largest of every row of Table 4", against: "Table 4", value: [0.881], truth: [(maxAcc + avgAcc + maxAvgAcc).max() ?? .nan]),
        ]),
      .holds(
        .milisavljevic, "§5", "§5 (Max+Average 2→3)", kind: .prose, "when an increasing pooling size is used (F: 2 → 3) it outperforms every other pooling layer and size",
        against: "Table 4: 0.883 against the largest other entry", value: [1], truth: [flag(maxAvgAcc[2] > ((maxAcc + avgAcc + maxAvgAcc.prefix(2)).max() ?? 1))]),
      .holds(
        .milisavljevic, "§5", "§5 (dilation i+3)", kind: .prose,
        "with dilation rate i+3, this is the best performing system of all the experiments with accuracy 0.886 … the dilation rate i + 2 performed the worst",
        against: "every accuracy in Tables 1–5 (ties allowed) and Table 5's minimum", value: [0.886, 0.883], truth: [allAccuracies.max() ?? .nan, table5.min() ?? .nan]),
      Claim(
        .milisavljevic, section: "§6", location: "§6 (Max+Average)", kind: .prose,
        printed: "The introduced Max+Average Pooling layer showed promising results, outperforming the other pooling layers",
        verdict: .ambiguous, note: "true of its best model (F: 2 → 3, 0.883); at F: 2 Average Pooling is ahead (0.881 > 0.880) and at F: 3 it only ties Max Pooling (0.877)",
        readings: [
          Reading(
            "at every pool size", "Max+Average > Max and > Average for F = 2, 3, 2→3", against: "Table 4", value: [1, 1, 1],
            truth: (0..<3).map { flag(maxAvgAcc[$0] > maxAcc[$0] && maxAvgAcc[$0] > avgAcc[$0]) }),
          Reading(
            "its best model against every other", "max of Max+Average > max of the others", against: "Table 4", value: [1],
            truth: [flag((maxAvgAcc.max() ?? 0) > ((maxAcc + avgAcc).max() ?? 1))]),
        ]),
      .holds(
        .milisavljevic, "§4", "Tables 1–5 (default configuration)", kind: .table,
        "the default model of each method (64 filters, stride 2, pool size 2, dilation i+2) reports the same accuracy and runtime in every table",
        against: "Table 1's row of the same method", value: otherTables, truth: tableOneAgain),
      .holds(
        .milisavljevic, "§6", "§6 (Average vs Max)", kind: .prose, "Average Pooling outperformed Max Pooling for two of the three different cases tested",
        against: "Table 4: cases where Average > Max", value: [2], truth: [Double(zip(avgAcc, maxAcc).filter { $0 > $1 }.count)]),
    ]
  }
}
